"""Enrolment use cases: enrolling (oneself, or a representative its workers), cancelling with automatic
promotion from the waitlist, attendance, completion with certificates, and their public verification.

How a seat is taken without a multi-document transaction (FerretDB has none):

1. the enrolment is inserted as ``pending`` (its ``_id`` is ``<session>:<learner>``, so the same
   learner cannot enrol twice: the second insert is refused by the unique ``_id``);
2. the session's seat ledger is changed by ONE conditional update: a seat if fewer than ``capacity``
   hold one, else the end of the waitlist (``SeatLedger.claim``);
3. the enrolment follows the ledger: ``confirmed`` or ``waitlisted``, saved with its event in its own
   outbox (one single-document write).

A cancellation is saved on the enrolment first (with its event), then released in the ledger, then the
free seats go to the first waiting, in order (``SeatLedger.promote_first`` names the head it expects,
so two cancellations never promote the same person), and each promoted enrolment follows the ledger
with ``PromotedFromWaitlist``. A crash between any two steps leaves an enrolment ``pending`` or out of
step with the ledger; ``reconcile(session_id)`` (run by the scheduler; safe to run any time, any number
of times) brings every enrolment of the session in line with the ledger and the ledger in line with
cancellations. The ledger is the truth for seats and order; the enrolment is the truth for whether the
learner still wants a place.

Who may do what: a learner enrols themself and sees and cancels their own enrolments; a representative
invites workers of its own enterprise by e-mail, sees their enrolments and cancels (withdraws) those it
made; the invited worker accepts or declines; the session's trainer (and admins, and clerks of its centre)
sees the roster, records attendance and completes the session. An enrolment is "not found" for anyone who
may not see it.

A learner is known by their e-mail address, so wherever identity rests on it (enrolling oneself, one's
own enrolments, accepting an invitation, the certificates one sees) only an address the identity
provider verified counts (``Principal.verified_email``): an unverified one is refused with 403. A
representative's word that an address is its worker's makes only an invitation: the one message that
address gets (``WorkerInvited``) until its owner, signed in with it, accepts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from marshmallow import ValidationError, validate

from services.training.config import COMPLETION_THRESHOLD_PERCENT, SERVICE
from services.training.domain.certificate import (
    Certificate,
    certificate_number,
    is_certificate_number,
    issue_year,
    typed_number,
)
from services.training.domain.certificate import series as certificate_series
from services.training.domain.enrolment import (
    WAITLIST_FULL,
    AlreadyEnrolled,
    CancelledBy,
    Enrolment,
    EnrolmentNotAllowed,
    EnrolmentState,
    Seat,
    Seats,
    attendance_percent,
    learner_id,
)
from services.training.domain.enterprise import Enterprise
from services.training.domain.session import Session, SessionStatus
from services.training.events.enrolments import AGGREGATE_TYPE
from shared.auth import Principal, Role
from shared.bg.geography import geography
from shared.clock import Clock
from shared.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound, StaleVersion, Text
from shared.events import EventCatalog
from shared.outbox import OutboxEntry
from shared.outbox.entries import to_outbox
from shared.seat_ledger import WaitingListFull

SAVE_ATTEMPTS = 5
MAX_WORKERS = 100
"""The most workers a representative enrols in one request."""

NO_SUCH_ENROLMENT = Text("Няма такова записване.", "No such enrolment.")
NO_SUCH_CERTIFICATE = Text("Няма сертификат с такъв номер.", "No certificate with this number.")
INVALID = Text("Данните не са валидни.", "The data is not valid.")
BAD_EMAIL = Text("Не е валиден имейл адрес.", "Not a valid email address.")
NO_EMAIL = Text(
    "Във вашия профил няма имейл адрес, а записването е по имейл.",
    "Your account has no e-mail address, and enrolment goes by e-mail.",
)
ONLY_LEARNERS = Text("Сами се записват обучаемите.", "Only learners enrol themselves.")
UNVERIFIED_EMAIL = Text(
    "Имейл адресът ви не е потвърден. Потвърдете го при доставчика на вход и влезте отново.",
    "Your e-mail address is not verified. Verify it with your sign-in provider and sign in again.",
)
ONLY_THE_INVITED = Text(
    "Поканата приема или отклонява само поканеният, влязъл с имейла, на който е поканен.",
    "Only the invited worker, signed in with the e-mail address invited, accepts or declines an invitation.",
)
INVITE = Text("се покани служител", "invite a worker")
SESSION_STARTED = Text("сесията вече е започнала", "the session has started")
ONLY_REPRESENTATIVES = Text(
    "Служители записва представител на предприятие.", "Workers are enrolled by a representative of an enterprise."
)
NO_ENTERPRISE = Text("Профилът ви не е свързан с предприятие.", "Your account is not linked to an enterprise.")
ONLY_TRAINER = Text(
    "Това може само обучителят на сесията (или служител на центъра).",
    "Only the session's trainer (or staff of its centre) may do this.",
)
NOT_YOURS_TO_CANCEL = Text(
    "Записването отказва обучаемият, представителят, който го е направил, или администратор.",
    "An enrolment is cancelled by the learner, the representative who made it, or an administrator.",
)
ENROL = Text("се запише за сесията", "enrol in the session")
CANCEL = Text("се откаже записването", "cancel the enrolment")
ATTEND = Text("се отбележи присъствие", "record attendance")
COMPLETE = Text("се приключи сесията", "complete the session")
SESSION_ENDED = Text("сесията вече е приключила", "the session has ended")
SESSION_CANCELLED = Text("сесията е отменена", "the session is cancelled")
NOT_ELIGIBLE = Text(
    "сесията е финансирана и е само за служители на предприятия, вписани като активни в регистъра на "
    "социалните предприятия",
    "the session is funded and only for workers of enterprises active in the register of social enterprises",
)


def _requested(
    session: Session,
    email: str,
    name: str,
    enterprise_id: str | None,
    enrolled_by: str,
    by_representative: bool,
    now: datetime,
) -> Enrolment:
    """A new enrolment (or invitation) of ``email`` in ``session``, once the address is one events accept."""
    if _bad_email(email):  # the address goes into events, whose schema checks it the same way
        raise InvalidInput(INVALID, fields={"email": BAD_EMAIL})
    return Enrolment.request(
        session_id=session.id,
        course_title=session.course_title,
        centre=session.centre,
        trainer_id=session.trainer_id,
        starts_at=session.starts_at,
        email=email,
        name=name,
        enterprise_id=enterprise_id,
        enrolled_by=enrolled_by,
        by_representative=by_representative,
        now=now,
    )


def _bad_email(email: str) -> bool:
    try:
        validate.Email()(learner_id(email))
    except ValidationError:
        return True
    return False


class NotEligible(Conflict):
    code = "not_eligible"

    def __init__(self) -> None:
        super().__init__(Text(f"Не може да {ENROL.bg}: {NOT_ELIGIBLE.bg}.", f"Cannot {ENROL.en}: {NOT_ELIGIBLE.en}."))


# ---------------------------------------------------------------------- ports
class Enrolments(Protocol):
    def get(self, enrolment_id: str) -> Enrolment: ...

    def find(self, enrolment_id: str) -> Enrolment | None: ...

    def add(self, enrolment: Enrolment, outbox: list[OutboxEntry]) -> bool:
        """Insert; False when the enrolment id is taken (nothing written)."""

    def save(self, enrolment: Enrolment, outbox: list[OutboxEntry]) -> None:
        """Write the changed enrolment and its events atomically; StaleVersion on a lost race."""

    def of_session(self, session_id: str, states: Iterable[EnrolmentState] | None = None) -> list[Enrolment]: ...

    def of_learner(self, learner: str, limit: int = 0) -> list[Enrolment]: ...

    def of_enterprise(self, enterprise_id: str, limit: int = 0) -> list[Enrolment]: ...


class Ledger(Protocol):
    def get(self, session_id: str) -> Seats | None: ...

    def claim(self, session_id: str, enrolment_id: str, capacity: int, seen: Seats | None = None) -> Seats:
        """``seen``: the ledger as just read (its rules decide, the snapshot only orders the attempts)."""

    def promote_first(self, session_id: str, expected: str, capacity: int) -> bool: ...

    def release(self, session_id: str, enrolment_ids: Iterable[str]) -> None: ...


class Certificates(Protocol):
    def put(self, certificate: Certificate) -> None: ...

    def get(self, number: str) -> Certificate | None: ...


class Sessions(Protocol):
    def get(self, session_id: str) -> Session: ...

    def find(self, session_id: str) -> Session | None: ...


class Enterprises(Protocol):
    def get(self, enterprise_id: str) -> Enterprise | None: ...


class NumberSeries(Protocol):
    def next(self, series: str) -> int: ...


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class Placed:
    """An enrolment with where it stands in the ledger (its waitlist position, 1 for the first waiting)."""

    enrolment: Enrolment
    waitlist_position: int | None = None
    check_code: str | None = None
    """The certificate's check code, for those who may see the enrolment (the learner prints it)."""


