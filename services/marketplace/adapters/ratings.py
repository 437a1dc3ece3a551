"""Average ratings of listings and sellers, kept from ``ReviewPosted`` events (each counted once).

- ``ratings``: ``{_id: "listing:<id>" | "seller:<id>", count, total, applied_event_ids}``. The count and
  the review's event id change in one conditional update, so a redelivered review is not counted twice;
- ``rating_reviews``: one document per review, ``{_id: <event id>, counted_in: [<rating ids>]}``,
  saying which ratings have counted it for good.

Every review applied then logs a change of its listing in the search index's change log (``changed``: the
index's ``touch``). A web worker keeps the listings' ratings it read for search pages (``of_listings``) until
the log it follows names the listing (``forget_listing``, subscribed to the index): a page seen before reads
no rating, and no counter but the index's, which the search reads anyway. A rating is written before its log
entry, so a worker never keeps one older than the log it followed; it starts afresh with the index now and then
(``shared.text.kept.RELOAD_SECONDS``), in case a consumer died between the two.

A rating keeps only the ids of its latest reviews (``RECENT_REVIEWS`` to twice that): an older id
leaves its list only after the review's own document records that the rating counted it, so a replay
of any review, however old, is refused by one or the other. A rating written before this rule (with
one id per review it ever counted) is trimmed the same way on its next review.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from pymongo.database import Database

from shared.consumer import apply_once
from shared.consumer.idempotency import APPLIED_FIELD
from shared.events import Envelope
from shared.text.kept import KeptItems

RATINGS = "ratings"
REVIEWS = "rating_reviews"
RECENT_REVIEWS = 50
"""A rating keeps at least this many ids of its latest reviews, and at most twice as many."""
KEPT_RATINGS = 20_000
"""Listings' ratings a web worker keeps for search pages at most (a few MB), the last used."""


class MongoRatings:
    def __init__(self, db: Database, changed: Callable[[str], None]) -> None:
        self._collection = db[RATINGS]
        self._reviews = db[REVIEWS]
        self._changed = changed
        self._kept: KeptItems[tuple[int, int]] = KeptItems(KEPT_RATINGS)

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
        self._changed(payload["listing_id"])  # also for a replay: a crash may have come before it

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

    def of_listings(self, listing_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The ratings of a search page's listings as of the change log the worker's index last followed (each
        search follows it first): those kept since, and a read of each of the others."""
        return {
            listing_id: _shown(self._kept.get(listing_id, partial(self._read, f"listing:{listing_id}")))
            for listing_id in listing_ids
        }

    def forget_listing(self, listing_id: str | None) -> None:
        """The listing changed (``None``: any may have): read its rating again when next shown."""
        self._kept.forget(listing_id)

    def _read(self, key: str) -> tuple[int, int]:
        document = self._collection.find_one({"_id": key}, {"count": 1, "total": 1}) or {}
        return int(document.get("count", 0)), document.get("total", 0)


def _shown(summary: tuple[int, int]) -> dict[str, Any]:
    count, total = summary
    return {"count": count, "average": round(total / count, 2) if count else None}
