"""Helpers for driving the training service's HTTP API against real FerretDB (enterprises from registry events)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pymongo import MongoClient
from pymongo.database import Database

from services.registry.events.schemas import REGISTRY_EVENTS
from services.training.adapters.enterprises import MongoEnterprises
from services.training.domain import questionnaire as questionnaires
from services.training.domain.dimensions import Dimension
from services.training.domain.questionnaire import QuestionType
from services.training.entrypoints.app import create_app
from shared.auth import Principal, Role
from tests.integration.registry_api import CODEC


@pytest.fixture
def training_db_name(infra: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"training_api_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("MONGODB_URI", infra.mongodb_uri)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap)
    monkeypatch.setenv("TRAINING_MONGODB_DATABASE", name)
    yield name
    MongoClient(infra.mongodb_uri).drop_database(name)


@pytest.fixture
def training_db(infra: Any, training_db_name: str) -> Database:
    return MongoClient(infra.mongodb_uri, tz_aware=True)[training_db_name]


@pytest.fixture
def training_app(training_db_name: str) -> Flask:
    return create_app()


@pytest.fixture
def training(training_app: Flask) -> FlaskClient:
    return training_app.test_client()


def seed_enterprise(db: Database, event_name: str = "EnterpriseRegistered", **payload: Any) -> str:
    """An enterprise known to the training service, as if its registry event had been consumed."""
    enterprise_id = payload.pop("enterprise_id", None) or str(uuid.uuid4())
    base = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get(f"registry.{event_name}", 1))
    envelope = dataclasses.replace(
        base,
        event_id=str(uuid.uuid4()),
        aggregate_id=enterprise_id,
        payload=base.payload | {"enterprise_id": enterprise_id} | payload,
    )
    MongoEnterprises(db).apply_registry_event(envelope, envelope.payload)
    return enterprise_id


def answers(level: float = 0.6, weak: tuple[Dimension, ...] = ()) -> dict[str, Any]:
    """An answer to every question of the current version at about ``level`` (0 … 1); nothing in ``weak``."""
    given: dict[str, Any] = {}
    for dimension, questions in questionnaires.current().dimensions.items():
        at = 0.0 if dimension in weak else level
        for question in questions:
            if question.type is QuestionType.CHECKLIST:
                given[question.id] = question.option_ids[: round(at * len(question.options))]
            elif question.type is QuestionType.SCALE_0_5:
                given[question.id] = round(at * 5)
            else:
                given[question.id] = "yes" if at >= 0.75 else "partly" if at >= 0.25 else "no"
    return given


def learner_token(
    email: str, enterprise_id: str | None = None, name: str | None = None, *, verified: bool = True
) -> dict[str, str]:
    """A learner's bearer header; identity rests on the e-mail, which the provider verified unless told."""
    principal = Principal(
        f"learner-{email}",
        frozenset({Role.LEARNER}),
        name=name or email,
        email=email,
        enterprise_id=enterprise_id,
        email_verified=verified,
    )
    return {"Authorization": f"Bearer {CODEC.encode(principal)}"}
