"""The life of a delivery of any channel (e-mail, webhook) on MongoDB (or FerretDB).

``_id`` is ``<event id>:<recipient>:<channel>``, so inserting the intent is what makes a delivery unique.
Every later write is one conditional update on ``_id``: the claim matches only a claimable status (or an
abandoned claim), and the outcome only the claim it belongs to; each appends its entry to ``history``.
``history`` keeps the newest ``HISTORY_KEPT`` entries (``attempts`` still counts every attempt): a second
update drops the oldest entry once there are more, as neither server can both append to and shorten a list
in one update (FerretDB 1.24 ignores ``$slice``). A longer list written before this shrinks by one entry each write.
That second update is left out when the claim's answer showed the list short enough (the usual case).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, Generic, TypeVar

from pymongo import ASCENDING, ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from services.notifications.service_layer.delivering import DeliveryStatus
from shared.consumer.idempotency import insert_new
from shared.documents import from_document, plain, to_document

T = TypeVar("T")
CLAIMABLE = [DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value]
HISTORY_KEPT = 30
"""Status changes a delivery keeps: all of them with the default attempts, the newest when there are more."""
REMEMBERED_CLAIMS = 10_000


def _entry(status: DeliveryStatus, now: datetime, reason: str | None = None) -> dict[str, Any]:
    return plain({"status": status, "at": now, "reason": reason})


class AttemptLog(Generic[T]):
    def __init__(self, collection: Collection, kind: type[T]) -> None:
        self._collection = collection
        self._kind = kind
        self._short: set[str] = set()
        """Claims whose delivery's ``history`` the claim's answer showed short enough for one more entry."""
        self._lock = threading.Lock()

    def add_intent(self, delivery: T) -> bool:
        """Record that this delivery is to be made; False if it was recorded before (a replay, a twin)."""
        try:
            self._collection.insert_one(to_document(delivery))
        except DuplicateKeyError:
            return False
        return True

    def add_intents(self, deliveries: list[T]) -> list[bool]:
        """``add_intent`` for each, with bulk inserts: whether each was recorded now (False: recorded before)."""
        return insert_new(self._collection, [to_document(delivery) for delivery in deliveries])

    def claim(self, delivery_id: str, claim_id: str, now: datetime, stale_before: datetime) -> T | None:
        """Take the delivery for one attempt, if it is due or its last attempt was abandoned before ``stale_before``."""
        document = self._collection.find_one_and_update(
            {
                "_id": delivery_id,
                "$or": [
                    {"status": {"$in": CLAIMABLE}, "next_attempt_at": {"$lte": now}},
                    {"status": DeliveryStatus.SENDING.value, "claimed_at": {"$lte": stale_before}},
                ],
            },
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
        if document is None:
            return None
        history = len(document.get("history", []))
        if history > HISTORY_KEPT:
            self._prune(delivery_id)
        elif history < HISTORY_KEPT:
            with self._lock:
                if len(self._short) >= REMEMBERED_CLAIMS:  # attempts that never finished: forget (prune then)
                    self._short.clear()
                self._short.add(claim_id)
        return from_document(self._kind, document)

    def finish(
        self, delivery_id: str, claim_id: str, status: DeliveryStatus, now: datetime, reason: str | None, **fields: Any
    ) -> bool:
        """The attempt's outcome, written only while the attempt still holds its claim."""
        result = self._collection.update_one(
            {"_id": delivery_id, "claim_id": claim_id, "status": DeliveryStatus.SENDING.value},
            {
                "$set": {
                    "next_attempt_at": None,
                    **fields,
                    "status": status.value,
                    "claim_id": None,
                    "claimed_at": None,
                    "updated_at": now,
                },
                "$push": {"history": _entry(status, now, reason)},
            },
        )
        with self._lock:
            short = claim_id in self._short
            self._short.discard(claim_id)
        if result.modified_count != 1:
            return False
        if not short:
            self._prune(delivery_id)
        return True

    def _prune(self, delivery_id: str) -> None:
        """Drop the oldest status changes past ``HISTORY_KEPT`` (two while a longer list from before shrinks)."""
        for _ in range(2):
            beyond = {"_id": delivery_id, f"history.{HISTORY_KEPT}": {"$exists": True}}
            if not self._collection.update_one(beyond, {"$pop": {"history": -1}}).modified_count:
                return

    def due(
        self, now: datetime, stale_before: datetime | None, limit: int, where: dict[str, Any] | None = None
    ) -> list[str]:
        """Due pending and retrying deliveries (the longest-waiting first), then abandoned claims (claimed before
        ``stale_before``; not looked for when it is None); ``where`` narrows both (the sender leaves out
        destinations it skips)."""
        where = where or {}
        waiting = self._collection.find(
            {"status": {"$in": CLAIMABLE}, "next_attempt_at": {"$lte": now}, **where}, {"_id": 1}
        ).sort([("next_attempt_at", ASCENDING), ("_id", ASCENDING)])
        ids = [document["_id"] for document in waiting.limit(limit)]
        room = limit - len(ids)
        if room > 0 and stale_before is not None:
            abandoned = self._collection.find(
                {"status": DeliveryStatus.SENDING.value, "claimed_at": {"$lte": stale_before}, **where}, {"_id": 1}
            ).sort([("claimed_at", ASCENDING), ("_id", ASCENDING)])
            ids.extend(document["_id"] for document in abandoned.limit(room))
        return ids

    def get(self, delivery_id: str) -> T | None:
        document = self._collection.find_one({"_id": delivery_id})
        return None if document is None else from_document(self._kind, document)
