"""``python -m bench`` (``make bench``): the register search and outbox relay against their baselines.

See bench/README.md for what is measured and how to read the figures.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import shutil
import sys
import tempfile
import time
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any, TextIO

from bench import events, grants, marketplace, notifications, outbox, report, search, training
from bench.backend import backend_of
from bench.procs import Interrupted, Processes, ignore_sigint, quiet_terminal, raise_on_sigterm
from bench.seed import outbox_documents, search_documents
from services.registry.adapters.documents import from_document, register_view
from services.registry.adapters.register_index import RegisterIndex
from services.registry.adapters.repository import EIK_HINTS_COMPLETE, ENTERPRISES, INDEXES, LOOKUPS, REGISTER
from shared.localinfra import Infrastructure, start_infrastructure
from shared.mongo import connect, ensure_indexes

log = logging.getLogger("bench")

RESULTS = Path(__file__).with_name("results") / "latest.json"

# The brief's sizes, and the ones that fit the time bound on FerretDB 1.24's SQLite backend, whose
# only pushed-down filter is ``_id`` equality: every other query decodes the whole collection. The relay
# runs at the brief's size on both (it scans once per pass, not once per batch), and so does the register
# search (it reads by ``_id`` only).
FULL = {"enterprises": 10_000, "outbox_documents": 5_000}
FERRETDB = {"enterprises": 10_000, "outbox_documents": 5_000}
RELAY_BATCH = 500  # OutboxRelay's default, as registry-relay runs it


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--size", choices=["auto", "full", "ferretdb"], default="auto",
                        help="auto: full on MongoDB, ferretdb on FerretDB (see README)")  # fmt: skip
    parser.add_argument("--enterprises", type=int, help="register size for the search (overrides --size)")
    parser.add_argument("--outbox-documents", type=int, help="documents with 4 pending events each (overrides --size)")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per server")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds before each measurement")
    parser.add_argument("--concurrency", type=int, default=4, help="load generator connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (both servers)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (both servers)")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread)")
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-relay", action="store_true")
    parser.add_argument("--skip-market", action="store_true", help="skip the marketplace search (3)")
    parser.add_argument("--skip-consumer", action="store_true", help="skip the marketplace consumer (4)")
    parser.add_argument("--listings", default="10000,100000", help="marketplace sizes to compare (comma-separated)")
    parser.add_argument("--consumer-events", type=int, default=10000, help="registry events for the consumer")
    parser.add_argument("--consumer-listings", type=int, default=2500, help="listings of the consumer's sellers")
    parser.add_argument("--skip-training", action="store_true", help="skip the enrolment burst and scoring (6, 7)")
    parser.add_argument("--burst-concurrency", type=int, default=16, help="connections of the enrolment burst")
    parser.add_argument("--scoring-count", type=int, default=5000, help="assessments to score")
    parser.add_argument("--skip-notifications", action="store_true", help="skip events to e-mails (9)")
    parser.add_argument("--skip-events", action="store_true", help="skip the events' registration burst (10)")
    parser.add_argument("--notification-events", type=int, default=500, help="events turned into e-mails")
    parser.add_argument("--skip-grants", action="store_true", help="skip the concurrent award decisions (11)")
    parser.add_argument("--award-applications", type=int, default=0,
                        help="applications awarded at once (default 300; 60 on FerretDB)")  # fmt: skip
    parser.add_argument("--relay-batch-size", type=int, default=RELAY_BATCH, help="OutboxRelay batch_size")
    parser.add_argument("--relay-timeout", type=float, default=900.0, help="give up on the relay after this")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--keep", action="store_true", help="keep the work directory (logs) afterwards")
    return parser.parse_args(argv)


def sizes(args: argparse.Namespace, backend: dict[str, Any]) -> dict[str, Any]:
    profile = args.size if args.size != "auto" else ("ferretdb" if backend["ferretdb"] else "full")
    chosen = dict(FERRETDB if profile == "ferretdb" else FULL)
    if args.enterprises:
        chosen["enterprises"] = args.enterprises
    chosen["memory_documents"] = FULL["outbox_documents"]
    if args.outbox_documents:
        chosen["outbox_documents"] = chosen["memory_documents"] = args.outbox_documents
    return {"profile": profile, **chosen, "relay_batch_size": args.relay_batch_size}


def _chunks(total: int, step: int) -> list[tuple[int, int]]:
    return [(start, min(start + step, total)) for start in range(0, total, step)]


SMALL_REGISTER = 1_000
"""The register search is also measured over the first 1 000 of the enterprises, for its p99's growth."""


