"""The local FerretDB's slow-command log (``FERRETDB_SLOW_MS``, deploy/local/ferretdb/main.go): what a developer
reads to find the reads that scan a whole collection — each command with its database.collection and the
names of the fields its filter uses, never a value (the documents hold people's names and addresses)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient, UpdateOne

from shared.localinfra import claim_port
from shared.localinfra.ferretdb import launch_ferretdb, mongodb_uri, wait_for_ferretdb
from shared.localinfra.slowlog import parse, rank
from tests.polling import wait_until

pytestmark = pytest.mark.integration


def _logged(log: Path) -> list[dict[str, str]]:
    return parse(log.read_text(encoding="utf-8", errors="replace").splitlines())


def test_every_slow_command_is_logged_with_its_collection_and_filter_fields_but_no_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FERRETDB_SLOW_MS", "0")  # every command
    port = claim_port(None, "FerretDB logging its slow commands")
    server = launch_ferretdb(tmp_path, port)
    try:
        wait_for_ferretdb(server, mongodb_uri(port))
        client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri(port))
        people = client["slow_log"]["people"]
        people.insert_many(
            [{"_id": f"лице-{n}", "name": f"Иванка Петрова {n}", "eik": f"20{n:07d}"} for n in range(30)]
        )
        assert people.find_one({"_id": "лице-3"}) is not None
        assert len(list(people.find({"eik": "200000003", "$or": [{"name": "Иванка"}, {"n": {"$gt": 2}}]}))) == 0
        assert len(list(people.find({"_id": {"$in": ["лице-1", "лице-2"]}}).sort("eik", 1))) == 2
        assert len(list(people.find({}, batch_size=10))) == 30
        people.bulk_write(
            [
                UpdateOne({"_id": "лице-1", "v": {"$lt": 3}}, {"$set": {"v": 3}}),
                UpdateOne({"_id": "лице-2"}, {"$set": {"v": 1}}),
            ]
        )
        assert people.count_documents({"name": "Иванка Петрова 7"}) == 1
        client.close()
        log = server.log_path
        wait_until(lambda: any(e.get("command") == "aggregate" for e in _logged(log)), "the count in the log")
    finally:
        server.stop()

    text = log.read_text(encoding="utf-8")
    for value in ("Иванка", "Петрова", "200000003", "лице"):
        assert value not in text, f"a value ({value}) reached the log"
    logged = [(e["command"], e["ns"], e.get("filter", ""), e.get("sort", "")) for e in _logged(log)]
    assert ("find", "slow_log.people", "_id", "") in logged
    assert ("find", "slow_log.people", "eik,$or(name|n:$gt)", "") in logged
    assert ("find", "slow_log.people", "_id:$in", "eik") in logged
    assert ("getMore", "slow_log.people", "{}", "") in logged, "a getMore is named after the find that opened it"
    assert ("update", "slow_log.people", "_id,v:$lt", "") in logged
    assert ("aggregate", "slow_log.people", "name", "") in logged
    inserts = [e for e in _logged(log) if e["command"] == "insert"]
    assert [e["statements"] for e in inserts] == ["30"]
    assert all(float(e["ms"]) >= 0 for e in _logged(log))
    shapes = {shape.key[:3]: shape for shape in rank(_logged(log))}  # what `python -m shared.localinfra.slowlog` prints
    assert shapes["getMore", "slow_log.people", "{}"].returned == 20
    assert shapes["find", "slow_log.people", "_id"].count == 1
