"""The baseline for the enrolment burst: bare Flask + pymongo claiming a seat in the same ledger.

One conditional update on the session's ``seats`` document per request — take a seat while fewer
than ``capacity`` are held and nobody waits, else join the waiting list — with no enrolment document,
outbox, validation, authentication or hooks. Served by gunicorn like the training service:
``gunicorn 'bench.bare_training_app:create_app()'`` with ``MONGODB_URI`` and ``TRAINING_MONGODB_DATABASE``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from flask import Flask, Response, request
from pymongo import MongoClient

SEATS = "bare_seats"


def create_app() -> Flask:
    client: MongoClient[dict[str, Any]] = MongoClient(os.environ["MONGODB_URI"])
    seats = client[os.environ["TRAINING_MONGODB_DATABASE"]][SEATS]
    app = Flask("bare-training")

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
        body = {"items": [{"state": "confirmed" if taken else "waitlisted"}]}
        return Response(json.dumps(body), status=201, mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status":"ok"}', mimetype="application/json")

    return app
