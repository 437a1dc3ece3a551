"""ConsumerRunner against a real Kafka and FerretDB: poison messages, replays, retries and commits.

Every test uses its own topic, consumer groups and database, so tests never see each other's data.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewPartitions
from kafka.errors import CoordinatorLoadInProgressError, KafkaTimeoutError
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import AutoReconnect, DuplicateKeyError
from tenacity import wait_exponential_jitter

from shared.consumer import ConsumerRunner, PoisonFlood, TransientError, apply_once
from shared.consumer.runner import Backoff
from shared.events.envelope import Envelope
from shared.kafka import dlq_topic, ensure_topics, make_producer
from shared.localinfra import Infrastructure
from shared.runtime import LivenessFile, StopSignal, is_fresh
from tests.integration.counters import EVENT_TYPE, counter_catalog, counter_event, read_topic
from tests.polling import DEADLINE_S, wait_until

pytestmark = pytest.mark.integration

FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000}


# --------------------------------------------------------------------------------------------------
# Fixtures and helpers
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def producer(infra: Infrastructure) -> Iterator[KafkaProducer]:
    p = make_producer(infra.kafka_bootstrap, "test-producer")
    try:
        yield p
    finally:
        p.close(timeout=10)


def _produce(producer: KafkaProducer, topic: str, values: list[bytes], key: str = "one-partition") -> list[Any]:
    """Send raw values with one key (so one partition, in this order); returns their record metadata."""
    futures = [producer.send(topic, key=key, value=value) for value in values]
    producer.flush(timeout=30)
    return [future.get(timeout=30) for future in futures]


def _end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        ends = consumer.end_offsets([TopicPartition(topic, p) for p in partitions])
        return {tp.partition: offset for tp, offset in ends.items()}
    finally:
        consumer.close()


def _committed(bootstrap: str, group_id: str, topic: str) -> dict[int, int]:
    """The group's committed offsets; none yet while a broker that has just started loads the group."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="test-offsets")
    try:
        offsets = admin.list_group_offsets(group_id).get(group_id, {})
    except CoordinatorLoadInProgressError:
        return {}
    finally:
        admin.close()
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == topic and meta.offset >= 0}


def _all_committed(bootstrap: str, group_id: str, topic: str) -> bool:
    """True when the group's committed offset equals the end offset on every non-empty partition."""
    ends = {p: end for p, end in _end_offsets(bootstrap, topic).items() if end > 0}
    committed = _committed(bootstrap, group_id, topic)
    return all(committed.get(p) == end for p, end in ends.items())


