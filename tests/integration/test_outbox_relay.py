"""The outbox relay against a real Kafka and FerretDB: order, crashes, concurrent writes, the lease.

Every test uses its own topic and database, so tests never see each other's data.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaTimeoutError
from kafka.future import Future as KafkaFuture
from prometheus_client import REGISTRY
from pymongo import MongoClient, monitoring
from pymongo.collection import Collection
from pymongo.database import Database

from shared.clock import FixedClock
from shared.consumer import ConsumerRunner, apply_once
from shared.events.envelope import Envelope
from shared.kafka import ensure_topics, make_producer
from shared.localinfra import Infrastructure
from shared.outbox import OutboxEntry, OutboxRelay, outbox_for_insert, outbox_for_update
from shared.outbox.lease import Lease
from shared.outbox.parked import main as parked_main
from shared.outbox.process import producer_timeouts, relay_for
from shared.runtime import StopSignal
from tests.integration.counters import EVENT_TYPE, counter_catalog, counter_event, read_topic
from tests.polling import DEADLINE_S, wait_until

pytestmark = pytest.mark.integration


# --------------------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def producers(infra: Infrastructure) -> Iterator[Callable[..., KafkaProducer]]:
    """Makes relay producers (one per relay 'process'); closes whatever is left at the end."""
    made: list[KafkaProducer] = []

    def make(**overrides: Any) -> KafkaProducer:
        made.append(make_producer(infra.kafka_bootstrap, f"relay-{len(made)}", **overrides))
        return made[-1]

    yield make
    for producer in made:
        producer.close(timeout=10)


def _create(counters: Collection[dict[str, Any]], counter_id: str, events: list[Envelope], topic: str) -> None:
    """A use case creating an aggregate: its state and its events in one insert."""
    total = sum(e.payload["amount"] for e in events)
    counters.insert_one(
        {"_id": counter_id, "version": 1, "total": total, **outbox_for_insert([OutboxEntry(topic, e) for e in events])}
    )


def _append(counters: Collection[dict[str, Any]], counter_id: str, events: list[Envelope], topic: str) -> None:
    """A use case changing an aggregate: read, then one conditional update with the new events."""
    doc = counters.find_one({"_id": counter_id})
    assert doc is not None
    update = outbox_for_update(doc["outbox_seq"], [OutboxEntry(topic, e) for e in events])
    update["$inc"] = {"version": 1, "total": sum(e.payload["amount"] for e in events)}
    result = counters.update_one({"_id": counter_id, "version": doc["version"]}, update)
    assert result.modified_count == 1, "optimistic version check failed"


def _event_ids_by_key(records: list[ConsumerRecord]) -> dict[str, list[str]]:
    """Per message key, the event ids in the order a consumer of that partition reads them."""
    by_key: dict[str, list[str]] = {}
    for record in records:
        by_key.setdefault(record.key.decode(), []).append(Envelope.from_json(record.value).event_id)
    return by_key


def _outbox_state(counters: Collection[dict[str, Any]], counter_id: str) -> dict[str, Any]:
    doc = counters.find_one({"_id": counter_id})
    assert doc is not None
    state = {k: doc[k] for k in ("outbox", "outbox_seq", "outbox_sent_seq")}
    return state | {"pending": bool(doc["outbox"])}


def _drained(seq: int) -> dict[str, Any]:
    return {"outbox": [], "outbox_seq": seq, "outbox_sent_seq": seq, "pending": False}


# --------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------


def test_relay_publishes_each_aggregates_events_in_order_keyed_by_aggregate_then_drains_the_outbox(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producers: Callable[..., KafkaProducer]
) -> None:
    counters = db["counters"]
    a = [counter_event("agg-a", n) for n in (1, 2)]
    b = [counter_event("agg-b", n) for n in (10, 20, 30)]
    _create(counters, "agg-a", a, topic)
    _create(counters, "agg-b", b, topic)
    a.append(counter_event("agg-a", 3))
    _append(counters, "agg-a", a[-1:], topic)
    relay = OutboxRelay([counters], producers())

    assert relay.relay_once() == 6

    records = read_topic(infra.kafka_bootstrap, topic)
    assert _event_ids_by_key(records) == {"agg-a": [e.event_id for e in a], "agg-b": [e.event_id for e in b]}
    for key in ("agg-a", "agg-b"):
        assert len({r.partition for r in records if r.key == key.encode()}) == 1, "one aggregate, one partition"
    published = {Envelope.from_json(r.value).event_id: Envelope.from_json(r.value) for r in records}
    unversioned = [replace(published[e.event_id], aggregate_version=e.aggregate_version) for e in a + b]
    assert unversioned == a + b, "the envelopes arrive unchanged (but for the version the outbox gives them)"
    headers = dict(records[0].headers)
    assert headers["event_type"] == EVENT_TYPE.encode()
    assert _outbox_state(counters, "agg-a") == _drained(3)
    assert _outbox_state(counters, "agg-b") == _drained(3)

    assert relay.relay_once() == 0
    assert len(read_topic(infra.kafka_bootstrap, topic)) == 6, "a drained outbox was published again"


def test_a_relay_killed_after_publishing_republishes_and_the_consumer_applies_each_event_once(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producers: Callable[..., KafkaProducer]
) -> None:
    counters = db["counters"]
    events = {"agg-a": [counter_event("agg-a", 1), counter_event("agg-a", 2)], "agg-b": [counter_event("agg-b", 40)]}
    for counter_id, evs in events.items():
        _create(counters, counter_id, evs, topic)
    all_events = [e for evs in events.values() for e in evs]

    doomed = OutboxRelay([counters], producers())
    doomed.publish(doomed.fetch_pending())
    del doomed  # killed before mark_sent: Kafka has the events, the documents do not know it
    assert _outbox_state(counters, "agg-a")["pending"] is True

    assert OutboxRelay([counters], producers()).relay_once() == 3
    assert _outbox_state(counters, "agg-a") == _drained(2)

    records = read_topic(infra.kafka_bootstrap, topic)
    assert Counter(Envelope.from_json(r.value).event_id for r in records) == {e.event_id: 2 for e in all_events}

    # A consumer recording each effect with its event id applies each event once, duplicates or not.
    projection = db["projection"]
    calls: list[str] = []

    def project(envelope: Envelope, payload: dict[str, Any]) -> None:
        calls.append(envelope.event_id)
        apply_once(
            projection,
            payload["counter_id"],
            envelope.event_id,
            {"$inc": {"total": payload["amount"], f"applied_count.{envelope.event_id}": 1}},
        )

    stop = StopSignal(install_handlers=False)
    dlq = producers()
    runner = ConsumerRunner(
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=f"{topic}-projection",
        catalog=counter_catalog(topic),
        handlers={EVENT_TYPE: project},
        dlq_producer=dlq,
        stop=stop,
        consumer_overrides={"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000},
    )
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: len(calls) == 2 * len(all_events), "the consumer saw every copy")
    finally:
        stop.set()
        thread.join(DEADLINE_S)
    assert not thread.is_alive()

    docs = {d["_id"]: d for d in projection.find()}
    assert {k: d["total"] for k, d in docs.items()} == {"agg-a": 3, "agg-b": 40}
    assert {k: d["applied_count"] for k, d in docs.items()} == {
        k: {e.event_id: 1 for e in evs} for k, evs in events.items()
    }


def test_events_appended_while_the_relay_publishes_are_not_lost(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producers: Callable[..., KafkaProducer]
) -> None:
    counters = db["counters"]
    first, second = counter_event("agg-a", 1), counter_event("agg-a", 2)
    _create(counters, "agg-a", [first], topic)
    relay = OutboxRelay([counters], producers())

    pending = relay.fetch_pending()
    relay.publish(pending)
    _append(counters, "agg-a", [second], topic)  # a use case commits between publish and mark_sent
    relay.mark_sent(pending)

    state = _outbox_state(counters, "agg-a")
    assert (state["outbox_seq"], state["outbox_sent_seq"], state["pending"]) == (2, 1, True)
    assert [entry["envelope"]["event_id"] for entry in state["outbox"] if entry["seq"] > 1] == [second.event_id]

    assert relay.relay_once() == 1
    assert _outbox_state(counters, "agg-a") == _drained(2)
    assert _event_ids_by_key(read_topic(infra.kafka_bootstrap, topic)) == {"agg-a": [first.event_id, second.event_id]}
    assert counters.find_one({"_id": "agg-a"}, {"total": 1, "version": 1}) == {"_id": "agg-a", "total": 3, "version": 2}


def test_only_one_lease_holder_at_a_time_until_release_or_expiry(db: Database[dict[str, Any]]) -> None:
    clock = FixedClock(datetime(2025, 5, 1, 12, 0, tzinfo=UTC))
    leases = db["leases"]
    first = Lease(leases, "registry-relay", "replica-1", ttl_seconds=10, clock=clock)
    second = Lease(leases, "registry-relay", "replica-2", ttl_seconds=10, clock=clock)
    other_job = Lease(leases, "training-relay", "replica-2", ttl_seconds=10, clock=clock)

    assert first.acquire() is True
    assert second.acquire() is False
    assert other_job.acquire() is True, "leases with different names are independent"

    clock.advance(seconds=6)
    assert first.acquire() is True  # renewal: now valid until 12:00:16
    clock.advance(seconds=6)
    assert second.acquire() is False, "a renewed lease was taken over"

    first.release()
    assert second.acquire() is True
    assert first.acquire() is False

    clock.advance(seconds=11)  # replica-2 stops renewing (crashed): the lease expires
    assert first.acquire() is True
    assert second.acquire() is False
    second.release()  # a replica that lost the lease cannot free it for others
    assert second.acquire() is False


def test_a_standby_relay_publishes_only_after_the_active_one_lets_go(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producers: Callable[..., KafkaProducer]
) -> None:
    counters = db["counters"]
    active = Lease(db["leases"], "relay", "active", ttl_seconds=60)
    assert active.acquire() is True
    event = counter_event("agg-a", 1)
    _create(counters, "agg-a", [event], topic)

    class CountingLease(Lease):
        refusals = 0

        def acquire(self) -> bool:
            acquired = super().acquire()
            CountingLease.refusals += not acquired
            return acquired

    stop = StopSignal(install_handlers=False)
    standby = OutboxRelay([counters], producers())
    thread = threading.Thread(
        target=standby.run,
        args=(stop,),
        kwargs={
            "lease": CountingLease(db["leases"], "relay", "standby", ttl_seconds=60),
            "idle_seconds": 0.02,
            "max_idle_seconds": 0.1,
        },
        daemon=True,
    )
    thread.start()
    try:
        wait_until(lambda: CountingLease.refusals >= 3, "the standby was refused the lease three times")
        assert _outbox_state(counters, "agg-a")["pending"] is True, "published without the lease"
        active.release()
        wait_until(lambda: _outbox_state(counters, "agg-a")["pending"] is False, "the standby publishes")
    finally:
        stop.set()
        thread.join(DEADLINE_S)
    assert not thread.is_alive()

    assert _event_ids_by_key(read_topic(infra.kafka_bootstrap, topic)) == {"agg-a": [event.event_id]}
    assert db["leases"].find_one({"_id": "relay"}) is None, "a stopped relay must free the lease"


def _parked(counters: Collection[dict[str, Any]], counter_id: str) -> dict[str, Any] | None:
    doc = counters.find_one({"_id": counter_id}, {"outbox_parked": 1})
    assert doc is not None
    return doc.get("outbox_parked")


@pytest.fixture
def operator_env(infra: Infrastructure, db: Database[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> None:
    """``outbox-parked --service relaytest`` finds the test's database as a pod finds its service's."""
    monkeypatch.setenv("MONGODB_URI", infra.mongodb_uri)
    monkeypatch.setenv("RELAYTEST_MONGODB_DATABASE", db.name)


def _relay_until(relay: OutboxRelay, condition: Callable[[], Any], what: str) -> None:
    """Run relay rounds (as the loop would, failed documents backing off) until ``condition`` holds."""

    def round_then_check() -> Any:
        relay.relay_once()
        return condition()

    wait_until(round_then_check, what, timeout=DEADLINE_S, interval=0.2)


def test_an_event_written_while_the_relay_counts_its_parked_events_goes_out_without_waiting_for_the_count(
    infra: Infrastructure,
    topic: str,
    db: Database[dict[str, Any]],
    producers: Callable[..., KafkaProducer],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An idle relay counts its parked events every 30 s: on FerretDB a read of every document, seconds long at a
    few thousand. Here the count is held until the test lets it go; the relay's rounds must go on meanwhile."""
    counters = db["counters"]
    counting, release, counted = threading.Event(), threading.Event(), threading.Event()
    count_documents = Collection.count_documents

    def held_count(collection: Collection[Any], *args: Any, **kwargs: Any) -> int:
        if collection.full_name != counters.full_name:
            return count_documents(collection, *args, **kwargs)
        counting.set()
        release.wait(DEADLINE_S)
        found = count_documents(collection, *args, **kwargs)
        counted.set()
        return found

    monkeypatch.setattr(Collection, "count_documents", held_count)
    relay = OutboxRelay([counters], producers(max_block_ms=1000))
    try:
        assert relay.relay_once() == 0  # idle: the periodic count is due from the next round
        assert relay.relay_once() == 0
        assert counting.is_set() and not counted.is_set(), "the round waited for the count"
        event = counter_event("agg-during-count", 1)
        _create(counters, "agg-during-count", [event], topic)
        assert relay.relay_once() == 1
        assert not counted.is_set(), "the event waited for the count"
        assert _event_ids_by_key(read_topic(infra.kafka_bootstrap, topic)) == {"agg-during-count": [event.event_id]}
    finally:
        release.set()
    wait_until(counted.is_set, "the count to finish once let go")


