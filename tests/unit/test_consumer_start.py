"""A consumer starting while Kafka goes away: it waits for Kafka as it waits for a missing topic, and does not die."""

from __future__ import annotations

from typing import Any

import pytest
from kafka.errors import KafkaConnectionError

import shared.consumer.runner as runner_module
from shared.consumer.runner import ConsumerRunner
from shared.runtime import StopSignal
from tests.integration.counters import counter_catalog


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
