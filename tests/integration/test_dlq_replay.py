"""``dlq-replay`` against a real Kafka: dead letters go back to their topic after a fix, and are applied once."""

from __future__ import annotations

from typing import Any

import pytest
from kafka import KafkaAdminClient, KafkaProducer
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

    def __init__(self, db: Database[dict[str, Any]], collection: str = "counters") -> None:
        self._counters = db[collection]
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


def consume(
    infra: Infrastructure,
    topic: str,
    group: str,
    handler: Any,
    dlq: KafkaProducer,
    until: Any,
    **options: Any,
) -> None:
    runner = ConsumerRunner(
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=group,
        catalog=counter_catalog(topic),
        handlers={EVENT_TYPE: handler},
        dlq_producer=dlq,
        stop=StopSignal(install_handlers=False),
        **options,
    )
    try:
        wait_until(lambda: runner.poll_once() >= 0 and until(), "the consumer to get there")
    finally:
        runner.close()


def replay(infra: Infrastructure, monkeypatch: pytest.MonkeyPatch, capsys: Any, *args: str) -> list[str]:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap)
    dlq_replay(list(args))
    return capsys.readouterr().out.splitlines()


def headers_of(record: Any) -> dict[str, str]:
    return {name: value.decode() for name, value in record.headers or []}


