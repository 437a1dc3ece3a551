"""Average ratings of listings and sellers, kept from ``ReviewPosted`` events (each counted once).

- ``ratings``: ``{_id: "listing:<id>" | "seller:<id>", count, total, applied_event_ids}``. The count and
  the review's event id change in one conditional update, so a redelivered review is not counted twice;
- ``rating_reviews``: one document per review, ``{_id: <event id>, counted_in: [<rating ids>]}``,
  saying which ratings have counted it for good.

A rating keeps only the ids of its latest reviews (``RECENT_REVIEWS`` to twice that): an older id
leaves its list only after the review's own document records that the rating counted it, so a replay
of any review, however old, is refused by one or the other. A rating written before this rule (with
one id per review it ever counted) is trimmed the same way on its next review.
"""

from __future__ import annotations

from typing import Any

from pymongo.database import Database

from shared.consumer import apply_once
from shared.consumer.idempotency import APPLIED_FIELD
from shared.events import Envelope

RATINGS = "ratings"
REVIEWS = "rating_reviews"
RECENT_REVIEWS = 50
"""A rating keeps at least this many ids of its latest reviews, and at most twice as many."""


class MongoRatings:
    def __init__(self, db: Database) -> None:
        self._collection = db[RATINGS]
        self._reviews = db[REVIEWS]

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
        document = self._collection.find_one({"_id": f"{kind}:{item_id}"}, {"count": 1, "total": 1}) or {}
        count = document.get("count", 0)
        return {"count": count, "average": round(document["total"] / count, 2) if count else None}
