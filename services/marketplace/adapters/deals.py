"""Deals (quotes and orders) and buyers' favourites on MongoDB (or FerretDB).

A deal is one document with its outbox and optimistic version, like a listing. ``expires_at`` (when an
open quote falls due) is kept as a top-level field so the scheduler's pass is one query on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.marketplace.domain.deal import OPEN_QUOTE_STATES, Deal, DealState
from shared.documents import from_document, to_document
from shared.errors import Conflict, NotFound, Text
from shared.mongo import IndexSpec, index
from shared.outbox import OUTBOX_INDEXES, OutboxEntry
from shared.outbox.store import AggregateStore

DEALS = "deals"
FAVOURITES = "favourites"
INDEXES: list[IndexSpec] = [
    index(DEALS, "buyer.id", "-created_at"),
    index(DEALS, "supplier.id", "-created_at"),
    index(DEALS, "listing_id"),
    index(DEALS, "state"),
    index(DEALS, "expires_at"),
    *(index(DEALS, field) for field in OUTBOX_INDEXES),
]
MAX_FAVOURITES = 500
"""Favourite listings a buyer may keep, and as many favourite sellers: a buyer's document stays bounded."""
TOO_MANY_FAVOURITES = Text(
    f"Може да пазите най-много {MAX_FAVOURITES} любими обяви и {MAX_FAVOURITES} любими предприятия. "
    "Махнете някое, за да добавите ново.",
    f"You can keep at most {MAX_FAVOURITES} favourite listings and {MAX_FAVOURITES} favourite sellers. "
    "Remove one to add another.",
)
NO_SUCH_DEAL = Text("Няма такова запитване или поръчка.", "No such quote or order.")
_STATE = {"outbox": 0, "outbox_seq": 0, "outbox_sent_seq": 0, "expires_at": 0}
_NEWEST_FIRST = [("created_at", DESCENDING), ("_id", ASCENDING)]
_OPEN = [state.value for state in OPEN_QUOTE_STATES]


def _fields(deal: Deal) -> dict[str, Any]:
    """The deal's document fields without ``_id`` and ``version``, with its due instant alongside."""
    fields = to_document(deal, drop=("version",))
    del fields["_id"]
    fields["expires_at"] = deal.expires_at
    return fields


class MongoDeals:
    def __init__(self, db: Database) -> None:
        self._store = AggregateStore(db[DEALS])
        self._collection = db[DEALS]

    def get(self, deal_id: str) -> Deal:
        document = self._collection.find_one({"_id": deal_id}, _STATE)
        if document is None:
            raise NotFound(NO_SUCH_DEAL)
        return from_document(Deal, document)

    def add(self, deal: Deal, outbox: list[OutboxEntry]) -> None:
        deal.version = self._store.insert({"_id": deal.id, **_fields(deal)}, outbox)

    def save(self, deal: Deal, outbox: list[OutboxEntry]) -> None:
        """Write the changed deal and its events in one update; StaleVersion when someone saved it first."""
        deal.version = self._store.update(deal.id, deal.version, _fields(deal), outbox)

    def of_buyer(self, buyer_id: str, states: Iterable[DealState] | None = None, limit: int = 0) -> list[Deal]:
        return self._find({"buyer.id": buyer_id}, states, limit)

    def of_seller(self, seller_id: str, states: Iterable[DealState] | None = None, limit: int = 0) -> list[Deal]:
        return self._find({"supplier.id": seller_id}, states, limit)

    def all(self, states: Iterable[DealState] | None = None, limit: int = 0) -> list[Deal]:
        """Every deal (for administrators), newest first."""
        return self._find({}, states, limit)

    def due(self, now: datetime) -> list[Deal]:
        """Open quotes whose ``expires_at`` is at or before ``now``."""
        query = {"state": {"$in": _OPEN}, "expires_at": {"$lte": now}}
        return [from_document(Deal, d) for d in self._collection.find(query, _STATE).sort("expires_at", ASCENDING)]

    def open_quotes_of_seller(self, seller_id: str) -> list[Deal]:
        return self._find({"supplier.id": seller_id}, OPEN_QUOTE_STATES, 0)

    def reviewed(self, *, listing_id: str | None = None, seller_id: str | None = None, limit: int = 0) -> list[Deal]:
        """Deals with a review, of one listing or one seller, the newest review first."""
        query: dict[str, Any] = {"state": DealState.RECEIVED.value, "review": {"$ne": None}}
        if listing_id is not None:
            query["listing_id"] = listing_id
        if seller_id is not None:
            query["supplier.id"] = seller_id
        cursor = self._collection.find(query, _STATE).sort([("review.posted_at", DESCENDING), ("_id", ASCENDING)])
        return [from_document(Deal, d) for d in cursor.limit(limit)]

    def received_of_buyer(self, buyer_id: str, placed_from: datetime, placed_before: datetime) -> list[Deal]:
        """The buyer's received orders placed in ``[placed_from, placed_before)``, oldest first."""
        query = {
            "buyer.id": buyer_id,
            "state": DealState.RECEIVED.value,
            "placed_at": {"$gte": placed_from, "$lt": placed_before},
        }
        cursor = self._collection.find(query, _STATE).sort([("placed_at", ASCENDING), ("_id", ASCENDING)])
        return [from_document(Deal, d) for d in cursor]

    def _find(self, query: dict[str, Any], states: Iterable[DealState] | None, limit: int) -> list[Deal]:
        if states is not None:
            query = {**query, "state": {"$in": [DealState(s).value for s in states]}}
        cursor = self._collection.find(query, _STATE).sort(_NEWEST_FIRST).limit(limit)
        return [from_document(Deal, d) for d in cursor]


class MongoFavourites:
    """One document per buyer (``_id`` = the token's subject) with the listings and sellers they keep."""

    def __init__(self, db: Database) -> None:
        self._collection = db[FAVOURITES]

    def of(self, buyer_id: str) -> tuple[list[str], list[str]]:
        """The buyer's favourite listing ids and seller ids, in the order they were added."""
        document = self._collection.find_one({"_id": buyer_id}) or {}
        return list(document.get("listing_ids", [])), list(document.get("seller_ids", []))

    def add(self, buyer_id: str, kind: str, item_id: str) -> None:
        """Keep the item (once); Conflict when the buyer already keeps ``MAX_FAVOURITES`` of its kind."""
        field = _field(kind)
        room = {"_id": buyer_id, f"{field}.{MAX_FAVOURITES - 1}": {"$exists": False}}
        try:
            self._collection.update_one(room, {"$addToSet": {field: item_id}}, upsert=True)
        except DuplicateKeyError:  # the buyer's document exists and its list is full
            if self._collection.find_one({"_id": buyer_id, field: item_id}, {"_id": 1}) is None:
                raise Conflict(TOO_MANY_FAVOURITES, {f"{kind}_id": TOO_MANY_FAVOURITES}) from None

    def remove(self, buyer_id: str, kind: str, item_id: str) -> None:
        self._collection.update_one({"_id": buyer_id}, {"$pullAll": {_field(kind): [item_id]}})


def _field(kind: str) -> str:
    if kind not in ("listing", "seller"):
        raise ValueError(f"unknown kind of favourite: {kind}")
    return f"{kind}_ids"
