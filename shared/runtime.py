"""Plumbing for long-running worker processes: graceful stop and a liveness file."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from types import FrameType


class StopSignal:
    """Set by SIGTERM or SIGINT; a worker loop checks it between units of work."""

    def __init__(self, install_handlers: bool = True) -> None:
        self._event = threading.Event()
        if install_handlers:
            signal.signal(signal.SIGTERM, self._handle)
            signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self._event.set()

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        return self._event.wait(seconds)


class LivenessFile:
    """Touched from a worker's loop; Kubernetes' liveness probe checks that it is fresh."""

    def __init__(self, path: str | None, min_interval: float = 1.0) -> None:
        self._path = Path(path) if path else None
        self._min_interval = min_interval
        self._last = 0.0

    def touch(self) -> None:
        if self._path is None:
            return
        now = time.monotonic()
        if now - self._last >= self._min_interval:
            self._path.touch()
            self._last = now
