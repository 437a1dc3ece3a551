"""Benchmark 1: the public register search under gunicorn, against bare Flask + pymongo on the same data."""

from __future__ import annotations

import http.client
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from pymongo.database import Database

from bench import bare_app
from bench.load import percentile
from bench.procs import Processes, children, memory_kib, wait_until
from services.registry.adapters.queries import PUBLIC_LIST_FIELDS
from services.registry.adapters.register_index import POSTINGS, SEQ, query_keys
from services.registry.adapters.repository import REGISTER
from shared.localinfra import claim_port

REGISTRY_APP = "services.registry.entrypoints.app:create_app()"
BARE_APP = "bench.bare_app:create_app()"
PATH = "/api/v1/register"

# What people type: word prefixes in Cyrillic and in Latin, a district, the first pages.
QUERIES: list[dict[str, Any]] = [
    {"q": "зелен", "page": 1},
    {"q": "zelena", "page": 2},
    {"q": "кооп", "page": 1},
    {"district": "BG-16", "page": 1},
    {"district": "BG-16", "page": 2},
    {"district": "BG-16", "page": 3},
    {"q": "марица", "page": 1},
    {"q": "dunav", "page": 1},
    {"q": "пекар", "district": "BG-22", "page": 1},
]


@dataclass(frozen=True)
class ServerSettings:
    workers: int
    worker_class: str
    threads: int

    def argv(self, port: int, app: str) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", str(self.workers), "--worker-class", self.worker_class, "--threads", str(self.threads),
            "--timeout", "300", "--graceful-timeout", "5", "--log-level", "warning", app,
        ]  # fmt: skip


def paths(per_page: int, pages: int) -> list[str]:
    """The request paths of the load, pages beyond ``pages`` dropped (small registers have fewer)."""
    chosen = [q for q in QUERIES if q["page"] <= pages]
    return [f"{PATH}?{urlencode({**q, 'per_page': per_page})}" for q in chosen]


def check_same_query(path_list: list[str]) -> None:
    """The bare app must read exactly the postings the registry reads."""
    if bare_app.PROJECTION != PUBLIC_LIST_FIELDS:
        raise AssertionError("bench.bare_app.PROJECTION differs from PUBLIC_LIST_FIELDS: update the copy")
    if bare_app.CHANGE_COUNTER != SEQ:
        raise AssertionError("bench.bare_app.CHANGE_COUNTER differs from register_index.SEQ: update the copy")
    for path in path_list:
        args = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        statuses, keys = query_keys(args)
        registry = [f"{status}/{key}" for status in statuses for key in keys]
        bare = bare_app.search_keys(args.get("q", ""), args.get("district", ""))
        if registry != bare:
            raise AssertionError(f"postings differ for {path}: registry {registry}, bare {bare}")