@pytest.mark.parametrize("problem", ["topic-missing", "event-too-large"])
def test_an_event_kafka_refuses_holds_back_only_its_own_aggregate(
    problem: str,
    infra: Infrastructure,
    topic: str,
    db: Database[dict[str, Any]],
    producers: Callable[..., KafkaProducer],
) -> None:
    counters = db["counters"]
    refused = counter_event("agg-bad", 1)
    if problem == "topic-missing":  # e.g. a new event type deployed before its topic was created
        _create(counters, "agg-bad", [refused], f"test-missing-{uuid.uuid4().hex[:10]}")
    else:
        refused.payload["note"] = "x" * 1_100_000  # over the producer's 1 MiB request limit
        _create(counters, "agg-bad", [refused], topic)
    later = counter_event("agg-bad", 2)
    _append(counters, "agg-bad", [later], topic)
    fine = counter_event("agg-ok", 5)
    _create(counters, "agg-ok", [fine], topic)
    relay = OutboxRelay([counters], producers(max_block_ms=1000))

    assert relay.relay_once() == 1
    assert relay.relay_once() == 0

    assert _event_ids_by_key(read_topic(infra.kafka_bootstrap, topic)) == {"agg-ok": [fine.event_id]}
    assert _outbox_state(counters, "agg-ok") == _drained(1)
    stuck = _outbox_state(counters, "agg-bad")
    assert (stuck["pending"], stuck["outbox_sent_seq"], len(stuck["outbox"])) == (True, 0, 2)


