"""Average ratings of listings and sellers, kept from ``ReviewPosted`` events (each applied once)."""

from __future__ import annotations

from typing import Any

from pymongo.database import Database

from shared.consumer import apply_once
from shared.events import Envelope

RATINGS = "ratings"


class MongoRatings:
    def __init__(self, db: Database) -> None:
        self._collection = db[RATINGS]

    def apply_review(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        update = {"$inc": {"count": 1, "total": payload["rating"]}}
        for key in (f"listing:{payload['listing_id']}", f"seller:{payload['seller_id']}"):
            apply_once(self._collection, key, envelope.event_id, update)

    def of(self, kind: str, item_id: str) -> dict[str, Any]:
        document = self._collection.find_one({"_id": f"{kind}:{item_id}"}) or {}
        count = document.get("count", 0)
        return {"count": count, "average": round(document["total"] / count, 2) if count else None}