@dataclass(frozen=True)
class WorkerResult:
    """One worker of a representative's request: invited (the worker accepts it to enrol) or refused, and why."""

    email: str
    name: str
    placed: Placed | None = None
    error: AppError | None = None


@dataclass(frozen=True)
class Roster:
    session: Session
    participants: list[Enrolment]
    """Seat holders in the order they got their seat (confirmed or completed)."""
    waiting: list[Enrolment]
    """The waitlist, first first."""


@dataclass(frozen=True)
class Completion:
    session: Session
    threshold_percent: int
    completed: list[Enrolment] = field(default_factory=list)
    not_completed: list[tuple[Enrolment, int]] = field(default_factory=list)
    """Seat holders below the threshold, with their attendance in percent (rounded down)."""


# ---------------------------------------------------------------------- the use cases
@dataclass
class EnrolmentService:
    enrolments: Enrolments
    seats: Ledger
    certificates: Certificates
    sessions: Sessions
    enterprises: Enterprises
    numbers: NumberSeries
    catalog: EventCatalog
    clock: Clock
    threshold_percent: int = int(COMPLETION_THRESHOLD_PERCENT.default)

    # ------------------------------------------------------------------ enrolling
    def enrol_self(self, principal: Principal, session_id: str) -> Placed:
        """The signed-in learner enrols, by the e-mail address and enterprise their account carries."""
        if not principal.is_authenticated or Role.LEARNER not in principal.roles:
            raise Forbidden(ONLY_LEARNERS)
        email = _verified_email(principal)
        session = self.sessions.get(session_id)
        self._ensure_open(session)
        self._ensure_eligible(session, principal.enterprise_id)
        return self._enrol(
            session,
            email=email,
            name=principal.name or email,
            enterprise_id=principal.enterprise_id,
            enrolled_by=principal.subject,
            by_representative=False,
        )

    def enrol_workers(
        self, principal: Principal, session_id: str, workers: Sequence[dict[str, str]]
    ) -> list[WorkerResult]:
        """A representative invites workers of its own enterprise (``{name, email}`` each); each is reported.

        Each becomes an invitation (no seat, one ``WorkerInvited`` event) that the worker accepts, signed in
        with that address, to enrol. The whole request is refused when the session does not take
        enrolments, has started or the enterprise is not eligible; one worker's problem (already enrolled
        or invited, a bad address) does not stop the others.
        """
        if not principal.is_authenticated or Role.REPRESENTATIVE not in principal.roles:
            raise Forbidden(ONLY_REPRESENTATIVES)
        if not principal.enterprise_id:
            raise Forbidden(NO_ENTERPRISE)
        _check_workers(workers)
        session = self.sessions.get(session_id)
        self._ensure_open(session)
        if self.clock.now() >= session.starts_at:
            raise EnrolmentNotAllowed(INVITE, SESSION_STARTED)
        self._ensure_eligible(session, principal.enterprise_id)
        enterprise = self.enterprises.get(principal.enterprise_id)
        enterprise_name = enterprise.name if enterprise else ""
        results = []
        for worker in workers:
            email, name = worker["email"], worker["name"]
            try:
                placed = self._invite(
                    session,
                    email=email,
                    name=name,
                    enterprise_id=principal.enterprise_id,
                    enterprise_name=enterprise_name,
                    enrolled_by=principal.subject,
                )
            except (Conflict, InvalidInput) as refused:
                results.append(WorkerResult(learner_id(email), name, error=refused))
            else:
                results.append(WorkerResult(placed.enrolment.learner, name, placed=placed))
        return results

    def _enrol(
        self,
        session: Session,
        *,
        email: str,
        name: str,
        enterprise_id: str | None,
        enrolled_by: str,
        by_representative: bool,
    ) -> Placed:
        now = self.clock.now()
        enrolment = _requested(session, email, name, enterprise_id, enrolled_by, by_representative, now)
        seen = self._ensure_room(session, enrolment.id, ENROL)
        if not self.enrolments.add(enrolment, []):
            enrolment = self._reopen(enrolment, session, now)
        return self._seat(session, enrolment, seen)

    def _invite(
        self,
        session: Session,
        *,
        email: str,
        name: str,
        enterprise_id: str,
        enterprise_name: str,
        enrolled_by: str,
    ) -> Placed:
        """An invitation for the worker: saved with its one event; a cancelled or declined one is renewed."""
        now = self.clock.now()
        invitation = _requested(session, email, name, enterprise_id, enrolled_by, True, now)
        invitation.invite(enterprise_name=enterprise_name)
        if self.enrolments.add(invitation, self._outbox(invitation, now)):
            return Placed(invitation)
        existing = self.enrolments.get(invitation.id)
        existing.reopen(
            name=invitation.learner_name,
            enterprise_id=enterprise_id,
            enrolled_by=enrolled_by,
            by_representative=True,
            now=now,
            invitation_from=enterprise_name,
        )
        existing.course_title, existing.starts_at = session.course_title, session.starts_at
        try:
            self.enrolments.save(existing, self._outbox(existing, now))
        except StaleVersion:
            raise AlreadyEnrolled(EnrolmentState.PENDING) from None
        return Placed(existing)

    def accept(self, principal: Principal, enrolment_id: str) -> Placed:
        """The invited worker, signed in with the invited address, accepts: a seat or the waitlist, as if they
        had enrolled themself now (with the usual events)."""
        enrolment = self._invited(principal, enrolment_id)
        session = self.sessions.get(enrolment.session_id)
        self._ensure_open(session)
        self._ensure_eligible(session, enrolment.enterprise_id)
        seen = self._ensure_room(session, enrolment.id, ENROL)
        enrolment.accept(self.clock.now())
        try:
            self.enrolments.save(enrolment, [])
        except StaleVersion:  # answered at the same moment from elsewhere: that answer stands
            raise AlreadyEnrolled(self.enrolments.get(enrolment_id).state) from None
        return self._seat(session, enrolment, seen)

    def decline(self, principal: Principal, enrolment_id: str) -> Placed:
        """The invited worker declines: nothing more is sent to them about it."""
        enrolment = self._invited(principal, enrolment_id)
        enrolment.decline(self.clock.now())
        self.enrolments.save(enrolment, [])
        return Placed(enrolment)

    def _invited(self, principal: Principal, enrolment_id: str) -> Enrolment:
        _verified_email(principal)
        enrolment = self._visible(principal, enrolment_id)
        if not is_learner_of(principal, enrolment):
            raise Forbidden(ONLY_THE_INVITED)
        return enrolment

    def _ensure_room(self, session: Session, enrolment_id: str, action: Text) -> Seats:
        """Refuse before anything is written when the session has no seat and no room on its waitlist
        (concurrent requests may pass together: the waitlist ends at most that many beyond its bound).
        Returns the ledger as read (empty when it is not written yet)."""
        seats = self.seats.get(session.id)
        if seats is not None and not seats.takes(enrolment_id):
            raise EnrolmentNotAllowed(action, WAITLIST_FULL)
        return seats or Seats(session.id, session.capacity)

    def _seat(self, session: Session, enrolment: Enrolment, seen: Seats | None = None) -> Placed:
        """Claim a place in the ledger for a pending enrolment and follow it (handing out any free seat)."""
        try:
            seats = self.seats.claim(session.id, enrolment.id, session.capacity, seen)
        except WaitingListFull:  # past the ledger's own bound: as full as the check before anything was written
            raise EnrolmentNotAllowed(ENROL, WAITLIST_FULL) from None
        enrolment, seats = self._follow(enrolment, seats)
        if seats.waiting and len(seats.holders) < session.capacity:
            # Seats are free while people wait: a cancellation released one and has not handed it out yet
            # (or crashed before it could). Whoever sees it hands the free seats out, first waiting first.
            self._fill(session)
            seats = self.seats.get(session.id) or seats
            if seats.seat_of(enrolment.id)[0] is Seat.HOLDER and enrolment.state is not EnrolmentState.CONFIRMED:
                enrolment, seats = self._follow(self.enrolments.get(enrolment.id), seats)
        return Placed(enrolment, seats.seat_of(enrolment.id)[1])

    def _reopen(self, requested: Enrolment, session: Session, now: datetime) -> Enrolment:
        """The learner's enrolment exists: refused, unless it was cancelled (then they enrol again)."""
        existing = self.enrolments.get(requested.id)
        existing.reopen(
            name=requested.learner_name,
            enterprise_id=requested.enterprise_id,
            enrolled_by=requested.enrolled_by,
            by_representative=requested.by_representative,
            now=now,
        )
        existing.course_title, existing.starts_at = session.course_title, session.starts_at
        try:
            self.enrolments.save(existing, [])
        except StaleVersion:  # enrolling again at the same moment from elsewhere: that one goes ahead
            raise AlreadyEnrolled(EnrolmentState.PENDING) from None
        return existing

    def _ensure_open(self, session: Session) -> None:
        now = self.clock.now()
        if session.accepts_enrolments(now):
            return
        if session.status is SessionStatus.CANCELLED:
            reason = SESSION_CANCELLED
        elif session.status is not SessionStatus.SCHEDULED or now >= session.ends_at:
            reason = SESSION_ENDED
        elif now < session.enrolment_opens_at:
            reason = Text("записването още не е започнало", "enrolment has not opened yet")
        else:
            reason = Text("записването е приключило", "enrolment has closed")
        raise EnrolmentNotAllowed(ENROL, reason)

    def _ensure_eligible(self, session: Session, enterprise_id: str | None) -> None:
        """A funded session not open to all is for workers of enterprises active in the register."""
        if not session.funded or session.open_to_all:
            return
        enterprise = self.enterprises.get(enterprise_id) if enterprise_id else None
        if enterprise is None or not enterprise.active:
            raise NotEligible()

    # ------------------------------------------------------------------ following the ledger
    def _follow(self, enrolment: Enrolment, seats: Seats) -> tuple[Enrolment, Seats]:
        """Bring the enrolment in line with the ledger, saving the change with its event; retried on a race."""
        for _ in range(SAVE_ATTEMPTS):
            seat, position = seats.seat_of(enrolment.id)
            now = self.clock.now()
            if not enrolment.follow_seat(seat, position, now):
                return enrolment, seats
            try:
                self.enrolments.save(enrolment, self._outbox(enrolment, now))
            except StaleVersion:
                enrolment = self.enrolments.get(enrolment.id)
                seats = self.seats.get(enrolment.session_id) or seats
                continue
            return enrolment, seats
        raise StaleVersion()

    def _fill(self, session: Session) -> list[str]:
        """Give free seats to the first waiting, in order; each promoted enrolment follows. Returns their ids."""
        promoted: list[str] = []
        for _ in range(2 * session.capacity + 10):  # each failed attempt means another writer made progress
            seats = self.seats.get(session.id)
            if seats is None or not seats.waiting or len(seats.holders) >= session.capacity:
                break
            if self.seats.promote_first(session.id, seats.waiting[0], session.capacity):
                promoted.append(seats.waiting[0])
            # else: someone else moved the head first; look again
        if promoted:
            seats = self.seats.get(session.id)
            for promoted_id in promoted:
                enrolment = self.enrolments.find(promoted_id)
                if enrolment is not None and seats is not None:
                    self._follow(enrolment, seats)
        return promoted

    # ------------------------------------------------------------------ cancelling
    def cancel(self, principal: Principal, enrolment_id: str, *, reason: str = "") -> Enrolment:
        enrolment = self._visible(principal, enrolment_id)
        by = _canceller(principal, enrolment)
        session = self.sessions.find(enrolment.session_id)
        if session is not None and self.clock.now() >= session.ends_at:
            raise EnrolmentNotAllowed(CANCEL, SESSION_ENDED)
        for _ in range(SAVE_ATTEMPTS):
            now = self.clock.now()
            enrolment.cancel(by=by, reason=reason, now=now)
            try:
                self.enrolments.save(enrolment, self._outbox(enrolment, now))
            except StaleVersion:  # promoted at this very moment: cancel what it is now
                enrolment = self.enrolments.get(enrolment.id)
                continue
            break
        else:
            raise StaleVersion()
        self.seats.release(enrolment.session_id, [enrolment.id])
        if session is not None and session.status is SessionStatus.SCHEDULED:
            self._fill(session)
        return enrolment

    # ------------------------------------------------------------------ reading
    def view(self, principal: Principal, enrolment_id: str) -> Placed:
        enrolment = self._visible(principal, enrolment_id)
        return self._placed([enrolment])[0]

    def mine(self, principal: Principal, limit: int = 100) -> list[Placed]:
        """A learner's own enrolments and, for a representative, those of its enterprise's workers; newest first."""
        if not principal.is_authenticated:
            raise Forbidden(ONLY_LEARNERS)
        found: dict[str, Enrolment] = {}
        if Role.LEARNER in principal.roles and Role.REPRESENTATIVE not in principal.roles:
            _verified_email(principal)
        if Role.LEARNER in principal.roles and principal.verified_email.strip():
            found.update((e.id, e) for e in self.enrolments.of_learner(learner_id(principal.verified_email), limit))
        if Role.REPRESENTATIVE in principal.roles and principal.enterprise_id:
            found.update((e.id, e) for e in self.enrolments.of_enterprise(principal.enterprise_id, limit))
        newest = sorted(found.values(), key=lambda e: (e.enrolled_at, e.id), reverse=True)[:limit]
        return self._placed(newest)

    def _placed(self, enrolments: list[Enrolment]) -> list[Placed]:
        ledgers: dict[str, Seats | None] = {}
        placed = []
        for enrolment in enrolments:
            if enrolment.session_id not in ledgers:
                ledgers[enrolment.session_id] = self.seats.get(enrolment.session_id)
            seats = ledgers[enrolment.session_id]
            position = None
            if seats is not None and enrolment.wants_a_place:
                seat, position = seats.seat_of(enrolment.id)
                position = position if seat is Seat.WAITING else None
            code = None
            if enrolment.certificate_number:
                certificate = self.certificates.get(enrolment.certificate_number)
                code = certificate.check_code if certificate else None
            placed.append(Placed(enrolment, position, code))
        return placed

    def _visible(self, principal: Principal, enrolment_id: str) -> Enrolment:
        enrolment = self.enrolments.find(enrolment_id)
        if enrolment is None or not _may_see(principal, enrolment):
            raise NotFound(NO_SUCH_ENROLMENT)
        return enrolment

    def session_roster(self, principal: Principal, session_id: str) -> Roster:
        """The session's seat holders and waitlist, for its trainer (and admins, clerks of its centre)."""
        session = self.sessions.get(session_id)
        _ensure_runs(principal, session)
        return self._roster(session)

    def _roster(self, session: Session) -> Roster:
        seats = self.seats.get(session.id) or Seats(session.id, session.capacity)
        enrolments = {e.id: e for e in self.enrolments.of_session(session.id)}
        holding = [enrolments[i] for i in seats.holders if i in enrolments]
        waiting = [enrolments[i] for i in seats.waiting if i in enrolments]
        return Roster(
            session,
            [e for e in holding if e.state is not EnrolmentState.CANCELLED],
            [e for e in waiting if e.state is not EnrolmentState.CANCELLED],
        )

    def occupancy(self, session_id: str, capacity: int) -> dict[str, int]:
        """Seats taken and free, and how many wait: what anyone deciding to enrol wants to know."""
        seats = self.seats.get(session_id)
        taken = len(seats.holders) if seats else 0
        return {"taken": taken, "free": max(capacity - taken, 0), "waiting": len(seats.waiting) if seats else 0}

    def roster(self, session_id: str) -> list[dict[str, str]]:
        """Everyone enrolled or waiting (and any enrolment still pending), for telling them of a change to
        the session: ``[{learner_id, name, email}]``."""
        wanted = (EnrolmentState.CONFIRMED, EnrolmentState.WAITLISTED, EnrolmentState.PENDING)
        return [
            {"learner_id": e.learner, "name": e.learner_name, "email": e.learner}
            for e in self.enrolments.of_session(session_id, wanted)
        ]

    def learner_of(self, principal: Principal) -> str:
        """The learner a signed-in person is, by their verified e-mail address (Forbidden otherwise)."""
        if not principal.is_authenticated or Role.LEARNER not in principal.roles:
            raise Forbidden(ONLY_LEARNERS)
        return learner_id(_verified_email(principal))

    def learner_sessions(self, learner: str) -> list[Session]:
        """The sessions the learner holds a seat in (confirmed or completed), for their calendar."""
        sessions = []
        for enrolment in self.enrolments.of_learner(learner_id(learner)):
            if enrolment.state in (EnrolmentState.CONFIRMED, EnrolmentState.COMPLETED):
                session = self.sessions.find(enrolment.session_id)
                if session is not None:
                    sessions.append(session)
        return sorted(sessions, key=lambda s: s.starts_at)

    # ------------------------------------------------------------------ attendance and completion
    def record_attendance(
        self, principal: Principal, session_id: str, *, meeting: int, present: Iterable[str]
    ) -> Roster:
        """Mark every seat holder present (those listed) or absent (the others) at meeting ``meeting`` (1 for
        the first). Recording the same again changes nothing; a learner who completed keeps their marks."""
        session = self.sessions.get(session_id)
        _ensure_runs(principal, session)
        if session.status is SessionStatus.CANCELLED:
            raise EnrolmentNotAllowed(ATTEND, SESSION_CANCELLED)
        if not 1 <= meeting <= len(session.meetings):
            raise InvalidInput(
                INVALID,
                fields={
                    "meeting": Text(
                        f"Сесията има срещи от 1 до {len(session.meetings)}.",
                        f"The session has meetings 1 to {len(session.meetings)}.",
                    )
                },
            )
        if session.meetings[meeting - 1].starts_at > self.clock.now():
            raise EnrolmentNotAllowed(ATTEND, Text("срещата още не е започнала", "the meeting has not started yet"))
        holders = self.enrolments.of_session(session_id, (EnrolmentState.CONFIRMED, EnrolmentState.COMPLETED))
        attending = {learner_id(email) for email in present}
        unknown = sorted(attending - {e.learner for e in holders})
        if unknown:
            listed = ", ".join(unknown)
            raise InvalidInput(
                INVALID,
                fields={
                    "present": Text(
                        f"Нямат потвърдено място в сесията: {listed}.",
                        f"Not holding a seat in the session: {listed}.",
                    )
                },
            )
        for enrolment in holders:
            if enrolment.state is EnrolmentState.CONFIRMED:
                self._mark(enrolment, meeting, enrolment.learner in attending)
        return self._roster(session)

    def _mark(self, enrolment: Enrolment, meeting: int, present: bool) -> None:
        for _ in range(SAVE_ATTEMPTS):
            if enrolment.state is not EnrolmentState.CONFIRMED or not enrolment.record_attendance(meeting, present):
                return
            now = self.clock.now()
            try:
                self.enrolments.save(enrolment, self._outbox(enrolment, now))
            except StaleVersion:
                enrolment = self.enrolments.get(enrolment.id)
                continue
            return
        raise StaleVersion()

    def complete(self, principal: Principal, session_id: str) -> Completion:
        """After the last meeting: every seat holder whose attendance reaches the threshold completes the
        course and gets a certificate. Safe to repeat: nobody gets a second certificate, and a certificate
        whose public record is missing (a crash after the enrolment was saved) gets it now."""
        session = self.sessions.get(session_id)
        _ensure_runs(principal, session)
        if session.status is SessionStatus.CANCELLED:
            raise EnrolmentNotAllowed(COMPLETE, SESSION_CANCELLED)
        if self.clock.now() < session.ends_at:
            raise EnrolmentNotAllowed(COMPLETE, Text("сесията още не е приключила", "the session has not ended yet"))
        result = Completion(session, self.threshold_percent)
        meetings = len(session.meetings)
        for holder in self.enrolments.of_session(session_id, (EnrolmentState.CONFIRMED, EnrolmentState.COMPLETED)):
            if holder.state is EnrolmentState.CONFIRMED and not holder.passes(meetings, self.threshold_percent):
                result.not_completed.append((holder, attendance_percent(holder.attended(meetings), meetings)))
                continue
            certified = self._certify(holder, session)
            if certified.state is EnrolmentState.COMPLETED:
                result.completed.append(certified)
        return result

    def _certify(self, enrolment: Enrolment, session: Session) -> Enrolment:
        number = None
        for _ in range(SAVE_ATTEMPTS):
            if enrolment.state is not EnrolmentState.CONFIRMED:  # completed already, or cancelled meanwhile
                break
            now = self.clock.now()
            number = number or self._certificate_number(now)
            enrolment.complete(
                certificate_number=number,
                meetings=len(session.meetings),
                threshold_percent=self.threshold_percent,
                session_ends_at=session.ends_at,
                now=now,
            )
            try:
                self.enrolments.save(enrolment, self._outbox(enrolment, now))
            except StaleVersion:
                enrolment = self.enrolments.get(enrolment.id)
                continue
            break
        else:
            raise StaleVersion()
        if enrolment.certificate_number is None or enrolment.completed_at is None:
            return enrolment
        centre = geography().centres.get(session.centre)
        self.certificates.put(
            Certificate.issue(
                number=enrolment.certificate_number,
                enrolment_id=enrolment.id,
                session_id=session.id,
                learner_name=enrolment.learner_name,
                course_title=session.course_title,
                centre=session.centre,
                centre_name=centre.name_bg if centre else session.centre,
                starts_at=session.starts_at,
                ends_at=session.ends_at,
                trainer_name=session.trainer_name,
                issued_at=enrolment.completed_at,
            )
        )
        return enrolment

    def verify(self, number: str, code: str) -> Certificate:
        """A certificate's public record for anyone who has its number AND its check code; NotFound, saying
        nothing more, for a number never issued or a wrong or missing code. The number is read as typed off the
        paper: any case, any dash, the prefix in Latin letters."""
        number = typed_number(number)
        certificate = self.certificates.get(number) if is_certificate_number(number) and code else None
        if certificate is None or not certificate.checks(code):
            raise NotFound(NO_SUCH_CERTIFICATE)
        return certificate

    # ------------------------------------------------------------------ repair
    def reconcile(self, session_id: str) -> dict[str, int]:
        """Bring the session's ledger and enrolments in line after a crash; idempotent.

        - ids in the ledger whose enrolment is cancelled (or does not exist) are released;
        - an enrolment that wants a place (pending, confirmed, waitlisted) but is in neither list is
          claimed now, oldest first (its insert was accepted; the crash came before the claim);
        - free seats go to the first waiting;
        - every enrolment takes the state the ledger gives it, with its event.

        The ledger is read before the enrolments: an id in it belongs to an enrolment inserted earlier.
        Returns counts of what was done.
        """
        session = self.sessions.get(session_id)
        seats = self.seats.get(session_id) or Seats(session_id, session.capacity)
        enrolments = self.enrolments.of_session(session_id)
        by_id = {e.id: e for e in enrolments}
        listed = (*seats.holders, *seats.waiting)
        stale = [i for i in listed if i not in by_id or by_id[i].state is EnrolmentState.CANCELLED]
        self.seats.release(session_id, stale)
        claimed = 0
        for enrolment in enrolments:  # oldest first
            if enrolment.wants_a_place and enrolment.id not in listed:
                try:
                    self.seats.claim(session_id, enrolment.id, session.capacity)
                except WaitingListFull:  # the ledger holds all it may: the rest stay pending
                    break
                claimed += 1
        promoted = self._fill(session) if session.status is SessionStatus.SCHEDULED else []
        seats = self.seats.get(session_id) or seats
        followed = 0
        for enrolment in enrolments:
            if not enrolment.wants_a_place:
                continue
            current, seats = self._follow(self.enrolments.get(enrolment.id), seats)
            followed += int(current.state is not enrolment.state)
        return {"released": len(stale), "claimed": claimed, "promoted": len(promoted), "followed": followed}

    # ------------------------------------------------------------------ helpers
    def _certificate_number(self, now: datetime) -> str:
        year = issue_year(now)
        return certificate_number(year, self.numbers.next(certificate_series(year)))

    def _outbox(self, enrolment: Enrolment, now: datetime) -> list[OutboxEntry]:
        return to_outbox(self.catalog, SERVICE, AGGREGATE_TYPE, enrolment.id, enrolment.pull_events(), now)


