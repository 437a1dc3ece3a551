"""Plumbing for long-running worker processes: graceful stop and a liveness file."""

from __future__ import annotations

import argparse
import signal
import sys
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


def is_fresh(path: Path, max_age_seconds: float) -> bool:
    """Whether ``path`` exists and was touched within the last ``max_age_seconds``."""
    try:
        return time.time() - path.stat().st_mtime <= max_age_seconds
    except FileNotFoundError:
        return False


def liveness_probe(argv: list[str] | None = None) -> None:
    """``liveness-probe FILE MAX_AGE_SECONDS``: Kubernetes' probe of a worker; exit 1 when the loop stalled."""
    parser = argparse.ArgumentParser(description="Exit 0 when a worker's liveness file is fresh, 1 otherwise.")
    parser.add_argument("file", type=Path)
    parser.add_argument("max_age_seconds", type=float)
    args = parser.parse_args(argv)
    if not is_fresh(args.file, args.max_age_seconds):
        print(f"{args.file} was not touched in the last {args.max_age_seconds:g} s", file=sys.stderr)
        sys.exit(1)
