"""Listings on MongoDB (or FerretDB): one document each, with its outbox and optimistic version.

Each seller's listing ids are kept in ``seller_listings`` (``_id`` = the seller's id, then ``<id>#1``...,
chunks of at most ``LISTINGS_PER_DOCUMENT``, see ``shared.text.postings``), read by ``_id``. Sellers
written before this hold their older ids in ``listing_ids`` on the seller's document, still read, no
longer written.
"""

from __future__ import annotations

from typing import Any

from pymongo.database import Database

from services.marketplace.adapters.sellers import SELLERS
from services.marketplace.domain.listing import Listing
from services.marketplace.service_layer.ports import Indexed
from shared.documents import from_document, to_document
from shared.errors import NotFound, Text
from shared.mongo import IndexSpec, index
from shared.outbox import OUTBOX_INDEXES, OutboxEntry
from shared.outbox.store import AggregateStore
from shared.text.kept import KeptItems
from shared.text.postings import PER_DOCUMENT, ChunkedPostings

LISTINGS = "listings"
SELLER_LISTINGS = "seller_listings"
LISTINGS_PER_DOCUMENT = PER_DOCUMENT
INDEXES: list[IndexSpec] = [
    index(LISTINGS, "seller.enterprise_id", "status"),
    *(index(LISTINGS, field) for field in OUTBOX_INDEXES),
    index(LISTINGS, "search_dirty"),
]
NO_SUCH_LISTING = Text("Няма такава обява.", "No such listing.")
_STATE = {"outbox": 0, "outbox_seq": 0, "outbox_sent_seq": 0, "search_dirty": 0, "indexed": 0}
KEPT_SHOWN = 1000
"""Listings a web worker keeps for search pages (a few MB)."""


class MongoListings:
    def __init__(self, db: Database) -> None:
        self._store = AggregateStore(db[LISTINGS])
        self._collection = db[LISTINGS]
        self._sellers = db[SELLERS]
        self._of_sellers = ChunkedPostings(db[SELLER_LISTINGS], LISTINGS_PER_DOCUMENT)
        self._shown: KeptItems[Listing] = KeptItems(KEPT_SHOWN)

    def get(self, listing_id: str) -> Listing:
        document = self._collection.find_one({"_id": listing_id}, _STATE)
        if document is None:
            raise NotFound(NO_SUCH_LISTING)
        return from_document(Listing, document)

    def shown(self, listing_id: str) -> Listing:
        """The listing to be shown on a search page, never changed: read by its ``_id`` like :meth:`get` the first
        time, then kept (the last ``KEPT_SHOWN``) until :meth:`forget_shown` is told it changed — the worker's search
        index tells it of every change in its log (``MongoSearchIndex.subscribe``), followed before each search."""
        return self._shown.get(listing_id, lambda: self.get(listing_id))

    def forget_shown(self, listing_id: str | None) -> None:
        """The listing changed (``None``: any listing may have): read it again when it is next shown."""
        self._shown.forget(listing_id)

    def add(self, listing: Listing, outbox: list[OutboxEntry]) -> None:
        # The seller's list of listings is a hint written first: a crash leaves only an id that resolves to nothing.
        self._of_sellers.add({listing.seller_id: listing.id})
        listing.version = self._store.insert({**to_document(listing), "search_dirty": True}, outbox)

    def save(self, listing: Listing, outbox: list[OutboxEntry]) -> None:
        fields = to_document(listing, drop=("version",))
        del fields["_id"]
        listing.version = self._store.update(listing.id, listing.version, {**fields, "search_dirty": True}, outbox)

    def of_seller(self, seller_id: str) -> list[Listing]:
        """The seller's listings, found by the ids kept for the seller (an ``_id`` read each)."""
        seller = self._sellers.find_one({"_id": seller_id}, {"listing_ids": 1}) or {}
        ids = [*seller.get("listing_ids", []), *self._of_sellers.members([seller_id])[seller_id]]
        found = []
        for listing_id in dict.fromkeys(ids):
            document = self._collection.find_one({"_id": listing_id}, _STATE)
            if document is not None:
                found.append(from_document(Listing, document))
        return found

    def dirty_ids(self) -> list[str]:
        """Listings saved since the search index last took them (a crash between the two leaves some)."""
        return [d["_id"] for d in self._collection.find({"search_dirty": True}, {"_id": 1})]

    def all_ids(self) -> list[str]:
        return [d["_id"] for d in self._collection.find({}, {"_id": 1})]

    def mark_indexed(self, listing_id: str, version: int, indexed: Indexed) -> bool:
        """Record what the search index holds for this version. If the listing changed meanwhile, another
        writer may have indexed the newer version first, so the listing is left for the repair pass."""
        entries = sorted(f"{term}|{weight}" for term, weight in indexed.terms.items())  # terms hold dots: no keys
        record = {"version": version, "terms": entries, "keys": indexed.keys}
        update: dict[str, Any] = {"$set": {"search_dirty": False, "indexed": record}}
        if self._collection.update_one({"_id": listing_id, "version": version}, update).matched_count == 1:
            return True
        self._collection.update_one({"_id": listing_id}, {"$set": {"search_dirty": True}})
        return False

    def indexed(self, listing_id: str) -> Indexed:
        """What the search index holds for the listing: its terms with their weights, and its keys."""
        document = self._collection.find_one({"_id": listing_id}, {"indexed": 1}) or {}
        record = document.get("indexed") or {}
        terms = {term: int(weight) for term, _, weight in (e.rpartition("|") for e in record.get("terms", []))}
        return Indexed(terms, record.get("keys"))
