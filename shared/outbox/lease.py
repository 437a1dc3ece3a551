"""A lease in MongoDB so that only one relay replica publishes at a time.

Two replicas publishing the same document could interleave its events; with a lease, a standby
replica takes over within ``ttl`` seconds after the holder stops renewing. The holder renews it on
every pass of its loop (a heartbeat every few seconds at most), so the ttl can be short: a replacement
takes over within seconds of a holder's death. The holder also knows, by its own monotonic clock, until
when its last renewal holds (counted from *before* the renewal was sent, so it errs on the short side),
and publishes only while that covers a whole publish round.
"""

from __future__ import annotations

import time
from datetime import timedelta

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError
from pymongo.write_concern import WriteConcern

from shared.clock import Clock, SystemClock


class Lease:
    def __init__(
        self, collection: Collection, name: str, holder: str, ttl_seconds: float = 10.0, clock: Clock | None = None
    ) -> None:
        # Acknowledged by a majority, so a failover cannot forget who holds the lease.
        self._collection = collection.with_options(write_concern=WriteConcern("majority"))
        self._name = name
        self._holder = holder
        self._ttl = timedelta(seconds=ttl_seconds)
        self._clock = clock or SystemClock()
        self._valid_until = float("-inf")

    @property
    def ttl_seconds(self) -> float:
        return self._ttl.total_seconds()

    def acquire(self) -> bool:
        """Take the lease if it is free or expired, or renew it if held; False if someone else holds it.

        A database error propagates and leaves the holder's own view unchanged (it lapses in time).
        """
        asked_at = time.monotonic()
        now = self._clock.now()
        try:
            self._collection.update_one(
                {"_id": self._name, "$or": [{"holder": self._holder}, {"expires_at": {"$lt": now}}]},
                {"$set": {"holder": self._holder, "expires_at": now + self._ttl}},
                upsert=True,
            )
        except DuplicateKeyError:
            self._valid_until = float("-inf")
            return False
        self._valid_until = asked_at + self._ttl.total_seconds()
        return True

    def remaining_seconds(self) -> float:
        """How much longer the last renewal holds (negative when it has lapsed or was refused)."""
        return self._valid_until - time.monotonic()

    def holds_for(self, seconds: float) -> bool:
        """Whether the lease is ours for at least ``seconds`` more, renewing it if needed."""
        if self.remaining_seconds() >= seconds:
            return True
        return self.acquire() and self.remaining_seconds() >= seconds

    def release(self) -> None:
        self._valid_until = float("-inf")
        self._collection.delete_one({"_id": self._name, "holder": self._holder})
