"""What the grants service's API suites share: a call open now with an envelope in every planning region, a
plan's budget lines, and an enterprise (with its first maturity assessment) as the consumer would have
recorded it from the register's and training's events."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pymongo.database import Database

from services.grants.adapters.repository import MongoAssessments, MongoEnterprises
from services.registry.events.schemas import REGISTRY_EVENTS
from services.training.events.catalog import TRAINING_EVENTS
from shared.events import Envelope

REGIONS = ("BG31", "BG32", "BG33", "BG34", "BG41", "BG42")
GRANTS_CALL: dict[str, Any] = {
    "title": "Модернизация на социалните предприятия",
    "budget_cents": 60_000_000,
    "envelopes": dict.fromkeys(REGIONS, 10_000_000),
    "max_per_enterprise_cents": 4_601_627,
    "max_line_cents": 2_000_000,
    "categories": ["software", "hardware", "sales"],
    "opens_on": (date.today() - timedelta(days=1)).isoformat(),
    "closes_on": (date.today() + timedelta(days=60)).isoformat(),
    "criteria": [
        {"code": "need", "name_bg": "Нужда", "name_en": "Need", "weight": 60, "max_points": 10, "min_points": 4},
        {"code": "impact", "name_bg": "Въздействие", "name_en": "Impact", "weight": 40, "max_points": 5},
    ],
    "pass_score": 50,
    "required_documents": [{"code": "offer", "name_bg": "Оферта", "name_en": "Offer"}],
}
GRANTS_CALL_LINES: list[dict[str, Any]] = [
    {
        "category": "software",
        "description": "Счетоводен софтуер",
        "quantity": 1,
        "unit_cost_cents": 1_200_000,
        "vat": "recoverable",
    }
]


def seed_grants_enterprise(
    db: Database[dict[str, Any]], enterprise_id: str, region: str = "BG42", centre: str = "plovdiv"
) -> None:
    """An enterprise active in the register and assessed once, as grants-consumer records them."""
    base = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get("registry.EnterpriseRegistered", 1))
    payload = base.payload | {"enterprise_id": enterprise_id, "region": region, "centre": centre}
    MongoEnterprises(db).apply_registry_event(
        dataclasses.replace(base, event_id=str(uuid.uuid4()), aggregate_id=enterprise_id, payload=payload), payload
    )
    surveyed = assessment_event(enterprise_id, 0, at=datetime.now(UTC) - timedelta(days=30))
    MongoAssessments(db).apply_assessment_event(surveyed, surveyed.payload)


def assessment_event(
    enterprise_id: str, sequence: int, overall: float | None = None, at: datetime | None = None
) -> Envelope:
    """training's AssessmentCompleted for the enterprise: its example's answers, score (unless ``overall``) and
    moment (unless ``at``)."""
    base = TRAINING_EVENTS.example(TRAINING_EVENTS.get("training.AssessmentCompleted", 1))
    assessment_id = str(uuid.uuid4())
    payload = base.payload | {"assessment_id": assessment_id, "enterprise_id": enterprise_id, "sequence": sequence}
    if overall is not None:
        payload["overall"] = overall
    occurred_at = at.isoformat() if at else base.occurred_at
    return dataclasses.replace(
        base, event_id=str(uuid.uuid4()), aggregate_id=assessment_id, payload=payload, occurred_at=occurred_at
    )