def test_an_event_the_broker_refuses_for_good_is_parked_and_everything_else_keeps_flowing(
    infra: Infrastructure, db: Database[dict[str, Any]], capsys: pytest.CaptureFixture[str], operator_env: None
) -> None:
    """The broker refuses a record over the topic's max.message.bytes; kafka-python's idempotent producer then
    refuses every later record too, so the relay must park the culprit alone and carry on with a new producer."""
    topic = f"test-small-{uuid.uuid4().hex[:10]}"
    admin = KafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
    try:
        admin.create_topics([NewTopic(topic, 3, 1, topic_configs={"max.message.bytes": "20000"})])
    finally:
        admin.close()
    counters = db["counters"]
    before = counter_event("agg-ok", 1)
    _create(counters, "agg-ok", [before], topic)
    too_large = counter_event("agg-bad", 1)
    too_large.payload["note"] = "x" * 30_000  # under the producer's limit, over the topic's
    _create(counters, "agg-bad", [too_large], topic)
    behind = counter_event("agg-bad", 2)
    _append(counters, "agg-bad", [behind], topic)
    made: list[KafkaProducer] = []

    def producer() -> KafkaProducer:
        made.append(make_producer(infra.kafka_bootstrap, "relay-parking", max_request_size=5_000_000))
        return made[-1]

    relay = OutboxRelay([counters], producer, park_after_attempts=3)
    try:
        _relay_until(relay, lambda: _parked(counters, "agg-bad"), "the refused event is parked")
        after = counter_event("agg-new", 7)
        _create(counters, "agg-new", [after], topic)
        _relay_until(relay, lambda: not _outbox_state(counters, "agg-new")["pending"], "a later aggregate goes out")

        parked = _parked(counters, "agg-bad")
        assert parked is not None
        assert (parked["event_id"], parked["seq"], parked["topic"]) == (too_large.event_id, 1, topic)
        assert "MessageSizeTooLarge" in parked["error"]
        assert REGISTRY.get_sample_value("outbox_parked_entries") == 1
        assert [doc.doc_id for doc in relay.fetch_pending()] == [], "a parked document is fetched again"
        published = _event_ids_by_key(read_topic(infra.kafka_bootstrap, topic))
        assert published == {"agg-ok": [before.event_id], "agg-new": [after.event_id]}, "the one behind it waits"

        # The operator lists it, then drops it: the aggregate's later event goes out, the dropped one is kept.
        assert parked_main(["--service", "relaytest", "list"]) == 0
        listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert [(e["event_id"], e["aggregate_id"], e["waiting_behind_it"]) for e in listed] == [
            (too_large.event_id, "agg-bad", 1)
        ]
        assert parked_main(["--service", "relaytest", "drop", too_large.event_id]) == 0
        assert parked_main(["--service", "relaytest", "drop", too_large.event_id]) == 1, "dropped twice"
        _relay_until(relay, lambda: not _outbox_state(counters, "agg-bad")["pending"], "the event behind it goes out")
        assert _event_ids_by_key(read_topic(infra.kafka_bootstrap, topic))["agg-bad"] == [behind.event_id]
        assert _parked(counters, "agg-bad") is None
        dropped = db["outbox_dropped"].find_one({"_id": too_large.event_id})
        assert dropped is not None
        assert dropped["entry"]["envelope"]["event_id"] == too_large.event_id
        assert relay.count_parked() == 0
        assert REGISTRY.get_sample_value("outbox_parked_entries") == 0
    finally:
        for made_producer in made:
            made_producer.close(timeout=5)


