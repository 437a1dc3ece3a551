"""The backup and restore commands the CronJob and the runbook's drill run (``mongodb-backup``,
``mongodb-restore``), as processes, against the test MongoDB-protocol server.

What an operator would notice: a restore brings back exactly what the archive holds (documents and unique
indexes), a failed or killed backup leaves no ``.partial`` file behind, a truncated archive is refused before
anything is dropped, and old archives go.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from shared.localinfra import Infrastructure

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent


@pytest.fixture
def client(infra: Infrastructure) -> Iterator[MongoClient[dict[str, Any]]]:
    connected: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, serverSelectionTimeoutMS=10_000)
    yield connected
    connected.close()


@pytest.fixture
def databases(client: MongoClient[dict[str, Any]]) -> Iterator[list[str]]:
    names = [f"backup_{uuid.uuid4().hex[:8]}_{service}" for service in ("registry", "training")]
    yield names
    for name in names:
        client.drop_database(name)


def run(command: str, *args: str, uri: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MONGODB_URI": uri}
    return subprocess.run(
        [str(BIN / command), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def contents(client: MongoClient[dict[str, Any]], names: list[str]) -> dict[str, list[dict[str, Any]]]:
    return {
        f"{db}.{c}": list(client[db][c].find({}).sort("_id", 1))
        for db in names
        for c in sorted(client[db].list_collection_names())
    }


def seed(client: MongoClient[dict[str, Any]], names: list[str]) -> None:
    registry, training = client[names[0]], client[names[1]]
    registry.enterprises.create_index("number", unique=True, name="number_unique")
    registry.enterprises.insert_many(
        [
            {"_id": f"e-{i}", "number": f"СП-{i:04d}", "name": f"Кооперация {i}", "outbox": [{"event_id": f"ev-{i}"}]}
            for i in range(1200)  # more than one batch
        ]
    )
    training.sessions.insert_one({"_id": "s-1", "title": "Счетоводство", "seats": 12})


def test_a_restore_brings_back_what_the_backup_held(
    infra: Infrastructure, client: MongoClient[dict[str, Any]], databases: list[str], tmp_path: Path
) -> None:
    seed(client, databases)
    before = contents(client, databases)
    done = run("mongodb-backup", "--dir", str(tmp_path), "--databases", ",".join(databases), uri=infra.mongodb_uri)
    assert done.returncode == 0, done.stderr
    (archive,) = tmp_path.glob("mongodb-*.archive.gz")
    assert not list(tmp_path.glob("*.partial"))

    registry = client[databases[0]]
    registry.enterprises.delete_many({"_id": {"$in": ["e-1", "e-2"]}})
    registry.enterprises.insert_one({"_id": "e-new", "number": "СП-9999"})
    registry.enterprises.drop_index("number_unique")
    client[databases[1]].sessions.update_one({"_id": "s-1"}, {"$set": {"seats": 0}})

    done = run("mongodb-restore", str(archive), uri=infra.mongodb_uri)
    assert done.returncode == 0, done.stderr
    assert contents(client, databases) == before
    with pytest.raises(DuplicateKeyError):
        registry.enterprises.insert_one({"_id": "e-dup", "number": "СП-0007"})  # the unique index is back


def test_a_failed_backup_leaves_no_partial_archive_and_a_killed_ones_is_swept(
    infra: Infrastructure, client: MongoClient[dict[str, Any]], databases: list[str], tmp_path: Path
) -> None:
    seed(client, databases)
    left_by_a_killed_run = tmp_path / "mongodb-2026-01-01T023000Z.archive.gz.partial"
    left_by_a_killed_run.write_bytes(b"half")
    unreachable = "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=1000"
    failed = run("mongodb-backup", "--dir", str(tmp_path), "--databases", databases[0], uri=unreachable)
    assert failed.returncode == 1
    assert "backup failed" in failed.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "the failed run left files behind"

    left_by_a_killed_run.write_bytes(b"half")
    done = run("mongodb-backup", "--dir", str(tmp_path), "--databases", databases[0], uri=infra.mongodb_uri)
    assert done.returncode == 0, done.stderr
    assert [p.suffix for p in tmp_path.iterdir()] == [".gz"], sorted(p.name for p in tmp_path.iterdir())


def test_a_truncated_archive_is_refused_before_anything_is_dropped(
    infra: Infrastructure, client: MongoClient[dict[str, Any]], databases: list[str], tmp_path: Path
) -> None:
    seed(client, databases)
    done = run("mongodb-backup", "--dir", str(tmp_path), "--databases", databases[0], uri=infra.mongodb_uri)
    assert done.returncode == 0, done.stderr
    (archive,) = tmp_path.glob("*.archive.gz")
    whole = gzip.decompress(archive.read_bytes())
    truncated = tmp_path / "truncated.archive.gz"
    truncated.write_bytes(gzip.compress(whole[: len(whole) // 2]))
    client[databases[0]].enterprises.insert_one({"_id": "e-after", "number": "СП-5000"})
    refused = run("mongodb-restore", str(truncated), uri=infra.mongodb_uri)
    assert refused.returncode == 1
    assert "restore failed" in refused.stderr
    assert client[databases[0]].enterprises.count_documents({}) == 1201, "a refused restore changed the database"


def test_archives_older_than_the_kept_days_are_deleted(
    infra: Infrastructure, client: MongoClient[dict[str, Any]], databases: list[str], tmp_path: Path
) -> None:
    seed(client, databases)
    old = tmp_path / "mongodb-2026-01-01T023000Z.archive.gz"
    recent = tmp_path / "mongodb-2026-01-10T023000Z.archive.gz"
    for path, days in ((old, 15), (recent, 13)):
        path.write_bytes(b"x")
        os.utime(path, (time.time() - days * 86400,) * 2)
    args = ("--dir", str(tmp_path), "--databases", databases[1], "--keep-days", "14")
    done = run("mongodb-backup", *args, uri=infra.mongodb_uri)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert old.name not in names and recent.name in names and len(names) == 2
