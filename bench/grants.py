"""Benchmark 11: award decisions taken at the same moment against one region's envelope.

``--award-applications`` (300; 60 on FerretDB) ranked applications of one call and region, each asking for
1 500,00 €, and an envelope with room for two thirds of them and half an award more. Every application is awarded
at once by the ministry through the grants API under gunicorn (``POST /api/v1/applications/<id>/award``), from
``--burst-concurrency`` connections. Afterwards the envelope must hold exactly what fits — never more than its
budget, each award once, its committed total the sum of its holds — and exactly those applications are awarded
in the database; every other request was answered 409 (``envelope_exhausted``). Side by side: bare Flask +
pymongo doing only the same conditional ledger update (``bench/bare_grants_app.py``), with the same check.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import search
from bench.bare_grants_app import APPLICATIONS as BARE_APPLICATIONS
from bench.bare_grants_app import ENVELOPES as BARE_ENVELOPES
from bench.burst import Burst, post_burst
from bench.procs import Processes
from services.grants.adapters.repository import APPLICATIONS, ENVELOPES
from services.grants.config import SERVICE, GrantsRules
from services.grants.domain.application import Application, Status
from services.grants.domain.call import Call, CostCategory, Criterion, RequiredDocument
from services.grants.domain.money import MAX_AID_PER_ENTERPRISE_CENTS
from services.grants.domain.plan import BudgetLine, VatTreatment
from services.grants.entrypoints.wiring import build
from shared.auth import Principal, Role, TokenCodec
from shared.config import Settings
from shared.localinfra import Infrastructure
from shared.mongo import connect

log = logging.getLogger("bench")

GRANTS_APP = "services.grants.entrypoints.app:create_app()"
BARE_APP = "bench.bare_grants_app:create_app()"
REGION, CENTRE = "BG32", "lovech"
ASKED_CENTS = 150_000
"""What each application asks for: 1 000,00 € of software and 500,00 € of hardware."""
FULL_APPLICATIONS = 300
FERRETDB_APPLICATIONS = 60
"""On FerretDB's SQLite backend every award's de minimis check (the enterprise's other awards) decodes the
whole collection of applications, so a burst of 300 takes minutes there; MongoDB reads it from its index."""
MINISTRY = Principal("bench-ministry", frozenset({Role.CLERK}), centre="national")


def _call(now: datetime, budget_cents: int) -> dict[str, Any]:
    return {
        "title": "Модернизация на социалните предприятия (натоварване)",
        "budget_cents": budget_cents,
        "envelopes": {REGION: budget_cents},
        "max_per_enterprise_cents": MAX_AID_PER_ENTERPRISE_CENTS,
        "max_line_cents": 2_000_000,
        "categories": [CostCategory.SOFTWARE, CostCategory.HARDWARE],
        "opens_on": (now - timedelta(days=10)).date(),
        "closes_on": (now + timedelta(days=30)).date(),
        "criteria": [
            Criterion("need", "Нужда", "Need", 60, 10, 4),
            Criterion("impact", "Въздействие", "Impact", 40, 5, 0),
        ],
        "pass_score": 50,
        "required_documents": [RequiredDocument("offer", "Оферта", "Offer")],
    }


def _ranked(call: Call, rules: GrantsRules, now: datetime, n: int) -> Application:
    """An application taken the real way from its plan to a place in the ranking (submitted, checked, admitted,
    scored by two evaluators who declared no conflict)."""
    application = Application(
        id=uuid.uuid4().hex,
        call_id=call.id,
        enterprise_id=str(uuid.uuid4()),
        enterprise_name=f"Социално предприятие {n + 1}",
        region=REGION,
        centre=CENTRE,
        applicant=f"bench-rep-{n}",
        created_at=now,
    )
    lines = [
        BudgetLine("l1", CostCategory.SOFTWARE, "Счетоводен софтуер", 1, 100_000, VatTreatment.RECOVERABLE),
        BudgetLine("l2", CostCategory.HARDWARE, "Лаптоп", 1, 50_000, VatTreatment.RECOVERABLE),
    ]
    application.edit_plan(call, lines=lines)
    application.submit(call, now, eligible=True)
    application.start_check()
    application.admit()
    for evaluator in ("bench-eval-1", "bench-eval-2"):
        application.assign_evaluator(evaluator, now, call, rules.margin_hundredths)
        application.declare(evaluator, False, now)
        application.score(evaluator, {"need": 8, "impact": 4}, call, rules.margin_hundredths, now)
    application.place(n + 1)
    application.pull_events()
    return application


def _seed(db: Any, count: int, fits: int) -> tuple[str, list[str], int]:
    """The call, its ranked applications, and the bare app's copies; returns the call, the ids and the budget."""
    now = datetime.now(UTC)
    rules = GrantsRules()
    service = build(db, rules=rules)
    budget = fits * ASKED_CENTS + ASKED_CENTS // 2  # room for ``fits`` awards and half of one more
    call = service.publish_call(MINISTRY, _call(now, budget))
    ids = []
    for n in range(count):
        application = _ranked(call, rules, now, n)
        if application.requested_cents != ASKED_CENTS:
            raise RuntimeError(f"an application asks for {application.requested_cents} cents, not {ASKED_CENTS}")
        service.applications.add(application, [])
        ids.append(application.id)
    envelope = f"bare:{call.id}"
    db[BARE_ENVELOPES].insert_one({"_id": envelope, "budget_cents": budget, "committed_cents": 0})
    db[BARE_APPLICATIONS].insert_many(
        [{"_id": i, "requested_cents": ASKED_CENTS, "envelope": envelope, "status": "ranked"} for i in ids]
    )
    return call.id, ids, budget


DECIDED = frozenset({"200", "409"})
"""An award made, or refused because the envelope is full: both are decisions."""


def _awards(burst: Burst) -> dict[str, Any]:
    return {
        "requests": burst.requests,
        "statuses": burst.statuses,
        "awarded": burst.count("200"),
        "seconds": burst.seconds,
        "awards_per_second": burst.count("200") / burst.seconds,
        "decisions_per_second": len(burst.latencies) / burst.seconds,
        "latency_ms": burst.latency_ms(),
    }


def _check(db: Any, envelopes: str, applications: str, key: str, fits: int, budget: int, count: int) -> dict[str, int]:
    """The envelope holds exactly ``fits`` awards, never beyond its budget, and exactly those are awarded."""
    envelope = db[envelopes].find_one({"_id": key}) or {}
    holders = envelope.get("holders", [])
    committed = envelope.get("committed_cents", 0)
    amounts = envelope.get("amounts", {})
    where = f"{envelopes} {key}"
    if committed > budget:
        raise RuntimeError(f"{where}: over-committed, {committed} cents of {budget}")
    if len(set(holders)) != len(holders):
        raise RuntimeError(f"{where}: an application holds money twice")
    if committed != sum(amounts.values()) or committed != len(holders) * ASKED_CENTS:
        raise RuntimeError(f"{where}: committed {committed} cents, holds sum to {sum(amounts.values())}")
    awarded = {d["_id"] for d in db[applications].find({"status": Status.AWARDED.value}, {"_id": 1})}
    if awarded != set(holders):
        raise RuntimeError(f"{where}: {len(awarded)} applications awarded, {len(holders)} hold money")
    if len(holders) != fits:
        raise RuntimeError(f"{where}: {len(holders)} awards, but {fits} fit in the envelope")
    return {"awarded": len(holders), "refused": count - len(holders), "committed_cents": committed}


def run_awards(args: Any, infra: Infrastructure, processes: Processes, work_dir: Any, database: str) -> dict[str, Any]:
    db = connect(infra.mongodb_uri, app_name="bench-seed")[database]
    ferretdb = "ferretdbVersion" in db.client.admin.command("buildInfo")
    count = args.award_applications or (FERRETDB_APPLICATIONS if ferretdb else FULL_APPLICATIONS)
    fits = count * 2 // 3
    log.info("awards: seeding %d ranked applications, room for %d", count, fits)
    call_id, ids, budget = _seed(db, count, fits)
    codec = TokenCodec.from_settings(Settings.from_env(SERVICE))
    headers = {"Authorization": f"Bearer {codec.encode(MINISTRY)}"}
    body = json.dumps({"reasons": "Класирано в рамките на бюджета."}).encode()
    requests = [(f"/api/v1/applications/{i}/award", headers, body) for i in ids]
    metrics_dir = work_dir / "prometheus-grants"
    metrics_dir.mkdir()
    env = {**infra.env(), "GRANTS_MONGODB_DATABASE": database, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
           "LOG_LEVEL": "WARNING"}  # fmt: skip
    settings = search.ServerSettings(args.workers, args.worker_class, args.threads)
    servers = {
        "grants": search.Server(processes, "grants", GRANTS_APP, settings, env),
        "bare": search.Server(processes, "bare-grants", BARE_APP, settings, env),
    }
    try:
        for server in servers.values():
            server.wait_ready(timeout=120)
        log.info("awards: %d decisions at once from %d connections", count, args.burst_concurrency)
        results = {
            "grants": _awards(post_burst(servers["grants"].port, requests, args.burst_concurrency, DECIDED)),
            "bare": _awards(post_burst(servers["bare"].port, requests, args.burst_concurrency, DECIDED)),
        }
    finally:
        for server in servers.values():
            processes.stop(server.process)
    for name, result in results.items():
        if set(result["statuses"]) - {"200", "409"}:
            raise RuntimeError(f"awards ({name}): answers other than 200 and 409: {result['statuses']}")
    results["grants"]["counts"] = _check(db, ENVELOPES, APPLICATIONS, f"{call_id}:{REGION}", fits, budget, count)
    results["bare"]["counts"] = _check(db, BARE_ENVELOPES, BARE_APPLICATIONS, f"bare:{call_id}", fits, budget, count)
    db.client.drop_database(database)
    db.client.close()
    return {
        "applications": count,
        "fits": fits,
        "budget_cents": budget,
        "concurrency": args.burst_concurrency,
        **results,
        "ratio": results["grants"]["decisions_per_second"] / max(1e-9, results["bare"]["decisions_per_second"]),
    }
