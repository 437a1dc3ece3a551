"""Benchmarks 6 and 7: the training service's enrolment burst, and assessment scoring.

6. 1 000 learners enrol at once into 50 sessions of 15 seats (20 learners a session) through
   gunicorn, from ``--burst-concurrency`` connections; then the confirmed (750) and waitlisted (250)
   counts are checked in the database, per session. Side by side, bare Flask + pymongo
   (``bench/bare_training_app.py``): doing the same database work as the service, command for command
   (checked to write documents with the same fields), and doing only the seat ledger's conditional
   update; both with the same check. Each server's workers' CPU time per request and resident memory.
7. Scoring answers of the current questionnaire (validation included) per second, against a bare
   loop over the same answers that only averages their numbers.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import search
from bench.bare_training_app import ENROLMENTS as BARE_ENROLMENTS
from bench.bare_training_app import LEDGER_SEATS
from bench.bare_training_app import SEATS as BARE_SEATS
from bench.burst import Request, post_burst
from bench.procs import Processes, memory_kib
from services.training.adapters.catalogue import MongoSessions
from services.training.adapters.enrolments import ENROLMENTS, SEATS
from services.training.config import SERVICE
from services.training.domain import questionnaire as questionnaires
from services.training.domain.questionnaire import QuestionType
from services.training.domain.session import Meeting, Session
from shared.auth import Principal, Role, TokenCodec
from shared.config import Settings
from shared.localinfra import Infrastructure
from shared.mongo import connect

log = logging.getLogger("bench")

TRAINING_APP = "services.training.entrypoints.app:create_app()"
BARE_APP = "bench.bare_training_app:create_app()"
SESSIONS, CAPACITY, LEARNERS = 50, 15, 1000
RATIO_TARGET = 0.6
"""Training's throughput against the baseline doing the same database work."""


def _seed(db: Any, now: datetime) -> list[str]:
    """50 upcoming sessions open to everyone, and the ledger-only baseline's ledgers for the same ids."""
    sessions = MongoSessions(db)
    ids = []
    for n in range(SESSIONS):
        start = now + timedelta(days=7 + n % 10, hours=n % 5)
        session = Session(
            id=str(uuid.uuid4()),
            course_id="course-bench",
            course_title="Дигитални умения за всеки ден",
            trainer_id=f"trainer-{n % 12}",
            trainer_name="Обучител",
            centre=["plovdiv", "lovech", "varna", "burgas", "blagoevgrad", "gabrovo"][n % 6],
            room=None,
            online_link="https://meet.example.bg/bench",
            meetings=[Meeting(start, start + timedelta(hours=3))],
            capacity=CAPACITY,
            enrolment_opens_at=now - timedelta(days=1),
            enrolment_closes_at=start,
            funded=False,
        )
        sessions.add(session, [])
        ids.append(session.id)
    db[LEDGER_SEATS].insert_many([{"_id": i, "capacity": CAPACITY, "holders": [], "waiting": []} for i in ids])
    return ids


CREATED = frozenset({"201"})


def _posts(requests: list[tuple[str, dict[str, str]]]) -> list[Request]:
    return [(path, headers, b"{}") for path, headers in requests]


def _check_counts(db: Any, session_ids: list[str], collection: str) -> dict[str, int]:
    """Seats held and learners waiting, summed, after checking that no session holds more than its seats."""
    held = waiting = 0
    for document in db[collection].find({"_id": {"$in": session_ids}}):
        if len(document["holders"]) > CAPACITY or len(set(document["holders"])) != len(document["holders"]):
            raise RuntimeError(f"session {document['_id']} holds {len(document['holders'])} seats of {CAPACITY}")
        held += len(document["holders"])
        waiting += len(document.get("waiting", []))
    expected = {"confirmed": SESSIONS * CAPACITY, "waitlisted": LEARNERS - SESSIONS * CAPACITY}
    found = {"confirmed": held, "waitlisted": waiting}
    if found != expected:
        raise RuntimeError(f"after the burst {collection} has {found}, expected {expected}")
    return found


def _same_fields(db: Any) -> None:
    """The same-work baseline writes enrolments with the service's fields, and events of the same shape."""

    def shape(collection: str) -> tuple[list[str], list[str], list[str]]:
        document = db[collection].find_one({"state": "confirmed"})
        if document is None:
            raise RuntimeError(f"{collection} holds no confirmed enrolment")
        entry = document["outbox"][0]
        return sorted(document), sorted(entry), sorted(entry["envelope"])

    service, bare = shape(ENROLMENTS), shape(BARE_ENROLMENTS)
    if service != bare:
        raise RuntimeError(f"the bare baseline's enrolments differ from the service's: {bare} against {service}")