def test_an_event_for_a_missing_topic_is_parked_after_its_attempts_and_goes_out_when_retried(
    infra: Infrastructure,
    topic: str,
    db: Database[dict[str, Any]],
    producers: Callable[..., KafkaProducer],
    operator_env: None,
) -> None:
    counters = db["counters"]
    missing = f"test-missing-{uuid.uuid4().hex[:10]}"
    first, second = counter_event("agg-bad", 1), counter_event("agg-bad", 2)
    _create(counters, "agg-bad", [first], missing)
    _append(counters, "agg-bad", [second], topic)
    relay = OutboxRelay([counters], producers(max_block_ms=300), park_after_attempts=2)
    n = 0

    def keep_others_flowing() -> Any:
        nonlocal n
        n += 1
        _create(counters, f"agg-ok-{n}", [counter_event(f"agg-ok-{n}", 1)], topic)  # Kafka takes others meanwhile
        return _parked(counters, "agg-bad")

    _relay_until(relay, keep_others_flowing, "the event for a missing topic is parked")
    parked = _parked(counters, "agg-bad")
    assert parked is not None
    assert (parked["event_id"], parked["attempts"]) == (first.event_id, 2)
    assert "KafkaTimeoutError" in parked["error"]

    ensure_topics(infra.kafka_bootstrap, [missing], partitions=1)  # the cause fixed
    assert parked_main(["--service", "relaytest", "retry", first.event_id]) == 0
    _relay_until(relay, lambda: not _outbox_state(counters, "agg-bad")["pending"], "the retried event goes out")
    assert _event_ids_by_key(read_topic(infra.kafka_bootstrap, missing)) == {"agg-bad": [first.event_id]}
    assert _event_ids_by_key(read_topic(infra.kafka_bootstrap, topic))["agg-bad"] == [second.event_id]


