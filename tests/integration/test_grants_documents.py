"""Documents of an application for support against real FerretDB (GridFS): checked by their content and scanned
before they are stored, the call's documents wanted with the application checked at submission, documents
accepted with the answer to a request for information, and served back only to those who may see the
application — never to an evaluator who declared a conflict of interest, another centre or enterprise."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pymongo.database import Database

from services.grants.entrypoints.api.context import DOCUMENTS
from services.grants.entrypoints.wiring import build_documents
from services.grants.service_layer.grants import GrantsService
from shared.auth import Role
from tests.documents import open_action, pdf
from tests.integration.registry_api import token
from tests.integration.test_grants_api import (  # noqa: F401 - fixtures
    CALL,
    CLERK_LOVECH,
    CLERK_VARNA,
    LINES,
    MINISTRY,
    api,
    app,
    clock,
    grants_db,
    grants_db_name,
    known_enterprise,
    ok,
    service,
)

pytestmark = pytest.mark.integration

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WITH_DOCUMENTS: dict[str, Any] = {
    **CALL,
    "required_documents": [
        {"code": "offer", "name_bg": "Оферта", "name_en": "Offer", "at_submission": True},
        {"code": "statement", "name_bg": "Декларация", "name_en": "Statement"},
    ],
}


@pytest.fixture
def documents_api(app: Flask, grants_db: Database, service: GrantsService) -> FlaskClient:  # noqa: F811
    app.extensions[DOCUMENTS] = build_documents(grants_db, service)
    return app.test_client()


def send(client: FlaskClient, app_id: str, headers: dict[str, str], data: bytes, name: str, code: str = "") -> Any:
    form = {"file": (io.BytesIO(data), name), "code": code}
    return client.post(f"/api/v1/applications/{app_id}/documents", data=form, headers=headers)


def listed(client: FlaskClient, app_id: str, headers: dict[str, str]) -> Any:
    return client.get(f"/api/v1/applications/{app_id}/documents", headers=headers)


def test_documents_are_checked_wanted_at_submission_answered_with_and_shown_only_to_who_may_see_them(
    documents_api: FlaskClient,
    service: GrantsService,  # noqa: F811
    grants_db: Database,  # noqa: F811
) -> None:
    api = documents_api  # noqa: F811
    call = ok(api.post("/api/v1/calls", json=WITH_DOCUMENTS, headers=MINISTRY), 201)
    enterprise_id = known_enterprise(service)
    rep = token("rep-docs", Role.REPRESENTATIVE, enterprise_id=enterprise_id)
    stranger = token("rep-other", Role.REPRESENTATIVE, enterprise_id=known_enterprise(service))
    app_id = ok(api.post("/api/v1/applications", json={"call_id": call["id"], "lines": LINES}, headers=rep), 201)["id"]

    # the offer is wanted with the application: no submission without it, nothing changed
    refused = ok(api.post(f"/api/v1/applications/{app_id}/submit", headers=rep), 422)
    assert refused["fields"]["documents"][0]["bg"] == "Приложете: Оферта."
    assert ok(api.get(f"/api/v1/applications/{app_id}", headers=rep))["status"] == "draft"

    # what is refused is never stored: not a PDF/PNG/JPEG, active content, a document the call does not know
    assert "file" in ok(send(api, app_id, rep, b"MZ\x90\x00 not a pdf", "оферта.pdf", "offer"), 422)["fields"]
    scripted = send(api, app_id, rep, pdf(open_action("/JavaScript", JS="app.alert(1)")), "оферта.pdf", "offer")
    assert "JavaScript" in ok(scripted, 422)["fields"]["file"][0]["en"]
    assert "code" in ok(send(api, app_id, rep, pdf(), "оферта.pdf", "invoice"), 422)["fields"]
    assert send(api, app_id, stranger, pdf(), "оферта.pdf", "offer").status_code == 404  # not her enterprise's
    assert grants_db["documents.files"].count_documents({}) == 0

    offer = ok(send(api, app_id, rep, pdf(), "../../Оферта ООД.pdf", "offer"), 201)
    assert (offer["filename"], offer["code"], offer["content_type"], offer["answer_to"]) == (
        "Оферта ООД.pdf",
        "offer",
        "application/pdf",
        None,
    )
    assert ok(api.post(f"/api/v1/applications/{app_id}/submit", headers=rep))["status"] == "submitted"
    late = send(api, app_id, rep, PNG, "снимка.png")
    assert late.status_code == 409  # the figures and documents are frozen after submission...

    ok(api.post(f"/api/v1/applications/{app_id}/check", headers=CLERK_VARNA))
    asked = {"text": "Приложете декларацията."}
    ok(api.post(f"/api/v1/applications/{app_id}/request-information", json=asked, headers=CLERK_VARNA))
    answer = ok(send(api, app_id, rep, PNG, "декларация.png", "statement"), 201)  # ...except with an answer
    assert (answer["answer_to"], answer["content_type"], answer["filename"]) == (0, "image/png", "декларация.png")
    ok(api.post(f"/api/v1/applications/{app_id}/answer", json={"text": "Приложена."}, headers=rep))
    ok(api.post(f"/api/v1/applications/{app_id}/admit", headers=CLERK_VARNA))
    for name in ("eval-docs-1", "eval-docs-2"):
        ok(api.post(f"/api/v1/applications/{app_id}/evaluators", json={"evaluator": name}, headers=CLERK_VARNA))
    evaluator, conflicted = (token(n, Role.CLERK, centre="lovech") for n in ("eval-docs-1", "eval-docs-2"))
    ok(api.post(f"/api/v1/applications/{app_id}/declaration", json={"conflict_of_interest": False}, headers=evaluator))
    declared = {"conflict_of_interest": True}
    ok(api.post(f"/api/v1/applications/{app_id}/declaration", json=declared, headers=conflicted))

    # read back by the representative, the centre's staff and the evaluator without a conflict
    for reader in (rep, CLERK_VARNA, evaluator):
        items = ok(listed(api, app_id, reader))["items"]
        assert [(d["code"], d["filename"]) for d in items] == [
            ("offer", "Оферта ООД.pdf"),
            ("statement", "декларация.png"),
        ]
        got = api.get(f"/api/v1/applications/{app_id}/documents/{offer['id']}", headers=reader)
        assert got.status_code == 200 and got.data == pdf() and got.mimetype == "application/pdf"
        assert (
            got.headers["Content-Disposition"].startswith("attachment") and "no-store" in got.headers["Cache-Control"]
        )
    # and by nobody else: the conflicted evaluator, another centre, another enterprise; anonymous callers
    for outsider in (conflicted, CLERK_LOVECH, stranger):
        assert listed(api, app_id, outsider).status_code == 404
        assert api.get(f"/api/v1/applications/{app_id}/documents/{offer['id']}", headers=outsider).status_code == 404
    assert listed(api, app_id, {}).status_code == 401
    assert api.get(f"/api/v1/applications/{app_id}/documents/gdoc-none", headers=rep).status_code == 404