def run_search(
    args: argparse.Namespace,
    infra: Infrastructure,
    processes: Processes,
    work_dir: Path,
    database: str,
    chunks: list[Future[list[dict[str, Any]]]],
) -> dict[str, Any]:
    """The search at the chosen size and, when that is larger, over its first ``SMALL_REGISTER`` enterprises."""
    documents = [chunk.result() for chunk in chunks]
    small = None
    if sum(len(d) for d in documents) > SMALL_REGISTER:
        first = [d for chunk in documents for d in chunk][:SMALL_REGISTER]
        small = _search_size(args, infra, processes, work_dir / "small", f"{database}_small", [first])
    full = _search_size(args, infra, processes, work_dir / "full", database, documents)
    if small is None:
        return full
    p99_ratio = full["registry"]["latency_ms"]["p99"] / max(1e-9, small["registry"]["latency_ms"]["p99"])
    return {**full, "small": small, "p99_ratio": p99_ratio}


def _search_size(
    args: argparse.Namespace,
    infra: Infrastructure,
    processes: Processes,
    work_dir: Path,
    database: str,
    chunks: list[list[dict[str, Any]]],
) -> dict[str, Any]:
    db = connect(infra.mongodb_uri, app_name="bench-seed")[database]
    ensure_indexes(db, INDEXES)
    started = time.perf_counter()
    count = 0
    hints: dict[str, list[str]] = {}
    for documents in chunks:
        count += len(db[ENTERPRISES].insert_many(documents, ordered=False).inserted_ids)
        views = [register_view(from_document(d)) for d in documents]
        db[REGISTER].insert_many([v for v in views if v is not None], ordered=False)
        for document in documents:
            hints.setdefault(f"eik:{document['eik']}", []).append(document["_id"])
    # The ЕИК hints the registry writes before each enterprise (else each web worker's start writes them).
    lookups = [{"_id": key, "enterprise_ids": ids} for key, ids in hints.items()]
    for start in range(0, len(lookups), 1000):
        db[LOOKUPS].insert_many(lookups[start : start + 1000], ordered=False)
    db[LOOKUPS].insert_one({"_id": EIK_HINTS_COMPLETE, "complete": True})
    RegisterIndex(db).build(db[REGISTER])  # the register's postings, as the index job builds them
    log.info("search: %d enterprises in %.1f s", count, time.perf_counter() - started)
    per_page = 20
    pages = max(1, min(3, count // 28 // per_page))  # one district holds about 1/28 of the register
    search.check_same_query(search.paths(per_page, pages))
    path_list, floor = search.probe_database(db, search.paths(per_page, pages), budget_seconds=3.0)
    if len(path_list) < 3:
        raise RuntimeError(f"only {len(path_list)} of the search queries find anything in {count} enterprises")
    log.info("search: database floor %.1f ms per request", floor["mean_ms"])

    settings = search.ServerSettings(args.workers, args.worker_class, args.threads)
    metrics_dir = work_dir / "prometheus"
    metrics_dir.mkdir(parents=True)
    env = {
        **infra.env(),
        "REGISTRY_MONGODB_DATABASE": database,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "LOG_LEVEL": "WARNING",
    }
    servers = {
        "registry": search.Server(processes, "registry", search.REGISTRY_APP, settings, env),
        "bare": search.Server(processes, "bare", search.BARE_APP, settings, env),
    }
    results: dict[str, Any] = {}
    try:
        for server in servers.values():
            server.wait_ready(timeout=90)
        slowest = max(10.0, 20 * floor["first_time_mean_ms"] / 1000)
        totals = {name: search.check_responses(name, s.port, path_list, slowest) for name, s in servers.items()}
        if totals["registry"] != totals["bare"]:
            raise RuntimeError(f"registry and bare disagree on result totals: {totals}")
        # Two halves in the order registry, bare, bare, registry: a slow drift of the machine
        # (another process, the database warming up) weighs the same on both.
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
        for name in ("registry", "bare", "bare", "registry"):
            log.info("search: %s at %d under load for %.0f + %.0f s", name, count, args.warmup, args.duration / 2)
            runs[name].append(
                search.drive(processes, servers[name], path_list, args.concurrency, args.warmup, args.duration / 2)
            )
        results = {name: search.merge(servers[name], runs[name], args.duration) for name in servers}
    finally:
        for server in servers.values():
            processes.stop(server.process)
    db.client.close()
    return {
        "enterprises": count,
        "paths": path_list,
        "totals": totals["registry"],
        "server": {"workers": args.workers, "worker_class": args.worker_class, "threads": args.threads},
        "load": {"concurrency": args.concurrency, "warmup_s": args.warmup, "duration_s": args.duration},
        "database_floor": floor,
        **results,
        "ratio": results["registry"]["requests_per_second"] / max(1e-9, results["bare"]["requests_per_second"]),
    }


def run_relay(
    args: argparse.Namespace,
    infra: Infrastructure,
    processes: Processes,
    database: str,
    inputs: outbox.OutboxInputs,
    chosen: dict[str, Any],
) -> dict[str, Any]:
    outbox.create_topics(infra.kafka_bootstrap, inputs)
    db = connect(infra.mongodb_uri, app_name="bench-seed")[database]
    events = outbox.seed_database(db, inputs, chosen["outbox_documents"])
    db.client.close()
    runner = outbox.Runner(processes, infra.kafka_bootstrap, inputs, args.relay_timeout)
    log.info("relay: warming the broker up with a bare producer")
    runner.bare("kafka-warmup", min(4000, inputs.documents * outbox.EVENTS_PER_DOCUMENT))
    log.info("relay: %d events from the database, then the same with a bare producer", events)
    on_database = outbox.pair(
        runner,
        "database",
        events,
        chosen["relay_batch_size"],
        ["--mongodb-uri", infra.mongodb_uri, "--database", database],
    )
    in_memory = inputs.documents * outbox.EVENTS_PER_DOCUMENT
    log.info("relay: %d events from memory, then the same with a bare producer", in_memory)
    from_memory = outbox.pair(runner, "memory", in_memory, RELAY_BATCH, ["--documents", str(inputs.documents_file)])
    return {"database": on_database, "memory": from_memory}


def run_marketplace(
    args: argparse.Namespace, infra: Infrastructure, processes: Processes, work_dir: Path, run_id: str, prefix: str
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    if not args.skip_market:
        sizes_ = [int(size) for size in args.listings.split(",")]
        results["market"] = marketplace.run_search(args, infra, processes, work_dir, f"bench_{run_id}_market", sizes_)
    if not args.skip_consumer:
        results["consumer"] = marketplace.run_consumer(
            infra, f"bench_{run_id}_consumer", f"{prefix}consumer.", args.consumer_listings, args.consumer_events
        )
    if not args.skip_training:
        results["enrolment"] = training.run_enrolment(args, infra, processes, work_dir, f"bench_{run_id}_training")
        results["scoring"] = training.run_scoring(args.scoring_count)
    if not args.skip_events:
        results["registration"] = events.run_registration(args, infra, processes, work_dir, f"bench_{run_id}_events")
    if not args.skip_grants:
        results["awards"] = grants.run_awards(args, infra, processes, work_dir, f"bench_{run_id}_grants")
    if not args.skip_notifications:
        database = f"bench_{run_id}_notifications"
        results["notifications"] = notifications.run(
            infra, processes, work_dir, database, f"{prefix}notifications.", args.notification_events
        )
    return results


def cleanup_shared_servers(infra: Infrastructure, databases: list[str], prefix: str) -> None:
    """On servers we did not start, drop our databases and topics."""
    from kafka import KafkaAdminClient

    client = connect(infra.mongodb_uri, app_name="bench-cleanup")
    for name in databases:
        with suppress(Exception):
            client.drop_database(name)
    client.close()
    with suppress(Exception):
        admin = KafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap, client_id="bench-cleanup")
        ours = [t for t in admin.list_topics() if t.startswith(prefix) or t.startswith(outbox.BARE_PREFIX + prefix)]
        if ours:
            admin.delete_topics(ours)
        admin.close()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    raise_on_sigterm()
    run_id = uuid.uuid4().hex[:8]
    work_dir = Path(tempfile.mkdtemp(prefix=f"bench-{run_id}-"))
    # The table is what a person reads: every log line (ours, the SMTP server's, kafka-python's, the services'
    # run in this process) goes to bench.log in the work directory; only our few progress lines also show.
    with quiet_terminal(work_dir / "bench.log") as terminal:
        return _run(args, run_id, work_dir, terminal)


def _run(args: argparse.Namespace, run_id: str, work_dir: Path, terminal: TextIO) -> int:
    processes = Processes(work_dir)
    databases = [f"bench_{run_id}_search", f"bench_{run_id}_search_small", f"bench_{run_id}_outbox"]
    databases += [f"bench_{run_id}_consumer"]
    databases += [f"bench_{run_id}_market_{size}" for size in args.listings.split(",")]
    databases += [f"bench_{run_id}_{name}" for name in ("training", "notifications", "events", "grants")]
    prefix = f"bench-{run_id}."
    started = time.monotonic()
    failed = True
    with ExitStack() as stack:
        try:
            log.info("starting Kafka and the database (work directory %s)", work_dir)
            infra = start_infrastructure(work_dir / "infra")
            stack.callback(infra.stop)
            if infra.source != "local":
                stack.callback(cleanup_shared_servers, infra, databases, prefix)
            stack.callback(processes.stop_all)
            backend = backend_of(infra)
            chosen = sizes(args, backend)
            log.info("backend: %s; sizes: %s", backend["database"], chosen)
            pool = ProcessPoolExecutor(
                max_workers=2, mp_context=multiprocessing.get_context("spawn"), initializer=ignore_sigint
            )
            stack.callback(pool.shutdown, wait=False, cancel_futures=True)
            search_chunks = [] if args.skip_search else [
                pool.submit(search_documents, a, b) for a, b in _chunks(chosen["enterprises"], 500)
            ]  # fmt: skip
            outbox_chunks = [] if args.skip_relay else [
                pool.submit(outbox_documents, a, b, prefix) for a, b in _chunks(chosen["memory_documents"], 250)
            ]  # fmt: skip
            # All generation ends before any measurement starts (it would compete for the two cores).
            inputs = None if args.skip_relay else outbox.write_inputs(outbox_chunks, prefix, work_dir)
            results: dict[str, Any] = {
                "run_id": run_id,
                "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "python": sys.version.split()[0],
                "backend": backend,
                "sizes": chosen,
            }
            if not args.skip_search:
                results["search"] = run_search(args, infra, processes, work_dir, databases[0], search_chunks)
            if inputs is not None:
                results["relay"] = run_relay(args, infra, processes, databases[1], inputs, chosen)
            results.update(run_marketplace(args, infra, processes, work_dir, run_id, prefix))
            results["seconds"] = round(time.monotonic() - started, 1)
            print(report.table(results))
            args.output.parent.mkdir(parents=True, exist_ok=True)
            report.write_json(results, args.output)
            print(f"\nWritten to {args.output}")
            failed = False
        except (KeyboardInterrupt, Interrupted):
            print("\nInterrupted: stopping everything the benchmark started.", file=terminal)
            return 130
        finally:
            if failed or args.keep:
                print(f"Logs kept in {work_dir}", file=terminal)
    if not args.keep and not failed:
        shutil.rmtree(work_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
