"""``dlq-replay`` against a real Kafka: dead letters go back to their topic after a fix, and are applied once."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from kafka import KafkaProducer
from pymongo.database import Database

from shared.consumer import ConsumerRunner, apply_once
from shared.dlq import main as dlq_replay
from shared.events.envelope import Envelope
from shared.kafka import dlq_topic, make_producer
from shared.localinfra import Infrastructure
from shared.runtime import StopSignal
from tests.integration.counters import EVENT_TYPE, counter_catalog, counter_event, read_topic
from tests.polling import wait_until

pytestmark = pytest.mark.integration


class Counter:
    """The service's handler; ``broken`` stands for the bug that sent an event to the DLQ."""

    def __init__(self, db: Database[dict[str, Any]]) -> None:
        self._counters = db["counters"]
        self.broken = True
        self.applied: list[str] = []

    def __call__(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        if self.broken:
            raise ValueError("amount cannot be applied (a bug, fixed in the next release)")
        if apply_once(self._counters, payload["counter_id"], envelope.event_id, {"$inc": {"total": payload["amount"]}}):
            self.applied.append(envelope.event_id)

    def total(self, counter_id: str) -> int:
        document = self._counters.find_one({"_id": counter_id})
        return document["total"] if document else 0


def consume(infra: Infrastructure, topic: str, group: str, handler: Counter, dlq: KafkaProducer, until: Any) -> None:
    runner = ConsumerRunner(
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=group,
        catalog=counter_catalog(topic),
        handlers={EVENT_TYPE: handler},
        dlq_producer=dlq,
        stop=StopSignal(install_handlers=False),
    )
    try:
        wait_until(lambda: runner.poll_once() >= 0 and until(), "the consumer to get there")
    finally:
        runner.close()


def replay(infra: Infrastructure, monkeypatch: pytest.MonkeyPatch, capsys: Any, *args: str) -> list[str]:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap)
    dlq_replay(list(args))
    return capsys.readouterr().out.splitlines()


def test_dead_letters_replayed_after_a_fix_are_applied_once(
    infra: Infrastructure,
    topic: str,
    db: Database[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    producer = make_producer(infra.kafka_bootstrap, "test-dlq")
    event = counter_event("c-1", 5)
    garbage = b"not an event at all"
    for value in (event.to_json(), garbage):
        producer.send(topic, key="c-1", value=value)
    producer.flush(timeout=30)
    handler = Counter(db)
    group = f"{topic}-service"
    dead = dlq_topic(topic)
    consume(infra, topic, group, handler, producer, lambda: len(read_topic(infra.kafka_bootstrap, dead)) == 2)
    replays = f"replay-{uuid.uuid4().hex[:6]}"

    listed = replay(infra, monkeypatch, capsys, "--topic", dead, "--dry-run", "--group", replays)
    assert len(listed) == 3
    assert f"-> {topic}" in listed[0]
    assert any(f"{EVENT_TYPE} {event.event_id}" in line and "a bug, fixed" in line for line in listed)
    assert any("not an event (19 bytes)" in line and "not JSON" in line for line in listed)
    assert listed[-1].startswith("dry run: 2 dead letter(s) would be replayed")
    assert len(read_topic(infra.kafka_bootstrap, topic)) == 2, "a dry run sends nothing"
    again = replay(infra, monkeypatch, capsys, "--topic", dead, "--dry-run", "--group", replays)
    assert again[-1].startswith("dry run: 2"), "a dry run leaves the position where it was"

    handler.broken = False  # the fix is deployed
    assert replay(infra, monkeypatch, capsys, "--topic", dead, "--group", replays)[-1] == (
        f"replayed 2 dead letter(s) from {dead}"
    )
    replayed = read_topic(infra.kafka_bootstrap, topic)[2:]
    assert sorted(r.value for r in replayed) == sorted([event.to_json(), garbage])
    assert all(dict(r.headers)["dlq.replayed.from"].decode().startswith(f"{dead}/") for r in replayed)
    assert replay(infra, monkeypatch, capsys, "--topic", dead, "--group", replays)[-1] == (
        f"replayed 0 dead letter(s) from {dead}"
    ), "what was replayed is not replayed again"

    consume(infra, topic, group, handler, producer, lambda: len(read_topic(infra.kafka_bootstrap, dead)) == 3)
    assert handler.applied == [event.event_id]
    assert handler.total("c-1") == 5
    producer.close(timeout=10)


def test_the_command_refuses_a_topic_that_is_not_a_dead_letter_topic(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        dlq_replay(["--topic", "registry.enterprise.v1", "--dry-run"])
    assert exit_info.value.code == 2
    assert "must be a dead-letter topic" in capsys.readouterr().err
