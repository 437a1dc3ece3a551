"""The grants demo data for ``make run``, against real FerretDB: a call per planning region, and once the
register's enterprises and training's assessments are known, applications in every state the demo promises."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.database import Database

from services.grants.config import GrantsRules
from services.grants.entrypoints.demo_data import STATES, demo_applications, demo_calls
from services.grants.entrypoints.wiring import build
from services.registry.events.schemas import REGISTRY_EVENTS
from services.training.events.catalog import TRAINING_EVENTS
from shared.bg.geography import geography
from shared.clock import FixedClock

pytestmark = pytest.mark.integration

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


def known(service: Any, region: str, centre: str, *overall: float) -> str:
    """An enterprise as the consumer records it from the register, with training's assessments (T0, T1…)."""
    enterprise_id = str(uuid.uuid4())
    base = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get("registry.EnterpriseRegistered", 1))
    payload = base.payload | {"enterprise_id": enterprise_id, "region": region, "centre": centre}
    service.enterprises.apply_registry_event(
        dataclasses.replace(base, event_id=str(uuid.uuid4()), aggregate_id=enterprise_id, payload=payload), payload
    )
    example = TRAINING_EVENTS.example(TRAINING_EVENTS.get("training.AssessmentCompleted", 1))
    for sequence, score in enumerate(overall):
        assessment_id = str(uuid.uuid4())
        body = example.payload | {"assessment_id": assessment_id, "enterprise_id": enterprise_id}
        body |= {"sequence": sequence, "overall": score}
        envelope = dataclasses.replace(
            example,
            event_id=str(uuid.uuid4()),
            aggregate_id=assessment_id,
            payload=body,
            occurred_at="2027-03-10T08:00:00Z",
        )
        service.assessments.apply_assessment_event(envelope, body)
    return enterprise_id


def test_demo_data_publishes_a_call_per_region_and_applications_in_every_state(db: Database[dict[str, Any]]) -> None:
    service = build(db, FixedClock(NOW), GrantsRules())
    assert demo_calls(service) == len(geography().regions)
    assert demo_calls(service) == 0  # run again: nothing added
    known(service, "BG42", "plovdiv", 30.0, 62.0)  # surveyed twice: its support completes, digitalised
    for _ in range(len(STATES) - 1):
        known(service, "BG42", "plovdiv", 40.0)
    not_surveyed = known(service, "BG33", "varna")

    states = demo_applications(service, wait_seconds=0)

    assert states == {**dict.fromkeys(STATES, 1), "draft": 1}
    completed = service.applications.find({"status": "completed"})[0]
    assert completed.completion is not None and completed.completion.digitalised
    draft = service.applications.find({"enterprise_id": not_surveyed})[0]
    assert [r.code for r in service.eligibility(draft).failed()] == ["surveyed"]
    assert demo_applications(service, wait_seconds=0) == {}  # run again: nothing added
