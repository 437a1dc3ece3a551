"""Register messages reach the person who applied, against real FerretDB and a real SMTP server.

A representative (her sign-in verified her own address) applies for an enterprise whose contact address
is another one, is asked for information, resubmits and is approved. The registry's events (read from its
outbox, as the relay would publish them) go through the notifications consumer's handler and sender.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.notifications.entrypoints.consumer import Notifier
from services.notifications.entrypoints.wiring import build
from services.registry.adapters.repository import ENTERPRISES
from shared.auth import Role
from shared.events import Envelope
from tests.integration.notifications_api import SmtpServer, person
from tests.integration.registry_api import CLERK_PLOVDIV, application, token

pytestmark = pytest.mark.integration

MARIA = "Maria.Ivanova@Example.bg"
CONTACT = "office@zhiten-klas.example.bg"
ORDER = {"order_number": "РД-01-418", "order_date": "2026-11-20"}
PORTAL = "https://portal.example.bg"


def registry_events(registry_db: Database, enterprise_id: str) -> list[Envelope]:
    document = registry_db[ENTERPRISES].find_one({"_id": enterprise_id})
    assert document is not None
    return [Envelope.from_dict(entry["envelope"]) for entry in document["outbox"]]


def subjects_to(smtp_server: SmtpServer, address: str) -> list[str]:
    return [str(r.message["Subject"]) for r in smtp_server.handler.to(address)]


def test_a_representatives_application_decision_reaches_her_own_inbox_and_address_and_the_contact_once(
    registry: FlaskClient,
    registry_db: Database,
    notifications: FlaskClient,
    notifications_db: Database,
    smtp_server: SmtpServer,
) -> None:
    maria = token("rep-maria", Role.REPRESENTATIVE, name="Мария Иванова", email=MARIA)
    body = application(details__eik="204285933", details__contacts__email=CONTACT)
    created = registry.post("/api/v1/applications", json=body, headers=maria)
    assert created.status_code == 201, created.json
    app_id, enterprise_id = created.json["id"], created.json["enterprise_id"]
    steps = [
        (f"/api/v1/applications/{app_id}/submit", None, maria),
        (f"/api/v1/applications/{app_id}/request-information", {"message": "Моля, приложете устава."}, CLERK_PLOVDIV),
        (f"/api/v1/applications/{app_id}/answer", {"answer": "Приложен."}, maria),
        (f"/api/v1/applications/{app_id}/submit", None, maria),
        (f"/api/v1/applications/{app_id}/approve", ORDER, CLERK_PLOVDIV),
    ]
    for url, payload, headers in steps:
        response = registry.post(url, json=payload, headers=headers)
        assert response.status_code == 200, (url, response.json)

    service = build(notifications_db)
    notifier = Notifier(service, PORTAL)
    events = registry_events(registry_db, enterprise_id)
    for envelope in [*events, *events]:  # the topic read twice: nothing is delivered twice
        notifier(envelope, envelope.payload)
    assert service.deliveries.send_due() > 0

    # her own address: the receipt of each submission, the request, the decision — each once
    mine = subjects_to(smtp_server, MARIA)
    assert sum("одобрено" in s for s in mine) == 1, mine
    assert len(mine) == 4, mine  # received, information requested, received again, approved
    # the enterprise's contact address: the legal copy of the decision, once, and nothing else
    contact = subjects_to(smtp_server, CONTACT)
    assert len(contact) == 1 and "одобрено" in contact[0], contact
    assert {address for r in smtp_server.handler.received for address in r.rcpt_tos} == {MARIA, CONTACT}

    # her inbox, as she reads it before any enterprise claim in her token
    her = person("rep-maria", Role.REPRESENTATIVE, email=MARIA)
    items = notifications.get("/api/v1/inbox", headers=her).json["items"]
    by_message: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        by_message.setdefault(item["message"], []).append(item)
    assert sorted(by_message) == ["application_approved", "application_received", "information_requested"]
    (received,) = by_message["application_received"]  # the resubmission replaced the first, not a second one
    assert "повторно" in received["summary"]
    (approved,) = by_message["application_approved"]
    assert approved["owner"] == "user:rep-maria"
    assert approved["link"] == f"/my/applications/{app_id}"
    assert "одобрено" in approved["summary"] and "Здравейте" not in approved["summary"]
    assert "Изпраща се независимо от настройките" in approved["text"]  # the e-mail's footer stays in the e-mail
    assert "Изпраща се независимо от настройките" not in approved["summary"]
    assert approved["read"] is False

    opened = notifications.post(f"/api/v1/inbox/{quote(approved['id'], safe='')}/read", headers=her)
    assert opened.status_code == 200 and opened.json["read"] is True
    assert notifications.get("/api/v1/inbox/unread-count", headers=her).json == {"unread": 2}