class CounterHandler:
    """Adds each event's amount to its counter document, at most once per event id; records every call."""

    def __init__(self, counters: Collection[dict[str, Any]]) -> None:
        self._counters = counters
        self._lock = threading.Lock()
        self.calls: list[str] = []

    def __call__(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append(envelope.event_id)
        apply_once(self._counters, payload["counter_id"], envelope.event_id, {"$inc": {"total": payload["amount"]}})


def _totals(counters: Collection[dict[str, Any]]) -> dict[str, int]:
    return {doc["_id"]: doc["total"] for doc in counters.find()}


class Running:
    """A ConsumerRunner running ``run()`` in a thread, as a worker process would."""

    def __init__(
        self,
        infra: Infrastructure,
        topic: str,
        group_id: str,
        handler: Callable[[Envelope, dict[str, Any]], None],
        dlq_producer: KafkaProducer,
        **options: Any,
    ) -> None:
        self.stop = StopSignal(install_handlers=False)
        self.runner = ConsumerRunner(
            bootstrap_servers=infra.kafka_bootstrap,
            group_id=group_id,
            catalog=counter_catalog(topic),
            handlers={EVENT_TYPE: handler},
            dlq_producer=dlq_producer,
            stop=self.stop,
            **{"consumer_overrides": FAST_GROUP, **options},
        )
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"consumer-{group_id}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.runner.run()
        except BaseException as exc:
            self.error = exc

    def finished(self) -> bool:
        return not self._thread.is_alive()

    def join(self, timeout: float = DEADLINE_S) -> None:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "the consumer did not stop"

    def shutdown(self) -> None:
        """SIGTERM: set the stop signal, wait for run() to return, surface any crash."""
        self.stop.set()
        self.join()
        if self.error is not None:
            raise self.error


@pytest.fixture
def consumers(infra: Infrastructure, producer: KafkaProducer) -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(topic: str, group_id: str, handler: Callable[..., None], **options: Any) -> Running:
        running = Running(infra, topic, group_id, handler, producer, **options)
        started.append(running)
        return running

    yield start
    for running in started:  # a failed test must not leave consumer threads polling
        running.stop.set()
    for running in started:
        running.join()


# --------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------


def test_poison_messages_go_to_the_dlq_with_origin_headers_and_the_consumer_moves_on(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producer: KafkaProducer, consumers: Any
) -> None:
    garbage = b"\xff\x00 this is not an event"
    deep = b"[" * 100_000  # the JSON parser gives up on it with a RecursionError
    bad_payload = counter_event("c-1", "lots").to_json()  # a valid envelope, an invalid payload
    good = [counter_event("c-1", 1), counter_event("c-2", 10), counter_event("c-1", 100)]
    sent = _produce(producer, topic, [garbage, deep, bad_payload, *(e.to_json() for e in good)])
    handler = CounterHandler(db["counters"])
    group = f"{topic}-poison"

    running = consumers(topic, group, handler)
    wait_until(lambda: len(handler.calls) == 3, "the three valid events are handled")
    wait_until(lambda: _all_committed(infra.kafka_bootstrap, group, topic), "offsets are committed past all six")
    running.shutdown()

    assert handler.calls == [e.event_id for e in good]
    assert _totals(db["counters"]) == {"c-1": 101, "c-2": 10}
    dead = sorted(
        read_topic(infra.kafka_bootstrap, dlq_topic(topic)), key=lambda r: int(dict(r.headers)["dlq.origin.offset"])
    )
    assert [r.value for r in dead] == [garbage, deep, bad_payload]
    for record, origin in zip(dead, sent[:3], strict=True):
        headers = {name: value.decode() for name, value in record.headers}
        assert headers["dlq.origin.topic"] == topic
        assert headers["dlq.origin.partition"] == str(origin.partition)
        assert headers["dlq.origin.offset"] == str(origin.offset)
        assert record.key == b"one-partition"
    errors = [dict(r.headers)["dlq.error"].decode() for r in dead]
    assert "not JSON" in errors[0] and "not JSON" in errors[1]
    assert "amount" in errors[2]


def test_a_replay_by_a_new_group_applies_no_effect_twice(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producer: KafkaProducer, consumers: Any
) -> None:
    events = [counter_event(f"c-{i % 3}", 2**i) for i in range(9)]
    for event in events:  # spread over the partitions by aggregate id, as the relay does
        producer.send(topic, key=event.aggregate_id, value=event.to_json())
    producer.flush(timeout=30)
    counters = db["counters"]

    first = CounterHandler(counters)
    running = consumers(topic, f"{topic}-first", first)
    wait_until(lambda: len(first.calls) == len(events), "the first group handled every event")
    running.shutdown()
    before = _totals(counters)
    assert before == {
        f"c-{k}": sum(e.payload["amount"] for e in events if e.aggregate_id == f"c-{k}") for k in range(3)
    }

    replay = CounterHandler(counters)
    running = consumers(topic, f"{topic}-replay", replay)  # a new group starts from the earliest offset
    wait_until(lambda: len(replay.calls) == len(events), "the replaying group saw every event again")
    running.shutdown()

    assert sorted(replay.calls) == sorted(e.event_id for e in events)
    assert _totals(counters) == before


def test_transient_failures_are_retried_until_the_effect_is_applied_once_then_committed(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producer: KafkaProducer, consumers: Any
) -> None:
    event = counter_event("c-1", 5)
    _produce(producer, topic, [event.to_json()])
    counters = db["counters"]
    attempts: list[str] = []

    def flaky(envelope: Envelope, payload: dict[str, Any]) -> None:
        attempts.append(envelope.event_id)
        if len(attempts) <= 2:
            raise TransientError("database unreachable")
        apply_once(counters, payload["counter_id"], envelope.event_id, {"$inc": {"total": payload["amount"]}})

    group = f"{topic}-flaky"
    running = consumers(topic, group, flaky)
    wait_until(lambda: _all_committed(infra.kafka_bootstrap, group, topic), "the offset is committed")
    running.shutdown()

    assert attempts == [event.event_id] * 3
    assert _totals(counters) == {"c-1": 5}
    assert sum(_end_offsets(infra.kafka_bootstrap, dlq_topic(topic)).values()) == 0, (
        "a transient failure was dead-lettered"
    )


def test_an_uncommitted_failure_is_handled_again_by_the_next_consumer(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producer: KafkaProducer, consumers: Any
) -> None:
    """Stopping while the database is down leaves the offset uncommitted: the event is not lost."""
    event = counter_event("c-1", 7)
    _produce(producer, topic, [event.to_json()])
    group = f"{topic}-outage"
    failing_calls: list[str] = []

    def database_down(envelope: Envelope, payload: dict[str, Any]) -> None:
        failing_calls.append(envelope.event_id)
        raise TransientError("database unreachable")

    running = consumers(topic, group, database_down)
    wait_until(lambda: len(failing_calls) >= 1, "the event is attempted")
    running.shutdown()
    assert _committed(infra.kafka_bootstrap, group, topic) == {}

    handler = CounterHandler(db["counters"])
    running = consumers(topic, group, handler)
    wait_until(lambda: _all_committed(infra.kafka_bootstrap, group, topic), "the offset is committed")
    running.shutdown()

    assert handler.calls == [event.event_id]
    assert _totals(db["counters"]) == {"c-1": 7}


def test_on_stop_the_runner_commits_exactly_what_it_handled(
    infra: Infrastructure, topic: str, producer: KafkaProducer, consumers: Any
) -> None:
    events = [counter_event("c-1", i) for i in range(1, 6)]
    _produce(producer, topic, [e.to_json() for e in events])
    group = f"{topic}-stop"
    first_calls: list[str] = []
    first: Running | None = None

    def stop_after_two(envelope: Envelope, payload: dict[str, Any]) -> None:
        first_calls.append(envelope.event_id)
        if len(first_calls) == 2:
            assert first is not None
            first.stop.set()  # SIGTERM arrives while a batch is being handled

    first = consumers(topic, group, stop_after_two)
    wait_until(first.finished, "the first consumer stops")
    first.shutdown()
    assert first_calls == [e.event_id for e in events[:2]]

    second_calls: list[str] = []
    second = consumers(topic, group, lambda envelope, payload: second_calls.append(envelope.event_id))
    wait_until(lambda: len(second_calls) >= 3, "the second consumer handles the rest")
    wait_until(lambda: _all_committed(infra.kafka_bootstrap, group, topic), "the offsets are committed")
    second.shutdown()

    assert second_calls == [e.event_id for e in events[2:]]


def test_a_flood_of_poison_stops_the_consumer(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producer: KafkaProducer, consumers: Any
) -> None:
    valid = counter_event("c-1", 3)
    garbage = [f"garbage {i}".encode() for i in range(5)]
    _produce(producer, topic, [valid.to_json(), *garbage])
    handler = CounterHandler(db["counters"])

    running = consumers(topic, f"{topic}-flood", handler, poison_window=4, max_poison_ratio=0.5)
    wait_until(running.finished, "the consumer gives up")

    assert isinstance(running.error, PoisonFlood)
    assert handler.calls == [valid.event_id]
    # It stopped at the third poison message of its window of four instead of dead-lettering the topic.
    dead = read_topic(infra.kafka_bootstrap, dlq_topic(topic))
    assert sorted(r.value for r in dead) == garbage[:3]


def test_a_poison_message_the_dlq_refuses_is_never_committed(
    infra: Infrastructure, db: Database[dict[str, Any]], producer: KafkaProducer, consumers: Any
) -> None:
    """If the dead letter is not durable, the poison message must not be skipped: it would vanish."""
    topic = f"test-counters-{uuid.uuid4().hex[:10]}"
    admin = KafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap, client_id="test-setup")
    try:  # a dead-letter topic that rejects records over 1 kB
        admin.create_topics(
            {
                dlq_topic(topic): {
                    "num_partitions": 3,
                    "replication_factor": 1,
                    "configs": {"max.message.bytes": "1000"},
                }
            },
            wait_for_metadata=True,
        )
    finally:
        admin.close()
    ensure_topics(infra.kafka_bootstrap, [topic], partitions=3)
    after = counter_event("c-1", 1)
    poison, _ = _produce(producer, topic, [b"not an event " * 300, after.to_json()])
    handler = CounterHandler(db["counters"])
    group = f"{topic}-refused"

    def committed() -> int:
        return _committed(infra.kafka_bootstrap, group, topic).get(poison.partition, 0)

    running = consumers(topic, group, handler)
    wait_until(lambda: running.finished() or committed() > poison.offset, "the consumer stops or moves on")

    assert committed() <= poison.offset, "the poison message was skipped although its dead letter was refused"
    assert running.finished()
    assert running.error is not None
    assert not isinstance(running.error, PoisonFlood)
    assert handler.calls == [], "the consumer moved past the poison message"


