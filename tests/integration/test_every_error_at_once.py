"""The portal shows every field's error at once: a field it could not read is sent as ``UNREADABLE``, and
the real services refuse the whole request, naming every other field's problem too, and write nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.marketplace.adapters.listings import LISTINGS
from services.portal.forms import with_unreadable
from tests.integration.marketplace_api import LISTING, representative_of, seed_seller
from tests.integration.registry_api import REP, application

pytestmark = pytest.mark.integration


def test_an_unreadable_staff_count_comes_back_with_the_invalid_eik_and_nothing_is_saved(
    registry: FlaskClient, registry_db: Database
) -> None:
    body = application(details__eik="123456789")  # a wrong check digit
    sent = with_unreadable(body, ["evidence.staff_count"])
    response = registry.post("/api/v1/applications", json=sent, headers=REP)
    assert response.status_code == 422, response.json
    assert {"details.eik", "evidence.staff_count"} <= set(response.json["fields"])
    assert response.json["fields"]["details.eik"][0]["bg"].startswith("Невалиден ЕИК")
    assert registry_db["enterprises"].count_documents({}) == 0

    # the same when changing a saved draft (the form's fields nested under "request")
    draft = registry.post("/api/v1/applications", json=application(), headers=REP).json
    change = with_unreadable(
        {"details": {**application()["details"], "eik": "123456789"}, "request": {"evidence": {"staff_count": 9}}},
        ["evidence.staff_count"],
        "request.",
    )
    refused = registry.patch(f"/api/v1/applications/{draft['id']}", json=change, headers=REP)
    assert refused.status_code == 422, refused.json
    assert any(name.endswith("eik") for name in refused.json["fields"]), refused.json
    assert registry.get(f"/api/v1/applications/{draft['id']}", headers=REP).json["details"]["eik"] == "175074752"


def test_a_negative_price_comes_back_with_the_four_empty_required_fields_and_nothing_is_saved(
    market: FlaskClient, market_db: Database
) -> None:
    seller = seed_seller(market_db)
    empty = {**LISTING, "title_bg": "", "description_bg": "", "unit": "", "districts_served": []}
    sent: dict[str, Any] = with_unreadable(empty, ["price_cents"])
    response = market.post("/api/v1/listings", json=sent, headers=representative_of(seller))
    assert response.status_code == 422, response.json
    assert {"price_cents", "title_bg", "description_bg", "unit", "districts_served"} <= set(response.json["fields"])
    assert market_db[LISTINGS].count_documents({}) == 0