def test_the_oldest_waiting_events_go_out_first(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producers: Callable[..., KafkaProducer]
) -> None:
    counters = db["counters"]
    ages = {"agg-new": "2026-03-01T10:00:00Z", "agg-oldest": "2026-01-01T10:00:00Z", "agg-old": "2026-02-01T10:00:00Z"}
    for counter_id, occurred_at in ages.items():  # written in another order than they happened
        _create(counters, counter_id, [replace(counter_event(counter_id, 1), occurred_at=occurred_at)], topic)
    relay = OutboxRelay([counters], producers(), batch_size=1)

    drained: list[str] = []
    for _ in ages:
        assert relay.relay_once() == 1
        drained += [c for c in ages if c not in drained and not _outbox_state(counters, c)["pending"]]
    assert drained == ["agg-oldest", "agg-old", "agg-new"]


def test_the_relay_reads_pending_events_with_majority_read_concern(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producers: Callable[..., KafkaProducer]
) -> None:
    """After a failover MongoDB may roll back writes only the old primary had: the relay must not publish them."""
    finds: list[dict[str, Any]] = []

    class Finds(monitoring.CommandListener):
        def started(self, event: monitoring.CommandStartedEvent) -> None:
            if event.command_name == "find":
                finds.append(dict(event.command))

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
            pass

        def failed(self, event: monitoring.CommandFailedEvent) -> None:
            pass

    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, event_listeners=[Finds()])
    try:
        counters = client[db.name]["counters"]
        _create(counters, "agg-a", [counter_event("agg-a", 1)], topic)
        assert OutboxRelay([counters], producers()).relay_once() == 1
    finally:
        client.close()
    assert finds, "the relay read nothing"
    assert all(find.get("readConcern") == {"level": "majority"} for find in finds)


