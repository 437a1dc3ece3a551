"""Readiness checks of what a web process needs to serve: its MongoDB database.

The web processes never produce to Kafka (the relays do), so Kafka being away does not make them unready.
"""

from __future__ import annotations

import pymongo
from pymongo import MongoClient

from shared.web.health import CHECK_TIMEOUT_SECONDS, Check


def mongo_check(client: MongoClient, timeout_seconds: float = CHECK_TIMEOUT_SECONDS) -> Check:
    """Pings the database, giving up after ``timeout_seconds`` (server selection included)."""

    def check() -> None:
        with pymongo.timeout(timeout_seconds):
            client.admin.command("ping")

    return check
