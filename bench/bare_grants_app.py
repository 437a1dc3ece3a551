"""The baseline for concurrent awards: bare Flask + pymongo holding an award's money in the envelope's ledger.

Per request: read the application's requested amount and its region's envelope, then the grants service's
conditional ledger update — add the amount only while the committed total stays within the budget and the
application holds nothing yet — and, when it took the money, mark the application awarded. No validation,
authentication, eligibility (de minimis), outbox, events or hooks. Served by gunicorn like the grants
service: ``gunicorn 'bench.bare_grants_app:create_app()'`` with ``MONGODB_URI`` and ``GRANTS_MONGODB_DATABASE``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from flask import Flask, Response
from pymongo import MongoClient

APPLICATIONS = "bare_applications"
ENVELOPES = "bare_envelopes"


def create_app() -> Flask:
    client: MongoClient[dict[str, Any]] = MongoClient(os.environ["MONGODB_URI"])
    db = client[os.environ["GRANTS_MONGODB_DATABASE"]]
    applications, envelopes = db[APPLICATIONS], db[ENVELOPES]
    app = Flask("bare-grants")

    @app.post("/api/v1/applications/<application_id>/award")
    def award(application_id: str) -> Response:
        application = applications.find_one({"_id": application_id}, {"requested_cents": 1, "envelope": 1})
        if application is None:
            return Response('{"code":"not_found"}', status=404, mimetype="application/json")
        amount = application["requested_cents"]
        envelope = envelopes.find_one({"_id": application["envelope"]}, {"budget_cents": 1}) or {"budget_cents": 0}
        taken = envelopes.update_one(
            {
                "_id": application["envelope"],
                "committed_cents": {"$lte": envelope["budget_cents"] - amount},
                "holders": {"$ne": application_id},
            },
            {
                "$inc": {"committed_cents": amount},
                "$push": {"holders": application_id},
                "$set": {f"amounts.{application_id}": amount},
            },
        ).modified_count
        if not taken:
            return Response('{"code":"envelope_exhausted"}', status=409, mimetype="application/json")
        applications.update_one({"_id": application_id}, {"$set": {"status": "awarded"}})
        body = {"id": application_id, "status": "awarded"}
        return Response(json.dumps(body), status=200, mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status":"ok"}', mimetype="application/json")

    return app
