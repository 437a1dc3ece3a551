"""The outbox relay finds pending documents through the writers' hints, against a real Kafka and FerretDB.

On FerretDB the query for pending documents reads every document of the collection, on every pass, even
when nothing is pending. Writers now upsert a small hint before appending to an outbox, and the relay reads
the hints and each hinted document by ``_id``; the full query is a safety net run at start-up and then
every ``full_scan_seconds``. These tests set that interval far away (or short) to tell the two paths apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from kafka import KafkaProducer
from pymongo import MongoClient, monitoring
from pymongo.collection import Collection
from pymongo.database import Database

from shared.events.envelope import Envelope
from shared.kafka import make_producer
from shared.localinfra import Infrastructure
from shared.outbox import OutboxEntry, OutboxRelay, outbox_for_insert, outbox_for_update
from shared.outbox.hints import HINTS_COLLECTION, hint_id, write_hint
from shared.outbox.store import AggregateStore
from tests.integration.counters import counter_event, read_topic
from tests.polling import wait_until

pytestmark = pytest.mark.integration

FAR = 3600.0
"""A full scan interval no test reaches: only the start-up scan runs."""


class _Scans(monitoring.CommandListener):
    """Counts the relay's full queries for pending documents (a read of the whole collection on FerretDB)."""

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find" and "outbox.seq" in event.command.get("filter", {}):
            self.count += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def watched(infra: Infrastructure, db: Database[dict[str, Any]]) -> Iterator[tuple[Collection[dict[str, Any]], _Scans]]:
    """The test's counters collection through a client that counts the full scans."""
    scans = _Scans()
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, event_listeners=[scans], tz_aware=True)
    try:
        yield client[db.name]["counters"], scans
    finally:
        client.close()


@pytest.fixture
def producer(infra: Infrastructure) -> Iterator[KafkaProducer]:
    made = make_producer(infra.kafka_bootstrap, "relay-hints")
    yield made
    made.close(timeout=10)


def _ids(bootstrap: str, topic: str) -> dict[str, list[str]]:
    by_key: dict[str, list[str]] = {}
    for record in read_topic(bootstrap, topic):
        by_key.setdefault(record.key.decode(), []).append(Envelope.from_json(record.value).event_id)
    return by_key


def _hints(counters: Collection[dict[str, Any]]) -> dict[str, int]:
    return {h["_id"]: h["n"] for h in counters.database[HINTS_COLLECTION].find()}


def _pending(counters: Collection[dict[str, Any]], counter_id: str) -> bool:
    doc = counters.find_one({"_id": counter_id}, {"outbox": 1})
    return bool(doc and doc["outbox"])


def test_events_written_through_the_store_go_out_through_their_hints_without_another_full_scan(
    infra: Infrastructure,
    topic: str,
    watched: tuple[Collection[dict[str, Any]], _Scans],
    producer: KafkaProducer,
) -> None:
    """A writer's hint brings its events out within a round, with the full scan an hour away; an event
    appended (hint re-upserted) while the relay publishes keeps its hint and goes out in the next round."""
    counters, scans = watched
    store = AggregateStore(counters)
    written: dict[str, list[Envelope]] = {"agg-a": [counter_event("agg-a", 1)], "agg-b": [counter_event("agg-b", 2)]}

    class WriterDuringPublish(OutboxRelay):
        def publish(self, pending: list[Any]) -> None:
            super().publish(pending)
            if len(written["agg-a"]) == 1:  # a writer appends while the relay's round is under way
                written["agg-a"].append(counter_event("agg-a", 3))
                store.update("agg-a", 1, {"total": 4}, [OutboxEntry(topic, written["agg-a"][-1])])

    relay = WriterDuringPublish([counters], producer, full_scan_seconds=FAR, hint_grace_seconds=0)
    assert relay.relay_once() == 0, "nothing is pending yet"
    assert scans.count == 1, "the start-up scan"

    for counter_id, events in written.items():
        store.insert({"_id": counter_id, "total": events[0].payload["amount"]}, [OutboxEntry(topic, events[0])])
    assert set(_hints(counters)) == {hint_id("counters", "agg-a"), hint_id("counters", "agg-b")}

    assert relay.relay_once() == 2, "both documents' events, found through their hints"
    assert _hints(counters) == {hint_id("counters", "agg-a"): 2}, "the hint written during the round is kept"
    assert _pending(counters, "agg-a")
    assert relay.relay_once() == 1, "the event appended during the round goes out next"
    assert relay.relay_once() == 0
    assert _hints(counters) == {}, "every hint deleted once its document had nothing left"
    assert not _pending(counters, "agg-a") and not _pending(counters, "agg-b")
    assert scans.count == 1, "no full scan after the start-up one"
    assert _ids(infra.kafka_bootstrap, topic) == {k: [e.event_id for e in v] for k, v in written.items()}


