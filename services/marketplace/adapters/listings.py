"""Listings on MongoDB (or FerretDB): one document each, with its outbox and optimistic version."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo.database import Database

from services.marketplace.adapters.sellers import SELLERS
from services.marketplace.domain.listing import Listing
from shared.documents import from_document, to_document
from shared.errors import NotFound, Text
from shared.mongo import IndexSpec, index
from shared.outbox import OUTBOX_INDEXES, OutboxEntry
from shared.outbox.store import AggregateStore

LISTINGS = "listings"
INDEXES: list[IndexSpec] = [
    index(LISTINGS, "seller.enterprise_id", "status"),
    *(index(LISTINGS, field) for field in OUTBOX_INDEXES),
    index(LISTINGS, "search_dirty"),
]
NO_SUCH_LISTING = Text("Няма такава обява.", "No such listing.")
_STATE = {"outbox": 0, "outbox_seq": 0, "outbox_sent_seq": 0, "search_dirty": 0, "indexed": 0}


class MongoListings:
    def __init__(self, db: Database) -> None:
        self._store = AggregateStore(db[LISTINGS])
        self._collection = db[LISTINGS]
        self._sellers = db[SELLERS]

    def get(self, listing_id: str) -> Listing:
        document = self._collection.find_one({"_id": listing_id}, _STATE)
        if document is None:
            raise NotFound(NO_SUCH_LISTING)
        return from_document(Listing, document)

    def add(self, listing: Listing, outbox: list[OutboxEntry]) -> None:
        # The seller's list of listings is a hint written first: a crash leaves only an id that resolves to nothing.
        self._sellers.update_one({"_id": listing.seller_id}, {"$addToSet": {"listing_ids": listing.id}})
        listing.version = self._store.insert({**to_document(listing), "search_dirty": True}, outbox)

    def save(self, listing: Listing, outbox: list[OutboxEntry]) -> None:
        fields = to_document(listing, drop=("version",))
        del fields["_id"]
        listing.version = self._store.update(listing.id, listing.version, {**fields, "search_dirty": True}, outbox)

    def of_seller(self, seller_id: str) -> list[Listing]:
        """The seller's listings, found by the ids kept on the seller (an ``_id`` read each)."""
        seller = self._sellers.find_one({"_id": seller_id}, {"listing_ids": 1}) or {}
        found = []
        for listing_id in seller.get("listing_ids", []):
            document = self._collection.find_one({"_id": listing_id}, _STATE)
            if document is not None:
                found.append(from_document(Listing, document))
        return found

    def dirty_ids(self) -> list[str]:
        """Listings saved since the search index last took them (a crash between the two leaves some)."""
        return [d["_id"] for d in self._collection.find({"search_dirty": True}, {"_id": 1})]

    def mark_indexed(self, listing_id: str, version: int, terms: Mapping[str, int]) -> bool:
        """Record what the search index holds for this version. If the listing changed meanwhile, another
        writer may have indexed the newer version first, so the listing is left for the repair pass."""
        entries = sorted(f"{term}|{weight}" for term, weight in terms.items())  # terms may hold dots: no dict keys
        update: dict[str, Any] = {"$set": {"search_dirty": False, "indexed": {"version": version, "terms": entries}}}
        if self._collection.update_one({"_id": listing_id, "version": version}, update).matched_count == 1:
            return True
        self._collection.update_one({"_id": listing_id}, {"$set": {"search_dirty": True}})
        return False

    def indexed_terms(self, listing_id: str) -> dict[str, int]:
        """The terms the search index holds for the listing, with their weights."""
        document = self._collection.find_one({"_id": listing_id}, {"indexed": 1}) or {}
        entries = (document.get("indexed") or {}).get("terms", [])
        return {term: int(weight) for term, _, weight in (e.rpartition("|") for e in entries)}
