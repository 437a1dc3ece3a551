"""Whether a consumer is doing its job, for its liveness file and its metrics.

A consumer can poll happily and still do nothing: it joined its group before its topics existed and was
given no partition, or its fetches never return records. Its loop keeps turning, so a liveness file
touched from the loop looks fresh forever. This decides from what the loop observes instead:

- holding no partition is fine while the group has nothing to read (or for ``grace`` seconds, the time a
  rebalance or the first join takes); holding none for longer while the topics have lag is a stall;
- holding partitions that have lag and reading nothing from them for ``grace`` seconds is a stall;
  partitions held back on purpose (paused while the database is unreachable) do not count.

A stalled consumer stops touching its liveness file, so the probe restarts it; the gauges show why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Observation:
    assigned: int
    """Partitions the consumer holds now."""
    lag: int
    """Records waiting on the partitions it holds and reads (held-back partitions excluded)."""
    group_lag: int | None = None
    """Records waiting on every partition of its topics, when the consumer holds none (None: not measured)."""


class ConsumerHealth:
    def __init__(self, grace_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._grace = grace_seconds
        self._clock = clock
        started = clock()
        self._holding_since: float | None = None
        self._unassigned_since: float | None = started
        self._last_progress = started
        self.reason = ""

    def progressed(self) -> None:
        """The loop read records (handled, dead-lettered or held back for a retry)."""
        self._last_progress = self._clock()

    def needs_group_lag(self) -> bool:
        """Whether the next observation should measure the group's lag (only worth it once the grace is over)."""
        return self._unassigned_since is not None and self._clock() - self._unassigned_since >= self._grace

    def observe(self, seen: Observation) -> bool:
        """Record what the loop sees now; returns whether the consumer is alive (sets ``reason`` when not)."""
        now = self._clock()
        if seen.assigned == 0:
            self._holding_since = None
            if self._unassigned_since is None:
                self._unassigned_since = now
            self._last_progress = now
            stuck_for = now - self._unassigned_since
            if stuck_for >= self._grace and (seen.group_lag is None or seen.group_lag > 0):
                self.reason = f"no partition for {stuck_for:.0f} s while its topics have records to read"
                return False
            self.reason = ""
            return True
        self._unassigned_since = None
        if self._holding_since is None:
            self._holding_since = now
            self._last_progress = now
        if seen.lag <= 0:
            self._last_progress = now
        idle_for = now - self._last_progress
        if idle_for >= self._grace:
            self.reason = f"read nothing for {idle_for:.0f} s from partitions with {seen.lag} records waiting"
            return False
        self.reason = ""
        return True