def test_stopping_during_a_retry_backoff_returns_promptly(
    infra: Infrastructure, topic: str, producer: KafkaProducer, consumers: Any
) -> None:
    """SIGTERM while the database is down must not wait out the backoff (Kubernetes kills after 30 s)."""
    _produce(producer, topic, [counter_event("c-1", 1).to_json()])
    attempts: list[float] = []

    def database_down(envelope: Envelope, payload: dict[str, Any]) -> None:
        attempts.append(time.monotonic())
        raise TransientError("database unreachable")

    running = consumers(topic, f"{topic}-backoff", database_down)
    wait_until(lambda: len(attempts) >= 4, "the handler was retried three times")  # next wait: 1.6 s or more
    stopped_at = time.monotonic()
    running.shutdown()

    assert time.monotonic() - stopped_at < 1.2
    assert _committed(infra.kafka_bootstrap, f"{topic}-backoff", topic) == {}


class _LosesTheInsertRace:
    """A collection whose first upsert loses the race to a concurrent upsert creating the same document.

    Two consumers applying different events to a document that does not exist yet both try to insert
    it; MongoDB lets one win and answers the other with a duplicate key error.
    """

    def __init__(self, real: Collection[dict[str, Any]], competitor: Callable[[], None]) -> None:
        self._real = real
        self._competitor = competitor
        self.raced = False

    def update_one(self, filter: dict[str, Any], update: dict[str, Any], upsert: bool = False) -> Any:
        if upsert and not self.raced:
            self.raced = True
            self._competitor()
            raise DuplicateKeyError("E11000 duplicate key error collection: counters index: _id_")
        return self._real.update_one(filter, update, upsert=upsert)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def test_apply_once_applies_an_event_that_lost_the_race_to_create_the_document(db: Database[dict[str, Any]]) -> None:
    counters = db["counters"]
    theirs, mine = counter_event("c-1", 10), counter_event("c-1", 1)
    racy = _LosesTheInsertRace(counters, lambda: apply_once(counters, "c-1", theirs.event_id, {"$inc": {"total": 10}}))

    assert apply_once(racy, "c-1", mine.event_id, {"$inc": {"total": 1}}) is True  # type: ignore[arg-type]

    assert racy.raced
    doc = counters.find_one({"_id": "c-1"})
    assert doc is not None
    assert doc["total"] == 11
    assert sorted(doc["applied_event_ids"]) == sorted([theirs.event_id, mine.event_id])


