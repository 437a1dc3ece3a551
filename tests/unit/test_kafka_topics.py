"""Creating a service's topics on a broker that has just started, and the clients' reconnection waits."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from kafka.admin import NewTopic
from kafka.errors import InvalidReplicationFactorError

import shared.kafka
from shared.kafka import RECONNECT_BACKOFF_MAX_MS, consumer_settings, ensure_topics, make_producer


class FencedThenReady:
    """An admin client of a broker that is fenced (refuses to place replicas) for its first ``refusals`` calls."""

    refusals = 2
    created: ClassVar[list[str]] = []

    def __init__(self, **config: Any) -> None:
        pass

    def list_topics(self) -> list[str]:
        return []

    def create_topics(self, topics: list[NewTopic]) -> None:
        if FencedThenReady.refusals:
            FencedThenReady.refusals -= 1
            raise InvalidReplicationFactorError("All brokers are currently fenced")
        FencedThenReady.created += [topic.name for topic in topics]

    def close(self) -> None:
        pass


def test_a_broker_still_fenced_after_its_start_gets_the_topics_once_it_is_ready(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shared.kafka, "KafkaAdminClient", FencedThenReady)
    monkeypatch.setattr(shared.kafka.time, "sleep", lambda seconds: None)
    FencedThenReady.refusals, FencedThenReady.created = 2, []
    ensure_topics("127.0.0.1:9092", ["registry.enterprise.v1"])
    assert sorted(FencedThenReady.created) == ["registry.enterprise.v1", "registry.enterprise.v1.dlq"]


def test_a_broker_fenced_for_good_is_still_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared.kafka, "KafkaAdminClient", FencedThenReady)
    monkeypatch.setattr(shared.kafka, "FENCED_BROKER_WAIT_S", 0.0)
    monkeypatch.setattr(shared.kafka.time, "sleep", lambda seconds: None)
    FencedThenReady.refusals = 1000
    with pytest.raises(InvalidReplicationFactorError):
        ensure_topics("127.0.0.1:9092", ["registry.enterprise.v1"])


def test_producers_and_consumers_try_a_returning_broker_again_within_a_second(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    made: list[dict[str, Any]] = []
    monkeypatch.setattr(shared.kafka, "KafkaProducer", lambda **config: made.append(config))
    make_producer("127.0.0.1:9092", "unit")
    assert RECONNECT_BACKOFF_MAX_MS <= 1000  # kafka-python's own 30 s kept clients away long after Kafka was back
    assert made[0]["reconnect_backoff_max_ms"] == RECONNECT_BACKOFF_MAX_MS
    assert consumer_settings()["reconnect_backoff_max_ms"] == RECONNECT_BACKOFF_MAX_MS
