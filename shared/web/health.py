"""Liveness (/healthz) and readiness (/readyz) endpoints.

Readiness asks only what the web process needs to serve (its database); a probe answers within about a
second and never holds a worker while a server hangs: each check is bounded by its own short timeout,
its result is trusted for a few seconds, and at most one round of checks runs at a time per process
(a probe arriving meanwhile answers the last result instead of waiting).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

Check = Callable[[], None]
"""Raises when what it checks does not answer; must return within CHECK_TIMEOUT_SECONDS."""

CHECK_TIMEOUT_SECONDS = 0.8
"""The time each check may take: a probe answers within a second."""
CACHE_SECONDS = 3.0
"""How long a round's result is trusted (a probe every few seconds then costs nothing)."""


class Readiness:
    """The checks of one process, run at most one round at a time, each result kept for a few seconds."""

    def __init__(
        self,
        checks: Mapping[str, Check],
        cache_seconds: float = CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._checks = dict(checks)
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._results: dict[str, str] | None = None
        self._checked_at = 0.0

    def results(self) -> dict[str, str]:
        """Each check's outcome: "ok" or "unavailable: <error>"."""
        cached = self._fresh()
        if cached is not None:
            return cached
        if not self._lock.acquire(timeout=CHECK_TIMEOUT_SECONDS):  # another probe is checking: not twice
            return self._results or {name: "unavailable: still checking" for name in self._checks}
        try:
            cached = self._fresh()  # the round we waited for may have just finished
            if cached is not None:
                return cached
            results: dict[str, str] = {}
            for name, check in self._checks.items():
                try:
                    check()
                    results[name] = "ok"
                except Exception as exc:  # a check that fails says why, in a word
                    results[name] = f"unavailable: {type(exc).__name__}"
            self._results, self._checked_at = results, self._clock()
            return results
        finally:
            self._lock.release()

    def _fresh(self) -> dict[str, str] | None:
        if self._results is not None and self._clock() - self._checked_at < self._cache_seconds:
            return self._results
        return None


def health_blueprint(checks: Mapping[str, Check]) -> Blueprint:
    blueprint = Blueprint("health", __name__)
    readiness = Readiness(checks)

    @blueprint.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify(status="ok")

    @blueprint.get("/readyz")
    def readyz() -> ResponseReturnValue:
        results = readiness.results()
        ready = all(v == "ok" for v in results.values())
        return jsonify(status="ready" if ready else "not ready", checks=results), 200 if ready else 503

    return blueprint