def test_dead_letters_replayed_after_a_fix_are_applied_once_and_poison_comes_back_once(
    infra: Infrastructure,
    topic: str,
    db: Database[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    producer = make_producer(infra.kafka_bootstrap, "test-dlq")
    event = counter_event("c-1", 5)
    garbage = b"not an event at all"
    producer.send(topic, key="c-1", value=event.to_json(), headers=[("traceparent", b"00-abc-01")])
    producer.send(topic, key="c-1", value=garbage)
    producer.send(topic, key="c-1", value=None)  # a tombstone
    producer.flush(timeout=30)
    handler = Counter(db)
    group = f"{topic}-service"
    dead = dlq_topic(topic)
    consume(infra, topic, group, handler, producer, lambda: len(read_topic(infra.kafka_bootstrap, dead)) == 3)

    letters = read_topic(infra.kafka_bootstrap, dead)
    first = headers_of(letters[0])
    assert first["dlq.group"] == group
    assert first["dlq.exception"] == "builtins.ValueError"
    assert first["traceparent"] == "00-abc-01", "the original headers travel with the dead letter"
    assert first["dlq.origin.topic"] == topic
    assert letters[2].value is None, "a tombstone stays a tombstone in the DLQ"

    listed = replay(infra, monkeypatch, capsys, "--topic", dead, "--group", group, "--dry-run")
    assert len(listed) == 4
    assert f"-> {topic}" in listed[0]
    assert any(f"{EVENT_TYPE} {event.event_id}" in line and "a bug, fixed" in line for line in listed)
    assert any("not an event (19 bytes)" in line and "not JSON" in line for line in listed)
    assert "skipped: a tombstone" in listed[2]
    assert listed[-1].startswith(f"dry run: 2 dead letter(s) of group {group} would be replayed (1 skipped)")
    assert len(read_topic(infra.kafka_bootstrap, topic)) == 3, "a dry run sends nothing"
    again = replay(infra, monkeypatch, capsys, "--topic", dead, "--group", group, "--dry-run")
    assert again[-1].startswith("dry run: 2"), "a dry run leaves the position where it was"

    handler.broken = False  # the fix is deployed
    assert replay(infra, monkeypatch, capsys, "--topic", dead, "--group", group)[-1] == (
        f"replayed 2 dead letter(s) of group {group} from {dead} (1 skipped)"
    )
    replayed = read_topic(infra.kafka_bootstrap, topic)[3:]
    assert sorted(r.value for r in replayed) == sorted([event.to_json(), garbage]), "no empty value replayed"
    for record in replayed:
        marks = headers_of(record)
        assert marks["x-replayed"] == "1"
        assert marks["x-replay-group"] == group
        assert marks["dlq.replayed.from"].startswith(f"{dead}/")
        assert not any(name.startswith("dlq.origin") for name in marks)
    assert replay(infra, monkeypatch, capsys, "--topic", dead, "--group", group)[-1] == (
        f"replayed 0 dead letter(s) of group {group} from {dead} (0 skipped)"
    ), "what was replayed is not replayed again"

    # The garbage fails again: it goes back to the DLQ once, marked, and never trips the flood guard
    # (a window of one: any counted poison would stop the consumer).
    consume(
        infra,
        topic,
        group,
        handler,
        producer,
        lambda: len(read_topic(infra.kafka_bootstrap, dead)) == 4 and handler.applied,
        poison_window=1,
        max_poison_ratio=0.5,
    )
    assert handler.applied == [event.event_id]
    assert handler.total("c-1") == 5
    back = read_topic(infra.kafka_bootstrap, dead)[3]
    assert back.value == garbage
    assert headers_of(back)["x-replayed"] == "1"

    listed = replay(infra, monkeypatch, capsys, "--topic", dead, "--group", group)
    assert "failed again after 1 replay(s)" in listed[0]
    assert listed[-1] == f"replayed 0 dead letter(s) of group {group} from {dead} (1 skipped)", (
        "a dead letter that failed again after a replay is not replayed again unless forced"
    )
    forced = replay(infra, monkeypatch, capsys, "--topic", dead, "--group", group, "--force", "--dry-run")
    assert forced[-1].startswith(f"dry run: 3 dead letter(s) of group {group} would be replayed (1 skipped)")
    producer.close(timeout=10)


def test_a_replay_for_one_group_is_not_read_by_another(
    infra: Infrastructure,
    topic: str,
    db: Database[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    producer = make_producer(infra.kafka_bootstrap, "test-dlq")
    event = counter_event("c-1", 2)
    producer.send(topic, key="c-1", value=event.to_json())
    producer.flush(timeout=30)
    dead = dlq_topic(topic)
    broken, healthy = Counter(db, "counters_a"), Counter(db, "counters_b")
    healthy.broken = False
    consume(infra, topic, f"{topic}-a", broken, producer, lambda: len(read_topic(infra.kafka_bootstrap, dead)) == 1)
    consume(infra, topic, f"{topic}-b", healthy, producer, lambda: healthy.applied == [event.event_id])

    assert replay(infra, monkeypatch, capsys, "--topic", dead, "--group", f"{topic}-b")[-1].endswith("(1 skipped)")
    assert replay(infra, monkeypatch, capsys, "--topic", dead, "--group", f"{topic}-a")[-1].startswith("replayed 1")
    broken.broken = False
    consume(infra, topic, f"{topic}-a", broken, producer, lambda: broken.applied == [event.event_id])
    seen: list[str] = []
    consume(
        infra,
        topic,
        f"{topic}-b",
        lambda envelope, payload: seen.append(envelope.event_id),
        producer,
        lambda: not _lagging(infra, f"{topic}-b", topic),
    )
    assert seen == [], "group b read a replay meant for group a"
    assert len(read_topic(infra.kafka_bootstrap, dead)) == 1
    producer.close(timeout=10)


def _lagging(infra: Infrastructure, group: str, topic: str) -> bool:
    admin = KafkaAdminClient(bootstrap_servers=infra.kafka_bootstrap, client_id="test-offsets")
    try:
        committed = {tp.partition: m.offset for tp, m in admin.list_group_offsets(group).get(group, {}).items()}
    finally:
        admin.close()
    ends = {r.partition: r.offset + 1 for r in read_topic(infra.kafka_bootstrap, topic)}
    return any(committed.get(p, 0) < end for p, end in ends.items())


def test_the_command_refuses_a_topic_that_is_not_a_dead_letter_topic(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        dlq_replay(["--topic", "registry.enterprise.v1", "--group", "marketplace", "--dry-run"])
    assert exit_info.value.code == 2
    assert "must be a dead-letter topic" in capsys.readouterr().err
