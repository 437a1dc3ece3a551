"""Kafka going away under a consumer: starting, it waits as for a missing topic; running, it polls again."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from kafka import TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaConnectionError

import shared.consumer.runner as runner_module
from shared.consumer.runner import ConsumerRunner
from shared.events.envelope import Envelope
from shared.runtime import StopSignal
from tests.integration.counters import EVENT_TYPE, counter_catalog, counter_event


class KafkaAwayAtFirst:
    """A consumer whose first metadata request finds the broker gone (``socket disconnected``), then answers."""

    def __init__(self, **config: Any) -> None:
        self.metadata_requests = 0
        self.subscribed: list[str] = []

    def partitions_for_topic(self, topic: str) -> set[int]:
        self.metadata_requests += 1
        if self.metadata_requests == 1:
            raise KafkaConnectionError("socket disconnected")
        return {0, 1, 2}

    def subscribe(self, topics: list[str], listener: Any) -> None:
        self.subscribed = topics


def test_kafka_going_away_while_a_consumer_waits_for_its_topics_only_makes_it_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[KafkaAwayAtFirst] = []

    def consumer(**config: Any) -> KafkaAwayAtFirst:
        made.append(KafkaAwayAtFirst(**config))
        return made[-1]

    monkeypatch.setattr(runner_module, "KafkaConsumer", consumer)
    monkeypatch.setattr(runner_module, "ensure_own_topics", lambda *args: None)
    monkeypatch.setattr(runner_module, "TOPIC_WAIT_SECONDS", 0.01)
    ConsumerRunner(
        bootstrap_servers="127.0.0.1:9092",
        group_id="training",
        catalog=counter_catalog("registry.enterprise.v1"),
        handlers={},
        dlq_producer=None,  # type: ignore[arg-type] - nothing is dead-lettered here
        stop=StopSignal(install_handlers=False),
    )
    assert made[0].metadata_requests == 2 and made[0].subscribed == ["registry.enterprise.v1"]


class KafkaAwayMidStream(KafkaAwayAtFirst):
    """A running consumer's poll meets the broker gone (kafka-python 3.0 raises it from its coordinator lookup)."""

    def __init__(self, **config: Any) -> None:
        super().__init__(**config)
        self.metadata_requests = 1  # started without a hitch
        self.polls = 0
        self.committed: dict[TopicPartition, int] = {}
        self.tp = TopicPartition("registry.enterprise.v1", 0)

    def poll(self, timeout_ms: int) -> dict[TopicPartition, list[ConsumerRecord]]:
        self.polls += 1
        if self.polls <= 3:
            raise KafkaConnectionError("111 ECONNREFUSED")
        value = counter_event("c-1", 2).to_json()
        return {self.tp: [ConsumerRecord(self.tp.topic, 0, -1, 7, 0, 0, b"c-1", value, [], None, 3, len(value), 0)]}

    def commit(self, offsets: dict[TopicPartition, Any]) -> None:
        self.committed.update({tp: meta.offset for tp, meta in offsets.items()})

    def assignment(self) -> set[TopicPartition]:
        return {self.tp}

    def highwater(self, tp: TopicPartition) -> None:
        return None


class NoDeadLetters:
    def flush(self) -> None:
        pass


def test_a_poll_refused_while_kafka_is_away_is_polled_again_and_the_next_records_are_handled(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    made: list[KafkaAwayMidStream] = []
    handled: list[dict[str, Any]] = []

    def consumer(**config: Any) -> KafkaAwayMidStream:
        made.append(KafkaAwayMidStream(**config))
        return made[-1]

    def handle(envelope: Envelope, payload: dict[str, Any]) -> None:
        handled.append(payload)

    monkeypatch.setattr(runner_module, "KafkaConsumer", consumer)
    monkeypatch.setattr(runner_module, "ensure_own_topics", lambda *args: None)
    runner = ConsumerRunner(
        bootstrap_servers="127.0.0.1:9092",
        group_id="marketplace",
        catalog=counter_catalog("registry.enterprise.v1"),
        handlers={EVENT_TYPE: handle},
        dlq_producer=NoDeadLetters(),  # type: ignore[arg-type] - flushed before each commit, never sent to
        stop=StopSignal(install_handlers=False),
    )
    with caplog.at_level(logging.INFO, logger=runner_module.__name__):
        assert [runner.poll_once(timeout_ms=10) for _ in range(3)] == [0, 0, 0]
        assert runner.poll_once(timeout_ms=10) == 1
    assert handled == [{"counter_id": "c-1", "amount": 2}] and made[0].committed == {made[0].tp: 8}
    said = [record.getMessage() for record in caplog.records]
    assert len([line for line in said if "did not answer" in line]) == 1, "one line when Kafka goes, not one a poll"
    assert len([line for line in said if "answers the poll again" in line]) == 1, said
