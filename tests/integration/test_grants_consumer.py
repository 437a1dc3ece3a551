"""The grants consumer over real Kafka and FerretDB: who is active in the register and who has been surveyed,
from the registry's and training's events, each applied once and never moved back by a replayed older one;
what it learnt decides who may apply."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.database import Database

from services.grants.adapters.repository import ASSESSMENTS, ENTERPRISES
from services.grants.config import GrantsRules
from services.grants.domain.call import CostCategory, Criterion
from services.grants.entrypoints.wiring import build
from services.grants.events.consumed import ASSESSMENT_TYPE, CONSUMED, ENTERPRISE_TYPES
from services.training.events.catalog import TRAINING_EVENTS
from shared.auth import Principal, Role
from shared.clock import FixedClock
from shared.errors import Conflict
from shared.events import Envelope, EventCatalog
from shared.kafka import ensure_topics
from shared.localinfra import Infrastructure
from tests.integration.test_read_model_versions import Consumer, publish, registry_event

pytestmark = pytest.mark.integration

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


def assessment_event(enterprise_id: str, sequence: int, overall: float) -> Envelope:
    base = TRAINING_EVENTS.example(TRAINING_EVENTS.get("training.AssessmentCompleted", 1))
    assessment_id = str(uuid.uuid4())
    return dataclasses.replace(
        base,
        event_id=str(uuid.uuid4()),
        aggregate_id=assessment_id,
        aggregate_version=1,
        payload=base.payload
        | {"assessment_id": assessment_id, "enterprise_id": enterprise_id, "sequence": sequence, "overall": overall},
    )


def test_the_register_and_the_surveys_reach_grants_once_and_never_backwards(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]]
) -> None:
    assessments_topic = f"test-{uuid.uuid4().hex[:10]}"
    ensure_topics(infra.kafka_bootstrap, [assessments_topic], partitions=3)
    service = build(db, FixedClock(NOW), GrantsRules())
    catalog = EventCatalog(
        [
            *(dataclasses.replace(t, topic=topic) for t in ENTERPRISE_TYPES),
            dataclasses.replace(ASSESSMENT_TYPE, topic=assessments_topic),
        ]
    )
    assert {t.name for t in catalog} == {t.name for t in CONSUMED}
    handlers: dict[str, Any] = {t.name: service.enterprises.apply_registry_event for t in ENTERPRISE_TYPES}
    handlers[ASSESSMENT_TYPE.name] = service.assessments.apply_assessment_event
    consumer = Consumer(infra, catalog, handlers)
    kept, lapsed = str(uuid.uuid4()), str(uuid.uuid4())
    registered = registry_event("EnterpriseRegistered", kept, 3, status="active", region="BG33", centre="varna")
    lapsed_registered = registry_event(
        "EnterpriseRegistered", lapsed, 3, status="active", region="BG33", centre="varna"
    )
    lapsed_deleted = registry_event("EnterpriseDeleted", lapsed, 7, status="deleted", region="BG33", centre="varna")
    t0 = assessment_event(kept, 0, 38.0)
    try:
        publish(infra, topic, registered, lapsed_registered, lapsed_deleted)
        publish(infra, assessments_topic, t0)
        consumer.handle(4)
        # A redelivery of the registration and the T0, and a replayed older event after the deletion.
        publish(infra, topic, registered, lapsed_registered)
        publish(infra, assessments_topic, t0)
        consumer.handle(3)
    finally:
        consumer.close()

    assert service.enterprises.get(kept)["status"] == "active"
    assert service.enterprises.get(lapsed)["status"] == "deleted"
    assert db[ENTERPRISES].find_one({"_id": lapsed})["aggregate_version"] == 7
    assert db[ASSESSMENTS].count_documents({"enterprise_id": kept}) == 1
    assert [a["overall"] for a in service.assessments.of_enterprise(kept)] == [38.0]

    call = service.publish_call(
        Principal("ministry-1", frozenset({Role.CLERK}), centre="national"),
        {
            "title": "Модернизация 2027",
            "budget_cents": 20_000_000,
            "envelopes": {"BG33": 10_000_000},
            "max_per_enterprise_cents": 4_601_627,
            "max_line_cents": 0,
            "categories": [CostCategory.SOFTWARE],
            "opens_on": NOW.date(),
            "closes_on": NOW.date(),
            "criteria": [Criterion("need", "Нужда", "Need", 100, 10)],
            "pass_score": 50,
            "required_documents": [],
        },
    )
    lapsed_rep = Principal("rep-lapsed", frozenset({Role.REPRESENTATIVE}), enterprise_id=lapsed)
    with pytest.raises(Conflict) as refused:
        service.start(lapsed_rep, call.id, [], [])
    assert "not active in the register" in refused.value.message.en
    kept_rep = Principal("rep-kept", frozenset({Role.REPRESENTATIVE}), enterprise_id=kept)
    draft = service.start(kept_rep, call.id, [], [])
    outcome = {rule.code: rule.passed for rule in service.eligibility(draft).rules}
    assert outcome == {"active_in_register": True, "surveyed": True, "de_minimis": True}
