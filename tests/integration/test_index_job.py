"""``<service>-indexes`` against a real MongoDB-protocol server: the Job creates, the init container checks."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.database import Database

from services.marketplace.entrypoints.wiring import INDEXES
from shared.index_job import run_index_job
from shared.localinfra import Infrastructure

pytestmark = pytest.mark.integration


@pytest.fixture
def marketplace_env(infra: Infrastructure, db: Database[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_URI", infra.mongodb_uri)
    monkeypatch.setenv("MARKETPLACE_MONGODB_DATABASE", db.name)


@pytest.mark.usefixtures("marketplace_env")
def test_the_check_fails_until_the_job_has_created_every_index(
    db: Database[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    assert run_index_job("marketplace", INDEXES, ["--check"]) == 1, "a new version waits on an empty database"
    assert db.list_collection_names() == [], "the check creates nothing"

    assert run_index_job("marketplace", INDEXES, []) == 0
    assert run_index_job("marketplace", INDEXES, ["--check"]) == 0
    assert run_index_job("marketplace", INDEXES, []) == 0, "running the Job again changes nothing"

    dropped = INDEXES[0]
    db[dropped.collection].drop_index(dropped.name)
    caplog.clear()
    assert run_index_job("marketplace", INDEXES, ["--check"]) == 1
    assert f"index {dropped.name} of {dropped.collection} is missing" in caplog.text
