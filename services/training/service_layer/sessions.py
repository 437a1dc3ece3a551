"""The course catalogue and the timetable: courses, and sessions scheduled, rescheduled and cancelled.

Who may do what:
- courses: admins and clerks create and edit them; anyone reads the catalogue;
- sessions: a trainer schedules their own (they are the trainer); an admin, or a clerk of the session's
  centre (or a national clerk), schedules one for a trainer they name. The session's trainer, admins and
  the clerks of its centre reschedule and cancel it. Anyone reads the timetable.

A trainer or a room booked twice at overlapping times is refused (409 naming the other session): the
time is claimed in the booking ledger before the session is saved, and the times it no longer needs are
released after (see ``services.training.adapters.catalogue`` for why that order is safe without
transactions). Each use case saves the session and the events it caused in one write.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from services.training.config import SERVICE
from services.training.domain.course import Course, Format, Level
from services.training.domain.dimensions import Dimension
from services.training.domain.session import Meeting, Session
from services.training.events.sessions import AGGREGATE_TYPE
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.errors import Forbidden, InvalidInput, Text
from shared.events import EventCatalog
from shared.outbox import OutboxEntry
from shared.outbox.entries import to_outbox

ORPHAN_AGE = timedelta(minutes=10)
"""A booking without its session is an orphan once it is this old (no request takes that long)."""
FEED_HISTORY = timedelta(days=60)
"""How far back the calendar feeds and a trainer's list go."""

NOT_YOUR_SESSION = Text(
    "Сесията се води от друг треньор или е в друг център.", "The session has another trainer or is at another centre."
)
NOT_YOUR_CENTRE = Text("Работите в друг център.", "You work at another centre.")
STAFF_ONLY = Text(
    "Само администратори и служители управляват каталога.", "Only admins and clerks manage the catalogue."
)
INVALID = Text("Някои полета не са попълнени правилно.", "Some fields are not valid.")
NAME_THE_TRAINER = Text("Посочете треньора на сесията.", "Name the session's trainer.")

Learner = Mapping[str, Any]
"""``{"learner_id", "name", "email"}``: someone enrolled in a session or waiting for a seat."""


class Courses(Protocol):
    def get(self, course_id: str) -> Course: ...

    def find(self, course_id: str) -> Course | None: ...

    def add(self, course: Course) -> None: ...

    def save(self, course: Course) -> None: ...

    def list(
        self,
        dimension: Dimension | None = None,
        level: Level | None = None,
        format: Format | None = None,
        include_withdrawn: bool = False,
    ) -> list[Course]: ...


class Sessions(Protocol):
    def get(self, session_id: str) -> Session: ...

    def add(self, session: Session, outbox: list[OutboxEntry]) -> None: ...

    def save(self, session: Session, outbox: list[OutboxEntry]) -> None: ...

    def of_trainer(self, trainer_id: str, ending_after: datetime | None = None) -> list[Session]: ...

    def at_centre(self, centre: str, ending_after: datetime | None = None) -> list[Session]: ...

    def upcoming(
        self,
        now: datetime,
        *,
        course_id: str | None = None,
        centre: str | None = None,
        online: bool | None = None,
        starts_from: datetime | None = None,
        starts_before: datetime | None = None,
        limit: int = 0,
    ) -> list[Session]: ...


class Bookings(Protocol):
    def claim(self, session: Session, now: datetime) -> Any:
        """Book the session's times for its trainer and room, or raise ``SchedulingConflict``."""

    def commit(self, claim: Any) -> None: ...

    def abandon(self, claim: Any) -> None: ...

    def release(self, session: Session) -> None: ...

    def release_orphans(self, claimed_before: datetime) -> int: ...


def is_staff(principal: Principal) -> bool:
    """Admins, and clerks who work somewhere (a centre or national); a clerk whose token names no centre is not."""
    return principal.is_admin or principal.clerk_scope() is not None


def manages(principal: Principal, session: Session) -> bool:
    """The session's own trainer, an admin, or a clerk of its centre (or a national one)."""
    own = Role.TRAINER in principal.roles and principal.subject == session.trainer_id
    return own or principal.may_work_in_centre(session.centre)


