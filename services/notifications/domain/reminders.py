"""Reminders: messages that go out at a time, not at once, planned from the platform's events.

``REMINDER_RULES`` below is the one place to read (and change) it: for each event type, which reminders it
schedules, moves or drops, and for whom. A reminder is one per (kind, subject, recipient); its id is
``<kind>:<subject id>:<recipient key>`` so that every event about the same thing finds it again.

- ``session_tomorrow``: a learner, 24 h before their session's first meeting. Scheduled by
  ``EnrolmentConfirmed`` and ``PromotedFromWaitlist``; moved by ``SessionRescheduled`` (each learner of its
  roster whose reminder exists: the roster also lists waiting learners, who get none); dropped by
  ``SessionCancelled`` and by the learner's own ``EnrolmentCancelled``.
- ``quote_expiring``: the buyer, one day before a quote's ``valid_until`` runs out (the end of that Sofia
  day), that is at the start of that day. Scheduled by ``QuoteOffered``; dropped by ``QuoteDeclined``,
  ``QuoteExpired`` and ``OrderPlaced``.
- ``decision_deadline``: the clerks of the application's centre (their shared inbox), two days before the
  registry's ``due_at``. Scheduled by ``ApplicationSubmitted`` (a resubmission schedules it again with its new
  ``due_at``); dropped by ``ApplicationApproved``, ``ApplicationRejected``, ``ApplicationWithdrawn`` and
  ``InformationRequested`` (the registry's clock pauses while it waits for the applicant).

A reminder whose due time has already passed when it is planned is still sent (at once: it is due) as long
as its moment (the session, the expiry, the deadline) is ahead; when the moment has passed too it is skipped.
Due times are computed from the events only, never from the clock: a replayed event plans the same reminder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from shared.clock import SOFIA, end_of_sofia_day
from shared.events import Envelope, InvalidEvent

from .mapping import (
    MARKETPLACE,
    REGISTRY,
    TRAINING,
    Payload,
    buyer,
    centre_clerks,
    learner,
    message_context,
    parsed_moment,
    session_learners,
    shown_date,
    shown_time,
)
from .notice import Recipient

REMINDER_EVENT_TYPE = "notifications.Reminder"
"""The event type of a reminder's notices (its inbox message and e-mail)."""


class Change(StrEnum):
    SCHEDULE = "schedule"
    MOVE = "move"
    DROP = "drop"


@dataclass(frozen=True)
class Kind:
    message: str
    """The kind's id and its templates' key."""
    category: str
    subject: str
    """The payload field naming what the reminder is about (the session, the deal, the application)."""
    due: Callable[[datetime], datetime]
    """When to send it, from its moment."""


def _before_in_sofia(lead: timedelta) -> Callable[[datetime], datetime]:
    """``lead`` before the moment on Sofia's wall clock ("one day before" stays at midnight across DST)."""
    return lambda moment: (moment.astimezone(SOFIA) - lead).astimezone(UTC)


def _before(lead: timedelta) -> Callable[[datetime], datetime]:
    return lambda moment: (moment - lead).astimezone(UTC)


SESSION_TOMORROW = Kind("session_tomorrow", TRAINING, "session_id", _before(timedelta(hours=24)))
QUOTE_EXPIRING = Kind("quote_expiring", MARKETPLACE, "deal_id", _before_in_sofia(timedelta(days=1)))
DECISION_DEADLINE = Kind("decision_deadline", REGISTRY, "application_id", _before(timedelta(days=2)))
KINDS: dict[str, Kind] = {kind.message: kind for kind in (SESSION_TOMORROW, QUOTE_EXPIRING, DECISION_DEADLINE)}


# --- the moments reminders are about ----------------------------------------------------------------------


def enrolment_start(p: Payload) -> datetime | None:
    """An enrolment event's ``starts_at``: the session's first meeting."""
    return parsed_moment(p["starts_at"]) if p.get("starts_at") else None


def first_meeting(p: Payload) -> datetime | None:
    """The earliest meeting of a session event's ``meetings``."""
    starts = [parsed_moment(meeting["starts_at"]) for meeting in p["meetings"]]
    return min(starts) if starts else None


def quote_expiry(p: Payload) -> datetime | None:
    """A quote is valid until the end of the Sofia day ``valid_until``."""
    return end_of_sofia_day(date.fromisoformat(p["valid_until"])) if p.get("valid_until") else None


def decision_due(p: Payload) -> datetime | None:
    """The registry's deadline for a decision (``None`` while its clock is paused)."""
    return parsed_moment(p["due_at"]) if p.get("due_at") else None


@dataclass(frozen=True)
class ReminderRule:
    change: Change
    kind: Kind
    recipients: Callable[[Payload], list[Recipient]]
    moment: Callable[[Payload], datetime | None] | None = None
    """For a schedule or a move: the moment the reminder is about."""


Moment = Callable[[Payload], datetime | None]


