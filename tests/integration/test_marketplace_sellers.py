"""The marketplace's consumer keeps its sellers in step with the register, over real Kafka and FerretDB."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest
from pymongo.database import Database

from services.marketplace.adapters.sellers import MongoSellers
from services.marketplace.events.registry import CONSUMED
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.consumer import ConsumerRunner
from shared.events import Envelope
from shared.kafka import ensure_topics, make_producer
from shared.localinfra import Infrastructure
from shared.runtime import StopSignal
from tests.polling import wait_until

pytestmark = pytest.mark.integration

TOPIC = "registry.enterprise.v1"


def example(event_name: str, enterprise_id: str, **payload_changes: Any) -> Envelope:
    base = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get(f"registry.{event_name}", 1))
    payload = base.payload | {"enterprise_id": enterprise_id} | payload_changes
    return dataclasses.replace(base, event_id=str(uuid.uuid4()), aggregate_id=enterprise_id, payload=payload)


def consume_all(infra: Infrastructure, db: Database, group: str, count: int) -> MongoSellers:
    sellers = MongoSellers(db)
    dlq = make_producer(infra.kafka_bootstrap, "test-dlq")
    runner = ConsumerRunner(
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=group,
        catalog=CONSUMED,
        handlers={t.name: sellers.apply_registry_event for t in CONSUMED},
        dlq_producer=dlq,
        stop=StopSignal(install_handlers=False),
        consumer_overrides={"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000},
    )
    seen = [0]

    def handled_all() -> bool:
        seen[0] += runner.poll_once(timeout_ms=300)
        return seen[0] >= count

    try:
        wait_until(handled_all, f"{count} registry events handled", timeout=60)
    finally:
        runner.close()
        dlq.close()
    return sellers


def test_sellers_follow_the_register_and_a_replay_changes_nothing(infra: Infrastructure, db: Database) -> None:
    ensure_topics(infra.kafka_bootstrap, [TOPIC])
    enterprise = f"ent-{uuid.uuid4().hex[:8]}"
    events = [
        example("EnterpriseRegistered", enterprise),
        example("EnterpriseDeleted", enterprise),
        example("EnterpriseRegistered", enterprise, name="Кооперация „Ново начало“"),
    ]
    producer = make_producer(infra.kafka_bootstrap, "test-registry")
    for envelope in events:
        producer.send(TOPIC, key=enterprise, value=envelope.to_dict())
    producer.close()

    group = f"marketplace-test-{uuid.uuid4().hex[:6]}"
    # The shared topic may hold other tests' events: read it all, then look at this enterprise.
    sellers = consume_all(infra, db, group, count=len(events))
    wait_until(lambda: sellers.get(enterprise) is not None, "the seller to appear")
    seller = sellers.get(enterprise)
    assert seller.name == "Кооперация „Ново начало“" and seller.in_good_standing

    before = db.sellers.find_one({"_id": enterprise})
    consume_all(infra, db, f"{group}-replay", count=len(events))  # a new group replays the whole topic
    after = db.sellers.find_one({"_id": enterprise})
    assert after == before
    assert len(after["applied_event_ids"]) == 3
