"""Grants' events reach the right people, over real FerretDB and a real SMTP server: the representative who
applied (in her own inbox and at her own address, as the register named her), the centre's staff in the
centre's inbox; nobody else, and each once however often the events are read."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.grants.events.schemas import GRANTS_EVENTS
from services.notifications.entrypoints.consumer import Notifier
from services.notifications.entrypoints.wiring import build
from shared.auth import Role
from shared.events import Envelope
from tests.integration.notifications_api import SmtpServer, person
from tests.integration.test_read_model_versions import registry_event

pytestmark = pytest.mark.integration

PORTAL = "https://portal.example.bg"
PENKA = {"subject": "rep-penka", "name": "Пенка Колева", "email": "penka@pekarna.example.bg"}
PETYA = {"subject": "rep-petya", "name": "Петя Георгиева", "email": "petya@pekarna.example.bg"}


def grants_event(name: str, enterprise_id: str, application_id: str, version: int, **payload: object) -> Envelope:
    base = GRANTS_EVENTS.example(GRANTS_EVENTS.get(f"grants.{name}", 1))
    return dataclasses.replace(
        base,
        event_id=str(uuid.uuid4()),
        aggregate_id=application_id,
        aggregate_version=version,
        payload=base.payload
        | {"enterprise_id": enterprise_id, "application_id": application_id, "applicant": "rep-penka"}
        | payload,
    )


def test_a_support_application_tells_the_applicant_and_the_centre_once_each_even_when_replayed(
    notifications: FlaskClient, notifications_db: Database, smtp_server: SmtpServer
) -> None:
    service = build(notifications_db)
    notifier = Notifier(service, PORTAL)
    enterprise, application = str(uuid.uuid4()), str(uuid.uuid4())
    registered = registry_event("EnterpriseRegistered", enterprise, 1, representatives=[PETYA, PENKA])
    notifier(registered, registered.payload)
    events = [
        grants_event("ApplicationSubmitted", enterprise, application, 2, requested_cents=4601627),
        grants_event("InformationRequested", enterprise, application, 3, text="Приложете оферта."),
        grants_event("InformationProvided", enterprise, application, 4),
        grants_event("AwardGranted", enterprise, application, 5, amount_cents=4601627),
        grants_event("ContractSigned", enterprise, application, 6, amount_cents=4601627),
        grants_event("PaymentMade", enterprise, application, 7, kind="advance", amount_cents=1380488),
    ]
    for envelope in [*events, *events]:  # read twice (a restart, a replayed dead letter): nothing twice
        notifier(envelope, envelope.payload)
    service.deliveries.send_due()
    service.deliveries.send_due()

    # her own address: received, information requested, awarded, contract, payment — each once
    subjects = [str(r.message["Subject"]) for r in smtp_server.handler.to(PENKA["email"])]
    assert len(subjects) == 5, subjects
    assert sum("46 016,27 €" in s for s in subjects) == 1, subjects  # the award, in euro with a decimal comma
    assert sum("BG-RRP-2027-0001" in s for s in subjects) == 1, subjects
    # her colleague and nobody else got an e-mail
    assert {address for r in smtp_server.handler.received for address in r.rcpt_tos} == {PENKA["email"]}

    her = person("rep-penka", Role.REPRESENTATIVE, email=PENKA["email"])
    items = notifications.get("/api/v1/inbox", headers=her).json["items"]
    assert sorted(item["message"] for item in items) == [
        "grant_awarded",
        "grant_contract_signed",
        "grant_information_requested",
        "grant_payment_made",
        "grant_received",
    ]
    assert {item["link"] for item in items} == {f"/my/grants/applications/{application}"}
    colleague = person("rep-petya", Role.REPRESENTATIVE, email=PETYA["email"])
    assert notifications.get("/api/v1/inbox", headers=colleague).json["items"] == []

    clerk = person("clerk-lovech", Role.CLERK, centre="lovech")
    staff = notifications.get("/api/v1/inbox", headers=clerk).json["items"]
    assert sorted(item["message"] for item in staff) == ["grant_information_provided", "grant_queued"]
    assert {item["link"] for item in staff} == {f"/clerk/grants/applications/{application}"}
