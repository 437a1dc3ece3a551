"""Preferences and the admin template preview over HTTP, against real FerretDB and a real SMTP server."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.notifications.adapters.deliveries import DELIVERIES
from services.notifications.adapters.inbox import INBOX
from services.notifications.adapters.preferences import PREFERENCES
from services.notifications.domain.mapping import messages, notices_for
from services.notifications.domain.notice import Notice, Recipient
from services.notifications.domain.rendering import render
from services.notifications.entrypoints.api.preferences import sample_notice
from services.notifications.entrypoints.wiring import Notifications, build
from shared.auth import Role
from shared.clock import FixedClock
from shared.events import Envelope
from tests.integration.notifications_api import SmtpServer, person
from tests.integration.registry_api import token

pytestmark = pytest.mark.integration

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
ELENA_ADDRESS = "elena@dobroutro.example.bg"
ELENA = person("user-elena", Role.REPRESENTATIVE, enterprise_id="ent-dobroutro", email="Elena@Dobroutro.example.bg")
ADMIN = token("admin-1", Role.ADMIN)
DEFAULTS = {
    "language": "bg",
    "email": True,
    "inbox": True,
    "opted_out": [],
    "categories": ["events", "grants", "marketplace", "registry", "training"],
}


@pytest.fixture
def service(notifications_db: Database, smtp_server: SmtpServer) -> Notifications:
    """The wired deliveries with the real templates, sending to the test's SMTP server."""
    return build(notifications_db, clock=FixedClock(NOW))


def to_elena(message: str) -> Notice:
    """The sample notice of ``message``, addressed to Elena by e-mail, in the event's Bulgarian."""
    sample = sample_notice(message)
    return replace(
        sample,
        event_id=f"event-{message}",
        recipient=Recipient(key=f"email:{ELENA_ADDRESS}", email=ELENA_ADDRESS, name="Елена", language="bg"),
    )


def put(client: FlaskClient, headers: dict[str, str], **changes: Any) -> Any:
    body = {"language": "bg", "email": True, "inbox": True, "opted_out": [], **changes}
    return client.put("/api/v1/preferences", json=body, headers=headers)


# ---------------------------------------------------------------------- GET / PUT
def test_the_defaults_until_a_person_changes_them(notifications: FlaskClient) -> None:
    assert notifications.get("/api/v1/preferences").status_code == 401

    response = notifications.get("/api/v1/preferences", headers=ELENA)

    assert response.status_code == 200, response.json
    assert response.json == DEFAULTS


