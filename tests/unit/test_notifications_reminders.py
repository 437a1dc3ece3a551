"""Planning reminders from the golden examples: when, for whom, moved, dropped; and their messages render."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.notifications.domain.mapping import with_representatives
from services.notifications.domain.reminders import (
    REMINDER_RULES,
    ReminderChanges,
    reminder_changes,
    reminder_messages,
)
from services.notifications.domain.rendering import render
from services.notifications.events.consumed import topic_of
from services.notifications.service_layer.reminders import reminder_notice
from shared.events import Envelope, InvalidEvent

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES: dict[str, dict[str, Any]] = {
    data["event_type"]: data
    for data in (json.loads(p.read_text(encoding="utf-8")) for p in ROOT.glob("services/*/events/examples/*.json"))
}
LONG_BEFORE = datetime(2020, 1, 1, tzinfo=UTC)
SESSION = "4b2e9c1d-7a35-4f08-9d6e-2c8a1f5b3e70"
ROSTER_SESSION = "c4e1a7b2-5d3f-4a8e-9b6c-2f1d0e7a8b93"
DEAL = "5f0c2b8e-3d1a-4e6b-9c27-8a4d1f6e2b90"
APPLICATION = "e8d1bb89-a38e-41fb-89a5-0698920c8bea"
ROSTER = ["g.petrov@dobroutro.example.bg", "elena@pleteni-mechti.example.bg"]


def event(event_type: str, **payload: Any) -> Envelope:
    data = json.loads(json.dumps(EXAMPLES[event_type]))
    data["payload"].update(payload)
    return Envelope.from_dict(data)


def changes(event_type: str, now: datetime = LONG_BEFORE, **payload: Any) -> ReminderChanges:
    return reminder_changes(event(event_type, **payload), now)


def test_every_event_type_of_the_table_has_a_golden_example_and_is_consumed() -> None:
    assert set(REMINDER_RULES) <= set(EXAMPLES)
    for event_type in REMINDER_RULES:
        topic_of(event_type)  # raises when no topic is known


@pytest.mark.parametrize("event_type", ["training.EnrolmentConfirmed", "training.PromotedFromWaitlist"])
def test_an_enrolment_schedules_the_learner_a_reminder_24_hours_before_the_session(event_type: str) -> None:
    planned = changes(event_type)
    [plan] = planned.schedule
    learner = EXAMPLES[event_type]["payload"]["learner"]
    assert plan.reminder_id == f"session_tomorrow:{SESSION}:email:{learner}"
    assert plan.moment == datetime(2026, 12, 7, 7, 30, tzinfo=UTC)  # 09:30 in Sofia
    assert plan.due_at == datetime(2026, 12, 6, 7, 30, tzinfo=UTC)
    assert plan.recipient.email == learner
    assert plan.message == "session_tomorrow" and plan.category == "training"
    assert plan.context["moment_display"] == "07.12.2026, 09:30"
    assert planned.as_of == datetime.fromisoformat(EXAMPLES[event_type]["occurred_at"])
    assert not planned.move and not planned.drop


def test_a_reschedule_moves_each_learners_reminder_to_the_first_new_meeting() -> None:
    planned = changes(
        "training.SessionRescheduled",
        meetings=[
            {"starts_at": "2027-04-11T07:00:00Z", "ends_at": "2027-04-11T10:00:00Z"},
            {"starts_at": "2027-03-31T06:00:00Z", "ends_at": "2027-03-31T09:00:00Z"},
        ],
    )
    assert not planned.schedule and not planned.drop
    assert [p.reminder_id for p in planned.move] == [f"session_tomorrow:{ROSTER_SESSION}:email:{a}" for a in ROSTER]
    assert {p.due_at for p in planned.move} == {datetime(2027, 3, 30, 6, 0, tzinfo=UTC)}  # 09:00 Sofia (summer)
    assert all("learners" not in p.context for p in planned.move)
    assert planned.move[1].context["recipient_name"] == "Елена Димитрова"


def test_a_cancelled_session_drops_the_reminder_of_each_learner() -> None:
    planned = changes("training.SessionCancelled")
    assert planned.drop == [f"session_tomorrow:{ROSTER_SESSION}:email:{a}" for a in ROSTER]
    assert not planned.schedule and not planned.move


def test_a_cancelled_enrolment_drops_that_learners_reminder() -> None:
    assert changes("training.EnrolmentCancelled").drop == [
        f"session_tomorrow:{SESSION}:email:petya.stoyanova@abv.example.bg"
    ]


def test_a_quote_reminds_the_buyer_at_the_start_of_its_last_sofia_day() -> None:
    [plan] = changes("marketplace.QuoteOffered").schedule
    assert plan.reminder_id == f"quote_expiring:{DEAL}:email:m.petrova@smolyan.example.bg"
    assert plan.moment == datetime(2026, 11, 30, 22, 0, tzinfo=UTC)  # the end of 30.11.2026 in Sofia (EET)
    assert plan.due_at == datetime(2026, 11, 29, 22, 0, tzinfo=UTC)
    assert plan.category == "marketplace"


def test_a_quote_valid_until_a_summer_day_uses_sofia_summer_time() -> None:
    [plan] = changes("marketplace.QuoteOffered", valid_until="2027-07-15").schedule
    assert plan.due_at == datetime(2027, 7, 14, 21, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "event_type", ["marketplace.QuoteDeclined", "marketplace.QuoteExpired", "marketplace.OrderPlaced"]
)
def test_a_declined_expired_or_ordered_quote_drops_its_reminder(event_type: str) -> None:
    assert changes(event_type).drop == [f"quote_expiring:{DEAL}:email:m.petrova@smolyan.example.bg"]


def test_a_submitted_application_reminds_the_centres_clerks_two_days_before_the_deadline() -> None:
    [plan] = changes("registry.ApplicationSubmitted").schedule
    assert plan.reminder_id == f"decision_deadline:{APPLICATION}:centre:plovdiv"
    assert plan.recipient.key == "centre:plovdiv" and plan.recipient.email is None
    assert plan.due_at == datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
    assert plan.category == "registry"


def test_a_resubmission_schedules_it_again_with_its_new_deadline() -> None:
    [plan] = changes("registry.ApplicationSubmitted", resubmission=True, due_at="2026-04-20T09:00:00+00:00").schedule
    assert plan.reminder_id == f"decision_deadline:{APPLICATION}:centre:plovdiv"
    assert plan.due_at == datetime(2026, 4, 18, 9, 0, tzinfo=UTC)


def test_a_submission_without_a_deadline_schedules_nothing() -> None:
    assert not changes("registry.ApplicationSubmitted", due_at=None)


@pytest.mark.parametrize(
    "event_type",
    [
        "registry.ApplicationApproved",
        "registry.ApplicationRejected",
        "registry.ApplicationWithdrawn",
        "registry.InformationRequested",
    ],
)
def test_a_decision_withdrawal_or_information_request_drops_the_deadline_reminder(event_type: str) -> None:
    application = EXAMPLES[event_type]["payload"]["application_id"]
    assert changes(event_type).drop == [f"decision_deadline:{application}:centre:plovdiv"]


def test_a_reminder_due_already_is_still_planned_while_its_moment_is_ahead() -> None:
    now = datetime(2026, 12, 6, 20, 0, tzinfo=UTC)  # the session starts the next morning
    [plan] = changes("training.EnrolmentConfirmed", now=now).schedule
    assert plan.due_at < now < plan.moment


def test_a_reminder_whose_moment_has_passed_is_skipped() -> None:
    now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
    planned = changes("training.EnrolmentConfirmed", now=now)
    assert not planned.schedule
    assert planned.skipped == [f"session_tomorrow:{SESSION}:email:radostina.dimitrova@dobroutro.example.bg"]


def test_planning_depends_on_the_event_only_not_on_when_it_is_planned() -> None:
    early = changes("training.EnrolmentConfirmed", now=LONG_BEFORE).schedule
    later = changes("training.EnrolmentConfirmed", now=datetime(2026, 12, 6, 20, 0, tzinfo=UTC)).schedule
    assert early == later


def test_other_event_types_plan_nothing() -> None:
    assert not changes("training.CertificateIssued")


def test_a_payload_lacking_what_a_reminder_needs_is_poison() -> None:
    data = json.loads(json.dumps(EXAMPLES["marketplace.QuoteOffered"]))
    del data["payload"]["deal_id"]
    with pytest.raises(InvalidEvent):
        reminder_changes(Envelope.from_dict(data), LONG_BEFORE)


def test_a_due_reminder_is_one_delivery_per_due_time() -> None:
    [plan] = changes("training.EnrolmentConfirmed").schedule
    notice = reminder_notice(plan)
    assert notice.event_id == f"{plan.reminder_id}@2026-12-06T07:30:00+00:00"
    assert notice.delivery_key == f"{notice.event_id}:{plan.recipient.key}"
    assert not notice.legal and notice.message == "session_tomorrow"


# --- the messages ------------------------------------------------------------------------------------------

PLANS = {
    "session_tomorrow": changes("training.EnrolmentConfirmed").schedule[0],
    "quote_expiring": changes("marketplace.QuoteOffered").schedule[0],
    "decision_deadline": changes("registry.ApplicationSubmitted").schedule[0],
    "event_tomorrow": changes("events.VisitorRegistered").schedule[0],
}
MOVED = changes("training.SessionRescheduled").move[0]
CYRILLIC = re.compile("[а-яА-Я]")


def test_every_reminder_message_is_planned_by_an_example() -> None:
    assert set(PLANS) == reminder_messages()


@pytest.mark.parametrize("language", ["bg", "en"])
@pytest.mark.parametrize("plan", [*PLANS.values(), MOVED], ids=[*PLANS, "session_tomorrow_moved"])
def test_every_reminder_message_renders_in_both_languages(plan: Any, language: str) -> None:
    rendered = render(plan.message, language, plan.context)  # StrictUndefined: a missing value raises
    for part in (rendered.subject, rendered.text, rendered.html):
        assert part.strip()
        assert "{{" not in part and "{%" not in part
        assert "None" not in part and "Undefined" not in part
    assert "\n" not in rendered.subject and len(rendered.subject) <= 150
    assert rendered.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in rendered.html
    assert "\n\n\n" not in rendered.text
    if language == "bg":
        assert CYRILLIC.search(rendered.subject.split(":")[0])
        assert "Здравейте" in rendered.text
    else:
        assert rendered.text.startswith("Hello")
        assert "Kind regards" in rendered.text


def test_what_the_reminders_say() -> None:
    session = render("session_tomorrow", "bg", PLANS["session_tomorrow"].context)
    assert session.subject == "Напомняне: утре започва Онлайн продажби и социални мрежи за социални предприятия"
    assert "Начало: 07.12.2026, 09:30 ч." in session.text
    moved = render("session_tomorrow", "en", MOVED.context)
    assert "Start: 28.03.2027, 10:00" in moved.text  # summer time began that night
    assert "Place: Зала 2" in moved.text
    quote = render("quote_expiring", "bg", PLANS["quote_expiring"].context)
    assert "30.11.2026 г." in quote.text and "460,00\u00a0€" in quote.text
    deadline = render("decision_deadline", "en", PLANS["decision_deadline"].context)
    assert deadline.subject == "Decision due in 2 days: Шивашка кооперация Марица"
    assert "16.03.2026, 11:00" in deadline.text


def test_html_escapes_what_people_wrote() -> None:
    context = {**PLANS["quote_expiring"].context, "listing_title": "Мед <b>&</b>"}
    rendered = render("quote_expiring", "en", context)
    assert "<b>" not in rendered.html and "&lt;b&gt;&amp;&lt;/b&gt;" in rendered.html
    assert "<b>&</b>" in rendered.text


# --- the centres' events -------------------------------------------------------------------------------------

VISIT = "ev-1:9e0600b44fc28bde7dabd746a02177a9"
REPRESENTATIVES = [
    {"subject": "rep-2", "name": "Петя Георгиева", "email": "petya@pekarna.example.bg"},
    {"subject": "rep-1", "name": "Пенка Колева", "email": "penka@pekarna.example.bg"},
]


def exhibitor_changes(event_type: str) -> ReminderChanges:
    addressed = with_representatives(
        event(event_type),
        lambda enterprise_id: REPRESENTATIVES,
        lambda enterprise_id: {"email": "office@pekarna.example.bg", "name": "Пекарна Добро"},
    )
    return reminder_changes(addressed, LONG_BEFORE)


def test_a_visitors_seat_reminds_her_in_her_own_inbox_and_address_24_hours_before_the_event() -> None:
    [plan] = changes("events.VisitorRegistered").schedule
    assert plan.reminder_id == f"event_tomorrow:ev-1:{VISIT}:user:visitor-maria"
    assert (plan.recipient.key, plan.recipient.email) == ("user:visitor-maria", "maria@example.bg")
    assert plan.moment == datetime(2027, 6, 19, 7, 0, tzinfo=UTC)  # 10:00 in Sofia
    assert plan.due_at == datetime(2027, 6, 18, 7, 0, tzinfo=UTC)
    assert plan.within == ("event_tomorrow:ev-1:", f"event_tomorrow:ev-1:{VISIT}:")
    text = render("event_tomorrow", "bg", plan.context).text
    assert "утре е „Лятно изложение на социалните предприятия“" in text and "Начало: 19.06.2027, 10:00 ч." in text
    assert "откажете записването си" in text and "щанд" not in text


def test_a_selected_exhibitor_reminds_each_representative_and_its_contact_with_the_stand() -> None:
    plans = exhibitor_changes("events.ExhibitorSelected").schedule
    assert [p.reminder_id for p in plans] == [
        "event_tomorrow:ev-1:ev-1:ent-1:user:rep-2",
        "event_tomorrow:ev-1:ev-1:ent-1:user:rep-1",
        "event_tomorrow:ev-1:ev-1:ent-1:email:office@pekarna.example.bg",
    ]
    english = render("event_tomorrow", "en", reminder_notice(plans[0]).values).text
    assert "Your stand: A1" in english and english.startswith("Hello Петя Георгиева,")
    assert "exhibitor_representatives" not in plans[0].context and "exhibitor_contact" not in plans[0].context


@pytest.mark.parametrize(
    ("event_type", "prefix"),
    [
        ("events.VisitorCancelled", f"event_tomorrow:ev-1:{VISIT}:"),
        ("events.ExhibitorWithdrawn", "event_tomorrow:ev-1:ev-1:ent-1:"),
        ("events.EventCancelled", "event_tomorrow:ev-2:"),
    ],
)
def test_a_cancelled_registration_a_withdrawal_or_a_cancelled_event_drops_every_reminder_under_it(
    event_type: str, prefix: str
) -> None:
    """By the prefix of the reminders' ids, not by whom the event names: a deleted enterprise names nobody."""
    planned = exhibitor_changes(event_type)
    assert planned.drop_all == [prefix]
    assert not planned.schedule and not planned.drop


