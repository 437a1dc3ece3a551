"""Average ratings of listings and sellers, kept from ``ReviewPosted`` events (each counted once).

- ``ratings``: ``{_id: "listing:<id>" | "seller:<id>", count, total, applied_event_ids}``. The count and
  the review's event id change in one conditional update, so a redelivered review is not counted twice;
- ``rating_reviews``: one document per review, ``{_id: <event id>, counted_in: [<rating ids>]}``,
  saying which ratings have counted it for good.

Every review applied then raises the counter ``ratings_seq`` (in ``counters``). A web worker keeps the
ratings it read for search pages (``of_many``) as of that counter: one counter read a page instead of a read
per listing, and whatever it kept is dropped as soon as the counter moved (a rating is written before the
counter, so a worker never keeps a rating older than the counter it read), and every ``KEPT_SECONDS`` in
case a consumer died between the two.

A rating keeps only the ids of its latest reviews (``RECENT_REVIEWS`` to twice that): an older id
leaves its list only after the review's own document records that the rating counted it, so a replay
of any review, however old, is refused by one or the other. A rating written before this rule (with
one id per review it ever counted) is trimmed the same way on its next review.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any

from pymongo.database import Database

from shared.consumer import apply_once
from shared.consumer.idempotency import APPLIED_FIELD
from shared.events import Envelope

RATINGS = "ratings"
REVIEWS = "rating_reviews"
RECENT_REVIEWS = 50
"""A rating keeps at least this many ids of its latest reviews, and at most twice as many."""
SEQ = "ratings_seq"
KEPT_RATINGS = 20_000
"""Ratings a web worker keeps for search pages at most (a few MB); past that it starts afresh."""
KEPT_SECONDS = 900.0


class MongoRatings:
    def __init__(self, db: Database) -> None:
        self._collection = db[RATINGS]
        self._reviews = db[REVIEWS]
        self._counters = db["counters"]
        self._kept: dict[str, tuple[int, int]] = {}
        self._kept_as_of: int | None = None
        self._kept_since = 0.0
        self._lock = threading.Lock()

    def apply_review(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        review_id = envelope.event_id
        review = self._reviews.find_one({"_id": review_id}) or {}
        counted = set(review.get("counted_in", []))
        for key in (f"listing:{payload['listing_id']}", f"seller:{payload['seller_id']}"):
            if key in counted:
                continue  # a replay of a review counted long ago
            apply_once(self._collection, key, review_id, {"$inc": {"count": 1, "total": payload["rating"]}})
            self._reviews.update_one({"_id": review_id}, {"$addToSet": {"counted_in": key}}, upsert=True)
            self._trim(key)
        self._counters.update_one({"_id": SEQ}, {"$inc": {"value": 1}}, upsert=True)

    def _trim(self, key: str) -> None:
        """Drop the oldest review ids of a long list, each once its review records that this rating counted it."""
        document = self._collection.find_one({"_id": key, f"{APPLIED_FIELD}.{2 * RECENT_REVIEWS}": {"$exists": True}})
        if document is None:
            return
        oldest = document[APPLIED_FIELD][:-RECENT_REVIEWS]
        for review_id in oldest:  # an id in the list was counted by the same update that listed it
            self._reviews.update_one({"_id": review_id}, {"$addToSet": {"counted_in": key}}, upsert=True)
        self._collection.update_one({"_id": key}, {"$pullAll": {APPLIED_FIELD: oldest}})

    def of(self, kind: str, item_id: str) -> dict[str, Any]:
        return _shown(self._read(f"{kind}:{item_id}"))

    def of_many(self, kind: str, item_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The ratings of a page of items as of now: one read of the counter, and a read of each rating this
        worker has not kept since the counter last moved."""
        seq = int((self._counters.find_one({"_id": SEQ}) or {}).get("value", 0))
        with self._lock:
            if (
                seq != self._kept_as_of
                or len(self._kept) >= KEPT_RATINGS
                or time.monotonic() - self._kept_since > KEPT_SECONDS
            ):
                self._kept, self._kept_as_of, self._kept_since = {}, seq, time.monotonic()
            kept = self._kept
        found = {}
        for item_id in item_ids:
            key = f"{kind}:{item_id}"
            summary = kept.get(key)
            if summary is None:
                summary = kept[key] = self._read(key)
            found[item_id] = _shown(summary)
        return found

    def _read(self, key: str) -> tuple[int, int]:
        document = self._collection.find_one({"_id": key}, {"count": 1, "total": 1}) or {}
        return int(document.get("count", 0)), document.get("total", 0)


def _shown(summary: tuple[int, int]) -> dict[str, Any]:
    count, total = summary
    return {"count": count, "average": round(total / count, 2) if count else None}
