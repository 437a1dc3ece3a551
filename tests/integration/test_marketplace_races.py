"""A person's command racing the platform's own write to the same record (the consumer aligning a
listing with its seller) is applied on the fresh copy, not refused with 409."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pymongo.database import Database

from services.marketplace.adapters.sellers import MongoSellers
from services.marketplace.entrypoints.api.context import EXTENSION
from services.marketplace.entrypoints.wiring import build
from tests.integration.marketplace_api import (
    LISTING,
    market,  # noqa: F401 - fixture
    market_app,  # noqa: F401 - fixture
    market_db,  # noqa: F401 - fixture
    market_db_name,  # noqa: F401 - fixture
    registry_event,
    representative_of,
    seed_seller,
)

pytestmark = pytest.mark.integration


def consumer_renames_seller_during_next_load(
    app: Flask, db: Database, seller_id: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> list[int]:
    """Right after the web process next loads a listing, the consumer (its own process, its own objects)
    takes the register's new picture of the seller and saves the listing's next version."""
    repository = app.extensions[EXTENSION].listings.listings
    original_get = repository.get
    raced: list[int] = []

    def get(listing_id: str) -> Any:
        listing = original_get(listing_id)
        if not raced:
            envelope = registry_event("EnterpriseUpdated", seller_id, name=name)
            MongoSellers(db).apply_registry_event(envelope, envelope.payload)
            consumer = build(db)
            raced.append(consumer.listings.follow_seller(consumer.sellers.get(seller_id)))
        return listing

    monkeypatch.setattr(repository, "get", get)
    return raced


def test_publishing_while_the_consumer_updates_the_listing_publishes_it(
    market: FlaskClient,  # noqa: F811
    market_app: Flask,  # noqa: F811
    market_db: Database,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seller_id = seed_seller(market_db)
    headers = representative_of(seller_id)
    created = market.post("/api/v1/listings", json=LISTING, headers=headers)
    assert created.status_code == 201, created.json
    listing_id = created.json["id"]

    raced = consumer_renames_seller_during_next_load(
        market_app, market_db, seller_id, "Кооперация „Нов ден“", monkeypatch
    )
    published = market.post(f"/api/v1/listings/{listing_id}/publish", headers=headers)

    assert raced == [1], "the consumer saved the listing between the web process's load and save"
    assert published.status_code == 200, published.json
    assert published.json["status"] == "published"
    shown = market.get(f"/api/v1/listings/{listing_id}").json
    assert shown["status"] == "published" and shown["seller"]["name"] == "Кооперация „Нов ден“"
    found = market.get("/api/v1/listings", query_string={"q": "мед"}).json
    assert listing_id in [item["id"] for item in found["items"]]


def test_editing_while_the_consumer_updates_the_listing_keeps_both_changes(
    market: FlaskClient,  # noqa: F811
    market_app: Flask,  # noqa: F811
    market_db: Database,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seller_id = seed_seller(market_db)
    headers = representative_of(seller_id)
    listing_id = market.post("/api/v1/listings", json=LISTING, headers=headers).json["id"]

    raced = consumer_renames_seller_during_next_load(market_app, market_db, seller_id, "Сдружение „Пчела“", monkeypatch)
    edited = market.patch(f"/api/v1/listings/{listing_id}", json={"price_cents": 1400}, headers=headers)

    assert raced == [1]
    assert edited.status_code == 200, edited.json
    shown = market.get(f"/api/v1/listings/{listing_id}", headers=headers).json
    assert shown["price"]["cents"] == 1400 and shown["seller"]["name"] == "Сдружение „Пчела“"
