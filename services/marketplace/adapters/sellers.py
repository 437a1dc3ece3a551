"""The marketplace's sellers, kept in its own database from the registry's events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, fields
from typing import Any

from pymongo.database import Database

from services.marketplace.domain.seller import Seller
from shared.consumer import apply_once
from shared.events import Envelope

SELLERS = "sellers"
_SELLER_FIELDS = [f.name for f in fields(Seller)]
_PROJECTION = dict.fromkeys(_SELLER_FIELDS, 1)


class MongoSellers:
    def __init__(self, db: Database) -> None:
        self._collection = db[SELLERS]

    def apply_registry_event(self, envelope: Envelope, payload: dict[str, Any]) -> bool:
        """Take the enterprise's latest picture from the event, once per event id (replays change nothing).

        Events of one enterprise arrive in order (one partition per enterprise), so the latest
        event applied is the latest state.
        """
        seller = Seller.from_registry(payload)
        state = asdict(seller)
        state.pop("enterprise_id")
        update = {"$set": {**state, "as_of": envelope.occurred_at}}
        return apply_once(self._collection, seller.enterprise_id, envelope.event_id, update)

    def get(self, enterprise_id: str) -> Seller | None:
        document = self._collection.find_one({"_id": enterprise_id}, _PROJECTION)
        return None if document is None else _seller(document)

    def all(self) -> Iterator[Seller]:
        """Every seller the marketplace knows (for the scheduler's catch-up pass)."""
        return (_seller(document) for document in self._collection.find({}, _PROJECTION))


def _seller(document: dict[str, Any]) -> Seller:
    return Seller(enterprise_id=document["_id"], **{k: document[k] for k in _SELLER_FIELDS if k != "enterprise_id"})
