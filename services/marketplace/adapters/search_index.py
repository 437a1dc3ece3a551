"""The search index on MongoDB (or FerretDB), read and written only by ``_id``.

- ``search_terms``: one document per term, ``{_id: term, m: {listing_id: [weight, version]}}``;
- ``search_keys``: one document per published listing, ``{_id: listing_id, version, keys}``.

Each web worker keeps the keys it has read in memory. A posting names the listing version whose
keys it was written with, so a worker notices a changed listing and rereads just that one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pymongo import UpdateOne
from pymongo.database import Database

from services.marketplace.domain.search import SearchKeys

TERMS = "search_terms"
KEYS = "search_keys"

# FerretDB 1.24 never answers an update command carrying about a hundred updates or more.
WRITE_CHUNK = 40
CACHE_LIMIT = 500_000


class MongoSearchIndex:
    def __init__(self, db: Database) -> None:
        self._terms = db[TERMS]
        self._keys = db[KEYS]
        self._cache: dict[str, tuple[int, SearchKeys]] = {}

    def put(
        self, listing_id: str, version: int, keys: SearchKeys, terms: Mapping[str, int], previous: Iterable[str]
    ) -> None:
        """Make the index hold this version of a published listing (keys first, so no posting lacks its keys)."""
        self._keys.replace_one({"_id": listing_id}, {"version": version, "keys": keys.encode()}, upsert=True)
        writes = [
            UpdateOne({"_id": term}, {"$set": {f"m.{listing_id}": [weight, version]}}, upsert=True)
            for term, weight in terms.items()
        ]
        writes += [UpdateOne({"_id": term}, {"$unset": {f"m.{listing_id}": ""}}) for term in set(previous) - set(terms)]
        self._write(writes)

    def remove(self, listing_id: str, previous: Iterable[str]) -> None:
        self._write([UpdateOne({"_id": term}, {"$unset": {f"m.{listing_id}": ""}}) for term in previous])
        self._keys.delete_one({"_id": listing_id})

    def _write(self, writes: list[UpdateOne]) -> None:
        for start in range(0, len(writes), WRITE_CHUNK):
            self._terms.bulk_write(writes[start : start + WRITE_CHUNK], ordered=False)

    def postings(self, terms: Iterable[str]) -> dict[str, dict[str, list[int]]]:
        """Each term's postings: listing id → [weight, version]."""
        found = {}
        for term in set(terms):
            document = self._terms.find_one({"_id": term}) or {}
            found[term] = document.get("m", {})
        return found

    def keys(self, versions: Mapping[str, int]) -> dict[str, SearchKeys]:
        """The keys of the listings named, as of (at least) the versions the postings named."""
        if len(self._cache) > CACHE_LIMIT:
            self._cache.clear()
        found: dict[str, SearchKeys] = {}
        for listing_id, version in versions.items():
            cached = self._cache.get(listing_id)
            if cached is None or cached[0] < version:
                document = self._keys.find_one({"_id": listing_id})
                if document is None:
                    continue
                cached = (document["version"], SearchKeys.decode(document["keys"]))
                self._cache[listing_id] = cached
            found[listing_id] = cached[1]
        return found
