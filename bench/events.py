"""Benchmark 10: the events service's registration burst.

1 000 visitors register at once for 10 published forums of 30 seats (100 a forum) through gunicorn, from
``--burst-concurrency`` connections; afterwards every forum's seat ledger must hold at most 30 seats and
no one twice, 300 registered and 700 waiting in all, and 300 registration documents registered. Side by
side: bare Flask + pymongo doing only the seat ledger's conditional update (``bench/bare_events_app.py``),
with the same check.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import search
from bench.bare_events_app import SEATS as BARE_SEATS
from bench.burst import post_burst
from bench.procs import Processes
from services.events.adapters.repository import REGISTRATIONS, SEATS
from services.events.config import SERVICE
from services.events.domain.event import Kind, Plan, Window
from services.events.domain.venue import Venue, VenueKind
from services.events.entrypoints.wiring import build
from shared.auth import Principal, Role, TokenCodec
from shared.config import Settings
from shared.localinfra import Infrastructure
from shared.mongo import connect

log = logging.getLogger("bench")

EVENTS_APP = "services.events.entrypoints.app:create_app()"
BARE_APP = "bench.bare_events_app:create_app()"
EVENTS, CAPACITY, VISITORS = 10, 30, 1000
CENTRES = ("plovdiv", "lovech", "varna", "burgas", "blagoevgrad", "gabrovo")


def _seed(db: Any, now: datetime) -> list[str]:
    """10 published forums (each at its own time, so no venue is booked twice), and the bare app's ledgers."""
    service = build(db)
    ids = []
    for n in range(EVENTS):
        centre = CENTRES[n % len(CENTRES)]
        organiser = Principal(f"bench-clerk-{centre}", frozenset({Role.CLERK}), centre=centre)
        starts = now + timedelta(days=14 + n)
        plan = Plan(
            kind=Kind.FORUM,
            organiser=centre,
            title_bg=f"Форум на социалната икономика {n + 1}",
            description_bg="Срещи на социалните предприятия с общините и партньорите.",
            venue=Venue(VenueKind.HALL, centre=centre),
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            visitor_capacity=CAPACITY,
            visitor_window=Window(now - timedelta(days=1), starts),
        )
        event = service.create(organiser, plan)
        service.publish(organiser, event.id)
        ids.append(event.id)
    db[BARE_SEATS].insert_many([{"_id": i, "capacity": CAPACITY, "holders": [], "waiting": []} for i in ids])
    return ids


CREATED = frozenset({"201"})


def _check_counts(db: Any, event_ids: list[str], collection: str) -> dict[str, int]:
    """Seats held and visitors waiting, summed, after checking that no event holds more than its seats."""
    held = waiting = 0
    for document in db[collection].find({"_id": {"$in": event_ids}}):
        holders = document.get("holders", [])
        if len(holders) > CAPACITY or len(set(holders)) != len(holders):
            raise RuntimeError(f"event {document['_id']} holds {len(holders)} seats of {CAPACITY}")
        held += len(holders)
        waiting += len(document.get("waiting", []))
    expected = {"registered": EVENTS * CAPACITY, "waiting": VISITORS - EVENTS * CAPACITY}
    found = {"registered": held, "waiting": waiting}
    if found != expected:
        raise RuntimeError(f"after the burst {collection} has {found}, expected {expected}")
    return found


def run_registration(
    args: Any, infra: Infrastructure, processes: Processes, work_dir: Any, database: str
) -> dict[str, Any]:
    db = connect(infra.mongodb_uri, app_name="bench-seed")[database]
    event_ids = _seed(db, datetime.now(UTC))
    codec = TokenCodec.from_settings(Settings.from_env(SERVICE))
    visitors = [
        Principal(f"visitor-{i}", frozenset({Role.BUYER}), email=f"visitor{i}@bench.example.bg", email_verified=True)
        for i in range(VISITORS)
    ]
    requests = [
        (
            f"/api/v1/events/{event_ids[i % EVENTS]}/registration",
            {"Authorization": f"Bearer {codec.encode(p)}"},
            json.dumps({"name": f"Посетител {i}"}).encode(),
        )
        for i, p in enumerate(visitors)
    ]
    bare_requests = [(path, {"X-Visitor": visitors[i].email}, b"{}") for i, (path, _, _) in enumerate(requests)]
    metrics_dir = work_dir / "prometheus-events"
    metrics_dir.mkdir()
    env = {**infra.env(), "EVENTS_MONGODB_DATABASE": database, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
           "LOG_LEVEL": "WARNING", "RATE_LIMIT_PUBLIC": "1000000/minute"}  # fmt: skip
    settings = search.ServerSettings(args.workers, args.worker_class, args.threads)
    servers = {
        "events": search.Server(processes, "events", EVENTS_APP, settings, env),
        "bare": search.Server(processes, "bare-events", BARE_APP, settings, env),
    }
    try:
        for server in servers.values():
            server.wait_ready(timeout=120)
        log.info("registration burst: %d visitors for %d events of %d seats", VISITORS, EVENTS, CAPACITY)
        results = {
            "events": post_burst(servers["events"].port, requests, args.burst_concurrency, CREATED).summary(),
            "bare": post_burst(servers["bare"].port, bare_requests, args.burst_concurrency, CREATED).summary(),
        }
    finally:
        for server in servers.values():
            processes.stop(server.process)
    results["events"]["counts"] = _check_counts(db, event_ids, SEATS)
    results["bare"]["counts"] = _check_counts(db, event_ids, BARE_SEATS)
    stored = db[REGISTRATIONS].count_documents({"event_id": {"$in": event_ids}, "state": "registered"})
    if stored != EVENTS * CAPACITY:
        raise RuntimeError(f"{stored} registrations are registered, the ledgers hold {EVENTS * CAPACITY}")
    db.client.drop_database(database)
    db.client.close()
    return {
        "events_count": EVENTS,
        "capacity": CAPACITY,
        "visitors": VISITORS,
        "concurrency": args.burst_concurrency,
        **results,
        "ratio": results["events"]["requests_per_second"] / max(1e-9, results["bare"]["requests_per_second"]),
    }
