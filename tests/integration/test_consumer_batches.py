"""Batches of a poll's records, against a real Kafka and FerretDB: applied in bulk, yet each effect once.

``apply_many`` writes a batch's effects with bulk writes under the same guard as ``apply_once`` (``fold`` and
``write_folded``: one write per document, conditional on what it held when read); the runner
hands a batch handler a partition's consecutive records and falls back to the per-record call when a
batch fails. Every test uses its own topic, consumer groups and database.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from kafka import KafkaProducer
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import AutoReconnect

from shared.consumer import ConsumerRunner, apply_once
from shared.consumer.idempotency import DocumentMoved, Effect, Held, apply_many, fold, write_folded
from shared.events.envelope import Envelope
from shared.kafka import REPLAY_GROUP_HEADER, dlq_topic, make_producer
from shared.localinfra import Infrastructure
from shared.mongo import WRITES_PER_COMMAND
from shared.runtime import StopSignal
from tests.integration.counters import EVENT_TYPE, counter_catalog, counter_event, read_topic
from tests.polling import DEADLINE_S

pytestmark = pytest.mark.integration

FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000}


@pytest.fixture
def producer(infra: Infrastructure) -> Iterator[KafkaProducer]:
    p = make_producer(infra.kafka_bootstrap, "test-batches")
    try:
        yield p
    finally:
        p.close(timeout=10)


def _inc(event: Envelope) -> Effect:
    return Effect(event.payload["counter_id"], event.event_id, {"$inc": {"total": event.payload["amount"]}})


def _totals(counters: Collection[dict[str, Any]]) -> dict[str, int]:
    return {doc["_id"]: doc["total"] for doc in counters.find()}


class CounterBatches:
    """Adds each event's amount to its counter, in bulk for a batch; records every batch and every single call."""

    def __init__(self, counters: Collection[dict[str, Any]]) -> None:
        self.counters = counters
        self.batches: list[list[str]] = []
        self.singles: list[str] = []
        self.applied: list[bool] = []

    def __call__(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        self.singles.append(envelope.event_id)
        self.applied.append(apply_once(self.counters, payload["counter_id"], envelope.event_id, _inc(envelope).update))

    def apply_batch(self, events: Sequence[tuple[Envelope, dict[str, Any]]]) -> None:
        self.batches.append([envelope.event_id for envelope, _ in events])
        self.applied.extend(apply_many(self.counters, [_inc(envelope) for envelope, _ in events]))


def _runner(infra: Infrastructure, topic: str, group: str, handler: Any, producer: KafkaProducer) -> ConsumerRunner:
    return ConsumerRunner(
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=group,
        catalog=counter_catalog(topic),
        handlers={EVENT_TYPE: handler},
        dlq_producer=producer,
        stop=StopSignal(install_handlers=False),
        consumer_overrides=FAST_GROUP,
    )


def _poll_until(runner: ConsumerRunner, condition: Any, what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        runner.poll_once(timeout_ms=200)


def _produce(producer: KafkaProducer, topic: str, values: list[bytes]) -> None:
    for value in values:
        producer.send(topic, key=b"one-partition", value=value)  # one partition, in this order
    producer.flush(timeout=30)


def test_apply_many_applies_each_effect_once_in_order_whatever_the_batch_holds(db: Database[dict[str, Any]]) -> None:
    """Duplicates, an older version after a newer one, a document already newer: refused; the rest applied."""
    counters = db["counters"]
    events = [counter_event(f"c-{i % 7}", i + 1) for i in range(WRITES_PER_COMMAND * 2 + 5)]  # three bulk writes
    first = apply_many(counters, [_inc(e) for e in events[:10]])
    again = apply_many(counters, [_inc(e) for e in [*events[5:15], events[12], *events[15:]]])
    expected = {f"c-{k}": sum(i + 1 for i in range(len(events)) if i % 7 == k) for k in range(7)}

    assert first == [True] * 10
    assert again == [False] * 5 + [True] * 5 + [False] + [True] * (len(events) - 15), (
        "the five applied before and the repeated id refused, the rest applied after them"
    )
    assert _totals(counters) == expected

    sellers = db["sellers"]
    sellers.insert_one({"_id": "held", "name": "Ново име", "aggregate_version": 9, "applied_event_ids": ["e-9"]})

    def renamed(doc_id: str, name: str, version: int) -> Effect:
        return Effect(doc_id, f"{doc_id}-{version}", {"$set": {"name": name}}, version)

    applied = apply_many(
        sellers,
        [
            renamed("a", "Първо", 1),
            renamed("a", "Трето", 3),
            renamed("a", "Второ", 2),  # older, after a newer one for the same key in the same batch
            renamed("held", "Старо име", 4),  # older than the version held
            renamed("b", "Бе", 1),
            renamed("a", "Трето", 3),  # the same event again
        ],
    )

    # Refused ones are never reported applied. (FerretDB names the first update of a failed bulk write as the
    # one that failed, so the two applied before the refusal are taken again one by one and found applied.)
    assert applied[2:] == [False, False, True, False]
    assert {d["_id"]: (d["name"], d["aggregate_version"]) for d in sellers.find()} == {
        "a": ("Трето", 3),
        "b": ("Бе", 1),
        "held": ("Ново име", 9),
    }


def test_a_batch_with_a_poison_record_and_a_duplicate_applies_the_rest_once(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producer: KafkaProducer
) -> None:
    good = [counter_event(f"c-{i % 3}", 10**i) for i in range(6)]
    poison = counter_event("c-1", "lots").to_json()  # a valid envelope, an invalid payload
    values = [*(e.to_json() for e in good[:3]), poison, good[1].to_json(), *(e.to_json() for e in good[3:])]
    _produce(producer, topic, values)
    handler = CounterBatches(db["counters"])
    runner = _runner(infra, topic, f"{topic}-batches", handler, producer)
    try:
        _poll_until(runner, lambda: len(handler.applied) == len(good) + 1, "every valid record is handled")
    finally:
        runner.close()

    assert handler.singles == [], "no record took the per-record path"
    assert [len(b) for b in handler.batches] == [3, 4], "the poison record ends a batch, the rest form the next"
    assert handler.applied.count(False) == 1, "the duplicate is refused"
    assert _totals(db["counters"]) == {
        "c-0": 1 + 1000,
        "c-1": 10 + 10_000,
        "c-2": 100 + 100_000,
    }
    assert [r.value for r in read_topic(infra.kafka_bootstrap, dlq_topic(topic))] == [poison]


class FailsOnce(CounterBatches):
    """The database goes away in the middle of the first batch, and again at the first record taken alone."""

    def __init__(self, counters: Collection[dict[str, Any]], applied_before_failing: int) -> None:
        super().__init__(counters)
        self._before_failing = applied_before_failing
        self.failures = 0

    def apply_batch(self, events: Sequence[tuple[Envelope, dict[str, Any]]]) -> None:
        if self.failures == 0:
            self.failures += 1
            apply_many(self.counters, [_inc(envelope) for envelope, _ in events[: self._before_failing]])
            raise AutoReconnect("connection reset in the middle of the bulk write")
        super().apply_batch(events)

    def __call__(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        if self.failures == 1 and len(self.singles) == self._before_failing:
            self.failures += 1
            raise AutoReconnect("the database is still away")
        super().__call__(envelope, payload)


def test_a_database_failure_in_the_middle_of_a_batch_loses_and_doubles_nothing(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producer: KafkaProducer
) -> None:
    events = [counter_event("c-1", 2**i) for i in range(10)]
    _produce(producer, topic, [e.to_json() for e in events])
    handler = FailsOnce(db["counters"], applied_before_failing=4)
    group = f"{topic}-outage"
    runner = _runner(infra, topic, group, handler, producer)
    try:
        _poll_until(runner, lambda: _totals(db["counters"]).get("c-1") == 2**10 - 1, "every event is applied")
        _poll_until(runner, lambda: not runner._pending_offsets and handler.failures == 2, "the offsets are committed")
    finally:
        runner.close()

    assert _totals(db["counters"]) == {"c-1": 2**10 - 1}, "each amount added exactly once"
    assert handler.singles[:4] == [e.event_id for e in events[:4]], "the batch's applied records taken alone"
    assert handler.applied[:4] == [False] * 4, "what the failed batch had written is not written again"
    assert sum(handler.applied) == 6, "the six the batch had not written are applied once"
    assert read_topic(infra.kafka_bootstrap, dlq_topic(topic)) == [], "a transient failure was dead-lettered"


class Crash(BaseException):
    """The process dies: nothing after it runs, not even the commit."""


def test_a_crash_between_the_bulk_write_and_the_commit_doubles_nothing_on_redelivery(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producer: KafkaProducer
) -> None:
    events = [counter_event(f"c-{i % 2}", 3**i) for i in range(8)]
    _produce(producer, topic, [e.to_json() for e in events])
    counters = db["counters"]
    group = f"{topic}-crash"

    class DiesAfterWriting(CounterBatches):
        def apply_batch(self, events: Sequence[tuple[Envelope, dict[str, Any]]]) -> None:
            super().apply_batch(events)
            raise Crash()

    dying = DiesAfterWriting(counters)
    runner = _runner(infra, topic, group, dying, producer)
    with pytest.raises(Crash):
        _poll_until(runner, lambda: False, "the crash")
    runner._consumer.close(autocommit=False)  # the process is gone: no commit on the way out
    expected = {f"c-{k}": sum(3**i for i in range(8) if i % 2 == k) for k in range(2)}
    assert _totals(counters) == expected

    again = CounterBatches(counters)
    runner = _runner(infra, topic, group, again, producer)
    try:
        _poll_until(runner, lambda: len(again.applied) == len(events), "the redelivered records are handled")
    finally:
        runner.close()

    assert sorted(e for batch in again.batches for e in batch) == sorted(e.event_id for e in events)
    assert again.applied == [False] * len(events), "every redelivered record is refused as a duplicate"
    assert _totals(counters) == expected


def test_a_record_replayed_for_another_group_is_skipped_between_two_batches(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producer: KafkaProducer
) -> None:
    events = [counter_event("c-1", i) for i in range(1, 6)]
    other = counter_event("c-1", 1000)
    for index, event in enumerate(events):
        producer.send(topic, key=b"one-partition", value=event.to_json())
        if index == 2:
            producer.send(
                topic, key=b"one-partition", value=other.to_json(), headers=[(REPLAY_GROUP_HEADER, b"someone-else")]
            )
    producer.flush(timeout=30)
    handler = CounterBatches(db["counters"])
    runner = _runner(infra, topic, f"{topic}-mixed", handler, producer)
    try:
        _poll_until(runner, lambda: len(handler.applied) == len(events), "every event is handled")
    finally:
        runner.close()

    assert _totals(db["counters"]) == {"c-1": 15}
    assert [len(b) for b in handler.batches] == [3, 2]


def test_folded_writes_end_as_one_by_one_and_miss_documents_written_since_they_were_read(
    db: Database[dict[str, Any]],
) -> None:
    """Each document's effects folded into one write end as ``apply_once`` one by one ends; a document written
    since it was read (an update, or an insert where none was read) is left as the other writer left it."""
    folded_into, one_by_one = db["folded"], db["one_by_one"]

    def renamed(doc_id: str, version: int, name: str) -> Effect:
        return Effect(doc_id, f"{doc_id}-{version}-{name}", {"$set": {"name": name, "v": version}}, version)

    held = {"aggregate_version": 3, "applied_event_ids": ["kept-3-Трето"], "name": "Трето", "v": 3}
    for collection in (folded_into, one_by_one):
        collection.insert_many([{**held, "_id": "kept"}, {**held, "_id": "moved"}])
    batches = {
        "new": [renamed("new", 1, "Първо"), renamed("new", 2, "Второ"), renamed("new", 1, "Първо")],
        "kept": [renamed("kept", 2, "Старо"), renamed("kept", 4, "Четвърто"), renamed("kept", 4, "Четвърто"),
                 renamed("kept", 5, "Пето"), renamed("kept", 5, "Пак пето")],
        "moved": [renamed("moved", 4, "Четвърто")],
        "raced": [renamed("raced", 1, "Първо")],
    }  # fmt: skip
    folds = [
        fold(doc_id, Held.of(folded_into.find_one({"_id": doc_id})), effects) for doc_id, effects in batches.items()
    ]
    # Another writer takes "moved" on and creates "raced" after they were read.
    apply_once(folded_into, "moved", "other-4", {"$set": {"name": "Другаде", "v": 4}}, aggregate_version=4)
    apply_once(folded_into, "raced", "other-1", {"$set": {"name": "Другаде", "v": 1}}, aggregate_version=1)

    with pytest.raises(DocumentMoved):
        write_folded(folded_into, folds)

    one_by_one_applied = {doc_id: [apply_once(one_by_one, e.doc_id, e.event_id, e.update,
                                              aggregate_version=e.aggregate_version) for e in effects]
                          for doc_id, effects in batches.items() if doc_id in ("new", "kept")}  # fmt: skip
    assert {f.doc_id: list(f.applied) for f in folds[:2]} == one_by_one_applied
    assert one_by_one_applied["kept"] == [False, True, False, True, True], "older and repeated events refused"
    for doc_id in ("new", "kept"):
        assert folded_into.find_one({"_id": doc_id}) == one_by_one.find_one({"_id": doc_id})
    assert folded_into.find_one({"_id": "moved"}, {"_id": 0, "name": 1, "applied_event_ids": 1}) == {
        "name": "Другаде",
        "applied_event_ids": ["other-4"],
    }, "the document written meanwhile is not overwritten"
    assert folded_into.find_one({"_id": "raced"}, {"_id": 0, "name": 1}) == {"name": "Другаде"}
