"""Benchmarks 3 and 4: the marketplace search at two sizes, and the consumer of registry events.

3. Search under gunicorn, side by side with bare Flask + pymongo reading the same posting documents
   (``bench/bare_market_app.py``), at 10 000 and at 100 000 listings in one run. The scaling figure is
   the marketplace's p99 at the larger size over its p99 at the smaller one.
4. The marketplace consumer (``build_runner``, as ``marketplace-consumer`` runs it: apply once, then
   bring the seller's listings and open quotes in line) against a bare kafka-python consumer reading
   the same events; events per second, from the first record to the last applied.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from kafka import KafkaConsumer

from bench import market_seed, search
from bench.procs import Processes
from bench.topics import renamed
from services.marketplace.config import SERVICE
from services.marketplace.entrypoints.consumer import MAX_POLL_RECORDS, build_runner, consumed_events
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.config import Settings
from shared.events import Envelope
from shared.kafka import ensure_topics, make_producer
from shared.localinfra import Infrastructure
from shared.mongo import connect
from shared.runtime import StopSignal

log = logging.getLogger("bench")

MARKET_APP = "services.marketplace.entrypoints.app:create_app()"
BARE_APP = "bench.bare_market_app:create_app()"
DECODE_RUNS = 3
"""The decode-only consumer reads the topic this many times (a group each) and its fastest run counts: a run of
10 000 records takes under half a second, so a moment's pause of the machine weighs on it the most."""
PATH = "/api/v1/listings"

# What people type into a marketplace: products in Cyrillic and Latin, prefixes, two words, and a
# few with a filter or an order (the bare app ignores those and only reads the words' postings).
QUERIES: list[dict[str, Any]] = [
    {"q": "мед"},
    {"q": "med"},
    {"q": "чорапи"},
    {"q": "chorapi"},
    {"q": "керам"},
    {"q": "печат визитки"},
    {"q": "почистване", "region": "BG41"},
    {"q": "торта", "sort": "price_asc"},
    {"q": "kozunak"},
    {"q": "ремонт компютри"},
    {"q": "сирене", "enterprise_class": "A+"},
    {"q": "липов мед", "sort": "newest"},
]


def paths() -> list[str]:
    return [f"{PATH}?{urlencode(q)}" for q in QUERIES]


def _measure_size(
    args: Any, infra: Infrastructure, processes: Processes, work_dir: Path, database: str, size: int
) -> dict[str, Any]:
    db = connect(infra.mongodb_uri, app_name="bench-seed")[database]
    started = time.perf_counter()
    loaded = market_seed.load(db, size)
    log.info("marketplace search: %s in %.0f s", loaded, time.perf_counter() - started)
    db.client.close()
    settings = search.ServerSettings(args.workers, args.worker_class, args.threads)
    metrics_dir = work_dir / f"prometheus-market-{size}"
    metrics_dir.mkdir()
    env = {
        **infra.env(),
        "MARKETPLACE_MONGODB_DATABASE": database,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "LOG_LEVEL": "WARNING",
    }
    servers = {
        "marketplace": search.Server(processes, f"marketplace-{size}", MARKET_APP, settings, env),
        "bare": search.Server(processes, f"bare-market-{size}", BARE_APP, settings, env),
    }
    path_list = paths()
    # Each worker reads every listing's keys on its first search: a longer warm-up than the register's.
    warmup = max(args.warmup, 15.0)
    try:
        for server in servers.values():
            server.wait_ready(timeout=120)
        totals = {name: search.check_responses(name, s.port, path_list, 300) for name, s in servers.items()}
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in servers}
        for name in ("marketplace", "bare", "bare", "marketplace"):
            log.info("marketplace search: %s at %d listings for %.0f + %.0f s", name, size, warmup, args.duration / 2)
            runs[name].append(
                search.drive(processes, servers[name], path_list, args.concurrency, warmup, args.duration / 2)
            )
        results = {name: search.merge(servers[name], runs[name], args.duration) for name in servers}
    finally:
        for server in servers.values():
            processes.stop(server.process)
    return {
        **loaded,
        "totals": totals["marketplace"],
        **results,
        "ratio": results["marketplace"]["requests_per_second"] / max(1e-9, results["bare"]["requests_per_second"]),
    }


