"""The training service's enterprises, kept in its own database from the registry's events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, fields
from typing import Any

from pymongo.database import Database

from services.training.domain.enterprise import Enterprise
from shared.consumer import apply_once
from shared.events import Envelope
from shared.mongo import IndexSpec, index

ENTERPRISES = "enterprises"
INDEXES: list[IndexSpec] = [index(ENTERPRISES, "centre")]
_FIELDS = [f.name for f in fields(Enterprise) if f.name != "enterprise_id"]


class MongoEnterprises:
    def __init__(self, db: Database, collection: str = ENTERPRISES) -> None:
        """``collection`` differs from ``enterprises`` only while a rebuild fills a fresh collection."""
        self._collection = db[collection]

    def apply_registry_event(self, envelope: Envelope, payload: dict[str, Any]) -> bool:
        """Take the enterprise's picture from the event, once per event id and never older than the one held.

        The enterprise's ``aggregate_version`` decides: a dead-letter replay or a redelivery of an old
        event after newer ones changes nothing. Returns False for a duplicate or an older event.
        """
        enterprise = Enterprise.from_registry(payload)
        state = asdict(enterprise)
        state.pop("enterprise_id")
        update = {"$set": {**state, "as_of": envelope.occurred_at}}
        return apply_once(
            self._collection,
            enterprise.enterprise_id,
            envelope.event_id,
            update,
            aggregate_version=envelope.aggregate_version,
        )

    def get(self, enterprise_id: str) -> Enterprise | None:
        document = self._collection.find_one({"_id": enterprise_id}, dict.fromkeys(_FIELDS, 1))
        return None if document is None else _enterprise(document)

    def served_by(self, centre: str) -> list[str]:
        """The ids of the enterprises the regional centre serves now."""
        return [document["_id"] for document in self._collection.find({"centre": centre}, {"_id": 1})]

    def all(self) -> Iterator[Enterprise]:
        return (_enterprise(document) for document in self._collection.find({}, dict.fromkeys(_FIELDS, 1)))


def _enterprise(document: dict[str, Any]) -> Enterprise:
    return Enterprise(enterprise_id=document["_id"], **{k: document[k] for k in _FIELDS})
