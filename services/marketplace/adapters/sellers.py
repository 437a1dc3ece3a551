"""The marketplace's sellers, kept in its own database from the registry's events."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict, fields
from typing import Any

from pymongo.database import Database

from services.marketplace.domain.seller import Seller
from shared.consumer import apply_once
from shared.consumer.idempotency import Effect, apply_many
from shared.events import Envelope

SELLERS = "sellers"
_SELLER_FIELDS = [f.name for f in fields(Seller)]
_PROJECTION = dict.fromkeys(_SELLER_FIELDS, 1)


class MongoSellers:
    def __init__(self, db: Database, collection: str = SELLERS) -> None:
        """``collection`` differs from ``sellers`` only while a rebuild fills a fresh collection."""
        self._collection = db[collection]

    def apply_registry_event(self, envelope: Envelope, payload: dict[str, Any]) -> bool:
        """Take the enterprise's picture from the event, once per event id and never older than the one held.

        Kafka delivers one enterprise's events in order (one partition per enterprise), but a
        dead-letter replay or a redelivery can bring an old one after newer ones: the enterprise's
        ``aggregate_version`` decides, so a replayed ``EnterpriseRegistered`` never revives a deleted
        seller. Returns False for a duplicate or an older event (nothing changed).
        """
        effect = _effect(envelope, payload)
        return apply_once(
            self._collection, effect.doc_id, effect.event_id, effect.update, aggregate_version=effect.aggregate_version
        )

    def apply_registry_events(self, events: Sequence[tuple[Envelope, dict[str, Any]]]) -> list[bool]:
        """``apply_registry_event`` for each event, in order, with bulk writes; whether each was applied."""
        return apply_many(self._collection, [_effect(envelope, payload) for envelope, payload in events])

    def get(self, enterprise_id: str) -> Seller | None:
        document = self._collection.find_one({"_id": enterprise_id}, _PROJECTION)
        return None if document is None else _seller(document)

    def all(self) -> Iterator[Seller]:
        """Every seller the marketplace knows (for the scheduler's catch-up pass)."""
        return (_seller(document) for document in self._collection.find({}, _PROJECTION))


def _effect(envelope: Envelope, payload: dict[str, Any]) -> Effect:
    seller = Seller.from_registry(payload)
    state = asdict(seller)
    state.pop("enterprise_id")
    update = {"$set": {**state, "as_of": envelope.occurred_at}}
    return Effect(seller.enterprise_id, envelope.event_id, update, envelope.aggregate_version)


_LATER_FIELDS = {"activities", "vulnerable_staff"}
"""Taken from events since the sellers' page shows the social mission: absent from sellers not heard of since."""


def _seller(document: dict[str, Any]) -> Seller:
    known = {k: document[k] for k in _SELLER_FIELDS if k != "enterprise_id" and k in document}
    known["activities"] = tuple(known.get("activities", ()))
    return Seller(enterprise_id=document["_id"], **known)
