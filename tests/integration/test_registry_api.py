"""The registry's HTTP API against a real MongoDB-protocol server (FerretDB)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pymongo import MongoClient

from services.registry.domain.policy import add_years
from shared.auth import Role
from shared.clock import sofia_date
from tests.integration.registry_api import CLERK_PLOVDIV, CLERK_VARNA, OTHER_REP, REP, application, token

pytestmark = pytest.mark.integration

ORDER = {"order_number": "РД-01-417", "order_date": "2026-11-20"}


@pytest.fixture
def database(registry_db_name: str) -> str:
    return registry_db_name


@pytest.fixture
def app(registry_app: Flask) -> Flask:
    return registry_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def stored(infra: Any, database: str) -> Any:
    return MongoClient(infra.mongodb_uri)[database]["enterprises"]


def create(client: FlaskClient, body: dict[str, Any] | None = None, headers: dict[str, str] = REP) -> dict[str, Any]:
    response = client.post("/api/v1/applications", json=body or application(), headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def registered(client: FlaskClient, body: dict[str, Any] | None = None) -> dict[str, Any]:
    app_id = create(client, body)["id"]
    assert client.post(f"/api/v1/applications/{app_id}/submit", headers=REP).status_code == 200
    response = client.post(f"/api/v1/applications/{app_id}/approve", json=ORDER, headers=CLERK_PLOVDIV)
    assert response.status_code == 200, response.json
    return response.json


def test_full_workflow_from_draft_to_the_public_register(client: FlaskClient) -> None:
    draft = create(client)
    assert draft["status"] == "draft"
    assert draft["eligibility"]["requested_met"] is True
    assert [r["code"] for r in draft["eligibility"]["rules"]][:4] == ["A1", "A2", "A3a", "A3b"]
    app_id = draft["id"]

    submitted = client.post(f"/api/v1/applications/{app_id}/submit", headers=REP).json
    assert submitted["status"] == "submitted" and submitted["days_left"] == 13

    asked = client.post(
        f"/api/v1/applications/{app_id}/request-information",
        json={"message": "Моля, приложете устава."},
        headers=CLERK_PLOVDIV,
    ).json
    assert asked["status"] == "information_requested" and asked["due_at"] is None

    client.post(f"/api/v1/applications/{app_id}/answer", json={"answer": "Приложен."}, headers=REP)
    amended = client.patch(
        f"/api/v1/applications/{app_id}",
        json={"details": application(details__activities=["хлебопроизводство"])["details"]},
        headers=REP,
    )
    assert amended.status_code == 200, amended.json
    assert client.post(f"/api/v1/applications/{app_id}/submit", headers=REP).json["status"] == "submitted"

    approved = client.post(f"/api/v1/applications/{app_id}/approve", json=ORDER, headers=CLERK_PLOVDIV).json
    assert approved["status"] == "approved"
    number = approved["registration_number"]

    entry = client.get(f"/api/v1/register/{number}").json
    assert entry["name"] == "Социална пекарна „Добро утро“"
    assert entry["enterprise_class"] == "A"
    assert entry["placement"]["centre"]["id"] == "plovdiv"
    assert entry["mark"] == "Продукт на социално предприятие"
    decided = sofia_date(datetime.now(UTC))
    assert entry["certificate"]["valid_until"] == (add_years(decided, 3) - timedelta(days=1)).isoformat()
    assert [h["action"] for h in entry["history"]] == ["registered"]


def test_public_entry_never_shows_private_contacts_or_internal_history(client: FlaskClient) -> None:
    enterprise_id = registered(client)["enterprise_id"]
    entry = client.get(f"/api/v1/register/{enterprise_id}").json
    assert entry["contacts"] == {"email": "hello@dobroutro.example.bg", "website": "https://dobroutro.example.bg"}
    assert "+359 32 600 700" not in str(entry)
    assert all(h["action"] != "application_submitted" for h in entry["history"])


def test_register_search_finds_latin_from_cyrillic_and_back(client: FlaskClient) -> None:
    registered(client)
    registered(client, application(details__eik="131071587", details__name="Kooperatsia Rodopa Textile"))

    def names(**params: str) -> list[str]:
        response = client.get("/api/v1/register", query_string=params)
        assert response.status_code == 200, response.json
        return [i["name"] for i in response.json["items"]]

    assert names(q="dobro utro") == ["Социална пекарна „Добро утро“"]
    assert names(q="пекар") == ["Социална пекарна „Добро утро“"]
    assert names(q="кооперация родопа") == ["Kooperatsia Rodopa Textile"]
    assert names(eik="131071587") == ["Kooperatsia Rodopa Textile"]
    assert len(names(district="BG-16", **{"class": "A"})) == 2
    assert names(region="BG33") == []
    assert names(activity="кетъ") == ["Kooperatsia Rodopa Textile", "Социална пекарна „Добро утро“"]
    page = client.get("/api/v1/register", query_string={"per_page": 1, "page": 2}).json
    assert page["total"] == 2 and len(page["items"]) == 1


def test_open_data_export_as_csv_and_json(client: FlaskClient) -> None:
    registered(client)
    response = client.get("/api/v1/register/export.csv")
    assert response.status_code == 200 and response.content_type == "text/csv; charset=utf-8"
    text = response.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 1
    assert rows[0]["name"] == "Социална пекарна „Добро утро“"
    assert rows[0]["certificate_number"].startswith("УСП-")
    assert rows[0]["address"] == "бул. Руски 15"
    exported = client.get("/api/v1/register/export.json").json
    assert exported["columns"] == list(rows[0].keys())
    assert exported["items"][0]["eik"] == "175074752"


def test_clerk_queue_shows_only_the_centres_applications_by_due_date(client: FlaskClient) -> None:
    first = create(client)["id"]
    second = create(client, application(details__eik="131071587"), headers=OTHER_REP)["id"]
    varna = create(client, application(details__eik="020469788", details__seat__district="BG-03"))["id"]
    for app_id, headers in ((second, OTHER_REP), (first, REP), (varna, REP)):
        client.post(f"/api/v1/applications/{app_id}/submit", headers=headers)
    queue = client.get("/api/v1/applications", headers=CLERK_PLOVDIV).json
    assert [i["id"] for i in queue["items"]] == [second, first]
    assert all(i["overdue"] is False for i in queue["items"])
    assert (
        client.get("/api/v1/applications", query_string={"centre": "varna"}, headers=CLERK_PLOVDIV).status_code == 403
    )
    national = token("clerk-national", Role.CLERK, centre="national")
    assert client.get("/api/v1/applications", headers=national).json["total"] == 3


def test_a_clerk_of_another_centre_cannot_decide(client: FlaskClient) -> None:
    app_id = create(client)["id"]
    client.post(f"/api/v1/applications/{app_id}/submit", headers=REP)
    response = client.post(f"/api/v1/applications/{app_id}/approve", json=ORDER, headers=CLERK_VARNA)
    assert response.status_code == 403
    assert response.json["message"]["bg"]


def test_a_representative_cannot_see_or_change_another_enterprises_draft(client: FlaskClient) -> None:
    app_id = create(client)["id"]
    assert client.get(f"/api/v1/applications/{app_id}", headers=OTHER_REP).status_code == 404
    body = {"details": application(details__name="Чуждо")["details"]}
    assert client.patch(f"/api/v1/applications/{app_id}", json=body, headers=OTHER_REP).status_code == 403
    assert client.get(f"/api/v1/applications/{app_id}", headers=REP).json["details"]["name"] != "Чуждо"


def test_transitions_not_allowed_now_answer_409_with_the_reason(client: FlaskClient) -> None:
    app_id = create(client)["id"]
    response = client.post(f"/api/v1/applications/{app_id}/approve", json=ORDER, headers=CLERK_PLOVDIV)
    assert response.status_code == 409
    assert response.json["code"] == "transition_not_allowed"
    assert "чернова" in response.json["message"]["bg"] and "draft" in response.json["message"]["en"]


def test_signing_in_is_required_and_roles_are_checked(client: FlaskClient) -> None:
    assert client.post("/api/v1/applications", json=application()).status_code == 401
    assert client.post("/api/v1/applications", json=application(), headers=CLERK_PLOVDIV).status_code == 403
    forged = {"Authorization": "Bearer " + "x" * 40}
    assert client.get("/api/v1/register", headers=forged).status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (application(details__eik="123456789"), "details.eik"),
        (application(details__eik={"$gt": ""}), "details.eik"),
        (application(details__name="Я" * 201), "details.name"),
        (application(details__seat__district="BG-99"), "details.seat.district"),
        (application(evidence__staff_count="десет"), "evidence.staff_count"),
        (application(evidence__staff_count=-1), "evidence.staff_count"),
        (application(evidence__vulnerable_staff={"aliens": 3}), "evidence.vulnerable_staff"),
        (application(requested_class="B"), "requested_class"),
        (application(requested_class="A+"), "a_plus_criterion"),
        (application(unexpected="x"), "unexpected"),
        (application(details__contacts__email="not-an-email"), "details.contacts.email"),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_nothing_is_written(
    client: FlaskClient, stored: Any, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/applications", json=body, headers=REP)
    assert response.status_code == 422, response.json
    assert any(name == field or name.startswith(f"{field}.") for name in response.json["fields"]), response.json
    messages = next(iter(response.json["fields"].values()))[0]
    assert messages["bg"] and messages["en"]
    assert stored.count_documents({}) == 0


def test_bilingual_message_for_an_invalid_eik(client: FlaskClient) -> None:
    response = client.post("/api/v1/applications", json=application(details__eik="123456789"), headers=REP)
    message = response.json["fields"]["details.eik"][0]
    assert message["bg"].startswith("Невалиден ЕИК") and message["en"].startswith("Invalid ЕИК")


def test_oversized_and_non_json_bodies_are_refused(client: FlaskClient, stored: Any) -> None:
    huge = application(details__description="а" * 300_000)
    assert client.post("/api/v1/applications", json=huge, headers=REP).status_code == 413
    garbled = client.post(
        "/api/v1/applications", data=b"{not json", headers={**REP, "Content-Type": "application/json"}
    )
    assert garbled.status_code in (400, 422)
    assert garbled.json["message"]["en"]
    assert stored.count_documents({}) == 0


def test_unknown_query_parameters_and_bad_filters_are_refused(client: FlaskClient) -> None:
    response = client.get("/api/v1/register", query_string={"colour": "blue"})
    assert response.status_code == 422 and "colour" in response.json["fields"]
    response = client.get("/api/v1/register", query_string={"per_page": 1000})
    assert response.status_code == 422 and "per_page" in response.json["fields"]


def test_live_eligibility_check_saves_nothing(client: FlaskClient, stored: Any) -> None:
    body = {key: application()[key] for key in ("requested_class", "class_a_route", "evidence")}
    body["evidence"]["staff_count"] = 20
    result = client.post("/api/v1/eligibility", json=body).json
    assert result["class_a_met"] is False
    assert next(r for r in result["rules"] if r["code"] == "A3b")["passed"] is False
    assert stored.count_documents({}) == 0


def test_health_readiness_metrics_and_api_docs(client: FlaskClient) -> None:
    assert client.get("/healthz").json == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"] == {"mongodb": "ok"}  # web processes need no Kafka
    client.get("/api/v1/register")
    assert b'http_requests_total{endpoint="/api/v1/register"' in client.get("/metrics").data
    spec = client.get("/openapi.json").json
    approve = spec["paths"]["/api/v1/applications/{application_id}/approve"]["post"]
    assert approve["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Application"
    }
    assert "422" in approve["responses"] or "default" in approve["responses"]
    search = spec["paths"]["/api/v1/register"]["get"]["responses"]["200"]["content"]["application/json"]
    assert search["schema"] == {"$ref": "#/components/schemas/RegisterPage"}
    assert client.get("/docs").status_code == 200


def test_the_correlation_id_is_echoed_and_carried_into_events(client: FlaskClient, stored: Any) -> None:
    app_id = create(client)["id"]
    response = client.post(f"/api/v1/applications/{app_id}/submit", headers={**REP, "X-Correlation-ID": "trace-42"})
    assert response.headers["X-Correlation-ID"] == "trace-42"
    document = stored.find_one({"application_ids": app_id})
    assert [e["envelope"]["correlation_id"] for e in document["outbox"]] == ["trace-42"]


def test_a_personal_number_in_the_eik_field_is_named_and_not_kept(client: FlaskClient, stored: Any) -> None:
    response = client.post("/api/v1/applications", json=application(details__eik="7501010010"), headers=REP)
    assert response.status_code == 422
    assert "ЕГН" in response.json["fields"]["details.eik"][0]["bg"]
    assert "7501010010" not in response.get_data(as_text=True)
    assert stored.count_documents({}) == 0


def test_a_register_certificate_is_checked_by_its_number_however_typed(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_PORTAL_URL", "https://solidarityhub.example.bg")
    enterprise_id = registered(client)["enterprise_id"]
    entry = client.get(f"/api/v1/register/{enterprise_id}").json
    number = entry["certificate"]["number"]
    assert number.startswith("УСП-")
    digits = number.removeprefix("УСП-")
    for typed in (number, number.lower(), f"USP-{digits}", f" usp {digits.replace('-', ' ')} ", f"УСП–{digits}"):
        found = client.get(f"/api/v1/register/certificates/{quote(typed)}")
        assert found.status_code == 200, (typed, found.json)
        assert found.json["number"] == number and found.json["valid"] is True, typed
        assert found.json["valid_until"] == entry["certificate"]["valid_until"]
        assert found.json["enterprise"] == {
            "id": enterprise_id,
            "name": "Социална пекарна „Добро утро“",
            "registration_number": entry["registration_number"],
            "enterprise_class": "A",
            "status": "active",
        }
        assert found.json["entry_url"] == (
            f"https://solidarityhub.example.bg/register/{quote(entry['registration_number'], safe='')}"
        )
    # Only what the register publishes: no contacts, no representative.
    shown = str(client.get(f"/api/v1/register/certificates/{quote(number)}").json)
    assert "@" not in shown and entry["representative"] not in shown
    missing = client.get("/api/v1/register/certificates/USP-1999-00001")
    assert missing.status_code == 404 and "No certificate" in missing.json["message"]["en"]
