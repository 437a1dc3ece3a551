"""Liveness (/healthz) and readiness (/readyz) endpoints."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from kafka import KafkaAdminClient
from pymongo import MongoClient

Check = Callable[[], None]


def mongo_check(client: MongoClient) -> Check:
    def check() -> None:
        client.admin.command("ping")

    return check


class KafkaCheck:
    """Asks the cluster for its metadata; a success is trusted for a few seconds.

    The client is closed after each check so that a web worker keeps no Kafka connection
    (and no background thread) open between probes.
    """

    def __init__(self, bootstrap_servers: str, cache_seconds: float = 10.0) -> None:
        self._bootstrap = bootstrap_servers
        self._cache_seconds = cache_seconds
        self._checked_at = -cache_seconds

    def __call__(self) -> None:
        if time.monotonic() - self._checked_at < self._cache_seconds:
            return
        client = KafkaAdminClient(bootstrap_servers=self._bootstrap, client_id="readiness", request_timeout_ms=3000)
        try:
            client.describe_cluster()
        finally:
            client.close()
        self._checked_at = time.monotonic()


def health_blueprint(checks: Mapping[str, Check]) -> Blueprint:
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify(status="ok")

    @blueprint.get("/readyz")
    def readyz() -> ResponseReturnValue:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:
                results[name] = f"unavailable: {type(exc).__name__}"
        ready = all(v == "ok" for v in results.values())
        return jsonify(status="ready" if ready else "not ready", checks=results), 200 if ready else 503

    return blueprint
