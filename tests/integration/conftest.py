"""Per-test scratch topics and databases, so integration tests never see each other's data."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.database import Database

from shared.kafka import ensure_topics
from shared.localinfra import Infrastructure
from tests.integration.marketplace_api import market, market_app, market_db, market_db_name  # noqa: F401 - fixtures
from tests.integration.notifications_api import (  # noqa: F401 - fixtures
    notifications,
    notifications_app,
    notifications_db,
    notifications_db_name,
    smtp_server,
)
from tests.integration.registry_api import registry, registry_app, registry_db, registry_db_name  # noqa: F401
from tests.integration.training_api import training, training_app, training_db, training_db_name  # noqa: F401


@pytest.fixture
def topic(infra: Infrastructure) -> str:
    name = f"test-{uuid.uuid4().hex[:10]}"
    ensure_topics(infra.kafka_bootstrap, [name], partitions=3)
    return name


@pytest.fixture
def db(infra: Infrastructure) -> Iterator[Database[dict[str, Any]]]:
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, serverSelectionTimeoutMS=10_000, tz_aware=True)
    name = f"test_{uuid.uuid4().hex[:10]}"
    try:
        yield client[name]
    finally:
        client.drop_database(name)
        client.close()