def test_a_publish_round_fits_in_the_lease_or_does_not_start(
    topic: str, db: Database[dict[str, Any]], producers: Callable[..., KafkaProducer], infra: Infrastructure
) -> None:
    timeouts = producer_timeouts(10)
    relay = relay_for([db["counters"]], infra.kafka_bootstrap, "relay-bounds", 10)
    try:
        assert timeouts["max_block_ms"] + timeouts["delivery_timeout_ms"] < 10_000 / 2
        assert relay.publish_seconds + timeouts["max_block_ms"] / 1000 < 10, "a round could outlast the lease"
    finally:
        relay.close()

    counters = db["counters"]
    _create(counters, "agg-a", [counter_event("agg-a", 1)], topic)
    short = Lease(db["leases"], "relay", "me", ttl_seconds=3)
    assert short.acquire() is True
    slow = OutboxRelay([counters], producers(), send_timeout_seconds=5, send_window_seconds=1)
    assert slow.relay_once(short) == 0, "published although the lease could lapse mid-round"
    assert _outbox_state(counters, "agg-a")["pending"] is True
    assert slow.relay_once(Lease(db["leases"], "relay2", "me", ttl_seconds=10)) == 1


def test_the_relay_reports_its_backlog_for_the_outbox_alert(
    topic: str, db: Database[dict[str, Any]], producers: Callable[..., KafkaProducer]
) -> None:
    counters = db["counters"]
    written_in_january = replace(counter_event("agg-old", 1), occurred_at="2026-01-05T09:00:00+00:00")
    _create(counters, "agg-old", [written_in_january, counter_event("agg-old", 2)], topic)
    _create(counters, "agg-new", [counter_event("agg-new", 5)], topic)
    relay = OutboxRelay([counters], producers())

    assert relay.relay_once() == 3
    assert REGISTRY.get_sample_value("outbox_pending_events") == 3, "events waiting when the relay looked"
    oldest = REGISTRY.get_sample_value("outbox_oldest_pending_age_seconds")
    assert oldest is not None
    assert oldest >= (datetime.now(UTC) - datetime(2026, 1, 5, 9, tzinfo=UTC)).total_seconds() - 60

    assert relay.relay_once() == 0
    assert REGISTRY.get_sample_value("outbox_pending_events") == 0
    assert REGISTRY.get_sample_value("outbox_oldest_pending_age_seconds") == 0


