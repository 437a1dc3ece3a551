"""The baseline for benchmark 1: the register search as bare Flask + pymongo.

The same database work as ``RegisterQueries.search``: like a registry web worker, it keeps each posting and
each page's register documents once read (by ``_id``, a posting's further chunks too; the benchmark checks the
postings' names before it starts) and reads the change log's counter on every search (the worker's check that
what it keeps is fresh); it intersects the members, sorts them and takes the page, the documents without the
same fields, but no flask-smorest, no marshmallow, no hooks, no metrics, and the documents go out as they
came from the database. Served by
gunicorn exactly like the registry: ``gunicorn 'bench.bare_app:create_app()'`` with ``MONGODB_URI`` and
``REGISTRY_MONGODB_DATABASE``.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, request
from pymongo import MongoClient
from pymongo.collection import Collection

from shared.text.search import query_terms

# A copy of services.registry.adapters.queries.PUBLIC_LIST_FIELDS (the benchmark asserts they are equal).
PROJECTION = {"search_terms": 0, "activity_terms": 0, "name_folded": 0, "version": 0}
# A copy of services.registry.adapters.register_index.SEQ, the change log's counter (checked the same way).
CHANGE_COUNTER = "register_postings_seq"


def search_keys(q: str, district: str) -> list[str]:
    """The postings the registry reads for ``q`` and ``district`` with the default status (active)."""
    keys = [f"t:{term}" for term in query_terms(q)] + ([f"district:{district}"] if district else [])
    return [f"active/{key}" for key in keys or ["*"]]


def posting(postings: Collection, term: str) -> set[str]:
    head = postings.find_one({"_id": term})
    if head is None:
        return set()
    members = set(head.get("m", []))
    for n in range(1, int(head.get("c", 0)) + 1):
        members.update((postings.find_one({"_id": f"{term}#{n}"}) or {}).get("m", []))
    return members


def json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def create_app() -> Flask:
    client: MongoClient[dict[str, Any]] = MongoClient(os.environ["MONGODB_URI"], tz_aware=True)
    collection = client[os.environ["REGISTRY_MONGODB_DATABASE"]]["register"]
    postings = client[os.environ["REGISTRY_MONGODB_DATABASE"]]["register_postings"]
    counters = client[os.environ["REGISTRY_MONGODB_DATABASE"]]["counters"]
    kept: dict[str, set[str]] = {}
    documents: dict[str, dict[str, Any]] = {}
    app = Flask("bare")

    def posting_of(term: str) -> set[str]:
        if term not in kept:
            kept[term] = posting(postings, term)
        return kept[term]

    def document_of(enterprise_id: str) -> dict[str, Any] | None:
        if enterprise_id not in documents:
            document = collection.find_one({"_id": enterprise_id})
            if document is None:
                return None
            documents[enterprise_id] = {k: v for k, v in document.items() if k not in PROJECTION}
        return documents[enterprise_id]

    @app.get("/api/v1/register")
    def search() -> Response:
        args = request.args
        page, per_page = int(args.get("page", 1)), int(args.get("per_page", 20))
        counters.find_one({"_id": CHANGE_COUNTER})
        common: set[str] | None = None
        for term in search_keys(args.get("q", ""), args.get("district", "")):
            common = posting_of(term) if common is None else common & posting_of(term)
            if not common:
                break
        matches = sorted(tuple(member.rsplit("|", 2)[::2]) for member in common or ())
        total = len(matches)
        items = []
        for _, enterprise_id in matches[(page - 1) * per_page : page * per_page]:
            document = document_of(enterprise_id)
            if document is not None:
                items.append(document)
        body = {"total": total, "page": page, "per_page": per_page, "items": items}
        return Response(json.dumps(body, ensure_ascii=False, default=json_default), mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status":"ok"}', mimetype="application/json")

    return app