def run_search(
    args: Any, infra: Infrastructure, processes: Processes, work_dir: Path, database: str, sizes: list[int]
) -> dict[str, Any]:
    by_size = {}
    for size in sorted(sizes):
        by_size[str(size)] = _measure_size(args, infra, processes, work_dir, f"{database}_{size}", size)
        client = connect(infra.mongodb_uri, app_name="bench-cleanup")
        client.drop_database(f"{database}_{size}")  # the disk and the page cache are for the next size
        client.close()
    small, large = str(min(sizes)), str(max(sizes))
    p99 = {key: by_size[key]["marketplace"]["latency_ms"]["p99"] for key in (small, large)}
    return {
        "paths": paths(),
        "server": {"workers": args.workers, "worker_class": args.worker_class, "threads": args.threads},
        "load": {"concurrency": args.concurrency, "duration_s": args.duration},
        "sizes": by_size,
        "scaling": {"small": int(small), "large": int(large), "p99_ratio": p99[large] / max(1e-9, p99[small])},
    }


def _registry_events(sellers: list[dict[str, Any]], count: int) -> list[Envelope]:
    """``EnterpriseUpdated`` events for the sellers, round robin: each carries the seller as the marketplace
    knows it and a new public phone number, as most updates in the register do (nothing a listing shows),
    and the enterprise's next version."""
    example = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get("registry.EnterpriseUpdated", 1))
    events = []
    for i in range(count):
        seller = sellers[i % len(sellers)]
        payload = example.payload | {
            "enterprise_id": seller["_id"],
            "status": seller["register_status"],
            "certificate": {**example.payload["certificate"], "valid_until": seller["valid_until"]},
            "public_contacts": {"phone": f"+359 2 {i:07d}"},
            "changed_fields": ["contacts"],
            "activities": seller.get("activities", []),
            "vulnerable_staff": seller.get("vulnerable_staff", {}),
            **{k: seller[k] for k in SELLER_FIELDS},
        }
        events.append(
            dataclasses.replace(
                example,
                event_id=str(uuid.uuid4()),
                aggregate_id=seller["_id"],
                payload=payload,
                aggregate_version=seller.get("aggregate_version", 0) + 1 + i // len(sellers),
            )
        )
    return events


SELLER_FIELDS = (
    "registration_number", "name", "enterprise_class", "district", "region", "centre", "staff_count",
    "vulnerable_staff_total", "contact_email",
)  # fmt: skip