class _Unanswered:
    """A producer whose records Kafka neither acknowledges nor fails, ever: kafka-python's idempotent producer
    after a broker restart, seen in the Kafka outage of tests/faults/test_servers_outages.py."""

    closed = False

    def send(self, *args: Any, **kwargs: Any) -> KafkaFuture:
        return KafkaFuture()  # never resolved

    def flush(self, timeout: float | None = None) -> None:
        raise KafkaTimeoutError("Timeout waiting for future")

    def close(self, timeout: float | None = None) -> None:
        self.closed = True


def test_a_producer_that_leaves_events_unanswered_past_its_delivery_timeout_is_replaced(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producers: Callable[..., KafkaProducer]
) -> None:
    counters = db["counters"]
    events = [counter_event("agg-a", 1), counter_event("agg-a", 2)]
    _create(counters, "agg-a", events, topic)
    stalled = _Unanswered()
    made: list[Any] = []

    def factory() -> Any:
        made.append(stalled if not made else producers())
        return made[-1]

    relay = OutboxRelay([counters], factory, send_timeout_seconds=0.5)
    assert relay.relay_once() == 0
    assert stalled.closed and len(made) == 2, "the stalled producer was kept"
    wait_until(lambda: relay.relay_once() == 2, "the events to go out through a new producer", timeout=DEADLINE_S)
    assert _event_ids_by_key(read_topic(infra.kafka_bootstrap, topic)) == {"agg-a": [e.event_id for e in events]}
    assert _outbox_state(counters, "agg-a") == _drained(2)


def test_a_backlog_of_several_batches_is_read_by_one_scan_oldest_first_and_later_events_go_out_next(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producers: Callable[..., KafkaProducer]
) -> None:
    """On FerretDB every query for pending events reads the whole collection: a backlog is read by one query
    whose cursor serves round after round, not by one query per round, and parked events are not counted while
    it drains (that count is another full scan; parking counts at once). Events written after the scan started
    (to a document it already gave, or to a new one) are found by the next scan, none lost, none reordered."""
    finds: list[str] = []

    class Finds(monitoring.CommandListener):
        def started(self, event: monitoring.CommandStartedEvent) -> None:
            if event.command_name == "find" and "outbox.seq" in event.command.get("filter", {}):
                finds.append(event.command_name)  # the relay's query for pending events
            if event.command_name == "aggregate" and "outbox_parked" in str(event.command.get("pipeline")):
                finds.append("count parked")  # another full scan on FerretDB

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
            pass

        def failed(self, event: monitoring.CommandFailedEvent) -> None:
            pass

    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, event_listeners=[Finds()])
    try:
        counters = client[db.name]["counters"]
        names = [f"agg-{n}" for n in range(6)]
        written: dict[str, list[Envelope]] = {}
        for n, counter_id in enumerate(names):
            written[counter_id] = [replace(counter_event(counter_id, 1), occurred_at=f"2026-01-0{n + 1}T10:00:00Z")]
            _create(counters, counter_id, written[counter_id], topic)
        relay = OutboxRelay([counters], producers(), batch_size=2)

        drained: list[list[str]] = []
        for _ in range(3):
            assert relay.relay_once() == 2
            before = {c for batch in drained for c in batch}
            drained.append([c for c in names if c not in before and not _outbox_state(counters, c)["pending"]])
            if len(drained) == 1:  # written while the scan is under way: to a document it gave, and a new one
                written["agg-0"].append(counter_event("agg-0", 2))
                _append(counters, "agg-0", written["agg-0"][-1:], topic)
                written["agg-late"] = [counter_event("agg-late", 3)]
                _create(counters, "agg-late", written["agg-late"], topic)
        assert drained == [["agg-0", "agg-1"], ["agg-2", "agg-3"], ["agg-4", "agg-5"]], "oldest first, two a round"
        assert finds == ["find"], f"{finds}: queries for a backlog of three batches"

        assert relay.relay_once() == 2, "the next scan finds what was written meanwhile"
        assert relay.relay_once() == 0
        assert finds == ["find"] * 3
    finally:
        client.close()
    for counter_id in [*names, "agg-late"]:
        assert not _outbox_state(db["counters"], counter_id)["pending"]
    published = _event_ids_by_key(read_topic(infra.kafka_bootstrap, topic))
    assert published == {k: [e.event_id for e in evs] for k, evs in written.items()}, "each once, in order"
