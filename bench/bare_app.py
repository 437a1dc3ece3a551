"""The baseline for benchmark 1: the register search as bare Flask + pymongo.

Same filter, count, projection, sort and skip/limit as ``RegisterQueries.search`` (the benchmark
checks that before it starts), but no flask-smorest, no marshmallow, no hooks, no metrics, and
the documents go out as they come from the database. Served by gunicorn exactly like the registry:
``gunicorn 'bench.bare_app:create_app()'`` with ``MONGODB_URI`` and ``REGISTRY_MONGODB_DATABASE``.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, request
from pymongo import ASCENDING, MongoClient

from shared.text.search import query_terms

# A copy of services.registry.adapters.queries.PUBLIC_LIST_FIELDS (the benchmark asserts they are equal).
PROJECTION = {"search_terms": 0, "activity_terms": 0, "name_folded": 0, "version": 0}


def search_filter(q: str, district: str) -> dict[str, Any]:
    """The filter the registry builds for ``q`` and ``district`` with the default status (active)."""
    query: dict[str, Any] = {"register_status": "active"}
    terms = query_terms(q)
    if terms:
        query["search_terms"] = {"$all": terms}
    if district:
        query["district"] = district
    return query


def json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def create_app() -> Flask:
    client: MongoClient[dict[str, Any]] = MongoClient(os.environ["MONGODB_URI"], tz_aware=True)
    collection = client[os.environ["REGISTRY_MONGODB_DATABASE"]]["register"]
    app = Flask("bare")

    @app.get("/api/v1/register")
    def search() -> Response:
        args = request.args
        page, per_page = int(args.get("page", 1)), int(args.get("per_page", 20))
        query = search_filter(args.get("q", ""), args.get("district", ""))
        total = collection.count_documents(query)
        cursor = (
            collection.find(query, PROJECTION)
            .sort([("name_folded", ASCENDING), ("_id", ASCENDING)])
            .skip((page - 1) * per_page)
            .limit(per_page)
        )
        body = {"total": total, "page": page, "per_page": per_page, "items": list(cursor)}
        return Response(json.dumps(body, ensure_ascii=False, default=json_default), mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status":"ok"}', mimetype="application/json")

    return app