def test_a_hint_written_before_its_document_is_kept_until_the_document_is_there(
    infra: Infrastructure,
    topic: str,
    watched: tuple[Collection[dict[str, Any]], _Scans],
    producer: KafkaProducer,
) -> None:
    """A writer writes its hint, the relay looks (no document yet), then the writer writes the document: the
    hint, too fresh to delete, brings the event out; the full scan is an hour away."""
    counters, scans = watched
    relay = OutboxRelay([counters], producer, full_scan_seconds=FAR, hint_grace_seconds=1.0)
    write_hint(counters, "agg-slow")
    assert relay.relay_once() == 0, "the relay looked before the writer wrote its document"
    assert set(_hints(counters)) == {hint_id("counters", "agg-slow")}, "a fresh hint is kept"

    event = counter_event("agg-slow", 1)
    counters.insert_one({"_id": "agg-slow", "version": 1, **outbox_for_insert([OutboxEntry(topic, event)])})
    wait_until(lambda: relay.relay_once() == 1, "the event goes out through the hint written before it", 10)
    wait_until(lambda: relay.relay_once() == 0 and not _hints(counters), "the hint deleted after the grace", 10)
    assert scans.count == 1, "found through its hint, not by a full scan"
    assert _ids(infra.kafka_bootstrap, topic) == {"agg-slow": [event.event_id]}


def test_a_document_written_just_after_the_relay_read_it_through_its_fresh_hint_goes_out_at_the_next_look(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], producer: KafkaProducer
) -> None:
    """The usual race, not a slow writer: the relay reads a hint the writer has just written and the document
    before the writer's write lands. The event goes out at the relay's next look, not once the grace is over."""
    counters = db["counters"]
    relay = OutboxRelay([counters], producer, full_scan_seconds=FAR, hint_grace_seconds=FAR)
    counters.insert_one({"_id": "agg-race", "version": 1, **outbox_for_insert([])})
    write_hint(counters, "agg-race")
    assert relay.relay_once() == 0, "the relay read the document before the writer's append"
    event = counter_event("agg-race", 1)
    counters.update_one({"_id": "agg-race"}, outbox_for_update(0, [OutboxEntry(topic, event)]))
    assert relay.relay_once() == 1, "the next look reads it again"
    assert _ids(infra.kafka_bootstrap, topic) == {"agg-race": [event.event_id]}


def test_an_event_whose_hint_was_lost_or_never_written_goes_out_with_the_safety_net_scan(
    infra: Infrastructure,
    topic: str,
    watched: tuple[Collection[dict[str, Any]], _Scans],
    producer: KafkaProducer,
) -> None:
    """Hints written by the store (so the relay no longer scans on every pass), one hint deleted behind the
    relay's back and one document written with no hint at all: both go out with the next full scan."""
    counters, scans = watched
    store = AggregateStore(counters)
    hinted, lost, unhinted = (counter_event(name, 1) for name in ("agg-hinted", "agg-lost", "agg-unhinted"))
    relay = OutboxRelay([counters], producer, full_scan_seconds=1.0, hint_grace_seconds=0)
    assert relay.relay_once() == 0
    store.insert({"_id": "agg-hinted"}, [OutboxEntry(topic, hinted)])
    assert relay.relay_once() == 1, "through its hint"
    scans_before = scans.count

    store.insert({"_id": "agg-lost"}, [OutboxEntry(topic, lost)])
    counters.database[HINTS_COLLECTION].delete_one({"_id": hint_id("counters", "agg-lost")})
    counters.insert_one({"_id": "agg-unhinted", "version": 1, **outbox_for_insert([OutboxEntry(topic, unhinted)])})
    looks: list[int] = []
    wait_until(lambda: looks.append(relay.relay_once()) or sum(looks) == 2, "the safety net to find both", 15)
    assert len(looks) > 1 and scans.count - scans_before <= 2, "a full scan per interval, not one per look"
    assert _ids(infra.kafka_bootstrap, topic) == {
        name: [event.event_id]
        for name, event in (("agg-hinted", hinted), ("agg-lost", lost), ("agg-unhinted", unhinted))
    }
    assert not any(_pending(counters, name) for name in ("agg-hinted", "agg-lost", "agg-unhinted"))
