"""A learner's enrolment in a session: a seat or a place on the waitlist, attendance, and the certificate.

One enrolment per (session, learner): its id is ``<session id>:<learner>``, the learner being the
lower-cased e-mail address, so a second enrolment of the same person is refused by the database's
unique ``_id`` and not by a check that two requests could both pass.

States::

    pending ─follow_seat(holder)→ confirmed ─complete→ completed (with a certificate number)
    pending ─follow_seat(waiting)→ waitlisted ─follow_seat(holder)→ confirmed (promoted)
    pending / confirmed / waitlisted ─cancel→ cancelled ─reopen→ pending (enrolling again)
    invited ─accept→ pending (the worker said yes)   invited ─decline→ declined   invited ─cancel→ cancelled

A representative only *invites* a worker by e-mail (``WorkerInvited``, the one message the address gets):
an invitation holds no seat, and no other event is recorded for it until the worker, signed in with that
verified address, accepts it; declining (or the representative withdrawing it) records nothing. An
invitation expires when the session starts.

Who holds a seat and who waits, in which order, is decided by the session's seat ledger
(:class:`Seats` below, kept in its own document); an enrolment only *follows* the ledger. That
split is what lets 200 people enrol at once into 20 seats without a multi-document transaction: the
ledger is changed by single conditional updates, and each enrolment is brought in line afterwards (or
by ``reconcile`` when a crash came in between).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.errors import Conflict, InvalidInput, Text
from shared.events.envelope import utc_iso
from shared.events.recorded import DomainEvent

NAME_LIMIT = 200
REASON_LIMIT = 2000


class EnrolmentState(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    INVITED = "invited"
    DECLINED = "declined"


STATE_BG = {
    EnrolmentState.PENDING: "в обработка",
    EnrolmentState.CONFIRMED: "потвърдено място",
    EnrolmentState.WAITLISTED: "в списъка на чакащите",
    EnrolmentState.CANCELLED: "отказано",
    EnrolmentState.COMPLETED: "завършено",
    EnrolmentState.INVITED: "поканен, чака отговор",
    EnrolmentState.DECLINED: "поканата е отклонена",
}

ACTIVE_STATES = frozenset({EnrolmentState.PENDING, EnrolmentState.CONFIRMED, EnrolmentState.WAITLISTED})
"""States in which the enrolment wants a place in the ledger."""


class CancelledBy(StrEnum):
    LEARNER = "learner"
    REPRESENTATIVE = "representative"
    ADMIN = "admin"


class EnrolmentEvent(StrEnum):
    """The events an enrolment records (``training.<name>`` on ``training.enrolment.v1``)."""

    ENROLMENT_CONFIRMED = "EnrolmentConfirmed"
    WAITLISTED = "Waitlisted"
    PROMOTED_FROM_WAITLIST = "PromotedFromWaitlist"
    ENROLMENT_CANCELLED = "EnrolmentCancelled"
    ATTENDANCE_RECORDED = "AttendanceRecorded"
    CERTIFICATE_ISSUED = "CertificateIssued"
    WORKER_INVITED = "WorkerInvited"


class Seat(StrEnum):
    """Where the session's seat ledger has an enrolment."""

    HOLDER = "holder"
    WAITING = "waiting"
    NONE = "none"


class EnrolmentNotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, action: Text, reason: Text) -> None:
        super().__init__(Text(f"Не може да {action.bg}: {reason.bg}.", f"Cannot {action.en}: {reason.en}."))
        self.reason = reason


def state_reason(state: EnrolmentState) -> Text:
    return Text(f"записването е „{STATE_BG[state]}“", f"the enrolment is {state.value}")


SESSION_NOT_ENDED = Text("сесията още не е приключила", "the session has not ended yet")
INVITATION_EXPIRED = Text("поканата изтече, когато сесията започна", "the invitation expired when the session started")
MAX_WAITING = 500
"""People a session's waitlist takes: the seat ledger is one document and must stay bounded."""
WAITLIST_FULL = Text(
    f"няма свободни места, а листата на чакащите е пълна ({MAX_WAITING} души)",
    f"no seat is free and the waitlist is full ({MAX_WAITING} people)",
)


def learner_id(email: str) -> str:
    """A learner is known by their e-mail address, compared without regard to case or surrounding spaces."""
    return email.strip().lower()


def enrolment_id(session_id: str, learner: str) -> str:
    return f"{session_id}:{learner}"


def meets_threshold(present: int, meetings: int, threshold_percent: int) -> bool:
    """Attendance at or above the threshold, in whole numbers so that 4 of 5 is exactly 80%."""
    return meetings > 0 and present * 100 >= threshold_percent * meetings


