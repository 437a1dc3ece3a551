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
are added before the document is replaced, the old ones taken out after it, each write idempotent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database

from shared.text.postings import SEPARATOR, ChunkedPostings
from shared.text.search import query_terms

POSTINGS = "register_postings"
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


@dataclass(frozen=True, order=True)
class Match:
    name_folded: str
    enterprise_id: str
    district: str


def member(view: Mapping[str, Any]) -> str:
    return f"{view.get('name_folded') or ''}|{view.get('district') or ''}|{view['_id']}"


def parse(item: str) -> Match:
    name, district, enterprise_id = item.rsplit("|", 2)
    return Match(name, enterprise_id, district)


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
    def __init__(self, db: Database) -> None:
        self._db = db
        self._postings = ChunkedPostings(db[POSTINGS])

    # ------------------------------------------------------------------ writing
    def add(self, postings: Mapping[str, str], previous: Mapping[str, str]) -> None:
        self._postings.add({term: item for term, item in postings.items() if previous.get(term) != item})

    def remove(self, postings: Mapping[str, str], previous: Mapping[str, str]) -> None:
        self._postings.remove({term: item for term, item in previous.items() if postings.get(term) != item})

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
        statuses, keys = query_keys(filters)
        if any(SEPARATOR in f"{status}/{key}" for status in statuses for key in keys):
            return []  # no term written holds one; the chunks' ids do
        found: dict[str, Match] = {}
        for status in statuses:
            common: set[str] | None = None
            for key in keys:
                items = set(self._postings.of(f"{status}/{key}"))
                common = items if common is None else common & items
                if not common:
                    break
            for item in common or ():
                match = parse(item)
                found.setdefault(match.enterprise_id, match)
        return sorted(found.values())
