"""The baseline for the registration burst: bare Flask + pymongo claiming a seat in an event's ledger.

One conditional update on the event's ``seats`` document per request — take a seat while fewer than
``capacity`` are held and nobody waits, else join the waiting list — with no registration document,
outbox, validation, authentication or hooks. Served by gunicorn like the events service:
``gunicorn 'bench.bare_events_app:create_app()'`` with ``MONGODB_URI`` and ``EVENTS_MONGODB_DATABASE``.
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
    seats = client[os.environ["EVENTS_MONGODB_DATABASE"]][SEATS]
    app = Flask("bare-events")

    @app.post("/api/v1/events/<event_id>/registration")
    def register(event_id: str) -> Response:
        visitor = request.headers["X-Visitor"]
        ledger = seats.find_one({"_id": event_id}, {"capacity": 1}) or {"capacity": 0}
        last_seat = f"holders.{ledger['capacity'] - 1}"
        taken = seats.update_one(
            {"_id": event_id, last_seat: {"$exists": False}, "waiting.0": {"$exists": False}},
            {"$push": {"holders": visitor}},
        ).modified_count
        if not taken:
            seats.update_one({"_id": event_id}, {"$push": {"waiting": visitor}})
        body = {"state": "registered" if taken else "waiting"}
        return Response(json.dumps(body), status=201, mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status":"ok"}', mimetype="application/json")

    return app
