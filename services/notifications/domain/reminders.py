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

- ``event_tomorrow``: a visitor holding a seat and each person of an exhibitor selected for a stand (its
  representatives and its contact address), 24 h before the fair, bazaar or forum starts. Scheduled by
  ``VisitorRegistered`` and ``ExhibitorSelected``; an event's reminders move with ``EventRescheduled`` and go
  with ``EventCancelled``; a registration's or an application's go with ``VisitorCancelled`` and
  ``ExhibitorWithdrawn``. These changes find the reminders by their id's prefix (``event_tomorrow:<event>:``
  or ``event_tomorrow:<event>:<participation>:``), not by the people the event names, because an enterprise
  the register deleted has no representatives left to name; the dropped prefix stays as a tombstone, so a
  schedule older than the drop (read late from the other topic) plans nothing.

A reminder whose due time has already passed when it is planned is still sent (at once: it is due) as long
as its moment (the session, the expiry, the deadline) is ahead; when the moment has passed too it is skipped.
Due times are computed from the events only, never from the clock: a replayed event plans the same reminder.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from shared.clock import SOFIA, end_of_sofia_day
from shared.events import Envelope, InvalidEvent

from .mapping import (
    EVENTS,
    MARKETPLACE,
    REGISTRY,
    TRAINING,
    Payload,
    buyer,
    centre_clerks,
    exhibitor,
    learner,
    message_context,
    parsed_moment,
    session_learners,
    shown_date,
    shown_time,
    visitor,
)
from .notice import Recipient

REMINDER_EVENT_TYPE = "notifications.Reminder"
"""The event type of a reminder's notices (its inbox message and e-mail)."""


class Change(StrEnum):
    SCHEDULE = "schedule"
    MOVE = "move"
    DROP = "drop"
    MOVE_ALL = "move_all"
    """Every reminder of the kind under a prefix (an event's): to the new moment."""
    DROP_ALL = "drop_all"
    """Every reminder of the kind under a prefix (an event's, a participation's), and a tombstone for it."""


@dataclass(frozen=True)
class Kind:
    message: str
    """The kind's id and its templates' key."""
    category: str
    subject: str | tuple[str, ...]
    """The payload field naming what the reminder is about (the session, the deal, the application); or
    fields, outermost first (an event, then a participation in it), whose ids are prefixes of the reminder's."""
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
EVENT_TOMORROW = Kind("event_tomorrow", EVENTS, ("event_id", "participation_id"), _before(timedelta(hours=24)))
KINDS: dict[str, Kind] = {
    kind.message: kind for kind in (SESSION_TOMORROW, QUOTE_EXPIRING, DECISION_DEADLINE, EVENT_TOMORROW)
}


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


def event_start(p: Payload) -> datetime | None:
    """When the event (a participation's or the event's own) starts: ``starts_at``."""
    return parsed_moment(p["starts_at"]) if p.get("starts_at") else None


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
    within: str | None = None
    """For a move or drop of all: the payload field of the subject whose reminders change (``event_id``)."""


Moment = Callable[[Payload], datetime | None]


def _schedule(kind: Kind, recipients: Callable[[Payload], list[Recipient]], moment: Moment) -> ReminderRule:
    return ReminderRule(Change.SCHEDULE, kind, recipients, moment)


def _drop(kind: Kind, recipients: Callable[[Payload], list[Recipient]]) -> ReminderRule:
    return ReminderRule(Change.DROP, kind, recipients)


def _nobody(p: Payload) -> list[Recipient]:
    return []


def _drop_all(kind: Kind, within: str) -> ReminderRule:
    return ReminderRule(Change.DROP_ALL, kind, _nobody, within=within)


def _move_all(kind: Kind, within: str, moment: Moment) -> ReminderRule:
    return ReminderRule(Change.MOVE_ALL, kind, _nobody, moment, within=within)


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
    # events → visitors with a seat, selected exhibitors
    "events.VisitorRegistered": [_schedule(EVENT_TOMORROW, visitor, event_start)],
    "events.ExhibitorSelected": [_schedule(EVENT_TOMORROW, exhibitor, event_start)],
    "events.VisitorCancelled": [_drop_all(EVENT_TOMORROW, "participation_id")],
    "events.ExhibitorWithdrawn": [_drop_all(EVENT_TOMORROW, "participation_id")],
    "events.EventRescheduled": [_move_all(EVENT_TOMORROW, "event_id", event_start)],
    "events.EventCancelled": [_drop_all(EVENT_TOMORROW, "event_id")],
}


