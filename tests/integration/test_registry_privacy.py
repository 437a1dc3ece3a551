"""Who may read and change what in the registry: clerks' centres, public history, claims on an ЕИК, audit."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from shared.auth import Role
from tests.integration.registry_api import CLERK_PLOVDIV, REP, application, token
from tests.integration.test_registry_api import ORDER, create, registered

pytestmark = pytest.mark.integration

CLERK_WITHOUT_CENTRE = token("clerk-nowhere", Role.CLERK)
NO_CENTRE_BG = "не посочва регионален център"


def refused_for_no_centre(response: Any) -> None:
    assert response.status_code == 403, response.json
    assert NO_CENTRE_BG in response.json["message"]["bg"]
    assert "names no regional centre" in response.json["message"]["en"]


# ---------------------------------------------------------------------- a clerk without a centre
def test_a_clerk_without_a_centre_sees_no_queue(registry: FlaskClient) -> None:
    app_id = create(registry)["id"]
    registry.post(f"/api/v1/applications/{app_id}/submit", headers=REP)
    response = registry.get("/api/v1/applications", headers=CLERK_WITHOUT_CENTRE)
    refused_for_no_centre(response)
    assert "Добро утро" not in response.get_data(as_text=True)
    refused_for_no_centre(
        registry.get("/api/v1/applications", query_string={"centre": "plovdiv"}, headers=CLERK_WITHOUT_CENTRE)
    )
    refused_for_no_centre(registry.get("/api/v1/enterprises/overdue-reports", headers=CLERK_WITHOUT_CENTRE))
    assert registry.get("/api/v1/applications", headers=CLERK_PLOVDIV).json["total"] == 1


def test_a_clerk_without_a_centre_reads_no_application_or_file(registry: FlaskClient) -> None:
    submitted = create(registry)
    registry.post(f"/api/v1/applications/{submitted['id']}/submit", headers=REP)
    for path in (f"/api/v1/applications/{submitted['id']}", f"/api/v1/enterprises/{submitted['enterprise_id']}/file"):
        response = registry.get(path, headers=CLERK_WITHOUT_CENTRE)
        refused_for_no_centre(response)
        assert "hello@dobroutro.example.bg" not in response.get_data(as_text=True)


def test_a_clerk_without_a_centre_decides_nothing(registry: FlaskClient, registry_db: Any) -> None:
    app_id = create(registry)["id"]
    registry.post(f"/api/v1/applications/{app_id}/submit", headers=REP)
    for step, body in (
        ("request-information", {"message": "Моля, приложете устава."}),
        ("approve", ORDER),
        ("reject", {"reasons": ["Няма устав."]}),
    ):
        refused_for_no_centre(
            registry.post(f"/api/v1/applications/{app_id}/{step}", json=body, headers=CLERK_WITHOUT_CENTRE)
        )
    assert registry_db.enterprises.find_one({"application_ids": app_id})["application"]["status"] == "submitted"

    enterprise_id = registered(registry, application(details__eik="131071587"))["enterprise_id"]
    changed = application(details__eik="131071587", details__name="Подменено име")["details"]
    refused_for_no_centre(
        registry.patch(f"/api/v1/enterprises/{enterprise_id}", json={"details": changed}, headers=CLERK_WITHOUT_CENTRE)
    )
    refused_for_no_centre(
        registry.post(
            f"/api/v1/enterprises/{enterprise_id}/class-change",
            json={"new_class": "A+", "reason": "x"},
            headers=CLERK_WITHOUT_CENTRE,
        )
    )
    deletion = {**ORDER, "reason_code": "own_request", "note": ""}
    refused_for_no_centre(
        registry.post(f"/api/v1/enterprises/{enterprise_id}/deletion", json=deletion, headers=CLERK_WITHOUT_CENTRE)
    )
    entry = registry.get(f"/api/v1/register/{enterprise_id}").json
    assert entry["status"] == "active" and entry["name"] != "Подменено име"


def test_national_is_an_explicit_claim(registry: FlaskClient) -> None:
    app_id = create(registry, application(details__eik="020469788", details__seat__district="BG-03"))["id"]
    registry.post(f"/api/v1/applications/{app_id}/submit", headers=REP)
    national = token("clerk-ministry", Role.CLERK, centre="national")
    assert [i["id"] for i in registry.get("/api/v1/applications", headers=national).json["items"]] == [app_id]
    assert registry.get(f"/api/v1/applications/{app_id}", headers=national).status_code == 200