# ---------------------------------------------------------------------- who may do what
def _verified_email(principal: Principal) -> str:
    """The principal's e-mail address when identity may rest on it; Forbidden when it is missing or unverified."""
    if not principal.email.strip():
        raise Forbidden(NO_EMAIL)
    if not principal.verified_email.strip():
        raise Forbidden(UNVERIFIED_EMAIL)
    return principal.verified_email


def is_learner_of(principal: Principal, enrolment: Enrolment) -> bool:
    """The learner themself: signed in with the enrolment's address, verified by the identity provider."""
    email = principal.verified_email
    return principal.is_authenticated and bool(email.strip()) and learner_id(email) == enrolment.learner


def represents(principal: Principal, enrolment: Enrolment) -> bool:
    """A representative of the enterprise the learner works for."""
    return (
        Role.REPRESENTATIVE in principal.roles
        and principal.enterprise_id is not None
        and principal.enterprise_id == enrolment.enterprise_id
    )


def runs(principal: Principal, session: Session) -> bool:
    """The session's own trainer, an admin, or a clerk of its centre."""
    if Role.TRAINER in principal.roles and principal.subject == session.trainer_id:
        return True
    return principal.may_work_in_centre(session.centre)


def _may_see(principal: Principal, enrolment: Enrolment) -> bool:
    if is_learner_of(principal, enrolment) or represents(principal, enrolment):
        return True
    if Role.TRAINER in principal.roles and principal.subject == enrolment.trainer_id:
        return True
    return principal.may_work_in_centre(enrolment.centre)


