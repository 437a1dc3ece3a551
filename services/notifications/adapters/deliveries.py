"""E-mail deliveries on MongoDB (or FerretDB): one document per (event, recipient), ``_id`` ending in ``:email``.

The claim and outcome writes are those of every channel (``attempts.AttemptLog``)."""

from __future__ import annotations

from datetime import datetime

from pymongo.database import Database

from services.notifications.adapters.attempts import AttemptLog
from services.notifications.service_layer.delivering import Delivery, DeliveryStatus
from shared.mongo import IndexSpec, index

DELIVERIES = "deliveries"
INDEXES: list[IndexSpec] = [
    index(DELIVERIES, "status", "next_attempt_at"),
    index(DELIVERIES, "status", "claimed_at"),
    index(DELIVERIES, "event_id"),
    index(DELIVERIES, "recipient_key", "-created_at"),
    index(f"{DELIVERIES}_due", "due_at"),  # the due hints (adapters.attempts)
]


class MongoDeliveries(AttemptLog[Delivery]):
    def __init__(self, db: Database) -> None:
        super().__init__(db[DELIVERIES], Delivery)

    def mark_sent(self, delivery_id: str, claim_id: str, now: datetime) -> bool:
        return self.finish(delivery_id, claim_id, DeliveryStatus.SENT, now, None, sent_at=now)

    def mark_retrying(
        self, delivery_id: str, claim_id: str, now: datetime, next_attempt_at: datetime, reason: str
    ) -> bool:
        return self.finish(delivery_id, claim_id, DeliveryStatus.RETRYING, now, reason, next_attempt_at=next_attempt_at)

    def mark_failed(self, delivery_id: str, claim_id: str, now: datetime, reason: str) -> bool:
        return self.finish(delivery_id, claim_id, DeliveryStatus.FAILED, now, reason)