def _burst(server: search.Server, requests: list[Request], concurrency: int) -> dict[str, Any]:
    """The burst's figures, with the workers' CPU time per request and their largest resident memory."""
    workers = server.workers()
    cpu = search._cpu_seconds(workers)
    result = post_burst(server.port, requests, concurrency, CREATED).summary()
    result["worker_cpu_ms_per_request"] = 1000 * (search._cpu_seconds(workers) - cpu) / max(1, len(requests))
    result["worker_rss_kib"] = max(memory_kib(pid)["rss_kib"] for pid in workers)
    return result


def run_enrolment(
    args: Any, infra: Infrastructure, processes: Processes, work_dir: Any, database: str
) -> dict[str, Any]:
    db = connect(infra.mongodb_uri, app_name="bench-seed")[database]
    session_ids = _seed(db, datetime.now(UTC))
    codec = TokenCodec.from_settings(Settings.from_env(SERVICE))
    learners = [
        Principal(
            f"learner-{i}",
            frozenset({Role.LEARNER}),
            name=f"Обучаем {i}",
            email=f"learner{i}@bench.example.bg",
            email_verified=True,
        )  # enrolling oneself rests on a verified e-mail
        for i in range(LEARNERS)
    ]
    requests = [
        (f"/api/v1/sessions/{session_ids[i % SESSIONS]}/enrolments", {"Authorization": f"Bearer {codec.encode(p)}"})
        for i, p in enumerate(learners)
    ]
    bare_requests = [(path, {"X-Learner": learners[i].email}) for i, (path, _) in enumerate(requests)]
    metrics_dir = work_dir / "prometheus-training"
    metrics_dir.mkdir()
    env = {**infra.env(), "TRAINING_MONGODB_DATABASE": database, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
           "LOG_LEVEL": "WARNING"}  # fmt: skip
    settings = search.ServerSettings(args.workers, args.worker_class, args.threads)
    servers = {
        "training": search.Server(processes, "training", TRAINING_APP, settings, env),
        "bare": search.Server(processes, "bare-training", BARE_APP, settings, {**env, "BARE_TRAINING_WORK": "same"}),
        "ledger": search.Server(processes, "bare-ledger", BARE_APP, settings, {**env, "BARE_TRAINING_WORK": "ledger"}),
    }
    try:
        for server in servers.values():
            server.wait_ready(timeout=120)
        log.info("enrolment burst: %d learners into %d sessions of %d seats", LEARNERS, SESSIONS, CAPACITY)
        results = {
            name: _burst(servers[name], _posts(burst), args.burst_concurrency)
            for name, burst in (("training", requests), ("bare", bare_requests), ("ledger", bare_requests))
        }
    finally:
        for server in servers.values():
            processes.stop(server.process)
    results["training"]["counts"] = _check_counts(db, session_ids, SEATS)
    results["bare"]["counts"] = _check_counts(db, session_ids, BARE_SEATS)
    results["ledger"]["counts"] = _check_counts(db, session_ids, LEDGER_SEATS)
    for collection in (ENROLMENTS, BARE_ENROLMENTS):
        stored = db[collection].count_documents({"session_id": {"$in": session_ids}, "state": "confirmed"})
        if stored != SESSIONS * CAPACITY:
            raise RuntimeError(f"{stored} confirmed in {collection}, the ledgers hold {SESSIONS * CAPACITY}")
    _same_fields(db)
    db.client.drop_database(database)
    db.client.close()
    rate = {name: result["requests_per_second"] for name, result in results.items()}
    return {
        "sessions": SESSIONS,
        "capacity": CAPACITY,
        "learners": LEARNERS,
        "concurrency": args.burst_concurrency,
        **results,
        "ratio": rate["training"] / max(1e-9, rate["bare"]),
        "ratio_ledger_only": rate["training"] / max(1e-9, rate["ledger"]),
        "target": RATIO_TARGET,
    }


def _random_answers(rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for questions in questionnaires.current().dimensions.values():
        for question in questions:
            if question.type is QuestionType.CHECKLIST:
                answers[question.id] = rng.sample(question.option_ids, rng.randint(0, len(question.option_ids)))
            elif question.type is QuestionType.SCALE_0_5:
                answers[question.id] = rng.randint(0, 5)
            else:
                answers[question.id] = rng.choice(["yes", "partly", "no"])
    return answers


def _bare_mean(answers: dict[str, Any]) -> float:
    values = [len(v) if isinstance(v, list) else v if isinstance(v, int) else len(v) for v in answers.values()]
    return sum(values) / len(values)


def run_scoring(count: int) -> dict[str, Any]:
    rng = random.Random(7)
    all_answers = [_random_answers(rng) for _ in range(count)]
    questionnaire = questionnaires.current()
    started = time.perf_counter()
    for answers in all_answers:
        questionnaire.score(questionnaire.check(answers))
    scored = time.perf_counter() - started
    started = time.perf_counter()
    for answers in all_answers:
        _bare_mean(answers)
    bare = time.perf_counter() - started
    return {
        "assessments": count,
        "questions": len(questionnaire.questions),
        "per_second": count / scored,
        "bare_per_second": count / bare,
        "ratio": bare / scored,
    }
