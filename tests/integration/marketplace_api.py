"""Helpers for driving the marketplace's HTTP API against real FerretDB (sellers seeded from registry events)."""

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

from services.marketplace.adapters.sellers import MongoSellers
from services.marketplace.entrypoints.app import create_app
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.auth import Role
from shared.events import Envelope
from tests.integration.registry_api import token

ADMIN = token("admin-1", Role.ADMIN)
BUYER = token("buyer-1", Role.BUYER)
OTHER_BUYER = token("buyer-2", Role.BUYER)
CLERK = token("clerk-1", Role.CLERK, centre="national")


def representative_of(enterprise_id: str, subject: str = "rep-m") -> dict[str, str]:
    return token(subject, Role.REPRESENTATIVE, enterprise_id=enterprise_id)


def registry_event(event_name: str, enterprise_id: str, **payload_changes: Any) -> Envelope:
    """A registry event like the golden example, for another enterprise."""
    base = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get(f"registry.{event_name}", 1))
    payload = base.payload | {"enterprise_id": enterprise_id} | payload_changes
    return dataclasses.replace(base, event_id=str(uuid.uuid4()), aggregate_id=enterprise_id, payload=payload)


@pytest.fixture
def market_db_name(infra: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"marketplace_api_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("MONGODB_URI", infra.mongodb_uri)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap)
    monkeypatch.setenv("MARKETPLACE_MONGODB_DATABASE", name)
    yield name
    MongoClient(infra.mongodb_uri).drop_database(name)


@pytest.fixture
def market_db(infra: Any, market_db_name: str) -> Database:
    return MongoClient(infra.mongodb_uri, tz_aware=True)[market_db_name]


@pytest.fixture
def market_app(market_db_name: str) -> Flask:
    return create_app()


@pytest.fixture
def market(market_app: Flask) -> FlaskClient:
    return market_app.test_client()


def seed_seller(db: Database, event_name: str = "EnterpriseRegistered", **payload: Any) -> str:
    """A seller known to the marketplace, as if its registry event had been consumed."""
    enterprise_id = payload.pop("enterprise_id", None) or str(uuid.uuid4())
    envelope = registry_event(event_name, enterprise_id, **payload)
    MongoSellers(db).apply_registry_event(envelope, envelope.payload)
    return enterprise_id


LISTING: dict[str, Any] = {
    "kind": "product",
    "title_bg": "Липов мед от Странджа",
    "title_en": "Strandzha linden honey",
    "description_bg": "Буркан 900 г, събран от пчелините на кооперацията край Малко Търново.",
    "category": "food.honey",
    "price_cents": 1250,
    "unit": "буркан",
    "minimum_quantity": 2,
    "districts_served": ["BG-02", "BG-28"],
    "tags": ["био", "подарък"],
}


def published_listing(client: FlaskClient, seller_id: str, **changes: Any) -> dict[str, Any]:
    headers = representative_of(seller_id)
    created = client.post("/api/v1/listings", json={**LISTING, **changes}, headers=headers)
    assert created.status_code == 201, created.json
    published = client.post(f"/api/v1/listings/{created.json['id']}/publish", headers=headers)
    assert published.status_code == 200, published.json
    return published.json


def buyer(subject: str = "buyer-1", email: str | None = None, name: str = "Десислава Колева") -> dict[str, str]:
    """A buyer's token carrying the e-mail address sellers answer to (posting a need requires one)."""
    return token(subject, Role.BUYER, name=name, email=f"{subject}@example.bg" if email is None else email)


NEED: dict[str, Any] = {
    "title": "300 ръчно изработени подаръчни кошници",
    "description": "Плетени кошници от ракита за Карнавала на хумора.",
    "category": "crafts.basketry",
    "districts": ["BG-07"],
    "quantity": 300,
    "unit": "бр.",
    "budget_min_cents": 450_000,
    "budget_max_cents": 600_000,
    "deadline": "2026-12-10",
    "organisation": "Община Габрово",
    "kind": "municipality",
}


def posted_need(client: FlaskClient, headers: dict[str, str] | None = None, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/needs", json={**NEED, **changes}, headers=headers or buyer())
    assert response.status_code == 201, response.json
    return response.json
