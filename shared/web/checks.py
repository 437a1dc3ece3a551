"""Readiness checks of a service's own servers: its MongoDB database and Kafka."""

from __future__ import annotations

import time

from kafka import KafkaAdminClient
from pymongo import MongoClient

from shared.kafka import client_security
from shared.web.health import Check


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
        client = KafkaAdminClient(
            bootstrap_servers=self._bootstrap, client_id="readiness", request_timeout_ms=3000, **client_security()
        )
        try:
            client.describe_cluster()
        finally:
            client.close()
        self._checked_at = time.monotonic()