@dataclass
class SessionService:
    courses: Courses
    sessions: Sessions
    bookings: Bookings
    catalog: EventCatalog
    clock: Clock
    roster: Callable[[str], list[dict[str, Any]]]
    """Session id → the learners enrolled or waiting, each ``{"learner_id", "name", "email"}``."""
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())

    # ------------------------------------------------------------------ the catalogue
    def create_course(self, principal: Principal, fields: dict[str, Any]) -> Course:
        if not is_staff(principal):
            raise Forbidden(STAFF_ONLY)
        course = Course.create(id=self.new_id(), **fields)
        self.courses.add(course)
        return course

    def update_course(self, principal: Principal, course_id: str, changes: dict[str, Any]) -> Course:
        """Change some fields of a course (``active = False`` withdraws it). Sessions keep the title they had."""
        if not is_staff(principal):
            raise Forbidden(STAFF_ONLY)
        course = self.courses.get(course_id)
        if course.revise(**changes):
            self.courses.save(course)
        return course

    def course(self, course_id: str) -> Course:
        return self.courses.get(course_id)

    def list_courses(
        self,
        dimension: Dimension | None = None,
        level: Level | None = None,
        format: Format | None = None,
        include_withdrawn: bool = False,
    ) -> list[Course]:
        return self.courses.list(dimension, level, format, include_withdrawn)

    # ------------------------------------------------------------------ scheduling
    def schedule(
        self,
        principal: Principal,
        *,
        course_id: str,
        centre: str,
        meetings: list[Meeting],
        capacity: int,
        room: str | None = None,
        online_link: str | None = None,
        trainer_id: str | None = None,
        trainer_name: str | None = None,
        enrolment_opens_at: datetime | None = None,
        enrolment_closes_at: datetime | None = None,
        funded: bool = True,
        open_to_all: bool = False,
    ) -> Session:
        """A trainer schedules a session they teach; an admin or a clerk of the centre one for a named trainer."""
        trainer_id, trainer_name = self._trainer(principal, centre, trainer_id, trainer_name)
        course = self.courses.find(course_id)
        if course is None:
            raise InvalidInput(INVALID, {"course_id": Text("Няма такъв курс.", "No such course.")})
        now = self.clock.now()
        session = Session.schedule(
            id=self.new_id(),
            course=course,
            trainer_id=trainer_id,
            trainer_name=trainer_name,
            centre=centre,
            room=room,
            online_link=online_link,
            meetings=meetings,
            capacity=capacity,
            now=now,
            enrolment_opens_at=enrolment_opens_at,
            enrolment_closes_at=enrolment_closes_at,
            funded=funded,
            open_to_all=open_to_all,
        )
        claim = self.bookings.claim(session, now)
        try:
            self.sessions.add(session, self._outbox(session, now))
        except BaseException:
            self.bookings.abandon(claim)
            raise
        self.bookings.commit(claim)
        return session

    def _trainer(
        self, principal: Principal, centre: str, trainer_id: str | None, trainer_name: str | None
    ) -> tuple[str, str]:
        if principal.is_admin or (Role.CLERK in principal.roles and principal.may_work_in_centre(centre)):
            if trainer_id is None and Role.TRAINER in principal.roles:
                return principal.subject, trainer_name or principal.name
            if not trainer_id or not trainer_name:
                missing = {
                    name: NAME_THE_TRAINER
                    for name, v in (("trainer_id", trainer_id), ("trainer_name", trainer_name))
                    if not v
                }
                raise InvalidInput(INVALID, missing)
            return trainer_id, trainer_name
        if Role.TRAINER in principal.roles:
            if trainer_id not in (None, principal.subject):
                raise Forbidden(
                    Text("Обучителят насрочва само свои сесии.", "A trainer schedules only sessions they teach.")
                )
            return principal.subject, principal.name or trainer_name or principal.subject
        if Role.CLERK in principal.roles:
            raise Forbidden(NOT_YOUR_CENTRE)
        raise Forbidden(Text("Нямате права да насрочвате сесии.", "You are not allowed to schedule sessions."))

    def reschedule(self, principal: Principal, session_id: str, meetings: list[Meeting]) -> Session:
        """New meetings for a session; everyone enrolled or waiting is told (the event names them)."""
        session = self._managed(principal, session_id)
        now = self.clock.now()
        if not session.reschedule(meetings, now, self.roster(session.id)):
            return session
        claim = self.bookings.claim(session, now)
        try:
            self.sessions.save(session, self._outbox(session, now))
        except BaseException:
            self.bookings.abandon(claim)
            raise
        self.bookings.commit(claim)
        return session

    def cancel(self, principal: Principal, session_id: str, reason: str) -> Session:
        """Cancel a session and free its trainer and room; everyone enrolled or waiting is told."""
        session = self._managed(principal, session_id)
        now = self.clock.now()
        session.cancel(reason, now, self.roster(session.id))
        self.sessions.save(session, self._outbox(session, now))
        self.bookings.release(session)
        return session

    def release_orphans(self, older_than: timedelta = ORPHAN_AGE) -> int:
        """Free bookings that a crash left without their session (or with times it no longer meets at)."""
        return self.bookings.release_orphans(self.clock.now() - older_than)

    def _managed(self, principal: Principal, session_id: str) -> Session:
        session = self.sessions.get(session_id)
        if not manages(principal, session):
            raise Forbidden(NOT_YOUR_SESSION)
        return session

    def _outbox(self, session: Session, now: datetime) -> list[OutboxEntry]:
        return to_outbox(self.catalog, SERVICE, AGGREGATE_TYPE, session.id, session.pull_events(), now)

    # ------------------------------------------------------------------ reading the timetable
    def get(self, session_id: str) -> Session:
        return self.sessions.get(session_id)

    def upcoming(
        self,
        *,
        course_id: str | None = None,
        centre: str | None = None,
        online: bool | None = None,
        starts_from: datetime | None = None,
        starts_before: datetime | None = None,
        limit: int = 50,
    ) -> list[Session]:
        """Scheduled sessions not ended yet, soonest first (the public timetable)."""
        return self.sessions.upcoming(
            self.clock.now(),
            course_id=course_id,
            centre=centre,
            online=online,
            starts_from=starts_from,
            starts_before=starts_before,
            limit=limit,
        )

    def of_trainer(self, principal: Principal, trainer_id: str, include_past: bool = False) -> list[Session]:
        """A trainer's sessions in every state, for the trainer, admins, and clerks (those at their centre)."""
        own = Role.TRAINER in principal.roles and principal.subject == trainer_id
        if not (own or is_staff(principal)):
            raise Forbidden(Text("Това е списъкът на друг треньор.", "This is another trainer's list."))
        since = None if include_past else self.clock.now()
        found = self.sessions.of_trainer(trainer_id, since)
        return found if own else [s for s in found if principal.may_work_in_centre(s.centre)]

    def trainer_calendar(self, trainer_id: str) -> list[Session]:
        """The trainer's sessions for a calendar feed: from two months back, cancelled ones included."""
        return self.sessions.of_trainer(trainer_id, self.clock.now() - FEED_HISTORY)

    def centre_calendar(self, centre: str) -> list[Session]:
        return self.sessions.at_centre(centre, self.clock.now() - FEED_HISTORY)
