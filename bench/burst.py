"""A burst of POST requests, each sent once, from keep-alive connections that all start together.

The enrolment, registration and award benchmarks use it against the service and its bare baseline.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass
from typing import Any

from bench.load import percentile

Request = tuple[str, dict[str, str], bytes]
"""Path, headers, JSON body."""


@dataclass(frozen=True)
class Burst:
    requests: int
    seconds: float
    statuses: dict[str, int]
    """Answers by HTTP status (or by the exception's name when there was none)."""
    latencies: list[float]
    """Milliseconds, sorted, of the answers whose status was timed."""

    def count(self, status: str) -> int:
        return self.statuses.get(status, 0)

    def latency_ms(self) -> dict[str, float]:
        return {"p50": percentile(self.latencies, 0.5), "p99": percentile(self.latencies, 0.99)}

    def summary(self, ok: str = "201") -> dict[str, Any]:
        """Requests, the ``ok`` answers per second and their latencies, and every other answer by status."""
        return {
            "requests": self.requests,
            "ok": self.count(ok),
            "failures": {status: n for status, n in self.statuses.items() if status != ok},
            "seconds": self.seconds,
            "requests_per_second": self.count(ok) / self.seconds,
            "latency_ms": self.latency_ms(),
        }


def post_burst(port: int, requests: list[Request], concurrency: int, timed: frozenset[str]) -> Burst:
    """Send every request once to 127.0.0.1:``port`` from ``concurrency`` connections started together."""
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    queue = list(reversed(requests))
    start = threading.Barrier(concurrency + 1)

    def worker() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        start.wait()
        while True:
            with lock:
                if not queue:
                    break
                path, headers, body = queue.pop()
            began = time.perf_counter()
            try:
                connection.request("POST", path, body=body, headers={"Content-Type": "application/json", **headers})
                response = connection.getresponse()
                response.read()
                status = str(response.status)
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                status = type(error).__name__
            with lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status in timed:
                    latencies.append(1000 * (time.perf_counter() - began))
        connection.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - began
    return Burst(len(requests), seconds, dict(sorted(statuses.items())), sorted(latencies))