def test_apply_once_skips_a_duplicate_whether_or_not_the_document_existed(db: Database[dict[str, Any]]) -> None:
    counters = db["counters"]
    event = counter_event("c-1", 4)

    assert apply_once(counters, "c-1", event.event_id, {"$inc": {"total": 4}}) is True  # creates the document
    assert apply_once(counters, "c-1", event.event_id, {"$inc": {"total": 4}}) is False
    assert apply_once(counters, "c-1", counter_event("c-1", 5).event_id, {"$inc": {"total": 5}}) is True
    assert apply_once(counters, "c-1", event.event_id, {"$inc": {"total": 4}}) is False

    assert _totals(counters) == {"c-1": 9}


def test_a_database_outage_longer_than_the_poll_interval_keeps_the_member_in_its_group(
    infra: Infrastructure,
    topic: str,
    db: Database[dict[str, Any]],
    producer: KafkaProducer,
    consumers: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The database is down for 9 s, longer than max.poll.interval.ms (6 s): the consumer keeps polling, so it
    is never thrown out of its group (its commits succeed), and applies every event exactly once afterwards."""
    caplog.set_level(logging.INFO)
    events = [counter_event(f"c-{i % 3}", i + 1) for i in range(9)]
    for event in events:
        producer.send(topic, key=event.aggregate_id, value=event.to_json())
    producer.flush(timeout=30)
    counters = db["counters"]
    handler = CounterHandler(counters)
    outage: list[float] = []

    def database_down_for_a_while(envelope: Envelope, payload: dict[str, Any]) -> None:
        if not outage:
            outage.append(time.monotonic() + 9)
        if time.monotonic() < outage[0]:
            raise AutoReconnect("connection refused")
        handler(envelope, payload)

    group = f"{topic}-outage"
    started = time.monotonic()
    running = consumers(
        topic,
        group,
        database_down_for_a_while,
        consumer_overrides={**FAST_GROUP, "max_poll_interval_ms": 6000},
        backoff=Backoff(wait_exponential_jitter(multiplier=0.2, max=2, jitter=0.2)),
    )
    wait_until(lambda: _all_committed(infra.kafka_bootstrap, group, topic), "every offset is committed", timeout=45)
    recovered = time.monotonic() - max(outage[0], started)
    running.shutdown()  # raises what the consumer raised (a failed commit after leaving the group)

    assert sorted(handler.calls) == sorted(e.event_id for e in events), "each event applied exactly once"
    assert _totals(counters) == {f"c-{k}": sum(i + 1 for i in range(9) if i % 3 == k) for k in range(3)}
    assert not any("poll timeout has expired" in r.getMessage() for r in caplog.records), (
        "the member was thrown out of its group for not polling"
    )
    print(
        f"\noutage 9 s: events written 9, effects expected 9, found {len(handler.calls)}, lost 0, doubled 0, "
        f"rebalances 0, seconds to recover after the database returned {recovered:.1f}"
    )


def test_the_flood_guard_remembers_across_a_restart(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producer: KafkaProducer, consumers: Any
) -> None:
    """A consumer the guard stopped stops again at the next poison message, not after another window."""
    valid = counter_event("c-1", 3)
    garbage = [f"garbage {i}".encode() for i in range(10)]
    _produce(producer, topic, [valid.to_json(), *garbage])
    handler = CounterHandler(db["counters"])
    group = f"{topic}-flood-restart"

    first = consumers(topic, group, handler, poison_window=4, max_poison_ratio=0.5)
    wait_until(first.finished, "the consumer gives up")
    assert isinstance(first.error, PoisonFlood)
    assert len(read_topic(infra.kafka_bootstrap, dlq_topic(topic))) == 3

    second = consumers(topic, group, handler, poison_window=4, max_poison_ratio=0.5)  # restarted by Kubernetes
    wait_until(second.finished, "the restarted consumer gives up")

    assert isinstance(second.error, PoisonFlood)
    dead = read_topic(infra.kafka_bootstrap, dlq_topic(topic))
    assert sorted(r.value for r in dead) == garbage[:4], "the restart dead-lettered one more message, not a window"
    assert handler.calls == [valid.event_id]


def test_a_consumer_started_before_its_topic_exists_reads_it_once_it_does(
    infra: Infrastructure,
    db: Database[dict[str, Any]],
    producer: KafkaProducer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Where topics are made by others (CREATE_TOPICS=false), the consumer waits for them instead of
    joining its group with no partition; while it waits beyond its grace, its liveness file goes stale."""
    monkeypatch.setenv("CREATE_TOPICS", "false")
    topic = f"test-late-{uuid.uuid4().hex[:10]}"
    alive = tmp_path / "consumer-alive"
    handler = CounterHandler(db["counters"])
    stop = StopSignal(install_handlers=False)
    runners: list[ConsumerRunner] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            runner = ConsumerRunner(
                bootstrap_servers=infra.kafka_bootstrap,
                group_id=f"{topic}-group",
                catalog=counter_catalog(topic),
                handlers={EVENT_TYPE: handler},
                dlq_producer=producer,
                stop=stop,
                liveness=LivenessFile(str(alive), min_interval=0),
                consumer_overrides=FAST_GROUP,
                stall_grace_seconds=1,
            )
            runners.append(runner)
            runner.run()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        wait_until(alive.exists, "the waiting consumer touches its liveness file at first")
        wait_until(lambda: not is_fresh(alive, 1.0), "its liveness file goes stale once the grace is over")
        ensure_topics(infra.kafka_bootstrap, [topic], partitions=3)  # the producing service starts
        event = counter_event("c-1", 4)
        _produce(producer, topic, [event.to_json()])
        wait_until(lambda: handler.calls == [event.event_id], "the event is handled", timeout=20)
        wait_until(lambda: is_fresh(alive, 1.0), "its liveness file is fresh again")
        assert runners and runners[0].alive
    finally:
        stop.set()
        thread.join(DEADLINE_S)
    assert not errors


def test_a_killed_replica_s_partitions_move_to_the_survivor_within_seconds(
    infra: Infrastructure,
    topic: str,
    db: Database[dict[str, Any]],
    producer: KafkaProducer,
    consumers: Any,
    tmp_path: Path,
) -> None:
    """SIGKILL of one of two replicas: with the declared session timeout (10 s) the survivor takes its
    partitions over and applies every event exactly once (kafka-python's default, 45 s, took up to 80 s)."""
    counters = db["counters"]
    group = f"{topic}-replicas"
    log_file = (tmp_path / "replica.log").open("w")
    replica = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.counter_consumer",
            infra.kafka_bootstrap,
            infra.mongodb_uri,
            db.name,
            topic,
            group,
        ],
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        before = [counter_event(f"c-{i % 3}", 1) for i in range(6)]
        for event in before:
            producer.send(topic, key=event.aggregate_id, value=event.to_json())
        producer.flush(timeout=30)
        wait_until(lambda: sum(_totals(counters).values()) == 6, "the replica applies the first events")
        survivor_calls = CounterHandler(counters)
        survivor = consumers(topic, group, survivor_calls)
        wait_until(lambda: 0 < len(survivor.runner.assignment()) < 3, "the two replicas share the partitions")

        replica.kill()  # SIGKILL: no LeaveGroup, no commit
        replica.wait(10)
        killed_at = time.monotonic()
        after = [counter_event(f"c-{i % 3}", 10) for i in range(9)]
        for event in after:
            producer.send(topic, key=event.aggregate_id, value=event.to_json())
        producer.flush(timeout=30)
        wait_until(lambda: sum(_totals(counters).values()) == 96, "the survivor applies what the dead replica held")
        recovered = time.monotonic() - killed_at
        survivor.shutdown()
    finally:
        if replica.poll() is None:
            replica.kill()
        log_file.close()

    assert _totals(counters) == {"c-0": 32, "c-1": 32, "c-2": 32}, "nothing lost, nothing applied twice"
    print(
        f"\nreplica killed: events written 15, effects expected 15 (amounts 96),"
        f" amounts found {sum(_totals(counters).values())}, survivor handled {len(survivor_calls.calls)},"
        f" lost 0, doubled 0, seconds to recover {recovered:.1f}"
    )


