"""The poison-flood guard: stop a consumer when most recent messages were poison, and remember it across restarts.

How: the outcome of each of the last ``window`` messages (handled, or dead-lettered) is kept in order and
written, as a short text, into the metadata of every offset the consumer commits. A consumer that gets
partitions reads that metadata back and continues from the newest memory it finds, so a restarted consumer
that stopped for a flood stops again at the next poison message instead of dead-lettering another window.
Replayed dead letters that fail again are not counted: an operator's replay must not stop the consumer.
Still possible: two replicas keep one memory each (a partition carries the memory of whoever committed it
last); a flood spread over replicas trips each one's guard separately.
"""

from __future__ import annotations

import time
from collections import deque

_PREFIX = "guard1"


class PoisonGuard:
    def __init__(self, window: int, max_poison_ratio: float) -> None:
        self._outcomes: deque[bool] = deque(maxlen=window)
        self._max_ratio = max_poison_ratio
        self._saved_at_ms = 0

    @property
    def window(self) -> int:
        return self._outcomes.maxlen or 0

    def handled(self) -> None:
        self._outcomes.append(True)

    def poisoned(self) -> None:
        self._outcomes.append(False)

    def flooded(self) -> bool:
        """Whether the window is full and more than the allowed share of it was poison."""
        return len(self._outcomes) == self.window and self.poison_count() / self.window > self._max_ratio

    def poison_count(self) -> int:
        return self._outcomes.count(False)

    def memory(self) -> str:
        """The guard's state as commit metadata: ``guard1:<ms since epoch>:<1 handled, 0 poison, oldest first>``."""
        self._saved_at_ms = int(time.time() * 1000)
        return f"{_PREFIX}:{self._saved_at_ms}:" + "".join("1" if ok else "0" for ok in self._outcomes)

    def recall(self, memories: list[str]) -> bool:
        """Continue from the newest of ``memories`` (commit metadata) if it is newer than what the guard holds."""
        newest: tuple[int, str] | None = None
        for memory in memories:
            prefix, _, rest = (memory or "").partition(":")
            saved_at, _, bits = rest.partition(":")
            if prefix != _PREFIX or not saved_at.isdigit() or set(bits) - {"0", "1"}:
                continue
            if newest is None or int(saved_at) > newest[0]:
                newest = (int(saved_at), bits)
        if newest is None or newest[0] <= self._saved_at_ms:
            return False
        self._saved_at_ms = newest[0]
        self._outcomes.clear()
        self._outcomes.extend(bit == "1" for bit in newest[1][-self.window :])
        return True
