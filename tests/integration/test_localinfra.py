"""The servers from the ``infra`` fixture are real: Kafka and MongoDB round-trips."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from pymongo import MongoClient, UpdateOne

from shared.localinfra import Infrastructure
from shared.localinfra.ferretdb import launch_ferretdb, mongodb_answers, mongodb_uri
from shared.localinfra.ports import claim_port
from shared.localinfra.process import stop_all
from tests.polling import wait_until

pytestmark = pytest.mark.integration


def test_kafka_round_trip(infra: Infrastructure) -> None:
    topic = f"localinfra-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    try:
        admin.create_topics({topic: {"num_partitions": 1, "replication_factor": 1}}, wait_for_metadata=True)
        assert topic in admin.list_topics()
    finally:
        admin.close()

    producer = KafkaProducer(bootstrap_servers=infra.kafka_bootstrap, acks="all")
    try:
        producer.send(topic, key=b"k1", value=b"hello solidarity").get(timeout=30)
    finally:
        producer.close()

    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=f"{topic}-reader",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        consumer_timeout_ms=30_000,
    )
    try:
        message = next(iter(consumer))
    finally:
        consumer.close()
    assert (message.key, message.value) == (b"k1", b"hello solidarity")


def test_mongodb_round_trip(infra: Infrastructure) -> None:
    client: MongoClient[dict[str, object]] = MongoClient(infra.mongodb_uri, serverSelectionTimeoutMS=10_000)
    try:
        collection = client["localinfra_test"][f"things_{uuid.uuid4().hex[:8]}"]
        inserted = collection.insert_one({"name": "cooperative", "members": 12})
        found = collection.find_one({"_id": inserted.inserted_id})
    finally:
        client.close()
    assert found is not None
    assert (found["name"], found["members"]) == ("cooperative", 12)


def test_concurrent_writes_to_one_document_are_never_lost(infra: Infrastructure) -> None:
    """Single-document atomicity, which the outbox and optimistic versions rely on, holds on the test server."""
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri)
    collection = client[f"atomicity_{uuid.uuid4().hex[:8]}"]["counters"]
    collection.insert_one({"_id": "c", "n": 0, "version": 0})
    won: list[int] = []

    def increment_and_compare_and_set() -> None:
        own = MongoClient(infra.mongodb_uri)[collection.database.name]["counters"]
        for _ in range(15):
            own.update_one({"_id": "c"}, {"$inc": {"n": 1}})
            seen = own.find_one({"_id": "c"})["version"]
            won.append(own.update_one({"_id": "c", "version": seen}, {"$set": {"version": seen + 1}}).modified_count)

    threads = [threading.Thread(target=increment_and_compare_and_set) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    final = collection.find_one({"_id": "c"})
    assert final["n"] == 6 * 15
    assert final["version"] == sum(won)
    client.drop_database(collection.database.name)


def test_an_update_command_of_many_statements_is_answered(infra: Infrastructure) -> None:
    """A stock FerretDB 1.24 never answers an update command of about a hundred statements (each held a connection)."""
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, socketTimeoutMS=60_000)
    collection = client[f"bulk_{uuid.uuid4().hex[:8]}"]["counters"]
    try:
        collection.insert_many([{"_id": f"c{i}", "n": 0} for i in range(250)])
        result = collection.bulk_write([UpdateOne({"_id": f"c{i}"}, {"$inc": {"n": 1}}) for i in range(250)])
        assert (result.matched_count, result.modified_count) == (250, 250)
        assert sorted({doc["n"] for doc in collection.find({}, {"n": 1})}) == [1]
    finally:
        client.drop_database(collection.database.name)
        client.close()


def test_ferretdb_starts_in_a_data_directory_deeper_than_a_unix_socket_path_allows(tmp_path: Path) -> None:
    """A pytest worker's temporary folder is deep: FerretDB's own socket beside its data passed the 107-byte
    limit of a Unix socket's path, and FerretDB exited at start-up, failing the test that needed it."""
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    assert len(str(deep / "ferretdb" / "ferretdb.sock")) > 107
    port = claim_port(None, "FerretDB")
    server = launch_ferretdb(deep, port)
    try:
        wait_until(lambda: mongodb_answers(mongodb_uri(port)), "FerretDB to answer", timeout=60, interval=0.5)
        client: MongoClient[dict[str, Any]] = MongoClient(mongodb_uri(port), serverSelectionTimeoutMS=5000)
        try:
            client["deep"]["things"].insert_one({"_id": "one"})
            assert client["deep"]["things"].find_one({"_id": "one"}) == {"_id": "one"}
        finally:
            client.close()
    finally:
        stop_all([server])
