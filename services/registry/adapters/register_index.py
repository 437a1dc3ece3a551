"""The public register's search index: postings read and written only by ``_id`` (``shared.text.postings``).

A search reads one posting per word and filter of the query, so its cost follows the entries it matches, not
the size of the register (FerretDB reads a whole collection for any filter but an ``_id`` equality).

- a term is ``<status>/<key>``: ``t:<prefix>`` for the name's and the ЕИК's word prefixes (the register
  document's ``search_terms``), ``a:<prefix>`` for the activities' (``activity_terms``), ``eik:``,
  ``district:``, ``municipality:``, ``region:``, ``enterprise_class:`` for the filters and ``*`` for every
  entry of the status;
- a member is ``<name folded>|<district>|<enterprise id>``: what a page is sorted by and the map counts,
  so only the page's own entries are read from the register documents.

The postings change on the register document's write path (``MongoEnterpriseRepository``): the new members
are added before the document is replaced, the old ones taken out after it, each write idempotent; then the
change is logged (``register_postings_log``, numbered by the counter ``register_postings_seq``,
``shared.text.kept.ChangeLog``).

Each web worker keeps the postings of the terms people search for and the register documents of the pages
it answered (``shared.text.kept``: ``KEPT_MEMBERS`` and ``KEPT_DOCUMENTS`` at most), and follows the log
before every search (one counter read): a change rereads the enterprise's register document by ``_id`` and
sets or takes its place in every kept posting and its kept document. A search seen before costs that one read.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from pymongo.collection import Collection
from pymongo.database import Database

from shared.text.kept import ChangeLog, KeptPostings, LogReader
from shared.text.postings import SEPARATOR, ChunkedPostings
from shared.text.search import query_terms

REGISTER = "register"
"""The slim register documents the public search shows."""
POSTINGS = "register_postings"
LOG = "register_postings_log"
SEQ = "register_postings_seq"
KEPT_MEMBERS = 100_000
"""Members of postings a worker keeps (the register's every active entry ten times over at 10 000)."""
KEPT_DOCUMENTS = 2_000
"""Register documents a worker keeps (a few kB each), the pages people open most."""
BUILT_MARKER = "register_postings"
"""``counters`` document saying the postings were built for the register documents already there."""
STATUSES = ("active", "expired", "deleted")
"""What status ``all`` stands for."""
FILTERS = ("eik", "district", "municipality", "region", "enterprise_class")
EVERY = "*"

VIEW_FIELDS = {
    "name_folded": 1,
    "register_status": 1,
    "search_terms": 1,
    "activity_terms": 1,
    **dict.fromkeys(FILTERS, 1),
}
"""The fields of a register document its postings are made of."""


class Match(NamedTuple):
    """An entry a search found, ordered as the register is (name, then id)."""

    name_folded: str
    enterprise_id: str
    district: str


def member(view: Mapping[str, Any]) -> str:
    return f"{view.get('name_folded') or ''}|{view.get('district') or ''}|{view['_id']}"


def parse(item: str) -> Match:
    name, district, enterprise_id = item.rsplit("|", 2)
    return Match(sys.intern(name), sys.intern(enterprise_id), sys.intern(district))


def _members(items: Iterable[str]) -> dict[str, Match]:
    """A posting as enterprise id → match."""
    found = {}
    for item in items:
        match = parse(item)
        found[match.enterprise_id] = match
    return found


def view_keys(view: Mapping[str, Any]) -> list[str]:
    keys = [EVERY]
    keys += [f"t:{term}" for term in view.get("search_terms") or []]
    keys += [f"a:{term}" for term in view.get("activity_terms") or []]
    keys += [f"{field}:{view[field]}" for field in FILTERS if view.get(field)]
    return keys


def view_postings(view: Mapping[str, Any] | None) -> dict[str, str]:
    """term → member of one register document (none for no document)."""
    if view is None or not view.get("register_status"):
        return {}
    item = member(view)
    return {f"{view['register_status']}/{key}": item for key in view_keys(view)}


def query_keys(filters: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The statuses and the keys a search with ``filters`` must find an entry under (each key, any status)."""
    status = filters.get("status", "active")
    statuses = list(STATUSES) if status == "all" else [status]
    keys = [f"t:{term}" for term in query_terms(filters.get("q", "") or "")]
    keys += [f"a:{term}" for term in query_terms(filters.get("activity", "") or "")]
    keys += [f"{field}:{filters[field]}" for field in FILTERS if filters.get(field)]
    return statuses, keys or [EVERY]


class RegisterIndex:
    def __init__(self, db: Database, *, kept_members: int = KEPT_MEMBERS, kept_documents: int = KEPT_DOCUMENTS) -> None:
        self._db = db
        self._register = db[REGISTER]
        self._postings = ChunkedPostings(db[POSTINGS])
        self._changes = ChangeLog(db, log=LOG, counter=SEQ, field="enterprise_id")
        self._reader = LogReader(self._changes)
        self._kept: KeptPostings[Match] = KeptPostings(kept_members)
        self._documents: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._kept_documents = kept_documents
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ writing
    def add(self, postings: Mapping[str, str], previous: Mapping[str, str]) -> None:
        self._postings.add({term: item for term, item in postings.items() if previous.get(term) != item})

    def remove(self, postings: Mapping[str, str], previous: Mapping[str, str]) -> None:
        self._postings.remove({term: item for term, item in previous.items() if postings.get(term) != item})

    def changed(self, enterprise_id: str) -> None:
        """Log a change of the enterprise's register document and postings, once both are written."""
        self._changes.record(enterprise_id)

    def build(self, register: Collection) -> int:
        """Build the postings anew from the register documents (a new index, a rebuild); returns the entries.

        The postings are replaced whole; a register document written meanwhile is posted again afterwards
        (each write idempotent), so a rebuild may run beside the web servers."""
        snapshot: dict[str, tuple[Any, dict[str, str]]] = {}
        postings: dict[str, list[str]] = {}
        for view in register.find({}, {**VIEW_FIELDS, "version": 1}).batch_size(2000):
            snapshot[view["_id"]] = (view.get("version"), view_postings(view))
            for term, item in snapshot[view["_id"]][1].items():
                postings.setdefault(term, []).append(item)
        self._db.drop_collection(POSTINGS)
        self._postings.load(postings)
        for view in register.find({}, {**VIEW_FIELDS, "version": 1}).batch_size(2000):
            version, posted = snapshot.get(view["_id"], (None, {}))
            if version != view.get("version") or view["_id"] not in snapshot:
                current = view_postings(view)
                self.add(current, {})
                self.remove(current, posted)
        self._db["counters"].update_one({"_id": BUILT_MARKER}, {"$set": {"value": 1}}, upsert=True)
        self._changes.restart_readers()  # what the workers kept may be older than the postings rebuilt
        return len(snapshot)

    def build_once(self, register: Collection) -> bool:
        """Build the postings unless they were built already (the index job); True when it built them."""
        if self.built():
            return False
        self.build(register)
        return True

    def built(self) -> bool:
        return self._db["counters"].find_one({"_id": BUILT_MARKER}) is not None

    # ------------------------------------------------------------------ reading
    def matches(self, filters: Mapping[str, Any]) -> list[Match]:
        """The entries a search with ``filters`` finds, in the register's order (name, then id)."""
        with self._lock:
            self._follow_log()
            return self._matches(filters)

    def page(
        self, filters: Mapping[str, Any], start: int, stop: int, hidden: Mapping[str, int]
    ) -> tuple[int, list[dict[str, Any]]]:
        """How many entries a search with ``filters`` finds, and the register documents of its ``start:stop``
        (those still there), without the ``hidden`` fields."""
        with self._lock:
            self._follow_log()
            matches = self._matches(filters)
            found = []
            for match in matches[start:stop]:
                document = self._document(match.enterprise_id)
                if document is not None:
                    found.append({key: value for key, value in document.items() if key not in hidden})
        return len(matches), found

    def _matches(self, filters: Mapping[str, Any]) -> list[Match]:
        statuses, keys = query_keys(filters)
        if any(SEPARATOR in f"{status}/{key}" for status in statuses for key in keys):
            return []  # no term written holds one; the chunks' ids do
        found: dict[str, Match] = {}
        for status in statuses:
            common: dict[str, Match] | None = None
            for key in keys:
                posting = self._posting(f"{status}/{key}")
                if common is None:
                    common = posting
                else:  # the same member in both, as the members' strings were intersected
                    small, large = (common, posting) if len(common) <= len(posting) else (posting, common)
                    common = {i: m for i, m in small.items() if large.get(i) == m}
                if not common:
                    break
            for enterprise_id, match in (common or {}).items():
                found.setdefault(enterprise_id, match)
        return sorted(found.values())

    def _document(self, enterprise_id: str) -> dict[str, Any] | None:
        """The register document, kept as the log has brought it or read by ``_id`` (and kept)."""
        document = self._documents.get(enterprise_id)
        if document is not None:
            self._documents.move_to_end(enterprise_id)
            return document
        document = self._register.find_one({"_id": enterprise_id})
        if document is not None:
            self._documents[enterprise_id] = document
            while len(self._documents) > self._kept_documents:
                self._documents.popitem(last=False)
        return document

    def _posting(self, term: str) -> dict[str, Match]:
        kept = self._kept.get(term)
        if kept is None:
            kept = _members(self._postings.of(term))
            self._kept.keep(term, kept)
        return kept

    def _follow_log(self) -> None:
        self._reader.follow(self._follow, self._forget)

    def _follow(self, enterprise_id: str) -> None:
        """Bring what the worker keeps in line with the enterprise's register document as it is now."""
        if not self._kept and enterprise_id not in self._documents:
            return
        document = self._register.find_one({"_id": enterprise_id})
        current = {term: parse(item) for term, item in view_postings(document).items()}
        self._kept.follow(enterprise_id, current)
        if document is None:
            self._documents.pop(enterprise_id, None)
        elif enterprise_id in self._documents:
            self._documents[enterprise_id] = document

    def _forget(self) -> None:
        self._kept.forget()
        self._documents.clear()