def test_a_person_sets_their_preferences_under_their_own_keys(
    notifications: FlaskClient, notifications_db: Database
) -> None:
    changed = put(notifications, ELENA, language="en", email=False, opted_out=["marketplace", "training"])

    assert changed.status_code == 200, changed.json
    expected = {**DEFAULTS, "language": "en", "email": False, "opted_out": ["marketplace", "training"]}
    assert changed.json == expected
    assert notifications.get("/api/v1/preferences", headers=ELENA).json == expected
    stored = {d["_id"]: d for d in notifications_db[PREFERENCES].find()}
    assert set(stored) == {f"email:{ELENA_ADDRESS}", "user:user-elena"}  # not the enterprise's shared key
    assert stored["user:user-elena"]["opted_out"] == ["marketplace", "training"]
    assert notifications.get("/api/v1/preferences", headers=ADMIN).json == DEFAULTS  # nobody else's


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"language": "de"}, "language"),
        ({"opted_out": ["registry", "spam"]}, "opted_out.1"),
        ({"email": "sometimes"}, "email"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_a_bad_value_is_422_naming_the_field(
    notifications: FlaskClient, notifications_db: Database, changes: dict[str, Any], field: str
) -> None:
    response = put(notifications, ELENA, **changes)

    assert response.status_code == 422, response.json
    assert list(response.json["fields"]) == [field]
    assert notifications_db[PREFERENCES].count_documents({}) == 0


def test_a_missing_field_is_422_naming_it(notifications: FlaskClient) -> None:
    response = notifications.put("/api/v1/preferences", json={"language": "en"}, headers=ELENA)

    assert response.status_code == 422
    assert set(response.json["fields"]) == {"email", "inbox", "opted_out"}


# ---------------------------------------------------------------------- deliveries follow them
def test_an_opted_out_category_is_not_sent_but_a_legal_notice_is(
    notifications: FlaskClient, service: Notifications, smtp_server: SmtpServer, notifications_db: Database
) -> None:
    assert put(notifications, ELENA, email=False, inbox=False, opted_out=["marketplace"]).status_code == 200

    counts = service.deliveries.deliver([to_elena("order_placed"), to_elena("application_approved")])

    assert counts == {"opted_out": 1, "inbox_delivered": 1, "email_pending": 1}
    assert service.deliveries.send_due() == 1
    [received] = smtp_server.handler.received
    assert received.rcpt_tos == [ELENA_ADDRESS]
    assert received.message["Subject"] == to_elena_subject("application_approved", "bg")  # spaces and all
    assert [d["message"] for d in notifications_db[INBOX].find()] == ["application_approved"]
    assert [d["message"] for d in notifications_db[DELIVERIES].find()] == ["application_approved"]


def test_english_preference_sends_the_english_subject(
    notifications: FlaskClient, service: Notifications, smtp_server: SmtpServer, notifications_db: Database
) -> None:
    assert put(notifications, ELENA, language="en").status_code == 200

    assert service.deliveries.deliver([to_elena("order_placed")]) == {"inbox_delivered": 1, "email_pending": 1}
    assert service.deliveries.send_due() == 1

    [received] = smtp_server.handler.received
    english = to_elena_subject("order_placed", "en")
    assert english != to_elena_subject("order_placed", "bg")
    assert received.message["Subject"] == english
    assert notifications_db[DELIVERIES].find_one()["language"] == "en"
    assert notifications_db[INBOX].find_one()["subject"] == english


def test_a_switched_off_channel_records_nothing(
    notifications: FlaskClient, service: Notifications, smtp_server: SmtpServer, notifications_db: Database
) -> None:
    assert put(notifications, ELENA, email=False).status_code == 200

    assert service.deliveries.deliver([to_elena("order_placed")]) == {"inbox_delivered": 1, "email_off": 1}

    assert smtp_server.handler.received == []
    assert notifications_db[DELIVERIES].count_documents({}) == 0  # not even an intent
    assert notifications_db[INBOX].count_documents({}) == 1


def to_elena_subject(message: str, language: str) -> str:
    notice = to_elena(message)
    return render(notice.message, language, notice.context).subject


# ---------------------------------------------------------------------- admin templates
def test_the_admin_lists_every_message_with_its_event(notifications: FlaskClient) -> None:
    response = notifications.get("/api/v1/admin/templates", headers=ADMIN)

    assert response.status_code == 200, response.json
    items = response.json["items"]
    assert {item["message"] for item in items} == messages()
    approved = next(item for item in items if item["message"] == "application_approved")
    assert approved == {
        "message": "application_approved",
        "event_type": "registry.ApplicationApproved",
        "category": "registry",
        "legal": True,
    }


@pytest.mark.parametrize("message", sorted(messages()))
def test_the_admin_previews_every_message_in_both_languages(notifications: FlaskClient, message: str) -> None:
    shown = {}
    for language in ("bg", "en"):
        response = notifications.get(f"/api/v1/admin/templates/{message}/preview?language={language}", headers=ADMIN)
        assert response.status_code == 200, response.json
        body = response.json
        assert body["message"] == message and body["language"] == language
        assert body["subject"] and body["text"].strip() and "<" in body["html"]
        shown[language] = body["subject"]
    assert shown["bg"] != shown["en"]


def test_the_preview_is_for_administrators_only(notifications: FlaskClient) -> None:
    url = "/api/v1/admin/templates/application_approved/preview"
    assert notifications.get(url).status_code == 401
    assert notifications.get(url, headers=ELENA).status_code == 403
    assert notifications.get("/api/v1/admin/templates", headers=ELENA).status_code == 403


def test_an_unknown_message_or_language_in_a_preview(notifications: FlaskClient) -> None:
    assert notifications.get("/api/v1/admin/templates/no_such/preview", headers=ADMIN).status_code == 404
    response = notifications.get("/api/v1/admin/templates/application_approved/preview?language=de", headers=ADMIN)
    assert response.status_code == 422
    assert list(response.json["fields"]) == ["language"]


def test_an_unverified_address_neither_reads_nor_changes_that_persons_preferences(
    notifications: FlaskClient, notifications_db: Database
) -> None:
    assert put(notifications, ELENA, opted_out=["training"]).status_code == 200
    claimant = person("user-mallory", Role.BUYER, email=ELENA_ADDRESS, verified=False)

    read = notifications.get("/api/v1/preferences", headers=claimant)
    changed = put(notifications, claimant, email=False, inbox=False, opted_out=["registry", "marketplace"])

    for response in (read, changed):
        assert response.status_code == 403, response.json
        assert "потвърден" in response.json["message"]["bg"] and "not verified" in response.json["message"]["en"]
    assert notifications.get("/api/v1/preferences", headers=ELENA).json == {**DEFAULTS, "opted_out": ["training"]}
    assert notifications_db[PREFERENCES].count_documents({"_id": {"$regex": "mallory"}}) == 0, "nothing written"


def test_an_invited_worker_gets_one_invitation_whatever_their_settings(
    notifications: FlaskClient, service: Notifications, smtp_server: SmtpServer
) -> None:
    """``training.WorkerInvited``: one e-mail and one inbox message, even to someone who opted out of training."""
    worker_address = "georgi.kolev@dobroutro.example.bg"
    worker = person("user-georgi", Role.LEARNER, email=worker_address)
    assert put(notifications, worker, email=False, opted_out=["training"]).status_code == 200
    example = Path(__file__).resolve().parents[2] / "services/training/events/examples/training.WorkerInvited.v1.json"
    invited = Envelope.from_dict(json.loads(example.read_text(encoding="utf-8")))

    service.deliveries.deliver(notices_for(invited, "https://solidarityhub.example.bg"))
    service.deliveries.deliver(notices_for(invited, "https://solidarityhub.example.bg"))  # a replayed topic
    service.deliveries.send_due()

    (mail,) = smtp_server.handler.to(worker_address)
    assert str(mail.message["Subject"]).startswith("Покана за курс: Онлайн продажби")
    text = mail.message.get_body(("plain",)).get_content()
    assert "Социална пекарна „Добро утро“ ви кани" in text
    assert "https://solidarityhub.example.bg/my/training" in text
    (message,) = notifications.get("/api/v1/inbox", headers=worker).json["items"]
    assert message["message"] == "worker_invited" and message["subject"] == str(mail.message["Subject"])