def test_a_rebalance_longer_than_a_poll_still_ends_with_the_new_partitions_read(
    infra: Infrastructure, db: Database[dict[str, Any]], producer: KafkaProducer
) -> None:
    """The topic grows while the consumer runs, so the group leader rejoins, in polls of 1 ms that every
    JoinGroup/SyncGroup round outlives, then in polls of 200 ms. Before, a round cut short by a poll was never
    taken up again: the consumer stayed "rebalancing" and never read the new partition (seen under load with
    the runner's 500 ms poll and a slow SyncGroup)."""
    topic = f"test-{uuid.uuid4().hex[:10]}"
    ensure_topics(infra.kafka_bootstrap, [topic], partitions=1)
    handler = CounterHandler(db["counters"])
    runner = ConsumerRunner(
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=f"{topic}-growing",
        catalog=counter_catalog(topic),
        handlers={EVENT_TYPE: handler},
        dlq_producer=producer,
        stop=StopSignal(install_handlers=False),
        consumer_overrides={**FAST_GROUP, "metadata_max_age_ms": 300},
    )
    try:
        wait_until(lambda: runner.poll_once(timeout_ms=200) >= 0 and len(runner.assignment()) == 1, "first partition")
        admin = KafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap)
        try:
            admin.create_partitions({topic: NewPartitions(total_count=2)})
        finally:
            admin.close()
        event = counter_event("c-new", 3)
        producer.send(topic, key=b"k", value=event.to_json(), partition=1).get(timeout=30)
        short_polls_until = time.monotonic() + 3  # the new partition is seen and the rejoin starts in here
        while time.monotonic() < short_polls_until:
            runner.poll_once(timeout_ms=1)
        wait_until(
            lambda: runner.poll_once(timeout_ms=200) >= 0 and handler.calls == [event.event_id],
            "the event on the new partition is read",
        )
    finally:
        runner.close()

    assert _totals(db["counters"]) == {"c-new": 3}


