"""The search index on MongoDB (or FerretDB), read and written only by ``_id``.

- ``search_terms``: each term's postings, ``"<listing id>|<weight>"`` strings in documents of at most
  ``PER_DOCUMENT`` entries (``{_id: term, m: [...], c: n}`` and ``{_id: "term#1", m: [...]}`` ...,
  see ``shared.text.postings``). Entries are changed with ``$addToSet`` and ``$pullAll``, so concurrent
  writers never overwrite each other, and a list of strings is what FerretDB decodes fastest (a few
  microseconds an entry);
- ``search_keys``: one document per published listing with its filter, facet and sort keys, and its
  terms (``"<term>|<weight>"``) as the postings hold them;
- ``search_keys_log``: ``{_id: "k<n>", listing_id}`` for every change of a published listing (its keys and
  terms, or anything else a search page shows of it), written once its postings are written, numbered by
  the counter ``search_keys_seq`` (``shared.text.kept.ChangeLog``). Only the last ``CATCH_UP_LIMIT``
  entries are kept: a reader further behind rereads everything anyway.

Each web worker reads all keys once into a ``KeyTable`` (numpy columns, one row per listing), then follows the log
(one counter read a search, and one read per change), so a query's cost grows with the listings it matches, not
with all listings. It also
keeps the postings of the terms people search for (``shared.text.kept.KeptPostings``,
``POSTINGS_CACHE_ENTRIES`` members at most, the least recently searched dropped first): a change in
the log sets or takes the listing's place in every posting kept, from the terms in its keys document,
so a worker answers a search it has seen before without reading postings, and never from postings
older than the log it has followed. A posting read from the database after the log was followed holds
every change logged so far (postings are written before their log entry); a later change found in it is
set again, to the same, when its entry comes.
"""

from __future__ import annotations

import contextlib
import ctypes
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pymongo.database import Database

from services.marketplace.domain.search import KeyTable, SearchKeys
from shared.text.kept import CATCH_UP_LIMIT, RELOAD_SECONDS, ChangeLog, KeptPostings, LogReader
from shared.text.postings import PER_DOCUMENT, ChunkedPostings

TERMS = "search_terms"
KEYS = "search_keys"
KEYS_LOG = "search_keys_log"
KEYS_SEQ = "search_keys_seq"
TERMS_VERSION = "search_terms_version"

# RELOAD_SECONDS: a full reread of the keys now and then, in case a writer died between a change and its log entry.
# CATCH_UP_LIMIT: further behind than this many changes, a worker rereads all keys instead of following the log.
POSTINGS_CACHE_ENTRIES = 300_000
"""Members of postings a worker keeps (about 60 bytes each: some 18 MB), enough for the words people search for
most at 100 000 listings; a posting larger than this is read each time."""


def entry(listing_id: str, weight: int) -> str:
    return f"{listing_id}|{weight}"