def run_consumer(infra: Infrastructure, database: str, prefix: str, listings: int, count: int) -> dict[str, Any]:
    db = connect(infra.mongodb_uri, app_name="bench-seed")[database]
    loaded = market_seed.load(db, listings)
    documents = list(db["sellers"].find({}))  # with the listing ids the seeding keeps on each, as older sellers have
    db["bare_sellers"].insert_many(documents)  # the bare consumer's twin of the sellers as the service finds them
    sellers = [{k: v for k, v in document.items() if k != "listing_ids"} for document in documents]
    catalog = renamed(consumed_events(), prefix)
    topic = f"{prefix}registry.enterprise.v1"
    ensure_topics(infra.kafka_bootstrap, sorted(catalog.topics()), partitions=3)
    producer = make_producer(infra.kafka_bootstrap, "bench-registry")
    for envelope in _registry_events(sellers, count):
        producer.send(topic, key=envelope.aggregate_id, value=envelope.to_dict())
    producer.flush()
    producer.close()

    # Not counted: the broker's first consumer group creates its offsets topic (half a second), and the first
    # read of a topic is the slowest; every consumer measured below then reads alike.
    _decoding_consumer(infra.kafka_bootstrap, topic, f"{prefix}warm-up", count)
    os.environ.update({"MONGODB_URI": infra.mongodb_uri, "MARKETPLACE_MONGODB_DATABASE": database,
                       "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap, "LOG_LEVEL": "WARNING"})  # fmt: skip
    runner = build_runner(Settings.from_env(SERVICE), StopSignal(install_handlers=False),
                          group_id=f"{prefix}marketplace", catalog=catalog)  # fmt: skip
    handled, first = 0, None
    deadline = time.monotonic() + 600
    while handled < count and time.monotonic() < deadline:
        before = time.perf_counter()  # the first poll that returns records counts from its start
        got = runner.poll_once(timeout_ms=500)
        if got and first is None:
            first = before
        handled += got
    consumer_seconds = time.perf_counter() - (first or time.perf_counter())
    runner.close()

    updated_seconds, updated = _bare_updating_consumer(infra.kafka_bootstrap, topic, f"{prefix}bare-update",
                                                       db["bare_sellers"], count, folded=True)  # fmt: skip
    db["bare_sellers_each"].insert_many(documents)
    each_seconds, each = _bare_updating_consumer(infra.kafka_bootstrap, topic, f"{prefix}bare-each",
                                                 db["bare_sellers_each"], count, folded=False)  # fmt: skip

    reads = [_decoding_consumer(infra.kafka_bootstrap, topic, f"{prefix}bare-{n}", count) for n in range(DECODE_RUNS)]
    bare_seconds, read = min(seconds for seconds, _ in reads), min(n for _, n in reads)
    db.client.drop_database(database)
    db.client.close()
    if handled < count or read < count or updated < count or each < count:
        raise RuntimeError(
            f"consumer benchmark incomplete: applied {handled}, bare updated {updated} (one by one {each}), "
            f"bare read {read} of {count}"
        )
    return {
        **loaded,
        "events": count,
        "consumer": {"seconds": consumer_seconds, "events_per_second": count / max(1e-9, consumer_seconds)},
        "bare_update": {"seconds": updated_seconds, "events_per_second": count / max(1e-9, updated_seconds)},
        "bare_update_each": {"seconds": each_seconds, "events_per_second": count / max(1e-9, each_seconds)},
        "bare": {
            "seconds": bare_seconds,
            "events_per_second": count / max(1e-9, bare_seconds),
            "runs_seconds": [seconds for seconds, _ in reads],
        },
    }


def _decoding_consumer(bootstrap: str, topic: str, group: str, count: int) -> tuple[float, int]:
    """A bare kafka-python consumer that only decodes each record's JSON and commits after each poll."""
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False, max_poll_records=200)  # fmt: skip

    def decode(records: list[Any]) -> None:
        for record in records:
            json.loads(record.value)

    return _timed_polls(consumer, count, 120, decode)


def _timed_polls(
    consumer: KafkaConsumer, count: int, limit_s: float, handle: Callable[[list[Any]], None]
) -> tuple[float, int]:
    """Poll until ``count`` records were handled (``handle`` takes a partition's records of a poll), committing
    after each poll; the seconds count from the start of the first poll that returned records."""
    handled, started = 0, None
    deadline = time.monotonic() + limit_s
    while handled < count and time.monotonic() < deadline:
        before = time.perf_counter()
        for records in consumer.poll(timeout_ms=500).values():
            started = started or before
            handle(records)
            handled += len(records)
        consumer.commit()
    seconds = time.perf_counter() - (started or time.perf_counter())
    consumer.close()
    return seconds, handled


def _bare_updating_consumer(
    bootstrap: str, topic: str, group: str, sellers: Any, count: int, *, folded: bool
) -> tuple[float, int]:
    """A bare kafka-python consumer doing the service's database writes: each partition's records of a poll,
    decoded, become conditional updates of the sellers' pictures, then the offsets are committed. No
    validation, no listings.

    ``folded`` (what the service does): one update per seller and poll, taking it from the version it holds
    to the last event's picture, version and id, conditional on the seller holding that version (kept from
    the last write; the sellers of a poll not seen before are read by ``_id``, 8 at a time, as the service
    reads them), in unordered update commands of 40.
    Otherwise one update per event (refused when the event id is there or the seller holds this version or a
    newer one), in order, in update commands of 40 — what the service did before it folded a batch."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_poll_records=MAX_POLL_RECORDS,
    )  # as the service polls
    versions: dict[str, Any] = {}
    readers = ThreadPoolExecutor(8)

    def apply(records: list[Any]) -> None:
        updates, last = [], {}
        for record in records:
            event = json.loads(record.value)
            payload, version = event["payload"], event["aggregate_version"]
            picture = {k: payload[k] for k in SELLER_FIELDS} | {"register_status": payload["status"],
                       "valid_until": payload["certificate"]["valid_until"], "as_of": event["occurred_at"],
                       "aggregate_version": version, "applied_event_ids": [event["event_id"]]}  # fmt: skip
            if folded:
                last[payload["enterprise_id"]] = picture
                continue
            query = {"_id": payload["enterprise_id"], "aggregate_version": {"$not": {"$gte": version}},
                     "applied_event_ids": {"$ne": event["event_id"]}}  # fmt: skip
            updates.append({"q": query, "u": {"$set": picture}, "upsert": True})
        unseen = [enterprise_id for enterprise_id in last if enterprise_id not in versions]
        versions.update(zip(unseen, readers.map(lambda i: sellers.find_one({"_id": i}), unseen), strict=True))
        for enterprise_id, picture in last.items():
            held = versions[enterprise_id]  # the seeding wrote no version nor event ids
            query = {"_id": enterprise_id} | {
                field: {"$exists": False} if held.get(field) is None else held[field]
                for field in ("aggregate_version", "applied_event_ids")
            }
            updates.append({"q": query, "u": {"$set": picture}})
            versions[enterprise_id] = picture
        for start in range(0, len(updates), 40):
            reply = sellers.database.command(
                {"update": sellers.name, "updates": updates[start : start + 40], "ordered": not folded}
            )
            if reply.get("writeErrors") or int(reply["n"]) < len(updates[start : start + 40]):
                raise RuntimeError(f"the bare consumer's update was refused: {reply}")

    seconds, applied = _timed_polls(consumer, count, 600, apply)
    readers.shutdown()
    return seconds, applied