def test_a_rescheduled_event_moves_all_its_reminders_to_the_day_before_its_new_start() -> None:
    [moved] = changes("events.EventRescheduled").move_all
    assert moved.prefix == "event_tomorrow:ev-1:"
    assert (moved.due_at, moved.moment) == (
        datetime(2027, 6, 18, 7, 0, tzinfo=UTC),
        datetime(2027, 6, 19, 7, 0, tzinfo=UTC),
    )
    assert moved.shown["moment_display"] == "19.06.2027, 10:00"
    assert changes("events.EventRescheduled", now=datetime(2027, 6, 20, tzinfo=UTC)).move_all == []


def test_a_representative_whose_own_address_is_the_contact_is_reminded_once() -> None:
    """Never two e-mails to one address, as for the notices: no contact copy to her own address."""
    own = [{"subject": "rep-1", "name": "Пенка Колева", "email": "Office@Pekarna.example.bg"}]
    addressed = with_representatives(
        event("events.ExhibitorSelected"),
        lambda enterprise_id: own,
        lambda enterprise_id: {"email": "office@pekarna.example.bg", "name": "Пекарна Добро"},
    )
    plans = reminder_changes(addressed, LONG_BEFORE).schedule
    assert [(p.recipient.key, p.recipient.email) for p in plans] == [("user:rep-1", "Office@Pekarna.example.bg")]
