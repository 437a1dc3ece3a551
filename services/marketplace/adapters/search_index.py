"""The search index on MongoDB (or FerretDB), read and written only by ``_id``.

- ``search_terms``: one document per term, ``{_id: term, m: ["<listing id>|<weight>", ...]}``. Entries
  are strings changed with ``$addToSet`` and ``$pullAll``, so concurrent writers never overwrite each
  other, and a list of strings is what FerretDB decodes fastest (a few microseconds an entry);
- ``search_keys``: one document per published listing with its filter, facet and sort keys;
- ``search_keys_log``: ``{_id: "k<n>", listing_id}`` for every change of keys, numbered by the
  counter ``search_keys_seq``.

Each web worker reads all keys once, then follows the log (one counter read a search, and one read
per change), so a query's cost grows with the listings it matches, not with all listings.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from pymongo import ReturnDocument, UpdateOne
from pymongo.database import Database

from services.marketplace.domain.search import SearchKeys

TERMS = "search_terms"
KEYS = "search_keys"
KEYS_LOG = "search_keys_log"
KEYS_SEQ = "search_keys_seq"

# FerretDB 1.24 never answers an update command carrying about a hundred updates or more.
WRITE_CHUNK = 40
RELOAD_SECONDS = 900.0
"""A full reread of the keys now and then, in case a writer died between a change and its log entry."""
CATCH_UP_LIMIT = 5000
"""Further behind than this many changes, a worker rereads all keys instead of following the log."""


def entry(listing_id: str, weight: int) -> str:
    return f"{listing_id}|{weight}"


class MongoSearchIndex:
    def __init__(self, db: Database) -> None:
        self._terms = db[TERMS]
        self._keys = db[KEYS]
        self._log = db[KEYS_LOG]
        self._counters = db["counters"]
        self._cache: dict[str, SearchKeys] = {}
        self._seen_seq = 0
        self._loaded_at: float | None = None

    # ------------------------------------------------------------------ writing
    def put(self, listing_id: str, keys: SearchKeys, terms: Mapping[str, int], previous: Mapping[str, int]) -> None:
        """Make the index hold a published listing: its keys, then the postings that changed."""
        self._keys.replace_one({"_id": listing_id}, {"keys": keys.encode()}, upsert=True)
        self._log_change(listing_id)
        writes = [
            UpdateOne({"_id": term}, {"$addToSet": {"m": entry(listing_id, weight)}}, upsert=True)
            for term, weight in terms.items()
            if previous.get(term) != weight
        ]
        writes += [
            UpdateOne({"_id": term}, {"$pullAll": {"m": [entry(listing_id, weight)]}})
            for term, weight in previous.items()
            if terms.get(term) != weight
        ]
        self._write(writes)

    def remove(self, listing_id: str, previous: Mapping[str, int]) -> None:
        """Take a listing out of every posting it is in."""
        self._write(
            [UpdateOne({"_id": term}, {"$pullAll": {"m": [entry(listing_id, w)]}}) for term, w in previous.items()]
        )
        self._keys.delete_one({"_id": listing_id})

    def _log_change(self, listing_id: str) -> None:
        counter = self._counters.find_one_and_update(
            {"_id": KEYS_SEQ}, {"$inc": {"value": 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        self._log.insert_one({"_id": f"k{counter['value']}", "listing_id": listing_id})

    def _write(self, writes: list[UpdateOne]) -> None:
        for start in range(0, len(writes), WRITE_CHUNK):
            self._terms.bulk_write(writes[start : start + WRITE_CHUNK], ordered=False)

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
        documents = [{"_id": term, "m": members} for term, members in postings.items()]
        for start in range(0, len(documents), 200):
            self._terms.insert_many(documents[start : start + 200], ordered=False)
        return len(keys)

    # ------------------------------------------------------------------ reading
    def postings(self, terms: Iterable[str]) -> dict[str, dict[str, int]]:
        """Each term's postings: listing id → weight."""
        found: dict[str, dict[str, int]] = {}
        for term in set(terms):
            document = self._terms.find_one({"_id": term}) or {}
            members: dict[str, int] = {}
            for item in document.get("m", []):
                listing_id, _, weight = item.rpartition("|")
                members[listing_id] = int(weight)
            found[term] = members
        return found

    def keys(self, listing_ids: Iterable[str]) -> dict[str, SearchKeys]:
        """The current keys of the listings named (a listing no longer published has none)."""
        self._refresh()
        found: dict[str, SearchKeys] = {}
        for listing_id in listing_ids:
            cached = self._cache.get(listing_id)
            if cached is None:
                cached = self._read(listing_id)
            if cached is not None:
                found[listing_id] = cached
        return found

    def _read(self, listing_id: str) -> SearchKeys | None:
        document = self._keys.find_one({"_id": listing_id})
        if document is None:
            self._cache.pop(listing_id, None)
            return None
        self._cache[listing_id] = SearchKeys.decode(document["keys"])
        return self._cache[listing_id]

    def _refresh(self) -> None:
        if self._loaded_at is None or time.monotonic() - self._loaded_at > RELOAD_SECONDS:
            counter = self._counters.find_one({"_id": KEYS_SEQ}) or {}
            self._cache = {d["_id"]: SearchKeys.decode(d["keys"]) for d in self._keys.find({}).batch_size(5000)}
            self._seen_seq = counter.get("value", 0)
            self._loaded_at = time.monotonic()
            return
        counter = self._counters.find_one({"_id": KEYS_SEQ}) or {}
        latest = counter.get("value", 0)
        if latest - self._seen_seq > CATCH_UP_LIMIT:
            self._loaded_at = None
            self._refresh()
            return
        for seq in range(self._seen_seq + 1, latest + 1):
            change = self._log.find_one({"_id": f"k{seq}"})
            if change is not None:
                self._read(change["listing_id"])
        self._seen_seq = max(self._seen_seq, latest)