def reminder_messages() -> set[str]:
    """Every reminder message: each has its templates."""
    return set(KINDS)


def _subject_fields(kind: Kind) -> tuple[str, ...]:
    return (kind.subject,) if isinstance(kind.subject, str) else kind.subject


def reminder_id(kind: Kind, payload: Payload, recipient: Recipient) -> str:
    return f"{kind.message}:{':'.join(str(payload[name]) for name in _subject_fields(kind))}:{recipient.key}"


def reminder_prefix(kind: Kind, payload: Payload, within: str) -> str:
    """The ids of the kind's reminders about ``within`` (one of its subject fields) and what lies inside it."""
    names = _subject_fields(kind)
    upto = names[: names.index(within) + 1]
    return f"{kind.message}:{''.join(f'{payload[name]}:' for name in upto)}"


def prefixes_of(kind: Kind, payload: Payload) -> tuple[str, ...]:
    """Every prefix a reminder of the kind lies under (whose tombstone stops it being scheduled)."""
    names = _subject_fields(kind)
    return tuple(reminder_prefix(kind, payload, name) for name in names) if len(names) > 1 else ()


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
    within: tuple[str, ...] = ()
    """The prefixes it lies under: a dropped one (newer than the event) stops it being scheduled."""


@dataclass(frozen=True)
class MoveAll:
    """Every reminder under ``prefix`` to ``due_at``, about ``moment`` (shown as ``moment_display``)."""

    prefix: str
    due_at: datetime
    moment: datetime
    shown: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReminderChanges:
    """What one event changes; ``as_of`` is its ``occurred_at`` (an older event must change nothing)."""

    as_of: datetime
    schedule: list[ReminderPlan] = field(default_factory=list)
    move: list[ReminderPlan] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Scheduled or moved reminders whose moment had passed by ``now``: not planned."""
    move_all: list[MoveAll] = field(default_factory=list)
    drop_all: list[str] = field(default_factory=list)
    """Prefixes whose reminders are all dropped."""

    def __bool__(self) -> bool:
        return bool(self.schedule or self.move or self.drop or self.skipped or self.move_all or self.drop_all)


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
        written_to: set[str] = set()
        for rule in rules:
            if rule.change in (Change.DROP_ALL, Change.MOVE_ALL):
                _plan_all(rule, payload, now, changes)
                continue
            for named in rule.recipients(payload):
                id_ = reminder_id(rule.kind, payload, named)
                if id_ in seen:
                    continue
                seen.add(id_)
                if rule.change is Change.DROP:
                    changes.drop.append(id_)
                    continue
                # as for notices: never two e-mails to one address (a contact copy to a representative's own
                # address is not planned; a second person with it gets the inbox message only)
                address = (named.email or "").lower()
                if address in written_to and named.key.startswith("email:"):
                    continue
                recipient = replace(named, email=None) if address in written_to else named
                if address:
                    written_to.add(address)
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
                        **_moment_shown(moment),
                        "recipient_name": recipient.name,
                    },
                    within=prefixes_of(rule.kind, payload),
                )
                (changes.schedule if rule.change is Change.SCHEDULE else changes.move).append(plan)
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:  # a moment past year 9999
        raise InvalidEvent(f"{envelope.event_type} {envelope.event_id} lacks what its reminders need: {exc!r}") from exc
    return changes


def _plan_all(rule: ReminderRule, payload: Payload, now: datetime, changes: ReminderChanges) -> None:
    """A drop or move of every reminder under a prefix (an event's, a participation's)."""
    assert rule.within is not None
    prefix = reminder_prefix(rule.kind, payload, rule.within)
    if rule.change is Change.DROP_ALL:
        changes.drop_all.append(prefix)
        return
    assert rule.moment is not None
    moment = rule.moment(payload)
    if moment is not None and moment > now:
        changes.move_all.append(MoveAll(prefix, rule.kind.due(moment), moment.astimezone(UTC), _moment_shown(moment)))


def _moment_shown(moment: datetime) -> dict[str, str]:
    return {
        "moment": moment.astimezone(UTC).isoformat(),
        "moment_display": shown_time(moment),
        "moment_date_display": shown_date(moment.astimezone(SOFIA).date()),
    }
