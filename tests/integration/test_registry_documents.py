"""A refusal tells the applicant its legal ground and how and by when to appeal; documents go with an
application and with each answer, and come back only to those who may see them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.registry.domain.appeal import appeal_deadline
from shared.clock import sofia_date
from tests.integration.registry_api import CLERK_PLOVDIV, REP, application

pytestmark = pytest.mark.integration


@pytest.fixture
def client(registry_app: Flask) -> FlaskClient:
    return registry_app.test_client()


def submitted(client: FlaskClient) -> str:
    created = client.post("/api/v1/applications", json=application(), headers=REP)
    assert created.status_code == 201, created.json
    app_id = created.json["id"]
    assert client.post(f"/api/v1/applications/{app_id}/submit", headers=REP).status_code == 200
    return app_id


def test_a_refusal_names_its_legal_ground_the_court_and_the_last_day_to_appeal(client: FlaskClient) -> None:
    app_id = submitted(client)
    refused = client.post(f"/api/v1/applications/{app_id}/reject", json={"reasons": ["Няма устав."]},
                          headers=CLERK_PLOVDIV)  # fmt: skip
    assert refused.status_code == 200, refused.json
    told_on = sofia_date(datetime.now(UTC))
    for who in (REP, CLERK_PLOVDIV):
        appeal: dict[str, Any] = client.get(f"/api/v1/applications/{app_id}", headers=who).json["decision"]["appeal"]
        assert "Закон за предприятията на социалната и солидарна икономика" in appeal["legal_ground_bg"]
        assert appeal["body_bg"] == "Административен съд – София-град"
        assert "чл. 149, ал. 1" in appeal["through_bg"]
        assert appeal["days"] == 14
        assert appeal["communicated_on"] == told_on.isoformat()
        assert appeal["deadline"] == appeal_deadline(told_on).isoformat()
