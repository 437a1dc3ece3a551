"""The marketplace's sellers, kept in its own database from the registry's events."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields
from typing import Any

from pymongo.database import Database

from services.marketplace.domain.seller import Seller
from shared.consumer import apply_once
from shared.consumer.idempotency import (
    APPLIED_FIELD,
    VERSION_FIELD,
    Effect,
    Folded,
    Held,
    apply_many,
    fold,
    write_folded,
)
from shared.events import Envelope

SELLERS = "sellers"
_SELLER_FIELDS = [f.name for f in fields(Seller)]
_STATE_FIELDS = [name for name in _SELLER_FIELDS if name != "enterprise_id"]
_PROJECTION = dict.fromkeys(_SELLER_FIELDS, 1)
_HELD_PROJECTION = {**_PROJECTION, VERSION_FIELD: 1, APPLIED_FIELD: 1}
PARALLEL_READS = 8


class MongoSellers:
    def __init__(self, db: Database, collection: str = SELLERS) -> None:
        """``collection`` differs from ``sellers`` only while a rebuild fills a fresh collection."""
        self._collection = db[collection]
        self._readers: ThreadPoolExecutor | None = None

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

    def held(self, enterprise_id: str) -> tuple[Held, Seller | None]:
        """The seller as stored, with the version and event ids it holds (a read by ``_id``)."""
        document = self._collection.find_one({"_id": enterprise_id}, _HELD_PROJECTION)
        return Held.of(document), None if document is None else _seller(document)

    def held_many(self, enterprise_ids: Sequence[str]) -> dict[str, tuple[Held, Seller | None]]:
        """``held`` for each, read by ``_id`` up to ``PARALLEL_READS`` at a time (an ``$in`` would read every seller
        on FerretDB); a read waits mostly on the database, so a batch's new sellers cost a few round trips' time."""
        if len(enterprise_ids) < 2:
            return {enterprise_id: self.held(enterprise_id) for enterprise_id in enterprise_ids}
        if self._readers is None:
            self._readers = ThreadPoolExecutor(PARALLEL_READS, thread_name_prefix="sellers-read")
        return dict(zip(enterprise_ids, self._readers.map(self.held, enterprise_ids), strict=True))

    def fold(self, enterprise_id: str, events: Sequence[tuple[Envelope, dict[str, Any]]], held: Held) -> Folded:
        """One seller's events of a batch applied in memory, in order, to what it held (``idempotency.fold``)."""
        return fold(enterprise_id, held, [_effect(envelope, payload) for envelope, payload in events])

    def write(self, folds: Sequence[Folded]) -> None:
        """Each seller a batch changed in one write, conditional on it holding what was read, or ``DocumentMoved``."""
        write_folded(self._collection, folds)

    def get(self, enterprise_id: str) -> Seller | None:
        document = self._collection.find_one({"_id": enterprise_id}, _PROJECTION)
        return None if document is None else _seller(document)

    def all(self) -> Iterator[Seller]:
        """Every seller the marketplace knows (for the scheduler's catch-up pass)."""
        return (_seller(document) for document in self._collection.find({}, _PROJECTION))


def _effect(envelope: Envelope, payload: dict[str, Any]) -> Effect:
    seller = Seller.from_registry(payload)
    state = {name: getattr(seller, name) for name in _STATE_FIELDS}  # asdict's deep copy: a tenth of a batch's CPU
    update = {"$set": {**state, "as_of": envelope.occurred_at}}
    return Effect(seller.enterprise_id, envelope.event_id, update, envelope.aggregate_version)


_LATER_FIELDS = {"activities", "vulnerable_staff"}
"""Taken from events since the sellers' page shows the social mission: absent from sellers not heard of since."""


def _seller(document: dict[str, Any]) -> Seller:
    known = {k: document[k] for k in _SELLER_FIELDS if k != "enterprise_id" and k in document}
    known["activities"] = tuple(known.get("activities", ()))
    return Seller(enterprise_id=document["_id"], **known)