def _schedule(kind: Kind, recipients: Callable[[Payload], list[Recipient]], moment: Moment) -> ReminderRule:
    return ReminderRule(Change.SCHEDULE, kind, recipients, moment)


def _drop(kind: Kind, recipients: Callable[[Payload], list[Recipient]]) -> ReminderRule:
    return ReminderRule(Change.DROP, kind, recipients)


# --- the table -------------------------------------------------------------------------------------------

REMINDER_RULES: dict[str, list[ReminderRule]] = {
    # training → learners
    "training.EnrolmentConfirmed": [_schedule(SESSION_TOMORROW, learner, enrolment_start)],
    "training.PromotedFromWaitlist": [_schedule(SESSION_TOMORROW, learner, enrolment_start)],
    "training.SessionRescheduled": [ReminderRule(Change.MOVE, SESSION_TOMORROW, session_learners, first_meeting)],
    "training.SessionCancelled": [_drop(SESSION_TOMORROW, session_learners)],
    "training.EnrolmentCancelled": [_drop(SESSION_TOMORROW, learner)],
    # marketplace → buyers
    "marketplace.QuoteOffered": [_schedule(QUOTE_EXPIRING, buyer, quote_expiry)],
    "marketplace.QuoteDeclined": [_drop(QUOTE_EXPIRING, buyer)],
    "marketplace.QuoteExpired": [_drop(QUOTE_EXPIRING, buyer)],
    "marketplace.OrderPlaced": [_drop(QUOTE_EXPIRING, buyer)],
    # registry → the centre's clerks
    "registry.ApplicationSubmitted": [_schedule(DECISION_DEADLINE, centre_clerks, decision_due)],
    "registry.ApplicationApproved": [_drop(DECISION_DEADLINE, centre_clerks)],
    "registry.ApplicationRejected": [_drop(DECISION_DEADLINE, centre_clerks)],
    "registry.ApplicationWithdrawn": [_drop(DECISION_DEADLINE, centre_clerks)],
    "registry.InformationRequested": [_drop(DECISION_DEADLINE, centre_clerks)],
}


def reminder_messages() -> set[str]:
    """Every reminder message: each has its templates."""
    return set(KINDS)


def reminder_id(kind: Kind, payload: Payload, recipient: Recipient) -> str:
    return f"{kind.message}:{payload[kind.subject]}:{recipient.key}"


@dataclass(frozen=True)
class ReminderPlan:
    """One reminder to send at ``due_at``, as long as ``moment`` is ahead: the notice it becomes, but its id."""

    reminder_id: str
    due_at: datetime
    moment: datetime
    message: str
    category: str
    recipient: Recipient
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ReminderChanges:
    """What one event changes; ``as_of`` is its ``occurred_at`` (an older event must change nothing)."""

    as_of: datetime
    schedule: list[ReminderPlan] = field(default_factory=list)
    move: list[ReminderPlan] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Scheduled or moved reminders whose moment had passed by ``now``: not planned."""

    def __bool__(self) -> bool:
        return bool(self.schedule or self.move or self.drop or self.skipped)


def reminder_changes(envelope: Envelope, now: datetime) -> ReminderChanges:
    """The reminders one event schedules, moves and drops; nothing for an event type the table does not name.

    A payload that lacks what a rule needs raises ``InvalidEvent`` (poison, like for ``notices_for``).
    """
    rules = REMINDER_RULES.get(envelope.event_type, [])
    if not rules:
        return ReminderChanges(as_of=parsed_moment(envelope.occurred_at))
    payload = envelope.payload
    try:
        occurred_at = parsed_moment(envelope.occurred_at)
        changes = ReminderChanges(as_of=occurred_at)
        seen: set[str] = set()
        for rule in rules:
            for recipient in rule.recipients(payload):
                id_ = reminder_id(rule.kind, payload, recipient)
                if id_ in seen:
                    continue
                seen.add(id_)
                if rule.change is Change.DROP:
                    changes.drop.append(id_)
                    continue
                assert rule.moment is not None
                moment = rule.moment(payload)
                if moment is None:
                    continue
                if moment <= now:
                    changes.skipped.append(id_)
                    continue
                plan = ReminderPlan(
                    reminder_id=id_,
                    due_at=rule.kind.due(moment),
                    moment=moment.astimezone(UTC),
                    message=rule.kind.message,
                    category=rule.kind.category,
                    recipient=recipient,
                    context={
                        **message_context(payload, occurred_at),
                        "moment": moment.astimezone(UTC).isoformat(),
                        "moment_display": shown_time(moment),
                        "moment_date_display": shown_date(moment.astimezone(SOFIA).date()),
                        "recipient_name": recipient.name,
                    },
                )
                (changes.schedule if rule.change is Change.SCHEDULE else changes.move).append(plan)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidEvent(f"{envelope.event_type} {envelope.event_id} lacks what its reminders need: {exc!r}") from exc
    return changes