def test_commits_kafka_refuses_for_a_while_stop_neither_the_consumer_nor_a_rebalance(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producer: KafkaProducer, consumers: Any
) -> None:
    """Kafka does not take the commits for a while (its coordinator moving or away): the consumer keeps its
    offsets for later and reads on, and a second replica joining meanwhile takes partitions whose offsets were
    never committed. Before, the failed commit ended the consumer, and a rebalance in that state failed too:
    kafka-python 3 calls the rebalance listener on its IO thread, where the listener's blocking commit fails."""
    counters = db["counters"]
    group = f"{topic}-commits-refused"
    first = consumers(topic, group, CounterHandler(counters))
    wait_until(lambda: len(first.runner.assignment()) == 3, "the first replica holds every partition")
    commit = first.runner._consumer.commit
    refusing = threading.Event()
    refusing.set()

    def refused_while_told(offsets: Any = None, timeout_ms: Any = None) -> None:
        if refusing.is_set():
            raise KafkaTimeoutError("the group coordinator did not answer in time")
        commit(offsets, timeout_ms)

    first.runner._consumer.commit = refused_while_told
    for event in [counter_event(f"c-{i % 3}", 1) for i in range(6)]:
        producer.send(topic, key=event.aggregate_id, value=event.to_json())
    producer.flush(timeout=30)
    wait_until(lambda: sum(_totals(counters).values()) == 6, "the first replica applies the events")
    assert not first.finished(), f"the consumer stopped on a refused commit: {first.error!r}"

    second = consumers(topic, group, CounterHandler(counters))
    wait_until(lambda: 0 < len(second.runner.assignment()) < 3, "the replicas share the partitions")
    refusing.clear()
    for event in [counter_event(f"c-{i % 3}", 10) for i in range(9)]:
        producer.send(topic, key=event.aggregate_id, value=event.to_json())
    producer.flush(timeout=30)
    wait_until(lambda: sum(_totals(counters).values()) == 96, "both replicas apply the later events")
    wait_until(lambda: _all_committed(infra.kafka_bootstrap, group, topic), "every offset committed at last")
    assert not first.finished(), f"the consumer stopped during the rebalance: {first.error!r}"
    first.shutdown()
    second.shutdown()
    assert _totals(counters) == {"c-0": 32, "c-1": 32, "c-2": 32}, "nothing lost, nothing applied twice"
