"""How a consumer judges its own health, remembers its poison guard, and joins its group."""

from __future__ import annotations

import pytest

from shared.consumer.guard import PoisonGuard
from shared.consumer.health import ConsumerHealth, Observation
from shared.kafka import consumer_settings


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_consumer_holding_no_partition_while_records_wait_stops_being_alive_after_the_grace() -> None:
    clock = Clock()
    health = ConsumerHealth(60, clock)
    assert health.observe(Observation(assigned=0, lag=0))
    clock.now += 59
    assert health.observe(Observation(assigned=0, lag=0)), "a join or a rebalance takes a while"
    clock.now += 2
    assert health.needs_group_lag()
    assert health.observe(Observation(assigned=0, lag=0, group_lag=0)), "nothing to read: an idle replica is fine"
    assert not health.observe(Observation(assigned=0, lag=0, group_lag=12))
    assert "no partition" in health.reason
    assert health.observe(Observation(assigned=3, lag=12)), "partitions arrived"


def test_a_consumer_that_reads_nothing_from_partitions_with_lag_stops_being_alive() -> None:
    clock = Clock()
    health = ConsumerHealth(60, clock)
    assert health.observe(Observation(assigned=3, lag=0))
    clock.now += 120
    assert health.observe(Observation(assigned=3, lag=0)), "nothing to read is not a stall"
    clock.now += 30
    assert health.observe(Observation(assigned=3, lag=5))
    clock.now += 31
    health.progressed()  # it read records
    assert health.observe(Observation(assigned=3, lag=5))
    clock.now += 61
    assert not health.observe(Observation(assigned=3, lag=5))
    assert "read nothing" in health.reason


def test_the_flood_guard_memory_survives_a_round_trip_through_commit_metadata() -> None:
    guard = PoisonGuard(4, 0.5)
    guard.handled()
    for _ in range(3):
        guard.poisoned()
    assert guard.flooded()
    memory = guard.memory()

    restarted = PoisonGuard(4, 0.5)
    assert restarted.recall(["", "something else", memory])
    assert restarted.flooded()
    assert not restarted.recall([memory]), "an older or equal memory changes nothing"
    fresh = PoisonGuard(4, 0.5)
    assert not fresh.recall(["guard1:12:01x"]), "a damaged memory is ignored"
    assert not fresh.flooded()


def test_consumers_detect_a_dead_replica_fast_and_use_static_membership_only_when_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("CONSUMER_SESSION_TIMEOUT_MS", "CONSUMER_HEARTBEAT_INTERVAL_MS", "CONSUMER_INSTANCE_ID"):
        monkeypatch.delenv(name, raising=False)
    settings = consumer_settings()
    assert settings["session_timeout_ms"] == 10000, "kafka-python's default, 45 s, left dead members for a minute"
    assert settings["heartbeat_interval_ms"] * 3 <= settings["session_timeout_ms"]
    assert "group_instance_id" not in settings
    monkeypatch.setenv("CONSUMER_INSTANCE_ID", "marketplace-consumer-0")
    assert consumer_settings()["group_instance_id"] == "marketplace-consumer-0"
