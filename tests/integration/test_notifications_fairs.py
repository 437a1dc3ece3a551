"""The centres' fairs reach the right people over real FerretDB and a real SMTP server: each representative of
an exhibitor and its contact address, the visitors in their own inbox; the day-before reminders follow the
fair when it moves, and go when a visitor cancels, when an exhibitor the register deleted is withdrawn (though
the register's deletion left it no representatives to name) and when a fair is cancelled — even for a seat
read late, after the cancellation; each message once however often the events are read."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.events.events.schemas import EVENTS_EVENTS
from services.notifications.adapters.reminders import REMINDERS
from services.notifications.entrypoints.consumer import Notifier
from services.notifications.entrypoints.wiring import build
from shared.auth import Role
from shared.clock import FixedClock
from shared.events import Envelope
from tests.integration.notifications_api import SmtpServer, person
from tests.integration.test_read_model_versions import registry_event

pytestmark = pytest.mark.integration

PORTAL = "https://portal.example.bg"
PENKA = {"subject": "rep-penka", "name": "Пенка Колева", "email": "penka@pekarna.example.bg"}
PETYA = {"subject": "rep-petya", "name": "Петя Георгиева", "email": "petya@pekarna.example.bg"}
IVO = {"subject": "rep-ivo", "name": "Иво Стоев", "email": "ivo@shivashko.example.bg"}
BAKERY_CONTACT, TAILOR_CONTACT = "office@pekarna.example.bg", "office@shivashko.example.bg"
MARIA, GEORGI = "maria@example.bg", "georgi@example.bg"
NOW = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)
FIRST, MOVED = "2027-06-19T07:00:00Z", "2027-06-26T07:00:00Z"


def fairs_event(name: str, aggregate_id: str, version: int, at: str, **payload: Any) -> Envelope:
    base = EVENTS_EVENTS.example(EVENTS_EVENTS.get(f"events.{name}", 1))
    return dataclasses.replace(
        base,
        event_id=str(uuid.uuid4()),
        aggregate_id=aggregate_id,
        aggregate_version=version,
        occurred_at=at,
        payload=base.payload | payload,
    )


def exhibitor(name: str, fair: str, enterprise: str, version: int, at: str, **payload: Any) -> Envelope:
    payload.setdefault("starts_at", FIRST)
    return fairs_event(
        name, f"{fair}:{enterprise}", version, at, participation_id=f"{fair}:{enterprise}", event_id=fair,
        enterprise_id=enterprise, **payload,
    )  # fmt: skip


def visitor(name: str, fair: str, who: str, version: int, at: str, **payload: Any) -> Envelope:
    return fairs_event(
        name, f"{fair}:{who}", version, at, participation_id=f"{fair}:{who}", event_id=fair, starts_at=FIRST,
        visitor=f"{who}@example.bg", visitor_subject=f"visitor-{who}", visitor_name=who.title(), **payload,
    )  # fmt: skip


def reminders(db: Database) -> dict[str, tuple[str, datetime | None]]:
    return {d["_id"]: (d["status"], d.get("due_at")) for d in db[REMINDERS].find() if not d.get("tombstone")}


def test_a_fair_tells_its_exhibitors_and_visitors_and_reminds_only_those_still_taking_part(
    notifications: FlaskClient, notifications_db: Database, smtp_server: SmtpServer
) -> None:
    clock = FixedClock(NOW)
    service = build(notifications_db, clock=clock)
    notifier = Notifier(service, PORTAL)
    fair, other_fair = f"fair-{uuid.uuid4().hex[:8]}", f"forum-{uuid.uuid4().hex[:8]}"
    bakery, tailor = str(uuid.uuid4()), str(uuid.uuid4())
    for envelope in (
        registry_event("EnterpriseRegistered", bakery, 1, representatives=[PETYA, PENKA], contact_email=BAKERY_CONTACT),
        registry_event("EnterpriseRegistered", tailor, 1, representatives=[IVO], contact_email=TAILOR_CONTACT),
    ):
        notifier(envelope, envelope.payload)
    selected = dict(state="selected", stand="A1", price_cents=5000)
    told = dict(exhibitors=[bakery, tailor], visitors=[MARIA])
    roster = [{"subject": "visitor-maria", "name": "Мария", "email": MARIA}]
    events = [
        exhibitor("ExhibitorApplied", fair, bakery, 1, "2027-05-03T09:00:00Z", state="applied"),
        exhibitor("ExhibitorSelected", fair, bakery, 2, "2027-05-04T09:00:00Z", **selected),
        exhibitor("ExhibitorSelected", fair, tailor, 2, "2027-05-04T09:00:00Z", **(selected | {"stand": "A2"})),
        visitor("VisitorRegistered", fair, "maria", 1, "2027-05-05T09:00:00Z"),
        visitor("VisitorRegistered", fair, "georgi", 1, "2027-05-05T09:00:00Z"),
        visitor("VisitorCancelled", fair, "georgi", 2, "2027-05-06T09:00:00Z"),
        fairs_event(
            "EventRescheduled",
            fair,
            3,
            "2027-05-07T09:00:00Z",
            event_id=fair,
            starts_at=MOVED,
            ends_at="2027-06-26T15:00:00Z",
            previous_starts_at=FIRST,
            visitor_roster=roster,
            **told,
        ),
    ]
    for envelope in events:
        notifier(envelope, envelope.payload)
    deleted = registry_event("EnterpriseDeleted", tailor, 2, contact_email=TAILOR_CONTACT)
    notifier(deleted, deleted.payload)  # the register forgets its representatives
    withdrawn = exhibitor(
        "ExhibitorWithdrawn", fair, tailor, 3, "2027-05-08T09:00:00Z", state="withdrawn", stand=None,
        freed_stand="A2", withdrawn_by="register", register_status="deleted", starts_at=MOVED,
    )  # fmt: skip
    # another fair is cancelled; a seat read late (older than the cancellation) plans no reminder
    cancelled = fairs_event(
        "EventCancelled", other_fair, 2, "2027-05-09T09:00:00Z", event_id=other_fair, visitor_roster=[], visitors=[],
        exhibitors=[],
    )  # fmt: skip
    late_seat = visitor("VisitorRegistered", other_fair, "vera", 1, "2027-05-08T12:00:00Z")
    for envelope in [withdrawn, cancelled, late_seat, *events, withdrawn]:  # read again: nothing twice
        notifier(envelope, envelope.payload)

    due = datetime(2027, 6, 25, 7, 0, tzinfo=UTC)
    assert reminders(notifications_db) == {
        f"event_tomorrow:{fair}:{fair}:maria:user:visitor-maria": ("scheduled", due),
        f"event_tomorrow:{fair}:{fair}:georgi:user:visitor-georgi": (
            "dropped",
            datetime(2027, 6, 18, 7, 0, tzinfo=UTC),
        ),
        f"event_tomorrow:{fair}:{fair}:{bakery}:user:rep-petya": ("scheduled", due),
        f"event_tomorrow:{fair}:{fair}:{bakery}:user:rep-penka": ("scheduled", due),
        f"event_tomorrow:{fair}:{fair}:{bakery}:email:{BAKERY_CONTACT}": ("scheduled", due),
        f"event_tomorrow:{fair}:{fair}:{tailor}:user:rep-ivo": ("dropped", due),
        f"event_tomorrow:{fair}:{fair}:{tailor}:email:{TAILOR_CONTACT}": ("dropped", due),
    }

    dropped = notifications_db[REMINDERS].find({"status": "dropped"})
    assert [d["_id"] for d in dropped if "recipient" in d or "context" in d] == [], "dropped: nobody's address kept"

    clock.advance(days=53)  # 2027-06-25 09:00 Sofia: the day before the moved fair
    assert service.reminders is not None
    assert service.reminders.send_due() == 4
    service.deliveries.send_due()
    service.deliveries.send_due()

    def subjects(address: str) -> list[str]:
        return sorted(str(r.message["Subject"]) for r in smtp_server.handler.to(address))

    title = "Лятно изложение на социалните предприятия"
    reminder = f"Напомняне: утре е „{title}“"
    for address in (PENKA["email"], PETYA["email"], BAKERY_CONTACT):
        assert subjects(address) == sorted(
            [
                f"Получихме кандидатурата за щанд: {title}",
                f"Одобрен щанд A1: {title}",
                f"Събитието е пренасрочено: {title}",
                reminder,
            ]
        ), address
    assert subjects(MARIA) == sorted([f"Записани сте: {title}", f"Събитието е пренасрочено: {title}", reminder])
    assert subjects(GEORGI) == sorted([f"Записани сте: {title}", f"Записването ви е отказано: {title}"])
    # the tailor: selected, told of the move, then withdrawn — at its contact only once deleted; no reminder
    ivo = subjects(IVO["email"])
    assert f"Одобрен щанд A2: {title}" in ivo and f"Събитието е пренасрочено: {title}" in ivo
    assert reminder not in ivo and not any("оттеглена" in s for s in ivo), ivo
    tailor_contact = subjects(TAILOR_CONTACT)
    assert f"Кандидатурата за щанд е оттеглена: {title}" in tailor_contact and reminder not in tailor_contact
    withdrawal = (
        next(r for r in smtp_server.handler.to(TAILOR_CONTACT) if "оттеглена" in str(r.message["Subject"]))
        .message.get_body(("plain",))
        .get_content()
    )
    assert "заличено от Регистъра на социалните предприятия" in withdrawal and "Щанд A2 вече не е запазен" in withdrawal
    assert "26.06.2027, 10:00" in withdrawal  # the moved fair's day

    # inboxes: the visitor's own (by her sign-in subject), the centre's of the application
    maria = person("visitor-maria", Role.BUYER, email=MARIA)
    items = notifications.get("/api/v1/inbox", headers=maria).json["items"]
    assert sorted(i["message"] for i in items) == ["event_rescheduled", "event_tomorrow", "visitor_registered"]
    assert {i["link"] for i in items if i["message"] != "event_tomorrow"} == {"/my/events", f"/events/{fair}"}
    clerk = person("clerk-plovdiv", Role.CLERK, centre="plovdiv")
    staff = notifications.get("/api/v1/inbox", headers=clerk).json["items"]
    assert [(i["message"], i["link"]) for i in staff] == [("exhibitor_queued", f"/events/{fair}")]