def probe_database(db: Database, path_list: list[str], budget_seconds: float) -> tuple[list[str], dict[str, Any]]:
    """The database floor, straight from pymongo, one query after another: a search seen before (what a worker
    that keeps its postings and pages sends: the change log's counter read by ``_id``) and a search seen for the
    first time (also its postings and the page's register documents read by ``_id``).

    Returns the paths whose page has items (a small register has no bakery in Sofia) and the timings.
    """
    collection, postings, counters = db[REGISTER], db[POSTINGS], db["counters"]
    first: list[float] = []
    usable: list[str] = []
    for path in path_list:
        args = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
        page, per_page = int(args["page"]), int(args["per_page"])
        started = time.perf_counter()
        counters.find_one({"_id": SEQ})
        common: set[str] | None = None
        for term in bare_app.search_keys(args.get("q", ""), args.get("district", "")):
            common = bare_app.posting(postings, term) if common is None else common & bare_app.posting(postings, term)
        matches = sorted(tuple(member.rsplit("|", 2)[::2]) for member in common or ())
        items = [
            collection.find_one({"_id": enterprise_id}, PUBLIC_LIST_FIELDS)
            for _, enterprise_id in matches[(page - 1) * per_page : page * per_page]
        ]
        first.append(time.perf_counter() - started)
        if items:
            usable.append(path)
    timings: list[float] = []
    deadline = time.monotonic() + budget_seconds
    while len(timings) < len(path_list) or (time.monotonic() < deadline and len(timings) < 100):
        started = time.perf_counter()
        counters.find_one({"_id": SEQ})
        timings.append(time.perf_counter() - started)
    timings.sort()
    floor = {
        "requests": len(timings),
        "mean_ms": 1000 * sum(timings) / len(timings),
        "p50_ms": 1000 * timings[len(timings) // 2],
        "first_time_mean_ms": 1000 * sum(first) / len(first),
    }
    return usable, floor


def _get(port: int, path: str, timeout: float) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _answers(port: int) -> bool:
    try:
        return _get(port, "/healthz", 2)[0] == 200
    except OSError:
        return False


def check_responses(name: str, port: int, path_list: list[str], timeout: float) -> dict[str, int]:
    """Every load path answers 200 with items; returns the total of each (the same on both servers)."""
    totals = {}
    for path in path_list:
        status, body = _get(port, path, timeout)
        if status != 200:
            raise RuntimeError(f"{name}: GET {path} answered {status}: {body[:300]!r}")
        data = json.loads(body)
        if not data.get("items"):
            raise RuntimeError(f"{name}: GET {path} returned no items (total {data.get('total')})")
        totals[path] = data["total"]
    return totals


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime, in clock ticks
    return total / 100.0


class Server:
    """One gunicorn master and its workers."""

    def __init__(self, processes: Processes, name: str, app: str, settings: ServerSettings, env: dict[str, str]):
        self.name = name
        self.port = claim_port(None, f"{name} web server")
        self.process = processes.start(f"gunicorn-{name}", settings.argv(self.port, app), env)

    def wait_ready(self, timeout: float) -> None:
        def ready() -> bool:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn for {self.name} exited with {self.process.returncode}; see its log")
            return _answers(self.port)

        wait_until(ready, timeout, f"gunicorn ({self.name}) to answer on port {self.port}")

    def workers(self) -> list[int]:
        return children(self.process.pid)


def drive(
    processes: Processes, server: Server, path_list: list[str], concurrency: int, warmup: float, duration: float
) -> dict[str, Any]:
    """Run the load generator against ``server`` once; add the workers' CPU seconds."""
    workers = server.workers()
    cpu_before = _cpu_seconds(workers)
    args = ["-m", "bench.load", "--port", str(server.port), "--concurrency", str(concurrency),
            "--warmup", str(warmup), "--duration", str(duration)]  # fmt: skip
    for path in path_list:
        args += ["--path", path]
    result = json.loads(processes.run_python(f"load-{server.name}", args, timeout=warmup + duration + 200))
    result["worker_cpu_seconds"] = _cpu_seconds(workers) - cpu_before
    return result


def merge(server: Server, runs: list[dict[str, Any]], duration: float) -> dict[str, Any]:
    """One result from the halves of an interleaved measurement, plus the workers' memory now."""
    latencies = sorted(latency for run in runs for latency in run["latencies_ms"])
    bad_status: dict[str, int] = {}
    for run in runs:
        for status, count in run["bad_status"].items():
            bad_status[status] = bad_status.get(status, 0) + count
    sent = sum(run["sent_including_warmup"] for run in runs)
    workers = server.workers()
    return {
        "ok": len(latencies),
        "requests_per_second": len(latencies) / duration,
        "latency_ms": {
            "p50": percentile(latencies, 0.50),
            "p90": percentile(latencies, 0.90),
            "p99": percentile(latencies, 0.99),
            "max": latencies[-1] if latencies else float("nan"),
            "mean": sum(latencies) / len(latencies) if latencies else float("nan"),
        },
        "bad_status": bad_status,
        "empty_or_invalid": sum(run["empty_or_invalid"] for run in runs),
        "errors": [e for run in runs for e in run["errors"]][:20],
        "sent_including_warmup": sent,
        "worker_cpu_ms_per_request": 1000 * sum(run["worker_cpu_seconds"] for run in runs) / max(1, sent),
        "worker_rss_kib": max(memory_kib(pid)["rss_kib"] for pid in workers),
        "workers": len(workers),
    }