def attendance_percent(present: int, meetings: int) -> int:
    """Rounded down, for people: 79.9% shows as 79 and does not pass an 80% threshold."""
    return present * 100 // meetings if meetings > 0 else 0


@dataclass
class Enrolment:
    id: str
    session_id: str
    course_title: str
    centre: str
    trainer_id: str
    learner: str
    """The learner's lower-cased e-mail address."""
    learner_name: str
    enterprise_id: str | None
    """The enterprise the learner works for (a representative's enterprise when it enrolled them)."""
    enrolled_by: str
    """The token subject of whoever enrolled the learner (themself or a representative)."""
    by_representative: bool
    starts_at: datetime
    """The session's first meeting as last seen (events and lists show it)."""
    enrolled_at: datetime
    state: EnrolmentState = EnrolmentState.PENDING
    confirmed_at: datetime | None = None
    waitlisted_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: CancelledBy | None = None
    reason: str = ""
    present: list[int] = field(default_factory=list)
    """Numbers of the meetings (1 for the first) the learner attended, ascending."""
    absent: list[int] = field(default_factory=list)
    completed_at: datetime | None = None
    certificate_number: str | None = None
    version: int = 0
    _events: list[DomainEvent] = field(default_factory=list, init=False, repr=False, compare=False)

    # ------------------------------------------------------------------ starting
    @classmethod
    def request(
        cls,
        *,
        session_id: str,
        course_title: str,
        centre: str,
        trainer_id: str,
        starts_at: datetime,
        email: str,
        name: str,
        enterprise_id: str | None,
        enrolled_by: str,
        by_representative: bool,
        now: datetime,
    ) -> Enrolment:
        """A new enrolment waiting for its place in the ledger (no event yet: the ledger decides which)."""
        learner = learner_id(email)
        problems: dict[str, Text] = {}
        if "@" not in learner or len(learner) > 254:
            problems["email"] = Text("Не е валиден имейл адрес.", "Not a valid email address.")
        name = (name or "").strip()
        if not name:
            problems["name"] = Text("Името е задължително.", "The name is required.")
        elif len(name) > NAME_LIMIT:
            problems["name"] = Text(f"Най-много {NAME_LIMIT} знака.", f"At most {NAME_LIMIT} characters.")
        if problems:
            raise InvalidInput(Text("Данните не са валидни.", "The data is not valid."), fields=problems)
        return cls(
            id=enrolment_id(session_id, learner),
            session_id=session_id,
            course_title=course_title,
            centre=centre,
            trainer_id=trainer_id,
            learner=learner,
            learner_name=name,
            enterprise_id=enterprise_id,
            enrolled_by=enrolled_by,
            by_representative=by_representative,
            starts_at=starts_at,
            enrolled_at=now,
        )

    def invite(self, *, enterprise_name: str) -> None:
        """Make this new request an invitation of the worker by a representative: no seat, one event."""
        if self.state is not EnrolmentState.PENDING or not self.by_representative:
            raise ValueError("only a representative's new request becomes an invitation")
        self.state = EnrolmentState.INVITED
        self._invitation(enterprise_name)

    def reopen(
        self,
        *,
        name: str,
        enterprise_id: str | None,
        enrolled_by: str,
        by_representative: bool,
        now: datetime,
        invitation_from: str | None = None,
    ) -> None:
        """Enrol again after cancelling (or declining): back to pending, at the end of the queue like anyone
        new; or, when a representative asks again (``invitation_from``: its enterprise's name), a new invitation."""
        if self.state not in (EnrolmentState.CANCELLED, EnrolmentState.DECLINED):
            raise AlreadyEnrolled(self.state)
        self.state = EnrolmentState.PENDING if invitation_from is None else EnrolmentState.INVITED
        self.learner_name = (name or "").strip() or self.learner_name
        self.enterprise_id = enterprise_id
        self.enrolled_by = enrolled_by
        self.by_representative = by_representative
        self.enrolled_at = now
        self.confirmed_at = self.waitlisted_at = self.cancelled_at = None
        self.cancelled_by = None
        self.reason = ""
        if invitation_from is not None:
            self._invitation(invitation_from)

    # ------------------------------------------------------------------ invitations
    def invitation_expired(self, now: datetime) -> bool:
        return self.state is EnrolmentState.INVITED and now >= self.starts_at

    def accept(self, now: datetime) -> None:
        """The invited worker says yes: a request like their own, at the end of the queue (the ledger decides)."""
        action = Text("се приеме поканата", "accept the invitation")
        if self.state is not EnrolmentState.INVITED:
            raise EnrolmentNotAllowed(action, state_reason(self.state))
        if self.invitation_expired(now):
            raise EnrolmentNotAllowed(action, INVITATION_EXPIRED)
        self.state = EnrolmentState.PENDING
        self.enrolled_at = now

    def decline(self, now: datetime) -> None:
        """The invited worker says no: nothing is recorded for anyone else to hear."""
        if self.state is not EnrolmentState.INVITED:
            raise EnrolmentNotAllowed(Text("се отклони поканата", "decline the invitation"), state_reason(self.state))
        self.state = EnrolmentState.DECLINED
        self.cancelled_at = now

    def _invitation(self, enterprise_name: str) -> None:
        self._events.append(
            DomainEvent(
                EnrolmentEvent.WORKER_INVITED.value,
                {
                    "enrolment_id": self.id,
                    "session_id": self.session_id,
                    "course_title": self.course_title,
                    "centre": self.centre,
                    "learner": self.learner,
                    "learner_name": self.learner_name,
                    "enterprise_id": self.enterprise_id,
                    "enterprise_name": enterprise_name,
                    "starts_at": utc_iso(self.starts_at),
                },
            )
        )

    # ------------------------------------------------------------------ following the ledger
    def follow_seat(self, seat: Seat, waitlist_position: int | None, now: datetime) -> bool:
        """Take the state the ledger gives; True when it changed (and an event was recorded).

        A cancelled or completed enrolment, or one the ledger does not hold, stays as it is: the
        ledger never moves a seat holder back to the waitlist.
        """
        if seat is Seat.HOLDER and self.state in (EnrolmentState.PENDING, EnrolmentState.WAITLISTED):
            promoted = self.state is EnrolmentState.WAITLISTED
            self.state = EnrolmentState.CONFIRMED
            self.confirmed_at = now
            name = EnrolmentEvent.PROMOTED_FROM_WAITLIST if promoted else EnrolmentEvent.ENROLMENT_CONFIRMED
            self._record(name)
            return True
        if seat is Seat.WAITING and self.state is EnrolmentState.PENDING:
            if waitlist_position is None or waitlist_position < 1:
                raise ValueError("a waiting enrolment has a position from 1")
            self.state = EnrolmentState.WAITLISTED
            self.waitlisted_at = now
            self._record(EnrolmentEvent.WAITLISTED, waitlist_position=waitlist_position)
            return True
        return False

    @property
    def wants_a_place(self) -> bool:
        return self.state in ACTIVE_STATES

    # ------------------------------------------------------------------ cancelling
    def cancel(self, *, by: CancelledBy, reason: str, now: datetime) -> None:
        """Give up the place; an invitation the worker never accepted is withdrawn without any event."""
        action = Text("се откаже записването", "cancel the enrolment")
        if self.state not in ACTIVE_STATES and self.state is not EnrolmentState.INVITED:
            raise EnrolmentNotAllowed(action, state_reason(self.state))
        reason = (reason or "").strip()
        if len(reason) > REASON_LIMIT:
            raise InvalidInput(
                Text("Данните не са валидни.", "The data is not valid."),
                fields={"reason": Text(f"Най-много {REASON_LIMIT} знака.", f"At most {REASON_LIMIT} characters.")},
            )
        invited = self.state is EnrolmentState.INVITED
        self.state = EnrolmentState.CANCELLED
        self.cancelled_at = now
        self.cancelled_by = by
        self.reason = reason
        if not invited:
            self._record(EnrolmentEvent.ENROLMENT_CANCELLED, cancelled_by=by.value, reason=reason)

    # ------------------------------------------------------------------ attendance and completion
    def record_attendance(self, meeting: int, present: bool) -> bool:
        """Mark the learner present or absent at a meeting (1 for the first); True when that changed."""
        if self.state is not EnrolmentState.CONFIRMED:
            raise EnrolmentNotAllowed(Text("се отбележи присъствие", "record attendance"), state_reason(self.state))
        if meeting < 1:
            raise ValueError("meetings are numbered from 1")
        marked, other = (self.present, self.absent) if present else (self.absent, self.present)
        if meeting in marked:
            return False
        if meeting in other:
            other.remove(meeting)
        marked.append(meeting)
        marked.sort()
        self._record(EnrolmentEvent.ATTENDANCE_RECORDED, meeting=meeting, present=present)
        return True

    def attended(self, meetings: int) -> int:
        """Meetings attended among the session's ``meetings`` (marks for meetings no longer held do not count)."""
        return sum(1 for m in self.present if m <= meetings)

    def passes(self, meetings: int, threshold_percent: int) -> bool:
        return meets_threshold(self.attended(meetings), meetings, threshold_percent)

    def complete(
        self,
        *,
        certificate_number: str,
        meetings: int,
        threshold_percent: int,
        session_ends_at: datetime,
        now: datetime,
    ) -> None:
        """The session is over and the learner attended enough: completed, with a certificate."""
        action = Text("се издаде сертификат", "issue a certificate")
        if self.state is not EnrolmentState.CONFIRMED:
            raise EnrolmentNotAllowed(action, state_reason(self.state))
        if now < session_ends_at:
            raise EnrolmentNotAllowed(action, SESSION_NOT_ENDED)
        if not self.passes(meetings, threshold_percent):
            percent = attendance_percent(self.attended(meetings), meetings)
            raise EnrolmentNotAllowed(
                action,
                Text(
                    f"присъствието е {percent}% при изискване {threshold_percent}%",
                    f"attendance is {percent}%, {threshold_percent}% is required",
                ),
            )
        if not certificate_number:
            raise ValueError("a completed enrolment has its certificate number")
        self.state = EnrolmentState.COMPLETED
        self.completed_at = now
        self.certificate_number = certificate_number
        self._record(EnrolmentEvent.CERTIFICATE_ISSUED, certificate_number=certificate_number)

    # ------------------------------------------------------------------ events
    def pull_events(self) -> list[DomainEvent]:
        """The events recorded since the last call, oldest first; the enrolment forgets them."""
        events, self._events = self._events, []
        return events

    def _record(self, name: EnrolmentEvent, **extra: Any) -> None:
        payload = {
            "enrolment_id": self.id,
            "session_id": self.session_id,
            "course_title": self.course_title,
            "centre": self.centre,
            "learner": self.learner,
            "learner_name": self.learner_name,
            "enterprise_id": self.enterprise_id,
            "state": self.state.value,
            "starts_at": utc_iso(self.starts_at),
        }
        self._events.append(DomainEvent(name.value, {**payload, **extra}))


