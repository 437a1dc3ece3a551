"""Reminders against real FerretDB and a real SMTP server: planned from events, moved, dropped, sent once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pymongo.database import Database

from services.notifications.adapters.reminders import REMINDERS
from services.notifications.entrypoints.consumer import Notifier
from services.notifications.entrypoints.scheduler import run_pass
from services.notifications.entrypoints.wiring import Notifications, build
from services.notifications.service_layer.reminders import reminder_notice
from shared.clock import FixedClock
from shared.events import Envelope
from tests.integration.notifications_api import SmtpServer

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SESSION = "4b2e9c1d-7a35-4f08-9d6e-2c8a1f5b3e70"
RADOSTINA = "radostina.dimitrova@dobroutro.example.bg"
REMINDER = f"session_tomorrow:{SESSION}:email:{RADOSTINA}"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
SUBJECT = "Напомняне: утре започва Онлайн продажби и социални мрежи за социални предприятия"


def example(producer: str, event_type: str, occurred_at: str | None = None, **payload: Any) -> Envelope:
    path = ROOT / f"services/{producer}/events/examples/{event_type}.v1.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["payload"].update(payload)
    if occurred_at:
        data["occurred_at"] = occurred_at
        data["event_id"] = f"{data['event_id'][:-12]}{occurred_at[:4]}{occurred_at[5:7]}{occurred_at[8:10]}0000"
    return Envelope.from_dict(data)


ENROLMENT = example("training", "training.EnrolmentConfirmed")
RESCHEDULED = example(
    "training",
    "training.SessionRescheduled",
    occurred_at="2026-11-26T10:00:00Z",
    session_id=SESSION,
    course_title="Онлайн продажби и социални мрежи за социални предприятия",
    meetings=[{"starts_at": "2026-12-09T07:30:00Z", "ends_at": "2026-12-09T10:30:00Z"}],
    previous_meetings=[{"starts_at": "2026-12-07T07:30:00Z", "ends_at": "2026-12-07T10:30:00Z"}],
    learners=[{"learner_id": "learner-radostina", "name": "Радостина Димитрова", "email": RADOSTINA}],
)
CANCELLED = example(
    "training",
    "training.EnrolmentCancelled",
    occurred_at="2026-11-27T10:00:00Z",
    enrolment_id=f"{SESSION}:{RADOSTINA}",
    learner=RADOSTINA,
    learner_name="Радостина Димитрова",
)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def service(notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock) -> Notifications:
    return build(notifications_db, clock=clock)


def reminders_sent(smtp_server: SmtpServer) -> list[Any]:
    return [r for r in smtp_server.handler.to(RADOSTINA) if r.message["Subject"] == SUBJECT]


def stored(db: Database) -> dict[str, Any]:
    document = db[REMINDERS].find_one({"_id": REMINDER})
    assert document is not None
    return document


def test_an_enrolment_schedules_a_reminder_a_reschedule_moves_it_and_it_is_sent_once(
    service: Notifications, notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    assert service.reminders is not None
    notifier = Notifier(service)
    notifier(ENROLMENT, ENROLMENT.payload)  # the consumer plans it along with the confirmation
    document = stored(notifications_db)
    assert document["status"] == "scheduled"
    assert document["due_at"] == datetime(2026, 12, 6, 7, 30, tzinfo=UTC)

    notifier(RESCHEDULED, RESCHEDULED.payload)
    assert stored(notifications_db)["due_at"] == datetime(2026, 12, 8, 7, 30, tzinfo=UTC)

    # the old time has come: the reminder was moved, nothing is sent
    clock.advance(days=11)  # 2026-12-06 09:00
    assert run_pass(service)["reminders_sent"] == 0
    service.deliveries.send_due()  # the sender
    assert reminders_sent(smtp_server) == []

    # replaying the older enrolment after the reschedule does not move it back
    assert service.reminders.plan(ENROLMENT) == {"stale": 1}
    assert stored(notifications_db)["due_at"] == datetime(2026, 12, 8, 7, 30, tzinfo=UTC)

    clock.advance(days=2)  # 2026-12-08 09:00: due, and the session is the next morning
    assert service.reminders.send_due() == 1
    assert reminders_sent(smtp_server) == [], "the scheduler records it; the sender sends it"
    assert service.deliveries.send_due() == 1
    [received] = reminders_sent(smtp_server)
    assert "Начало: 09.12.2026, 09:30 ч." in received.message.get_body(("plain",)).get_content()
    assert stored(notifications_db)["status"] == "sent"

    # the scheduler restarts and runs again; the same events are replayed: nothing more is sent
    restarted = build(notifications_db, clock=clock)
    assert restarted.reminders is not None
    assert restarted.reminders.send_due() == 0
    restarted.reminders.plan(RESCHEDULED)
    restarted.reminders.plan(ENROLMENT)
    assert restarted.reminders.send_due() == 0
    assert restarted.deliveries.send_due() == 0
    assert len(reminders_sent(smtp_server)) == 1


def test_a_crash_between_delivering_and_marking_sent_sends_nothing_twice(
    service: Notifications, notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    assert service.reminders is not None
    service.reminders.plan(ENROLMENT)
    clock.advance(days=11)
    [due] = service.reminders.reminders.due(clock.now(), 10)
    service.deliveries.deliver([reminder_notice(due)])  # ... and the process dies before marking it sent
    assert service.deliveries.send_due() == 1
    assert len(reminders_sent(smtp_server)) == 1
    assert stored(notifications_db)["status"] == "scheduled"

    assert service.reminders.send_due() == 1  # re-runs the delivery, which dedupes
    assert service.deliveries.send_due() == 0
    assert len(reminders_sent(smtp_server)) == 1
    assert stored(notifications_db)["status"] == "sent"


def test_a_cancellation_drops_the_reminder_and_an_older_enrolment_does_not_revive_it(
    service: Notifications, notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    assert service.reminders is not None
    service.reminders.plan(ENROLMENT)
    assert service.reminders.plan(CANCELLED) == {"dropped": 1}
    dropped = stored(notifications_db)
    assert dropped["status"] == "dropped"
    assert "recipient" not in dropped and "context" not in dropped, "a dropped reminder keeps nobody's address"

    assert service.reminders.plan(ENROLMENT) == {"stale": 1}
    clock.advance(days=11, hours=12)
    assert service.reminders.send_due() == 0
    assert reminders_sent(smtp_server) == []


def test_a_cancellation_seen_before_the_enrolment_still_wins(
    service: Notifications, notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    assert service.reminders is not None
    service.reminders.plan(CANCELLED)  # reordered: the newer event arrives first
    service.reminders.plan(ENROLMENT)
    assert stored(notifications_db)["status"] == "dropped"
    clock.advance(days=11, hours=12)
    assert service.reminders.send_due() == 0


def test_a_reminder_found_after_its_moment_has_passed_is_skipped(
    service: Notifications, notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    assert service.reminders is not None
    service.reminders.plan(ENROLMENT)
    clock.advance(days=13)  # the scheduler was down until after the session had started
    assert service.reminders.send_due() == 0
    assert reminders_sent(smtp_server) == []
    skipped = stored(notifications_db)
    assert skipped["status"] == "dropped" and "recipient" not in skipped


def test_a_sent_reminder_keeps_its_recipient_until_its_moment_then_forgets_it_and_nothing_revives_it(
    service: Notifications, notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    assert service.reminders is not None
    service.reminders.plan(ENROLMENT)
    clock.advance(days=11)  # 2026-12-06 09:00: due, the session starts the next morning
    assert run_pass(service) == {"reminders_sent": 1, "reminders_forgotten": 0}
    assert stored(notifications_db)["recipient"]["email"] == RADOSTINA, "a move before the session sends it again"

    clock.advance(days=1)  # the session has started
    assert run_pass(service) == {"reminders_sent": 0, "reminders_forgotten": 1}
    forgotten = stored(notifications_db)
    assert forgotten["status"] == "sent" and "recipient" not in forgotten and "context" not in forgotten
    assert run_pass(service) == {"reminders_sent": 0, "reminders_forgotten": 0}

    later = datetime(2026, 12, 20, 7, 30, tzinfo=UTC)  # a move of everything under the session's reminders
    moved = service.reminders.reminders.move_all(
        f"session_tomorrow:{SESSION}", later, later, {}, clock.now(), clock.now()
    )
    assert moved == 0, "a sent reminder that forgot its recipient has nobody to be sent to"
    clock.advance(days=20)
    assert run_pass(service) == {"reminders_sent": 0, "reminders_forgotten": 0}
    service.deliveries.send_due()
    assert len(reminders_sent(smtp_server)) == 1


def test_a_dropped_reminder_an_older_version_kept_whole_forgets_its_recipient_at_the_next_pass(
    service: Notifications, notifications_db: Database
) -> None:
    assert service.reminders is not None
    service.reminders.plan(ENROLMENT)
    notifications_db[REMINDERS].update_one({"_id": REMINDER}, {"$set": {"status": "dropped"}})  # as it was dropped
    assert run_pass(service) == {"reminders_sent": 0, "reminders_forgotten": 1}
    assert "recipient" not in stored(notifications_db)
