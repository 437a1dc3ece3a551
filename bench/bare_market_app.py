"""The baseline for the marketplace search: bare Flask + pymongo reading the same search index.

For each word of ``q`` it reads the same posting documents by ``_id`` (``shared.text.postings``),
intersects the listing ids, takes the first page and reads those listings by ``_id``; no filters, facets,
ranking, flask-smorest, marshmallow, hooks or metrics. Served by gunicorn like the marketplace:
``gunicorn 'bench.bare_market_app:create_app()'`` with ``MONGODB_URI`` and ``MARKETPLACE_MONGODB_DATABASE``.
"""

from __future__ import annotations

import json
import os
from typing import Any

from flask import Flask, Response, request
from pymongo import MongoClient

from bench.bare_app import json_default
from services.marketplace.domain.search import query_words
from shared.text.postings import ChunkedPostings

PAGE = 20


def create_app() -> Flask:
    client: MongoClient[dict[str, Any]] = MongoClient(os.environ["MONGODB_URI"], tz_aware=True)
    db = client[os.environ["MARKETPLACE_MONGODB_DATABASE"]]
    postings = ChunkedPostings(db["search_terms"])
    app = Flask("bare-market")

    @app.get("/api/v1/listings")
    def search() -> Response:
        matched: set[str] | None = None
        for word in query_words(request.args.get("q", "")):
            ids = {item.rpartition("|")[0] for item in postings.members([word])[word]}
            matched = ids if matched is None else matched & ids
        page = sorted(matched or ())[:PAGE]
        items = [db["listings"].find_one({"_id": listing_id}, {"outbox": 0, "indexed": 0}) for listing_id in page]
        body = {"total": len(matched or ()), "items": items}
        return Response(json.dumps(body, ensure_ascii=False, default=json_default), mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status":"ok"}', mimetype="application/json")

    return app
