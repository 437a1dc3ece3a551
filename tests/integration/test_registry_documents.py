"""A refusal tells the applicant its legal ground and how and by when to appeal; documents go with an
application and with each answer, and come back only to those who may see them."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.registry.domain.appeal import appeal_deadline
from shared.auth import Role
from shared.clock import sofia_date
from tests.documents import pdf
from tests.integration.registry_api import CLERK_PLOVDIV, CLERK_VARNA, OTHER_REP, REP, application, token

pytestmark = pytest.mark.integration

CLERK_NATIONAL = token("clerk-national", Role.CLERK, centre="national")


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


# ---------------------------------------------------------------------- documents
PDF = pdf()
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def draft(client: FlaskClient) -> str:
    created = client.post("/api/v1/applications", json=application(), headers=REP)
    assert created.status_code == 201, created.json
    return str(created.json["id"])


def upload(client: FlaskClient, app_id: str, data: bytes, name: str, headers: dict[str, str] = REP) -> Any:
    return client.post(
        f"/api/v1/applications/{app_id}/documents",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def names(client: FlaskClient, app_id: str) -> list[str]:
    listed = client.get(f"/api/v1/applications/{app_id}/documents", headers=REP)
    assert listed.status_code == 200, listed.json
    return [item["filename"] for item in listed.json["items"]]


def test_a_document_goes_with_the_application_and_comes_back_to_the_applicant_and_the_centre(
    client: FlaskClient,
) -> None:
    app_id = draft(client)
    sent = upload(client, app_id, PDF, "протокол от общото събрание.pdf")
    assert sent.status_code == 201, sent.json
    assert sent.json["filename"] == "протокол от общото събрание.pdf"
    assert sent.json["content_type"] == "application/pdf" and sent.json["size"] == len(PDF)
    assert sent.json["answer_to"] is None
    assert client.post(f"/api/v1/applications/{app_id}/submit", headers=REP).status_code == 200
    for who in (REP, CLERK_PLOVDIV, CLERK_NATIONAL):
        listed = client.get(f"/api/v1/applications/{app_id}/documents", headers=who)
        assert [item["id"] for item in listed.json["items"]] == [sent.json["id"]]
        got = client.get(f"/api/v1/applications/{app_id}/documents/{sent.json['id']}", headers=who)
        assert got.status_code == 200
        assert got.data == PDF
        assert got.headers["Content-Type"] == "application/pdf"
        assert got.headers["Content-Disposition"].startswith("attachment;")
        assert "filename*=UTF-8''" in got.headers["Content-Disposition"]
        assert got.headers["X-Content-Type-Options"] == "nosniff"
    # a submitted application takes no more documents until the centre asks for something
    late = upload(client, app_id, PDF, "още.pdf")
    assert late.status_code == 409
    assert names(client, app_id) == ["протокол от общото събрание.pdf"]


def test_a_document_goes_with_the_answer_to_the_centre_s_request(client: FlaskClient) -> None:
    app_id = submitted(client)
    asked = client.post(f"/api/v1/applications/{app_id}/request-information", json={"message": "Приложете устава."},
                        headers=CLERK_PLOVDIV)  # fmt: skip
    assert asked.status_code == 200, asked.json
    sent = upload(client, app_id, PNG, "устав.png")
    assert sent.status_code == 201, sent.json
    assert sent.json["answer_to"] == 0 and sent.json["content_type"] == "image/png"
    listed = client.get(f"/api/v1/applications/{app_id}/documents", headers=CLERK_PLOVDIV).json["items"]
    assert [(item["filename"], item["answer_to"]) for item in listed] == [("устав.png", 0)]


def test_hostile_uploads_are_refused_naming_the_field_and_nothing_is_kept(client: FlaskClient) -> None:
    app_id = draft(client)
    disguised = upload(client, app_id, b"MZ\x90\x00 this is a program, not a PDF", "протокол.pdf")
    assert disguised.status_code == 422
    assert "file" in disguised.json["fields"]
    html = upload(client, app_id, b"<html><script>alert(1)</script></html>", "page.png")
    assert html.status_code == 422 and "file" in html.json["fields"]
    big = upload(client, app_id, b"%PDF-" + b"0" * (10 * 1024 * 1024), "big.pdf")
    assert big.status_code == 413
    assert "file" in big.json["fields"]
    empty = upload(client, app_id, b"", "empty.pdf")
    assert empty.status_code == 422 and "file" in empty.json["fields"]
    as_json = client.post(f"/api/v1/applications/{app_id}/documents", json={"file": "JVBERi0="}, headers=REP)
    assert as_json.status_code == 415
    assert names(client, app_id) == []

    # a name with folders in it is only a name; the extension is what the file really is
    pathish = upload(client, app_id, PDF, "..\\..\\windows/../../etc/passwd.exe")
    assert pathish.status_code == 201, pathish.json
    assert pathish.json["filename"] == "passwd.pdf"
    got = client.get(f"/api/v1/applications/{app_id}/documents/{pathish.json['id']}", headers=REP)
    assert got.headers["Content-Disposition"] == "attachment; filename=passwd.pdf"


def test_another_person_neither_sends_nor_reads_the_documents(client: FlaskClient) -> None:
    app_id = draft(client)
    sent = upload(client, app_id, PDF, "устав.pdf")
    assert sent.status_code == 201
    assert client.post(f"/api/v1/applications/{app_id}/submit", headers=REP).status_code == 200
    document = f"/api/v1/applications/{app_id}/documents/{sent.json['id']}"
    for stranger in (OTHER_REP, CLERK_VARNA):
        assert client.get(document, headers=stranger).status_code == 404
        assert client.get(f"/api/v1/applications/{app_id}/documents", headers=stranger).status_code == 404
    assert upload(client, app_id, PDF, "чужд.pdf", headers=OTHER_REP).status_code == 404
    assert upload(client, app_id, PDF, "от служител.pdf", headers=CLERK_PLOVDIV).status_code == 403
    assert client.get(document, headers={}).status_code == 401
    # a document id of one application does not open through another application's address
    other = client.post("/api/v1/applications", json=application(), headers=OTHER_REP).json["id"]
    through_own = f"/api/v1/applications/{other}/documents/{sent.json['id']}"
    assert client.get(through_own, headers=OTHER_REP).status_code == 404


def test_an_application_holds_at_most_twenty_documents(client: FlaskClient) -> None:
    app_id = draft(client)
    for number in range(20):
        assert upload(client, app_id, PNG, f"снимка {number}.png").status_code == 201
    refused = upload(client, app_id, PNG, "twenty-first.png")
    assert refused.status_code == 409 and "file" in refused.json["fields"]
    assert len(names(client, app_id)) == 20
