"""Helpers for driving the registry's HTTP API in tests."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pymongo import MongoClient
from pymongo.database import Database

from services.registry.config import RegistryConfig
from services.registry.entrypoints.app import create_app
from shared.auth import Principal, Role, TokenCodec
from shared.config import Settings

CODEC = TokenCodec.from_settings(Settings.from_env("tests"))


def token(
    subject: str,
    *roles: Role,
    centre: str | None = None,
    enterprise_id: str | None = None,
    name: str | None = None,
    email: str = "",
    email_verified: bool = True,
) -> dict[str, str]:
    """A bearer token; an e-mail address in it is one the identity provider verified unless said otherwise."""
    principal = Principal(
        subject,
        frozenset(roles),
        name=name or subject,
        email=email,
        centre=centre,
        enterprise_id=enterprise_id,
        email_verified=email_verified,
    )
    return {"Authorization": f"Bearer {CODEC.encode(principal)}"}


REP = token("rep-1", Role.REPRESENTATIVE)
OTHER_REP = token("rep-2", Role.REPRESENTATIVE)
CLERK_PLOVDIV = token("clerk-plovdiv", Role.CLERK, centre="plovdiv")
CLERK_VARNA = token("clerk-varna", Role.CLERK, centre="varna")

APPLICATION: dict[str, Any] = {
    "details": {
        "name": "Социална пекарна „Добро утро“",
        "legal_form": "association",
        "eik": "175074752",
        "seat": {
            "district": "BG-16",
            "municipality": "Пловдив",
            "settlement": "Пловдив",
            "address": "бул. Руски 15",
            "postcode": "4000",
        },
        "contacts": {
            "email": "hello@dobroutro.example.bg",
            "phone": "+359 32 600 700",
            "phone_public": False,
            "website": "https://dobroutro.example.bg",
        },
        "representative": {"full_name": "Елена Георгиева", "position": "председател"},
        "activities": ["хлебопроизводство", "кетъринг"],
        "description": "Пекарна, в която работят младежи, напуснали социални институции.",
    },
    "requested_class": "A",
    "class_a_route": "employment",
    "evidence": {
        "social_activity_evidenced": True,
        "participatory_management": True,
        "after_tax_result_cents": 1_500_000,
        "social_spending_cents": 900_000,
        "staff_count": 9,
        "vulnerable_staff": {"leaving_institutions": 3, "youth_up_to_29": 1},
        "vulnerable_staff_continuous_6m": 2,
    },
}


def application(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(APPLICATION)
    for path, value in changes.items():
        target = body
        *parents, leaf = path.split("__")
        for parent in parents:
            target = target[parent]
        target[leaf] = value
    return body


@pytest.fixture
def registry_db_name(infra: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"registry_api_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("MONGODB_URI", infra.mongodb_uri)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap)
    monkeypatch.setenv("REGISTRY_MONGODB_DATABASE", name)
    yield name
    MongoClient(infra.mongodb_uri).drop_database(name)


@pytest.fixture
def registry_db(infra: Any, registry_db_name: str) -> Database:
    return MongoClient(infra.mongodb_uri, tz_aware=True)[registry_db_name]


@pytest.fixture
def registry_app(registry_db_name: str) -> Flask:
    return create_app(RegistryConfig.from_env())


@pytest.fixture
def registry(registry_app: Flask) -> FlaskClient:
    return registry_app.test_client()
