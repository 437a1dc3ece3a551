"""Poison in every consumed topic, and a dead letter replayed after newer events, with the real processes.

The registry (web, relay) and the three consumers (marketplace, training, notifications) run as
processes, each consumer in a fresh group. One poison record (not an event) goes into every topic some
consumer reads, then a stream of registry approvals, changes and deletions follows:

- each consumer dead-letters the poison of each of its topics with its metadata (its group, the
  exception's class, the original headers), keeps running (the flood guard does not stop it), and
  applies the rest of the stream: read models at the registry's newest version, every e-mail intent;
- then an operator replays (``dlq-replay --topic registry.enterprise.v1.dlq --group <group>``, the
  installed command) an ``EnterpriseRegistered`` of a deleted enterprise that had been dead-lettered:
  no read model moves backwards (rolled back = 0), the enterprise stays deleted.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaProducer
from pymongo import MongoClient

from shared.kafka import dlq_topic
from tests.e2e.services import BIN
from tests.faults.figures import record
from tests.faults.streams import (
    ENTERPRISE_TOPIC,
    MAIL_EVENTS,
    Consumer,
    RegistryStream,
    Topics,
    enterprise_events,
    processes,
    read_model_effects,
    registry_api,
)
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

ENTERPRISES = int(os.environ.get("FAULTS_EVENTS", "6"))
ORIGIN = ("x-faults-origin", b"poison-test")


@pytest.fixture(scope="module")
def registry(infra: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with registry_api(infra, tmp_path_factory.mktemp("registry")) as (url, _):
        yield url


def _headers(record_: Any) -> dict[str, str]:
    return {name: value.decode() for name, value in record_.headers or []}


def _read_model(consumer: Consumer, client: MongoClient) -> Any:
    return client[consumer.database]["sellers" if consumer.service == "marketplace" else "enterprises"]


def test_poison_in_every_consumed_topic_is_dead_lettered_and_a_replayed_dead_letter_moves_nothing_back(
    infra: Any, registry: str, tmp_path: Path
) -> None:
    client = MongoClient(infra.mongodb_uri, tz_aware=True)
    consumers = [Consumer(service, infra, tmp_path) for service in ("marketplace", "training", "notifications")]
    topics = sorted({t for c in consumers for t in c.topics})
    written = Topics.mark(infra.kafka_bootstrap, topics)
    letters = Topics.mark(infra.kafka_bootstrap, [dlq_topic(t) for t in topics])
    producer = KafkaProducer(bootstrap_servers=infra.kafka_bootstrap)
    for topic in topics:
        producer.send(topic, key=b"poison", value=b"{not an event", headers=[ORIGIN])
    producer.flush()

    with processes(*consumers):
        for consumer in consumers:
            consumer.start()
        started = time.monotonic()
        stream = RegistryStream(registry).run(ENTERPRISES)
        events = written.envelopes(stream.ids)[0]

        def dead_letters() -> list[tuple[str, str]]:
            found = []
            for letter in letters.records():
                headers = _headers(letter)
                if headers.get(ORIGIN[0]) == ORIGIN[1].decode() and headers.get("dlq.exception", "").endswith(
                    "InvalidEvent"
                ):
                    found.append((headers.get("dlq.group", ""), headers.get("dlq.origin.topic", "")))
            return found

        def flowed(consumer: Consumer) -> bool:
            if consumer.service == "notifications":
                intents = client[consumer.database]["deliveries"].count_documents({})
                return intents >= sum(e.event_type in MAIL_EVENTS for e in events.values())
            expected, found, _ = read_model_effects(_read_model(consumer, client), events)
            return expected <= set(found)

        wait_until(lambda: all(flowed(c) for c in consumers), "the stream to flow past the poison", timeout=60)
        wait_until(lambda: len(set(dead_letters())) >= sum(len(c.topics) for c in consumers), "every dead letter")
        recovered = time.monotonic() - started
        for consumer in consumers:
            wait_until(consumer.caught_up, f"the {consumer.service} consumer to commit past the poison")
            assert consumer.running, f"the flood guard stopped {consumer.service}: {consumer.log()[-2000:]}"

        for consumer in consumers:
            expected = {(consumer.group, topic) for topic in consumer.topics}
            found = [letter for letter in dead_letters() if letter[0] == consumer.group]
            rolled_back = 0
            if consumer.service != "notifications":
                model_expected, model_found, rolled_back = read_model_effects(_read_model(consumer, client), events)
                expected |= model_expected
                found += model_found
            figures = record(
                f"poison in each of {consumer.service}-consumer's {len(consumer.topics)} topics, stream after it",
                events_written=len(consumer.topics) + len(events),
                expected=expected,
                found=found,
                rolled_back=rolled_back,
                seconds_to_recover=recovered,
            )
            figures.assert_exactly_once()

        # An EnterpriseRegistered of a deleted enterprise, dead-lettered back then, replayed by an operator now.
        deleted = next(e for e in stream.enterprises if e.deleted)
        registered = next(
            r
            for r in written.records()
            if r.topic == ENTERPRISE_TOPIC and deleted.enterprise_id.encode() in r.value and b"Registered" in r.value
        )
        readers = consumers[:2]
        for consumer in readers:
            dead = [
                *(registered.headers or []),
                ("dlq.origin.topic", ENTERPRISE_TOPIC.encode()),
                ("dlq.origin.partition", str(registered.partition).encode()),
                ("dlq.origin.offset", str(registered.offset).encode()),
                ("dlq.group", consumer.group.encode()),
                ("dlq.exception", b"pymongo.errors.OperationFailure"),
                ("dlq.error", b"a bug of the time"),
            ]
            producer.send(dlq_topic(ENTERPRISE_TOPIC), key=registered.key, value=registered.value, headers=dead)
        producer.flush()
        producer.close()
        before = {c.service: read_model_effects(_read_model(c, client), events) for c in readers}
        replayed_at = time.monotonic()
        for consumer in readers:
            command = [str(BIN / "dlq-replay"), "--topic", dlq_topic(ENTERPRISE_TOPIC), "--group", consumer.group]
            done = subprocess.run(command, env=consumer.env, capture_output=True, text=True, timeout=60, check=False)
            assert done.returncode == 0, done.stdout + done.stderr
        replayed = Topics(infra.kafka_bootstrap, {tp: o for tp, o in written.since.items()})

        def replay_read() -> bool:
            again = [r for r in replayed.records() if "x-replayed" in _headers(r)]
            return len(again) >= len(readers) and all(c.caught_up() for c in readers)

        wait_until(replay_read, "the consumers to read the replayed dead letter", timeout=60)
        for consumer in readers:
            expected, found, rolled_back = read_model_effects(_read_model(consumer, client), events)
            assert (expected, sorted(found)) == (before[consumer.service][0], sorted(before[consumer.service][1]))
            doc_id = deleted.enterprise_id
            doc = _read_model(consumer, client).find_one({"_id": doc_id})
            assert doc is not None and doc["aggregate_version"] == max(
                e.aggregate_version
                for e in enterprise_events(events).values()
                if e.aggregate_id == deleted.enterprise_id
            )
            figures = record(
                f"EnterpriseRegistered dead letter replayed to {consumer.service} after EnterpriseDeleted (dlq-replay)",
                events_written=1,
                expected=expected,
                found=found,
                duplicates_suppressed=1,
                rolled_back=rolled_back,
                seconds_to_recover=time.monotonic() - replayed_at,
            )
            figures.assert_exactly_once()