def _canceller(principal: Principal, enrolment: Enrolment) -> CancelledBy:
    if is_learner_of(principal, enrolment):
        return CancelledBy.LEARNER
    if represents(principal, enrolment) and enrolment.by_representative:
        return CancelledBy.REPRESENTATIVE
    if principal.is_admin:
        return CancelledBy.ADMIN
    raise Forbidden(NOT_YOURS_TO_CANCEL)


def _ensure_runs(principal: Principal, session: Session) -> None:
    if not runs(principal, session):
        raise Forbidden(ONLY_TRAINER)


def _check_workers(workers: Sequence[dict[str, str]]) -> None:
    problems: dict[str, Text] = {}
    if not workers:
        problems["workers"] = Text("Посочете поне един служител.", "Name at least one worker.")
    elif len(workers) > MAX_WORKERS:
        problems["workers"] = Text(f"Най-много {MAX_WORKERS} служители наведнъж.", f"At most {MAX_WORKERS} at once.")
    seen: set[str] = set()
    for i, worker in enumerate(workers):
        email = learner_id(worker.get("email", ""))
        if email in seen:
            problems[f"workers.{i}.email"] = Text("Този имейл вече е в списъка.", "This e-mail is already listed.")
        seen.add(email)
    if problems:
        raise InvalidInput(INVALID, fields=problems)
