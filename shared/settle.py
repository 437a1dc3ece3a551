"""Waiting for a read model to fill before reading it whole.

The demo loaders of ``make run`` start beside the consumers that bring the register's enterprises (and
training's assessments, the marketplace's listings) into each service. Reading a read model while its
consumer is still catching up picks from a half-known register: an enterprise still "active" whose expiry
has not arrived yet, or too few of them. So a loader waits until what it reads has stopped changing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def settled(found: Callable[[], Sequence[T]], seconds: float, settle: float = 15.0, poll: float = 1.0) -> list[T]:
    """What ``found`` finds once it finds something that has not changed for ``settle`` seconds,
    or whatever it finds when ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    items, steady_since = list(found()), time.monotonic()
    while True:
        now = time.monotonic()
        if (items and now - steady_since >= settle) or now >= deadline:
            return items
        time.sleep(min(poll, max(0.0, deadline - now)))
        again = list(found())
        if again != items:
            items, steady_since = again, time.monotonic()
