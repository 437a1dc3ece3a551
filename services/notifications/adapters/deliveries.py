"""E-mail deliveries on MongoDB (or FerretDB): one document per (event, recipient, channel).

``_id`` is ``<event id>:<recipient key>:email``, so inserting the intent is what makes a delivery unique.
Every later write is one conditional update on ``_id``: the claim matches only a claimable status, and
the outcome only the claim it belongs to; each appends its entry to ``history``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.notifications.service_layer.delivering import Delivery, DeliveryStatus, StatusChange
from shared.documents import from_document, plain, to_document
from shared.mongo import IndexSpec, index

DELIVERIES = "deliveries"
INDEXES: list[IndexSpec] = [
    index(DELIVERIES, "status", "next_attempt_at"),
    index(DELIVERIES, "status", "claimed_at"),
    index(DELIVERIES, "event_id"),
    index(DELIVERIES, "recipient_key", "-created_at"),
]
_CLAIMABLE = [DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value]


def _claimable(now: datetime, stale_before: datetime) -> dict[str, Any]:
    return {
        "$or": [
            {"status": {"$in": _CLAIMABLE}, "next_attempt_at": {"$lte": now}},
            {"status": DeliveryStatus.SENDING.value, "claimed_at": {"$lte": stale_before}},
        ]
    }


def _entry(status: DeliveryStatus, now: datetime, reason: str | None = None) -> dict[str, Any]:
    return plain({"status": status, "at": now, "reason": reason})


class MongoDeliveries:
    def __init__(self, db: Database) -> None:
        self._collection = db[DELIVERIES]

    def add_intent(self, delivery: Delivery) -> bool:
        try:
            self._collection.insert_one(to_document(delivery))
        except DuplicateKeyError:
            return False
        return True

    def claim(self, delivery_id: str, claim_id: str, now: datetime, stale_before: datetime) -> Delivery | None:
        document = self._collection.find_one_and_update(
            {"_id": delivery_id, **_claimable(now, stale_before)},
            {
                "$set": {
                    "status": DeliveryStatus.SENDING.value,
                    "claim_id": claim_id,
                    "claimed_at": now,
                    "updated_at": now,
                },
                "$inc": {"attempts": 1},
                "$push": {"history": _entry(DeliveryStatus.SENDING, now)},
            },
            return_document=ReturnDocument.AFTER,
        )
        return None if document is None else from_document(Delivery, document)

    def mark_sent(self, delivery_id: str, claim_id: str, now: datetime) -> bool:
        return self._finish(delivery_id, claim_id, StatusChange(DeliveryStatus.SENT, now), sent_at=now)

    def mark_retrying(
        self, delivery_id: str, claim_id: str, now: datetime, next_attempt_at: datetime, reason: str
    ) -> bool:
        change = StatusChange(DeliveryStatus.RETRYING, now, reason)
        return self._finish(delivery_id, claim_id, change, next_attempt_at=next_attempt_at)

    def mark_failed(self, delivery_id: str, claim_id: str, now: datetime, reason: str) -> bool:
        return self._finish(delivery_id, claim_id, StatusChange(DeliveryStatus.FAILED, now, reason))

    def _finish(self, delivery_id: str, claim_id: str, change: StatusChange, **fields: Any) -> bool:
        """The attempt's outcome, written only while the attempt still holds its claim."""
        result = self._collection.update_one(
            {"_id": delivery_id, "claim_id": claim_id, "status": DeliveryStatus.SENDING.value},
            {
                "$set": {
                    "next_attempt_at": None,
                    **fields,
                    "status": change.status.value,
                    "claim_id": None,
                    "claimed_at": None,
                    "updated_at": change.at,
                },
                "$push": {"history": _entry(change.status, change.at, change.reason)},
            },
        )
        return result.modified_count == 1

    def due(self, now: datetime, stale_before: datetime, limit: int) -> list[str]:
        """Due pending and retrying deliveries (the longest-waiting first), then abandoned claims."""
        waiting = self._collection.find(
            {"status": {"$in": _CLAIMABLE}, "next_attempt_at": {"$lte": now}}, {"_id": 1}
        ).sort([("next_attempt_at", ASCENDING), ("_id", ASCENDING)])
        ids = [document["_id"] for document in waiting.limit(limit)]
        room = limit - len(ids)
        if room > 0:
            abandoned = self._collection.find(
                {"status": DeliveryStatus.SENDING.value, "claimed_at": {"$lte": stale_before}}, {"_id": 1}
            ).sort([("claimed_at", ASCENDING), ("_id", ASCENDING)])
            ids.extend(document["_id"] for document in abandoned.limit(room))
        return ids

    def get(self, delivery_id: str) -> Delivery | None:
        document = self._collection.find_one({"_id": delivery_id})
        return None if document is None else from_document(Delivery, document)