class MongoSearchIndex:
    def __init__(
        self,
        db: Database,
        *,
        postings_per_document: int = PER_DOCUMENT,
        catch_up_limit: int = CATCH_UP_LIMIT,
        postings_cache_entries: int = POSTINGS_CACHE_ENTRIES,
    ) -> None:
        self._terms = ChunkedPostings(db[TERMS], postings_per_document)
        self._keys = db[KEYS]
        self._changes = ChangeLog(db, log=KEYS_LOG, counter=KEYS_SEQ, field="listing_id", catch_up_limit=catch_up_limit)
        self._reader = LogReader(self._changes, reload_seconds=RELOAD_SECONDS)
        self._counters = db["counters"]
        self._table = KeyTable()
        self._postings: KeptPostings[int] = KeptPostings(postings_cache_entries)
        self._lock = threading.RLock()
        self._subscribers: list[Callable[[str | None], None]] = []

    def subscribe(self, changed: Callable[[str | None], None]) -> None:
        """Tell ``changed`` of each listing the change log names as this worker follows it, and ``None`` when the
        worker starts afresh (every listing may have changed): what else a worker keeps of listings stays fresh."""
        self._subscribers.append(changed)

    # ------------------------------------------------------------------ writing
    def put(self, listing_id: str, keys: SearchKeys, terms: Mapping[str, int], previous: Mapping[str, int]) -> None:
        """Make the index hold a published listing: its keys and terms, the postings that changed, then the log."""
        document = {"keys": keys.encode(), "terms": sorted(entry(term, weight) for term, weight in terms.items())}
        self._keys.replace_one({"_id": listing_id}, document, upsert=True)
        self._terms.add(
            {term: entry(listing_id, weight) for term, weight in terms.items() if previous.get(term) != weight}
        )
        self._terms.remove(
            {term: entry(listing_id, weight) for term, weight in previous.items() if terms.get(term) != weight}
        )
        self._log_change(listing_id)

    def remove(self, listing_id: str, previous: Mapping[str, int]) -> None:
        """Take a listing out of every posting it is in, then log it for the workers' caches."""
        self._terms.remove({term: entry(listing_id, weight) for term, weight in previous.items()})
        if self._keys.delete_one({"_id": listing_id}).deleted_count or previous:  # not for a draft saved again
            self._log_change(listing_id)

    def touch(self, listing_id: str) -> None:
        """Log a change of a published listing that its keys and terms do not show (a price, a unit, a seller's
        contact), for the workers that keep listings for their search pages."""
        self._log_change(listing_id)

    def _log_change(self, listing_id: str) -> None:
        self._changes.record(listing_id)

    def load(self, entries: Iterable[tuple[str, SearchKeys, Mapping[str, int]]]) -> int:
        """Build an empty index in bulk from (listing id, keys, terms); returns the listings loaded.

        For a new index only (the benchmark's data, a rebuild into fresh collections): it inserts
        whole term documents rather than updating them one listing at a time.
        """
        postings: dict[str, list[str]] = {}
        keys = []
        for listing_id, listing_keys, terms in entries:
            keys.append({"_id": listing_id, "keys": listing_keys.encode()})
            for term, weight in terms.items():
                postings.setdefault(term, []).append(entry(listing_id, weight))
        for start in range(0, len(keys), 1000):
            self._keys.insert_many(keys[start : start + 1000], ordered=False)
        self._terms.load(postings)
        return len(keys)

    def terms_version(self) -> int:
        document = self._counters.find_one({"_id": TERMS_VERSION}) or {}
        return int(document.get("value", 0))

    def set_terms_version(self, version: int) -> None:
        self._counters.update_one({"_id": TERMS_VERSION}, {"$set": {"value": version}}, upsert=True)

    # ------------------------------------------------------------------ reading
    def postings(self, terms: Iterable[str]) -> dict[str, dict[str, int]]:
        """Each term's postings: listing id → weight (a kept posting itself, never changed: not to be changed)."""
        with self._lock:
            self._refresh()
            found: dict[str, dict[str, int]] = {}
            for term in dict.fromkeys(terms):
                kept = self._postings.get(term)
                if kept is not None:
                    found[term] = kept
                    continue
                found[term] = members = _parsed(self._terms.of(term))
                self._keep(term, members)
            return found

    def _keep(self, term: str, members: dict[str, int]) -> None:
        self._postings.keep(term, members)

    def _forget_postings(self) -> None:
        self._postings.forget()

    def _follow(self, listing_id: str, document: dict[str, Any] | None) -> None:
        """Bring every kept posting in line with the listing's terms as its keys document holds them now."""
        if not self._postings:
            return
        if document is not None and "terms" not in document:  # written before the terms were kept with the keys
            self._forget_postings()
            return
        self._postings.follow(listing_id, _parsed(document["terms"]) if document is not None else {})

    def keys(self, listing_ids: Iterable[str]) -> KeyTable:
        """The current keys of the listings named (a listing no longer published has none).

        The worker's own table of every listing's keys, once those of the listings named it lacked were read:
        to be read, never changed. Nothing is copied, so a search's cost is not one more step per match."""
        with self._lock:
            return self._keys_of(listing_ids)

    def matches(self, terms: Iterable[str]) -> tuple[dict[str, dict[str, int]], KeyTable]:
        """Each term's postings (as :meth:`postings`) and the keys of every listing in them (as :meth:`keys`),
        after one look at the change log. A posting is turned into the table's rows once (the keys its listings
        lacked read then), and again only when a change replaces it."""
        with self._lock:
            found = self.postings(terms)
            table = self._table
            for term, posting in found.items():
                if not table.converted(posting):
                    self._known(set(posting))
                    table.rows_of(posting, term)
            return found, table

    def _keys_of(self, listing_ids: Iterable[str]) -> KeyTable:
        self._refresh()
        return self._known(set(listing_ids))

    def _known(self, listing_ids: set[str]) -> KeyTable:
        table = self._table
        for listing_id in [i for i in listing_ids if i not in table]:  # in a posting but not (yet) among the keys
            self._read(listing_id)
        return table

    def _read(self, listing_id: str, *, follow: bool = False) -> SearchKeys | None:
        document = self._keys.find_one({"_id": listing_id}, None if follow else {"keys": 1})
        if follow:
            self._follow(listing_id, document)
        keys = None if document is None else SearchKeys.decode(document["keys"])
        self._table.put(listing_id, keys)
        return keys

    def _refresh(self) -> None:
        """Follow the change log (one counter read), or reread every listing's keys when starting afresh."""
        self._reader.follow(self._changed, self._reload)

    def _changed(self, listing_id: str) -> None:
        self._read(listing_id, follow=True)
        for changed in self._subscribers:
            changed(listing_id)

    def _reload(self) -> None:
        self._forget_postings()
        for changed in self._subscribers:
            changed(None)
        self._table = KeyTable.load((d["_id"], d["keys"]) for d in self._keys.find({}, {"keys": 1}).batch_size(5000))
        _give_back_freed_memory()


def _give_back_freed_memory() -> None:
    """Hand the pages the C heap holds freed back to the system: reading every listing's keys leaves ~14 MB of the
    database's answers freed but kept by glibc's allocator at 100 000 listings (nothing to do elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL(None).malloc_trim(0)


def _parsed(items: Iterable[str]) -> dict[str, int]:
    """``"<id>|<weight>"`` strings as id → weight, the ids shared with the keys' (one string each in memory)."""
    members: dict[str, int] = {}
    for item in items:
        name, _, weight = item.rpartition("|")
        members[sys.intern(name)] = int(weight)
    return members
