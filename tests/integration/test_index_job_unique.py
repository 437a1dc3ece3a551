"""An index that exists under the right name but without ``unique`` does not pass the init container's check.

Before, the check compared names and keys only: pods started on a database where duplicates (a second
entry for one EIK in the register) were no longer refused. Now the check fails, and the Job
says which index to drop instead of failing on MongoDB's conflict.
"""

from __future__ import annotations

from typing import Any

import pytest
from pymongo.database import Database

from services.registry.adapters.repository import INDEXES
from shared.index_job import run_index_job
from shared.localinfra import Infrastructure

pytestmark = pytest.mark.integration

UNIQUE = next(spec for spec in INDEXES if spec.unique)


@pytest.fixture
def registry_env(infra: Infrastructure, db: Database[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MONGODB_URI", infra.mongodb_uri)
    monkeypatch.setenv("REGISTRY_MONGODB_DATABASE", db.name)


@pytest.mark.usefixtures("registry_env")
def test_a_non_unique_index_under_a_unique_ones_name_fails_the_check_and_the_job_names_it(
    db: Database[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    db[UNIQUE.collection].create_index(list(UNIQUE.keys), name=UNIQUE.name, unique=False)
    assert run_index_job("registry", INDEXES, ["--check"]) == 1, "pods would start without the unique index"
    assert f"index {UNIQUE.name} of {UNIQUE.collection} exists but it is not unique" in caplog.text

    caplog.clear()
    assert run_index_job("registry", INDEXES, []) == 1
    assert f"dropIndex('{UNIQUE.name}')" in caplog.text

    db[UNIQUE.collection].drop_index(UNIQUE.name)
    assert run_index_job("registry", INDEXES, []) == 0
    assert run_index_job("registry", INDEXES, ["--check"]) == 0
    info = {i["name"]: i for i in db[UNIQUE.collection].list_indexes()}
    assert info[UNIQUE.name].get("unique") is True
