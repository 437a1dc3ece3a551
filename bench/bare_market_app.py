"""The baseline for the marketplace search: bare Flask + pymongo doing the same database work as the search.

Like a marketplace web worker, it keeps each word's postings once read (the same posting documents read by
``_id``, ``shared.text.postings``) and the listings of its pages once read by ``_id``, and reads the change log's
counter on every search (the worker's check that what it keeps is fresh; here any change drops all of it); it
intersects the listing ids and takes the first page; no filters, facets, ranking, flask-smorest, marshmallow,
hooks or metrics. Served by gunicorn like the marketplace: ``gunicorn 'bench.bare_market_app:create_app()'``
with ``MONGODB_URI`` and ``MARKETPLACE_MONGODB_DATABASE``.
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
    kept: dict[str, set[str]] = {}
    shown: dict[str, Any] = {}
    seen: dict[str, Any] = {}
    app = Flask("bare-market")

    def ids_of(word: str) -> set[str]:
        if word not in kept:
            kept[word] = {item.rpartition("|")[0] for item in postings.of(word)}
        return kept[word]

    @app.get("/api/v1/listings")
    def search() -> Response:
        counter = db["counters"].find_one({"_id": "search_keys_seq"}) or {}
        if counter.get("value") != seen.get("value"):  # something changed: read everything again
            kept.clear()
            shown.clear()
            seen["value"] = counter.get("value")
        matched: set[str] | None = None
        for word in query_words(request.args.get("q", "")):
            ids = ids_of(word)
            matched = ids if matched is None else matched & ids
        page = sorted(matched or ())[:PAGE]
        for listing_id in page:
            if listing_id not in shown:
                shown[listing_id] = db["listings"].find_one({"_id": listing_id}, {"outbox": 0, "indexed": 0})
        items = [shown[listing_id] for listing_id in page]
        body = {"total": len(matched or ()), "items": items}
        return Response(json.dumps(body, ensure_ascii=False, default=json_default), mimetype="application/json")

    @app.get("/healthz")
    def healthz() -> Response:
        return Response('{"status":"ok"}', mimetype="application/json")

    return app
