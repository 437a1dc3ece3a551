"""A lease in MongoDB so that only one relay replica publishes at a time.

Two replicas publishing the same document could interleave its events; with a lease, a
standby replica takes over within ``ttl`` seconds after the holder stops renewing.
"""

from __future__ import annotations

from datetime import timedelta

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

from shared.clock import Clock, SystemClock


class Lease:
    def __init__(
        self, collection: Collection, name: str, holder: str, ttl_seconds: float = 15.0, clock: Clock | None = None
    ) -> None:
        self._collection = collection
        self._name = name
        self._holder = holder
        self._ttl = timedelta(seconds=ttl_seconds)
        self._clock = clock or SystemClock()

    def acquire(self) -> bool:
        """Take the lease if it is free or expired, or renew it if held; False if someone else holds it."""
        now = self._clock.now()
        try:
            self._collection.update_one(
                {"_id": self._name, "$or": [{"holder": self._holder}, {"expires_at": {"$lt": now}}]},
                {"$set": {"holder": self._holder, "expires_at": now + self._ttl}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return True

    def release(self) -> None:
        self._collection.delete_one({"_id": self._name, "holder": self._holder})
