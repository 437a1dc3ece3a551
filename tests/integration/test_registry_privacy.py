"""Who may read and change what in the registry: clerks' centres, public history, claims on an ЕИК, audit."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from services.registry.entrypoints.scheduler import checks
from shared.auth import Role
from tests.integration.registry_api import CLERK_PLOVDIV, CLERK_VARNA, OTHER_REP, REP, application, token
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


# ---------------------------------------------------------------------- the public history
def test_public_history_never_shows_a_contact_that_is_not_public(registry: FlaskClient) -> None:
    enterprise_id = registered(registry)["enterprise_id"]
    private_phone = application(details__contacts__phone="+359 88 123 4567", details__seat__address="ул. Нова 1")
    response = registry.patch(
        f"/api/v1/enterprises/{enterprise_id}", json={"details": private_phone["details"]}, headers=REP
    )
    assert response.status_code == 200, response.json
    hidden_email = application(
        details__contacts__phone="+359 88 123 4567",
        details__seat__address="ул. Нова 1",
        details__contacts__email="elena.private@example.bg",
        details__contacts__email_public=False,
    )
    response = registry.patch(
        f"/api/v1/enterprises/{enterprise_id}", json={"details": hidden_email["details"]}, headers=REP
    )
    assert response.status_code == 200, response.json

    for path in (f"/api/v1/register/{enterprise_id}", "/api/v1/register/export.csv", "/api/v1/register/export.json"):
        body = registry.get(path).get_data(as_text=True)
        for value in ("+359 32 600 700", "+359 88 123 4567", "hello@dobroutro.example.bg", "elena.private@example.bg"):
            assert value not in body, (path, value)
    history = registry.get(f"/api/v1/register/{enterprise_id}").json["history"]
    assert [h["action"] for h in history] == ["registered", "details_updated", "details_updated"]
    assert history[1]["changes"] == [{"field": "seat.address", "from": "бул. Руски 15", "to": "ул. Нова 1"}]
    # The representative and the clerks still read the whole history.
    file = registry.get(f"/api/v1/enterprises/{enterprise_id}/file", headers=REP).get_data(as_text=True)
    assert "+359 88 123 4567" in file and "elena.private@example.bg" in file


def test_a_contact_made_public_later_shows_only_from_then_on(registry: FlaskClient) -> None:
    enterprise_id = registered(registry)["enterprise_id"]
    changed = application(details__contacts__phone="+359 88 123 4567")["details"]
    registry.patch(f"/api/v1/enterprises/{enterprise_id}", json={"details": changed}, headers=REP)
    shown = application(details__contacts__phone="+359 88 765 4321", details__contacts__phone_public=True)["details"]
    registry.patch(f"/api/v1/enterprises/{enterprise_id}", json={"details": shown}, headers=REP)
    entry = registry.get(f"/api/v1/register/{enterprise_id}")
    assert entry.json["contacts"]["phone"] == "+359 88 765 4321"
    assert entry.json["history"][-1]["changes"] == [{"field": "contacts.phone", "from": None, "to": "+359 88 765 4321"}]
    assert "+359 88 123 4567" not in entry.get_data(as_text=True)
    assert "+359 32 600 700" not in entry.get_data(as_text=True)


# ---------------------------------------------------------------------- formula injection in open data
def test_open_data_csv_neutralises_cells_that_could_start_a_formula(registry: FlaskClient) -> None:
    hostile = application(
        details__name='=HYPERLINK("http://evil.example","Регистър")',
        details__seat__address="+359 1+1",
        details__activities=["@SUM(1+1)", "-2+3", "шиене"],
    )
    registered(registry, hostile)
    text = registry.get("/api/v1/register/export.csv").data.decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["name"] == '\'=HYPERLINK("http://evil.example","Регистър")'
    assert row["address"] == "'+359 1+1"
    assert row["activities"] == "'@SUM(1+1); -2+3; шиене"
    assert row["eik"] == "175074752" and row["registration_number"].startswith("СП-")
    # The JSON export is data, not a spreadsheet: the values are as entered.
    item = registry.get("/api/v1/register/export.json").json["items"][0]
    assert item["name"] == '=HYPERLINK("http://evil.example","Регистър")'
    assert item["address"] == "+359 1+1"
    assert item["activities"] == "@SUM(1+1); -2+3; шиене"


# ---------------------------------------------------------------------- competing applications for one ЕИК
def test_a_draft_blocks_nobody_and_the_clerk_decides_between_competing_applications(registry: FlaskClient) -> None:
    squatter = create(registry)  # rep-1 starts a draft for an ЕИК that is not theirs
    registry.post(f"/api/v1/applications/{squatter['id']}/withdraw", headers=REP)
    owner = create(registry, headers=OTHER_REP)  # the real owner is not blocked
    assert owner["enterprise_id"] != squatter["enterprise_id"]
    assert registry.post(f"/api/v1/applications/{owner['id']}/submit", headers=OTHER_REP).json["status"] == "submitted"
    again = create(registry)  # and the first one may apply again, competing
    assert again["enterprise_id"] == squatter["enterprise_id"]
    assert registry.post(f"/api/v1/applications/{again['id']}/submit", headers=REP).status_code == 200

    queue = registry.get("/api/v1/applications", headers=CLERK_PLOVDIV).json
    assert {i["id"] for i in queue["items"]} == {owner["id"], again["id"]}
    review = registry.get(f"/api/v1/applications/{owner['id']}", headers=CLERK_PLOVDIV).json
    assert [(c["application_id"], c["status"]) for c in review["competing_applications"]] == [
        (again["id"], "submitted")
    ]
    # An applicant never learns of the others.
    assert "competing_applications" not in registry.get(f"/api/v1/applications/{owner['id']}", headers=OTHER_REP).json
    assert again["id"] not in registry.get(f"/api/v1/applications/{owner['id']}", headers=OTHER_REP).get_data(
        as_text=True
    )

    approved = registry.post(f"/api/v1/applications/{owner['id']}/approve", json=ORDER, headers=CLERK_PLOVDIV)
    assert approved.status_code == 200, approved.json
    refused = registry.post(f"/api/v1/applications/{again['id']}/approve", json=ORDER, headers=CLERK_PLOVDIV)
    assert refused.status_code == 409
    assert "вписан в регистъра" in refused.json["message"]["bg"]
    assert "already entered in the register" in refused.json["message"]["en"]
    assert registry.get("/api/v1/register", query_string={"eik": "175074752"}).json["total"] == 1
    review = registry.get(f"/api/v1/applications/{again['id']}", headers=CLERK_PLOVDIV).json
    assert review["competing_applications"][0]["registration_number"] == approved.json["registration_number"]
    # Once entered, the ЕИК is its enterprise's: nobody else starts an application with it.
    assert (
        registry.post(
            "/api/v1/applications", json=application(), headers=token("rep-3", Role.REPRESENTATIVE)
        ).status_code
        == 409
    )


def test_the_scheduler_expires_untouched_drafts(
    registry: FlaskClient, registry_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = create(registry)
    submitted = create(registry, application(details__eik="131071587"), headers=OTHER_REP)
    registry.post(f"/api/v1/applications/{submitted['id']}/submit", headers=OTHER_REP)
    monkeypatch.setenv("REGISTRY_DRAFT_EXPIRY_DAYS", "0")
    result = checks(registry_db)()
    assert result["drafts_expired"] == 1
    assert registry.get(f"/api/v1/applications/{draft['id']}", headers=REP).json["status"] == "withdrawn"
    assert registry.get(f"/api/v1/applications/{submitted['id']}", headers=OTHER_REP).json["status"] == "submitted"
    assert checks(registry_db)()["drafts_expired"] == 0


# ---------------------------------------------------------------------- the audit of personal-data reads
ADMIN = token("admin-1", Role.ADMIN, name="Анна Админова")


def test_clerks_reads_of_personal_data_are_recorded_and_shown_to_administrators(
    registry: FlaskClient, registry_db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    submitted = create(registry)
    registry.post(f"/api/v1/applications/{submitted['id']}/submit", headers=REP)
    other = create(registry, application(details__eik="131071587"), headers=OTHER_REP)
    registry.post(f"/api/v1/applications/{other['id']}/submit", headers=OTHER_REP)
    clerk = token("clerk-georgi", Role.CLERK, centre="plovdiv", name="Георги Атанасов")
    registry.get(f"/api/v1/applications/{submitted['id']}", headers=clerk)
    registry.get(f"/api/v1/enterprises/{submitted['enterprise_id']}/file", headers=clerk)
    registry.get("/api/v1/applications", headers=clerk)
    registry.get(f"/api/v1/applications/{submitted['id']}", headers=REP)  # one's own data: not recorded
    registry.get(f"/api/v1/applications/{other['id']}", headers=ADMIN)
    registry.get(f"/api/v1/applications/{submitted['id']}", headers=CLERK_VARNA)  # refused: nothing was read

    page = registry.get(
        "/api/v1/audit/reads", query_string={"enterprise_id": submitted["enterprise_id"]}, headers=ADMIN
    ).json
    assert page["total"] == 3 and page["retention_days"] == 730
    assert [(r["view"], r["application_id"]) for r in page["items"]] == [
        ("queue", submitted["id"]),
        ("file", None),
        ("application", submitted["id"]),
    ]
    assert page["items"][0]["reader"] == {
        "subject": "clerk-georgi",
        "name": "Георги Атанасов",
        "role": "clerk",
        "centre": "plovdiv",
    }
    assert page["items"][0]["at"] >= page["items"][-1]["at"]
    by_admin = registry.get("/api/v1/audit/reads", query_string={"reader": "admin-1"}, headers=ADMIN).json
    assert [(r["enterprise_id"], r["reader"]["role"]) for r in by_admin["items"]] == [(other["enterprise_id"], "admin")]
    everything = registry.get("/api/v1/audit/reads", headers=ADMIN).json
    assert everything["total"] == 5  # the queue page showed two applications: one record each
    paged = registry.get("/api/v1/audit/reads", query_string={"per_page": 2, "page": 3}, headers=ADMIN).json
    assert paged["total"] == 5 and paged["items"] == everything["items"][4:]

    for headers in (clerk, REP, {}):
        assert registry.get("/api/v1/audit/reads", headers=headers).status_code in (401, 403)
    assert registry.get("/api/v1/audit/reads", query_string={"per_page": 1000}, headers=ADMIN).status_code == 422

    # Kept for the retention, then pruned by the scheduler.
    registry_db.audit_reads.update_many({"view": "queue"}, {"$set": {"at": datetime.now(UTC) - timedelta(days=731)}})
    assert checks(registry_db)()["audit_reads_pruned"] == 2
    assert registry.get("/api/v1/audit/reads", headers=ADMIN).json["total"] == 3
