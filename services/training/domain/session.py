"""A session of a course: when and where it meets, who teaches it, and how many can take part.

Times are stored as aware UTC datetimes and entered and shown in Europe/Sofia. The seats themselves
(who holds one, who waits) are not part of this aggregate: see ``services.training.domain.enrolment``.

States: scheduled ─reschedule→ scheduled (new meetings); scheduled ─cancel→ cancelled; a scheduled
session becomes completed after its last meeting (another part of the service marks it). Only a
scheduled session that has not ended yet can be rescheduled or cancelled; everyone enrolled or waiting
is named in the event, so that they are told.

Whether the trainer or the room is free is not this aggregate's to know (other sessions are other
aggregates): the service layer claims the time in the booking ledger before it saves (see
``services.training.domain.scheduling`` and ``services.training.adapters.catalogue``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from services.training.domain.course import Course, Format
from services.training.domain.scheduling import Slot, overlapping_pairs, sofia_text
from shared.bg.geography import geography
from shared.errors import Conflict, InvalidInput, Text
from shared.events.envelope import utc_iso
from shared.events.recorded import DomainEvent

MAX_MEETINGS = 60
MAX_MEETING_LENGTH = timedelta(hours=12)
MAX_CAPACITY = 500
ROOM_LIMIT = 80
REASON_LIMIT = 1000
INVALID = Text("Някои полета не са попълнени правилно.", "Some fields are not valid.")


class SessionStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


STATUS_BG = {
    SessionStatus.SCHEDULED: "насрочена",
    SessionStatus.CANCELLED: "отменена",
    SessionStatus.COMPLETED: "проведена",
}


class SessionEvent(StrEnum):
    """The events a session records (``training.<name>`` on ``training.session.v1``)."""

    SCHEDULED = "SessionScheduled"
    RESCHEDULED = "SessionRescheduled"
    CANCELLED = "SessionCancelled"


class SessionTransitionNotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, action: Text, because: Text) -> None:
        super().__init__(Text(f"Не може да {action.bg}: {because.bg}.", f"Cannot {action.en}: {because.en}."))


@dataclass(frozen=True)
class Meeting:
    starts_at: datetime
    ends_at: datetime

    def as_payload(self) -> dict[str, str]:
        return {"starts_at": utc_iso(self.starts_at), "ends_at": utc_iso(self.ends_at)}


def _field_problem(problems: dict[str, Text], name: str, bg: str, en: str) -> None:
    problems.setdefault(name, Text(bg, en))


def meeting_problems(meetings: Sequence[Meeting], now: datetime, unchanged: Iterable[Meeting] = ()) -> dict[str, Text]:
    """What is wrong with a session's meetings, by request field (``meetings.<i>.starts_at``...).

    A meeting may not start in the past, except one of ``unchanged`` (a rescheduled session keeps the
    meetings it has already held).
    """
    problems: dict[str, Text] = {}
    if not meetings:
        _field_problem(problems, "meetings", "Посочете поне една среща.", "Give at least one meeting.")
        return problems
    if len(meetings) > MAX_MEETINGS:
        _field_problem(problems, "meetings", f"Най-много {MAX_MEETINGS} срещи.", f"At most {MAX_MEETINGS} meetings.")
        return problems
    kept = set(unchanged)
    for i, meeting in enumerate(meetings):
        if meeting.starts_at.tzinfo is None or meeting.ends_at.tzinfo is None:
            raise ValueError("meeting times are aware datetimes")
        if meeting.ends_at <= meeting.starts_at:
            _field_problem(
                problems,
                f"meetings.{i}.ends_at",
                "Краят трябва да е след началото.",
                "The end must be after the start.",
            )
        elif meeting.ends_at - meeting.starts_at > MAX_MEETING_LENGTH:
            hours = int(MAX_MEETING_LENGTH.total_seconds() // 3600)
            _field_problem(
                problems,
                f"meetings.{i}.ends_at",
                f"Една среща трае най-много {hours} часа.",
                f"A meeting lasts at most {hours} hours.",
            )
        if meeting.starts_at <= now and meeting not in kept:
            _field_problem(
                problems,
                f"meetings.{i}.starts_at",
                f"Срещата ({sofia_text(meeting.starts_at)}) е в миналото.",
                f"The meeting ({sofia_text(meeting.starts_at)}) is in the past.",
            )
    if not problems and all(m.ends_at <= now for m in meetings):
        _field_problem(
            problems, "meetings", "Поне една среща трябва да е в бъдеще.", "At least one meeting must be in the future."
        )
    if not problems:
        for i, j in overlapping_pairs([Slot(m.starts_at, m.ends_at) for m in meetings]):
            _field_problem(
                problems,
                f"meetings.{j}.starts_at",
                f"Срещата се застъпва със среща {i + 1} на същата сесия.",
                f"The meeting overlaps meeting {i + 1} of the same session.",
            )
    return problems


def _window_problems(opens_at: datetime, closes_at: datetime, first_meeting: datetime) -> dict[str, Text]:
    problems: dict[str, Text] = {}
    if closes_at <= opens_at:
        _field_problem(
            problems,
            "enrolment_closes_at",
            "Записването трябва да приключва след като започне.",
            "Enrolment must close after it opens.",
        )
    elif closes_at > first_meeting:
        _field_problem(
            problems,
            "enrolment_closes_at",
            f"Записването трябва да приключи до първата среща ({sofia_text(first_meeting)}).",
            f"Enrolment must close by the first meeting ({sofia_text(first_meeting)}).",
        )
    return problems


@dataclass
class Session:
    id: str
    course_id: str
    course_title: str
    trainer_id: str
    trainer_name: str
    centre: str
    """The regional centre running it (``plovdiv``, ``varna``, ...), also for online sessions."""
    room: str | None
    """A room at the centre; ``None`` for an online session."""
    online_link: str | None
    meetings: list[Meeting]
    capacity: int
    enrolment_opens_at: datetime
    enrolment_closes_at: datetime
    funded: bool = True
    """Free for workers of enterprises active in the register."""
    open_to_all: bool = False
    """Others may enrol too (a funded session may still accept them)."""
    status: SessionStatus = SessionStatus.SCHEDULED
    version: int = 0
    cancellation_reason: str | None = None
    """Why it was cancelled (told to everyone enrolled)."""
    _events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    @property
    def starts_at(self) -> datetime:
        return min(m.starts_at for m in self.meetings)

    @property
    def ends_at(self) -> datetime:
        return max(m.ends_at for m in self.meetings)

    @property
    def online(self) -> bool:
        return self.room is None

    def accepts_enrolments(self, now: datetime) -> bool:
        return self.status is SessionStatus.SCHEDULED and self.enrolment_opens_at <= now <= self.enrolment_closes_at

    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events

    # ------------------------------------------------------------------ transitions
    @classmethod
    def schedule(
        cls,
        id: str,
        course: Course,
        trainer_id: str,
        trainer_name: str,
        centre: str,
        room: str | None,
        online_link: str | None,
        meetings: Sequence[Meeting],
        capacity: int,
        now: datetime,
        enrolment_opens_at: datetime | None = None,
        enrolment_closes_at: datetime | None = None,
        funded: bool = True,
        open_to_all: bool = False,
    ) -> Session:
        """A new session of ``course``. The room is required unless the course is online, the link unless it is
        in person. Enrolment opens now and closes at the first meeting unless told otherwise.
        ``InvalidInput`` names every bad field; a withdrawn course is a ``Conflict``."""
        room = (room or "").strip() or None
        online_link = (online_link or "").strip() or None
        trainer_id, trainer_name = trainer_id.strip(), trainer_name.strip()
        problems = meeting_problems(meetings, now)
        if not trainer_id:
            _field_problem(problems, "trainer_id", "Посочете треньор.", "Name the trainer.")
        if not trainer_name:
            _field_problem(problems, "trainer_name", "Посочете името на треньора.", "Give the trainer's name.")
        if centre not in geography().centres:
            listed = ", ".join(sorted(geography().centres))
            _field_problem(
                problems, "centre", f"Непознат център. Позволени: {listed}.", f"Unknown centre. Allowed: {listed}."
            )
        _place_problems(problems, course.format, room, online_link)
        if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= MAX_CAPACITY:
            _field_problem(
                problems,
                "capacity",
                f"Местата трябва да са от 1 до {MAX_CAPACITY}.",
                f"Capacity must be from 1 to {MAX_CAPACITY}.",
            )
        if not problems:
            first = min(m.starts_at for m in meetings)
            opens_at = enrolment_opens_at or now
            closes_at = enrolment_closes_at or first
            problems.update(_window_problems(opens_at, closes_at, first))
        if problems:
            raise InvalidInput(INVALID, problems)
        course.ensure_schedulable()
        session = cls(
            id=id,
            course_id=course.id,
            course_title=course.title_bg,
            trainer_id=trainer_id,
            trainer_name=trainer_name,
            centre=centre,
            room=room,
            online_link=online_link,
            meetings=sorted(meetings, key=lambda m: m.starts_at),
            capacity=capacity,
            enrolment_opens_at=opens_at,
            enrolment_closes_at=closes_at,
            funded=funded,
            open_to_all=open_to_all,
        )
        session._record(SessionEvent.SCHEDULED)
        return session

    def reschedule(
        self, meetings: Sequence[Meeting], now: datetime, learners: Sequence[Mapping[str, Any]] = ()
    ) -> bool:
        """Replace the meetings (those already held stay as they were). Enrolment closes by the new first
        meeting at the latest. ``learners`` (enrolled or waiting) are named in the event. Returns whether the
        meetings changed: the same meetings again change nothing and tell no one."""
        self._ensure_open(Text("се пренасрочи сесията", "reschedule the session"), now)
        problems = meeting_problems(meetings, now, unchanged=[m for m in self.meetings if m.starts_at <= now])
        if problems:
            raise InvalidInput(INVALID, problems)
        new = sorted(meetings, key=lambda m: m.starts_at)
        if new == self.meetings:
            return False
        previous, self.meetings = self.meetings, new
        if self.enrolment_closes_at == previous[0].starts_at:  # closed at the first meeting: it still does
            self.enrolment_closes_at = self.starts_at
        else:
            self.enrolment_closes_at = min(self.enrolment_closes_at, self.starts_at)
        if self.enrolment_opens_at >= self.enrolment_closes_at:
            self.enrolment_opens_at = min(now, self.enrolment_closes_at)
        self._record(
            SessionEvent.RESCHEDULED,
            previous_meetings=[m.as_payload() for m in previous],
            learners=_learners(learners),
        )
        return True

    def cancel(self, reason: str, now: datetime, learners: Sequence[Mapping[str, Any]] = ()) -> None:
        """Cancel the session; everyone enrolled or waiting (``learners``) is named in the event."""
        self._ensure_open(Text("се отмени сесията", "cancel the session"), now)
        reason = reason.strip()
        if not reason:
            raise InvalidInput(INVALID, {"reason": Text("Посочете причина.", "Give a reason.")})
        if len(reason) > REASON_LIMIT:
            raise InvalidInput(
                INVALID,
                {"reason": Text(f"Най-много {REASON_LIMIT} знака.", f"At most {REASON_LIMIT} characters.")},
            )
        self.status = SessionStatus.CANCELLED
        self.cancellation_reason = reason
        self._record(SessionEvent.CANCELLED, reason=reason, learners=_learners(learners))

    def _ensure_open(self, action: Text, now: datetime) -> None:
        if self.status is not SessionStatus.SCHEDULED:
            status = self.status
            raise SessionTransitionNotAllowed(
                action, Text(f"сесията е „{STATUS_BG[status]}“", f"the session is {status.value}")
            )
        if self.ends_at <= now:
            raise SessionTransitionNotAllowed(action, Text("сесията вече е приключила", "the session has ended"))

    # ------------------------------------------------------------------ events
    def event_payload(self) -> dict[str, Any]:
        """What every session event carries."""
        return {
            "session_id": self.id,
            "course_id": self.course_id,
            "course_title": self.course_title,
            "trainer_id": self.trainer_id,
            "trainer_name": self.trainer_name,
            "centre": self.centre,
            "room": self.room,
            "online_link": self.online_link,
            "meetings": [m.as_payload() for m in self.meetings],
            "capacity": self.capacity,
            "status": self.status.value,
        }

    def _record(self, name: SessionEvent, **extra: Any) -> None:
        self._events.append(DomainEvent(name.value, {**self.event_payload(), **extra}))


def _place_problems(problems: dict[str, Text], course_format: Format, room: str | None, link: str | None) -> None:
    if course_format.needs_room and room is None:
        _field_problem(problems, "room", "Посочете зала.", "Give the room.")
    if not course_format.needs_room and room is not None:
        _field_problem(
            problems, "room", "Онлайн курсът не се провежда в зала.", "An online course does not meet in a room."
        )
    if room is not None and len(room) > ROOM_LIMIT:
        _field_problem(problems, "room", f"Най-много {ROOM_LIMIT} знака.", f"At most {ROOM_LIMIT} characters.")
    if course_format.needs_link and link is None:
        _field_problem(problems, "online_link", "Посочете връзка за онлайн участие.", "Give the online link.")
    if not course_format.needs_link and link is not None:
        _field_problem(
            problems,
            "online_link",
            "Присъственият курс няма онлайн връзка.",
            "An in-person course has no online link.",
        )


def _learners(learners: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [{"learner_id": x["learner_id"], "name": x["name"], "email": x["email"]} for x in learners]