class AlreadyEnrolled(Conflict):
    code = "already_enrolled"

    def __init__(self, state: EnrolmentState) -> None:
        super().__init__(
            Text(
                f"Обучаемият вече е записан за тази сесия ({STATE_BG[state]}).",
                f"The learner is already enrolled in this session ({state.value}).",
            )
        )
        self.state = state


# ---------------------------------------------------------------------- the seat ledger's rules
@dataclass(frozen=True)
class Seats:
    """A session's seat ledger as one document holds it: who has a seat, who waits, in the order they came.

    The adapter (``services.training.adapters.enrolments.SeatLedger``) changes the document only by
    conditional single-document updates that apply exactly these rules (``claim``, ``release``,
    ``promote_first``); this pure version states them, reads a snapshot, and serves the unit tests.
    """

    session_id: str
    capacity: int
    holders: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()

    def seat_of(self, enrolment: str) -> tuple[Seat, int | None]:
        """Where the enrolment stands, with its waitlist position (1 for the first waiting)."""
        if enrolment in self.holders:
            return Seat.HOLDER, None
        if enrolment in self.waiting:
            return Seat.WAITING, self.waiting.index(enrolment) + 1
        return Seat.NONE, None

    @property
    def free_seats(self) -> int:
        return max(self.capacity - len(self.holders), 0)

    def takes(self, enrolment: str) -> bool:
        """Whether a claim for ``enrolment`` finds a place: it is in the ledger already, a seat is free or
        the waitlist has room (``MAX_WAITING``)."""
        if enrolment in self.holders or enrolment in self.waiting:
            return True
        return (self.free_seats > 0 and not self.waiting) or len(self.waiting) < MAX_WAITING

    def claim(self, enrolment: str, capacity: int | None = None) -> Seats:
        """A seat while one is free and nobody waits for it, else the end of the waitlist; nothing for an
        enrolment already there."""
        capacity = self.capacity if capacity is None else capacity
        if enrolment in self.holders or enrolment in self.waiting:
            return self
        if len(self.holders) < capacity and not self.waiting:
            return Seats(self.session_id, capacity, (*self.holders, enrolment), self.waiting)
        return Seats(self.session_id, capacity, self.holders, (*self.waiting, enrolment))

    def release(self, *enrolments: str) -> Seats:
        gone = set(enrolments)
        return Seats(
            self.session_id,
            self.capacity,
            tuple(e for e in self.holders if e not in gone),
            tuple(e for e in self.waiting if e not in gone),
        )

    def promote_first(self, expected: str) -> Seats | None:
        """The first waiting takes a free seat, if it is still ``expected`` (else someone else moved it)."""
        if not self.waiting or self.waiting[0] != expected or len(self.holders) >= self.capacity:
            return None
        return Seats(self.session_id, self.capacity, (*self.holders, expected), self.waiting[1:])
