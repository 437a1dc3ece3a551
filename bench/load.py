"""A closed-loop HTTP load generator, run in its own process: ``python -m bench.load``.

``--concurrency`` threads each keep one ``http.client`` connection (kept alive when the server
allows it, reopened when it says ``Connection: close`` as gunicorn's sync workers do) and send
GET requests back to back, cycling through ``--path`` values from different starting points.
Requests sent during ``--warmup`` are not counted; the measured window lasts ``--duration``
seconds. A response counts as good when it is 200 and its JSON body has a non-empty ``items``.
Prints one JSON line: requests, requests/s, latency percentiles, errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any

EMPTY_ITEMS = b'"items":[]'
EMPTY_ITEMS_SPACED = b'"items": []'


@dataclass
class WorkerResult:
    latencies: list[float] = field(default_factory=list)
    bad_status: dict[int, int] = field(default_factory=dict)
    empty: int = 0
    errors: list[str] = field(default_factory=list)
    sent: int = 0


def _good_body(body: bytes) -> bool:
    return body.startswith(b"{") and b'"items"' in body and EMPTY_ITEMS not in body and EMPTY_ITEMS_SPACED not in body


def worker(
    host: str, port: int, paths: list[str], offset: int, measure_from: float, stop_at: float, out: WorkerResult
) -> None:
    connection = http.client.HTTPConnection(host, port, timeout=120)
    index = offset
    try:
        while time.perf_counter() < stop_at:
            path = paths[index % len(paths)]
            index += 1
            started = time.perf_counter()
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                if started >= measure_from and len(out.errors) < 20:
                    out.errors.append(f"{type(error).__name__}: {error}")
                continue
            finished = time.perf_counter()
            out.sent += 1
            if started < measure_from or finished > stop_at:
                continue  # warm-up, or finished after the window closed
            if response.status != 200:
                out.bad_status[response.status] = out.bad_status.get(response.status, 0) + 1
            elif not _good_body(body):
                out.empty += 1
            else:
                out.latencies.append(finished - started)
    finally:
        connection.close()


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (NaN for none)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(fraction * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def run(host: str, port: int, paths: list[str], concurrency: int, warmup: float, duration: float) -> dict[str, Any]:
    start = time.perf_counter()
    measure_from, stop_at = start + warmup, start + warmup + duration
    results = [WorkerResult() for _ in range(concurrency)]
    threads = [
        threading.Thread(
            target=worker,
            args=(host, port, paths, i * len(paths) // concurrency, measure_from, stop_at, results[i]),
            daemon=True,
        )
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=warmup + duration + 150)
    latencies = sorted(latency for r in results for latency in r.latencies)
    bad_status: dict[str, int] = {}
    for r in results:
        for status, count in r.bad_status.items():
            bad_status[str(status)] = bad_status.get(str(status), 0) + count
    return {
        "ok": len(latencies),
        "sent_including_warmup": sum(r.sent for r in results),
        "requests_per_second": len(latencies) / duration,
        "latency_ms": {
            "p50": percentile(latencies, 0.50) * 1000,
            "p90": percentile(latencies, 0.90) * 1000,
            "p99": percentile(latencies, 0.99) * 1000,
            "max": (latencies[-1] if latencies else float("nan")) * 1000,
            "mean": (sum(latencies) / len(latencies) if latencies else float("nan")) * 1000,
        },
        "latencies_ms": [round(latency * 1000, 3) for latency in latencies],
        "bad_status": bad_status,
        "empty_or_invalid": sum(r.empty for r in results),
        "errors": [e for r in results for e in r.errors][:20],
        "still_running": sum(1 for t in threads if t.is_alive()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--path", action="append", required=True, help="request path; repeat for several")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=20.0)
    args = parser.parse_args(argv)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        parser.error("the load generator only targets this machine (127.0.0.1)")
    result = run(args.host, args.port, args.path, args.concurrency, args.warmup, args.duration)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
