"""The baselines of the enrolment burst: bare Flask + pymongo, no validation, authentication, hooks or domain.

``BARE_TRAINING_WORK=same`` (the default) does the database work of an enrolment as the training service
does it, command for command, in the same order, on documents with the same fields:

1. read the session by ``_id`` (its capacity and enrolment window; the outbox left out);
2. read the session's seat ledger by ``_id`` (a full waiting list is refused before anything is written);
3. insert the enrolment as ``pending`` (``_id`` = ``<session>:<learner>``, version 1, an empty outbox);
4. ONE conditional update of the ledger, returning it: a seat while fewer than ``capacity`` hold one and
   nobody waits, else the end of the waiting list (the one the ledger just read makes likely tried first),
   or the ledger created with this first seat when there was none;
5. the enrolment ``confirmed`` or ``waitlisted``, with its event appended to its outbox, conditional on
   version 1.

``BARE_TRAINING_WORK=ledger`` does only what a seat needs at the least: read the ledger's capacity, then the
conditional update (twice for the waiting list), into ledgers written beforehand (``LEDGER_SEATS``).

Served by gunicorn like the training service: ``gunicorn 'bench.bare_training_app:create_app()'`` with
``MONGODB_URI`` and ``TRAINING_MONGODB_DATABASE``.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, request
from pymongo import MongoClient, ReturnDocument
from pymongo.errors import DuplicateKeyError

SEATS = "bare_seats"
ENROLMENTS = "bare_enrolments"
LEDGER_SEATS = "bare_ledger_seats"
SESSIONS = "sessions"
NO_OUTBOX = {"outbox": 0, "outbox_seq": 0, "outbox_sent_seq": 0}


def _created(status: str) -> Response:
    return Response(json.dumps({"items": [{"state": status}]}), status=201, mimetype="application/json")


def create_app() -> Flask:
    client: MongoClient[dict[str, Any]] = MongoClient(os.environ["MONGODB_URI"], tz_aware=True)
    db = client[os.environ["TRAINING_MONGODB_DATABASE"]]
    app = Flask("bare-training")
    if os.environ.get("BARE_TRAINING_WORK", "same") == "ledger":
        ledger_only(app, db[LEDGER_SEATS])
    else:
        same_work(app, db)

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status":"ok"}', mimetype="application/json")

    return app


def ledger_only(app: Flask, seats: Any) -> None:
    @app.post("/api/v1/sessions/<session_id>/enrolments")
    def enrol(session_id: str) -> Response:
        learner = request.headers["X-Learner"]
        ledger = seats.find_one({"_id": session_id}, {"capacity": 1}) or {"capacity": 0}
        last_seat = f"holders.{ledger['capacity'] - 1}"
        taken = seats.update_one(
            {"_id": session_id, last_seat: {"$exists": False}, "waiting.0": {"$exists": False}},
            {"$push": {"holders": learner}},
        ).modified_count
        if not taken:
            seats.update_one({"_id": session_id}, {"$push": {"waiting": learner}})
        return _created("confirmed" if taken else "waitlisted")


def same_work(app: Flask, db: Any) -> None:
    sessions, seats, enrolments = db[SESSIONS], db[SEATS], db[ENROLMENTS]

    @app.post("/api/v1/sessions/<session_id>/enrolments")
    def enrol(session_id: str) -> Response:
        learner = request.headers["X-Learner"]
        session = sessions.find_one({"_id": session_id}, NO_OUTBOX)  # 1.
        now = datetime.now(UTC)
        if session is None or not session["enrolment_opens_at"] <= now <= session["enrolment_closes_at"]:
            return Response("{}", status=409, mimetype="application/json")
        capacity = session["capacity"]
        enrolment_id = f"{session_id}:{learner}"
        seen = seats.find_one({"_id": session_id}) or {"holders": [], "waiting": []}  # 2.
        enrolments.insert_one(_pending(enrolment_id, session, learner, now))  # 3.
        ledger = _claim(seats, session_id, enrolment_id, capacity, seen)  # 4.
        state = "confirmed" if enrolment_id in ledger["holders"] else "waitlisted"
        changed = {"state": state, f"{state}_at": datetime.now(UTC), "version": 2, "outbox_seq": 1}
        event = _entry(enrolment_id, session, learner, state, ledger)
        enrolments.update_one(  # 5.
            {"_id": enrolment_id, "version": 1, "outbox_seq": 0},
            {"$set": changed, "$push": {"outbox": {"$each": [event]}}},
        )
        return _created(state)


def _claim(seats: Any, session_id: str, holder: str, capacity: int, seen: dict[str, Any]) -> dict[str, Any]:
    absent = {"holders": {"$ne": holder}, "waiting": {"$ne": holder}}
    seat = {"_id": session_id, **absent, f"holders.{capacity - 1}": {"$exists": False}, "waiting.0": {"$exists": False}}
    no_place = [{"waiting.0": {"$exists": True}}, {f"holders.{capacity - 1}": {"$exists": True}}]
    queue = {"_id": session_id, **absent, "waiting.999": {"$exists": False}, "$or": no_place}
    updates = [(seat, "holders"), (queue, "waiting")]
    if seen["waiting"] or len(seen["holders"]) >= capacity:
        updates.reverse()
    elif not seen["holders"]:
        try:
            seats.insert_one({"_id": session_id, "capacity": capacity, "holders": [holder], "waiting": []})
            return {"holders": [holder], "waiting": []}
        except DuplicateKeyError:
            pass
    while True:
        for condition, into in updates:
            document = seats.find_one_and_update(
                condition,
                {"$push": {into: holder}, "$set": {"capacity": capacity}},
                return_document=ReturnDocument.AFTER,
            )
            if document is not None:
                return document


def _pending(enrolment_id: str, session: dict[str, Any], learner: str, now: datetime) -> dict[str, Any]:
    return {
        "_id": enrolment_id,
        "session_id": session["_id"],
        "course_title": session["course_title"],
        "centre": session["centre"],
        "trainer_id": session["trainer_id"],
        "starts_at": session["starts_at"],
        "learner": learner,
        "learner_name": learner,
        "enterprise_id": None,
        "enrolled_by": learner,
        "by_representative": False,
        "state": "pending",
        "enrolled_at": now,
        "confirmed_at": None,
        "waitlisted_at": None,
        "cancelled_at": None,
        "cancelled_by": None,
        "reason": "",
        "present": [],
        "absent": [],
        "certificate_number": None,
        "completed_at": None,
        "version": 1,
        "outbox": [],
        "outbox_seq": 0,
        "outbox_sent_seq": 0,
    }


def _entry(
    enrolment_id: str, session: dict[str, Any], learner: str, state: str, ledger: dict[str, Any]
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "enrolment_id": enrolment_id,
        "session_id": session["_id"],
        "course_title": session["course_title"],
        "centre": session["centre"],
        "starts_at": session["starts_at"].isoformat(),
        "learner": learner,
        "learner_name": learner,
        "enterprise_id": None,
        "state": state,
    }
    if state == "waitlisted":
        payload["waitlist_position"] = ledger["waiting"].index(enrolment_id) + 1
    event = "EnrolmentConfirmed" if state == "confirmed" else "Waitlisted"
    envelope = {
        "event_id": str(uuid.uuid4()),
        "event_type": f"training.{event}",
        "schema_version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "producer": "training",
        "aggregate_type": "enrolment",
        "aggregate_id": enrolment_id,
        "aggregate_version": 1,
        "correlation_id": str(uuid.uuid4()),
        "payload": payload,
    }
    return {"seq": 1, "topic": "training.enrolment.v1", "key": enrolment_id, "envelope": envelope}
