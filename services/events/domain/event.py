"""An event of a regional centre (or of the ministry): what, where, when, for how many, and its stand plan.

States: draft ─publish→ published ─reschedule→ rescheduled (─reschedule→ rescheduled);
published/rescheduled ─cancel→ cancelled; published/rescheduled ─hold (once it has started)→ held
─report→ reported. A draft can be edited freely; once published, the times change only by rescheduling
(everyone taking part is told) and capacity and stands only so that nobody already allocated loses a place.

Who holds a stand or a seat is kept in the ledgers (``services.events.domain.ledger``), not here: the
service layer passes what they hold when a change could take it away.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from services.events.domain.timing import sofia_text
from services.events.domain.venue import INVALID, Venue, venue_problems
from shared.bg.geography import geography
from shared.errors import Conflict, InvalidInput, Text
from shared.events.envelope import utc_iso
from shared.events.recorded import DomainEvent

TITLE_LIMIT = 200
DESCRIPTION_LIMIT = 5000
REASON_LIMIT = 1000
MAX_LENGTH = timedelta(days=14)
MAX_CAPACITY = 5_000
"""Seats of one event: the seat ledger is one document, and a change names everyone holding or awaiting one."""
MAX_STANDS = 200
STAND_CODE_LIMIT = 20
STAND_CODE = re.compile(rf"[0-9A-Za-zА-Яа-я-]{{1,{STAND_CODE_LIMIT}}}")
MAX_STAND_SIDE_CM = 5_000
MAX_STAND_PRICE_CENTS = 1_000_000
NATIONAL = "national"
"""The organiser of an event of the ministry rather than a centre."""


class Kind(StrEnum):
    FAIR = "fair"
    BAZAAR = "bazaar"
    EXHIBITION = "exhibition"
    FORUM = "forum"
    CAMPAIGN = "campaign"
    """An information campaign."""
    CONFERENCE = "conference"


KIND_NAMES: dict[Kind, Text] = {
    Kind.FAIR: Text("Изложение", "Fair"),
    Kind.BAZAAR: Text("Базар", "Bazaar"),
    Kind.EXHIBITION: Text("Изложба", "Exhibition"),
    Kind.FORUM: Text("Форум", "Forum"),
    Kind.CAMPAIGN: Text("Информационна кампания", "Information campaign"),
    Kind.CONFERENCE: Text("Конференция", "Conference"),
}

REGISTERED_KINDS = frozenset({Kind.FORUM, Kind.CONFERENCE})
"""Kinds whose visitors always register (a seat each); the others may be open to all without registration."""


class Status(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    HELD = "held"
    REPORTED = "reported"


STATUS_NAMES: dict[Status, Text] = {
    Status.DRAFT: Text("чернова", "draft"),
    Status.PUBLISHED: Text("обявено", "published"),
    Status.RESCHEDULED: Text("с нова дата", "rescheduled"),
    Status.CANCELLED: Text("отменено", "cancelled"),
    Status.HELD: Text("проведено", "held"),
    Status.REPORTED: Text("с отчет", "reported"),
}

UPCOMING = frozenset({Status.PUBLISHED, Status.RESCHEDULED})
HOLDS_VENUE = frozenset({Status.DRAFT, Status.PUBLISHED, Status.RESCHEDULED, Status.HELD, Status.REPORTED})


class EventName(StrEnum):
    """What an event records (``events.<name>`` on ``events.event.v1``)."""

    PUBLISHED = "EventPublished"
    RESCHEDULED = "EventRescheduled"
    CANCELLED = "EventCancelled"
    HELD = "EventHeld"
    REPORTED = "EventReported"


class TransitionNotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, action: Text, status: Status) -> None:
        name = STATUS_NAMES[status]
        super().__init__(
            Text(f"Не може да {action.bg}: събитието е {name.bg}.", f"Cannot {action.en}: the event is {name.en}.")
        )


@dataclass(frozen=True)
class Stand:
    code: str
    width_cm: int
    depth_cm: int
    price_cents: int = 0
    """Euro cents for the whole event; 0 is a free stand."""

    @property
    def free_of_charge(self) -> bool:
        return self.price_cents == 0

    def as_payload(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "width_cm": self.width_cm,
            "depth_cm": self.depth_cm,
            "price_cents": self.price_cents,
        }


@dataclass(frozen=True)
class Told:
    """Who hears of a change: the enterprises exhibiting or waiting, the visitors holding or awaiting a seat."""

    exhibitors: tuple[str, ...] = ()
    visitors: tuple[str, ...] = ()
    roster: tuple[tuple[str | None, str, str], ...] = ()
    """The same visitors as people: (sign-in subject or None, name, address), so each is told in her own inbox."""

    def as_payload(self) -> dict[str, list[Any]]:
        return {
            "exhibitors": list(self.exhibitors),
            "visitors": list(self.visitors),
            "visitor_roster": [{"subject": s, "name": n, "email": e} for s, n, e in self.roster],
        }


@dataclass(frozen=True)
class Window:
    """When registration is open: ``[opens_at, closes_at)``."""

    opens_at: datetime
    closes_at: datetime

    def is_open(self, now: datetime) -> bool:
        return self.opens_at <= now < self.closes_at


@dataclass(frozen=True)
class Plan:
    """What an organiser enters for an event (all of it checked together, each problem naming its field)."""

    kind: Kind
    organiser: str
    title_bg: str
    description_bg: str
    venue: Venue
    starts_at: datetime
    ends_at: datetime
    visitor_capacity: int | None
    """None: open to all without registration (not for forums and conferences)."""
    stands: tuple[Stand, ...] = ()
    exhibitor_window: Window | None = None
    visitor_window: Window | None = None
    title_en: str = ""
    description_en: str = ""


def _clipped(window: Window | None, starts_at: datetime) -> Window | None:
    """A window kept over a rescheduling: it closes by the new start at the latest."""
    if window is None or window.closes_at <= starts_at:
        return window
    return Window(window.opens_at, starts_at)


def _text_problems(problems: dict[str, Text], name: str, value: str, limit: int, required: bool) -> None:
    if required and not value.strip():
        problems[name] = Text("Попълнете полето.", "Fill this in.")
    elif len(value) > limit:
        problems[name] = Text(f"Най-много {limit} знака.", f"At most {limit} characters.")


def _window_problems(
    problems: dict[str, Text],
    name: str,
    window: Window | None,
    starts_at: datetime,
    now: datetime,
    kept: Window | None = None,
) -> None:
    """``kept``: the window as it was; a window left unchanged may have closed already."""
    if window is None:
        return
    if window.closes_at <= window.opens_at:
        problems[f"{name}.closes_at"] = Text(
            "Записването трябва да завършва след като започне.", "Registration must close after it opens."
        )
    elif window.closes_at > starts_at:
        problems[f"{name}.closes_at"] = Text(
            "Записването завършва най-късно в началото на събитието.",
            "Registration closes by the event's start at the latest.",
        )
    elif window.closes_at <= now and window != kept:
        problems[f"{name}.closes_at"] = Text(
            "Краят на записването е в миналото.", "Registration's close is in the past."
        )


def plan_problems(
    plan: Plan,
    now: datetime,
    *,
    allocated_seats: int = 0,
    assigned_stands: Iterable[str] = (),
    previous: Plan | None = None,
) -> dict[str, Text]:
    """Every problem of a plan, by request field; ``allocated_seats`` and ``assigned_stands`` are what the
    ledgers already hold (a change may not take them away); ``previous`` is the plan being changed (its
    registration windows, if kept, may have closed already)."""
    problems: dict[str, Text] = {}
    if plan.organiser != NATIONAL and plan.organiser not in geography().centres:
        problems["organiser"] = Text("Няма такъв регионален център.", "No such regional centre.")
    _text_problems(problems, "title_bg", plan.title_bg, TITLE_LIMIT, True)
    _text_problems(problems, "title_en", plan.title_en, TITLE_LIMIT, False)
    _text_problems(problems, "description_bg", plan.description_bg, DESCRIPTION_LIMIT, True)
    _text_problems(problems, "description_en", plan.description_en, DESCRIPTION_LIMIT, False)
    problems.update(venue_problems(plan.venue))
    if plan.starts_at.tzinfo is None or plan.ends_at.tzinfo is None:
        raise ValueError("event times are aware datetimes")
    if plan.starts_at <= now:
        problems["starts_at"] = Text(
            f"Началото ({sofia_text(plan.starts_at)}) е в миналото.",
            f"The start ({sofia_text(plan.starts_at)}) is in the past.",
        )
    if plan.ends_at <= plan.starts_at:
        problems["ends_at"] = Text("Краят трябва да е след началото.", "The end must be after the start.")
    elif plan.ends_at - plan.starts_at > MAX_LENGTH:
        problems["ends_at"] = Text(
            f"Събитие трае най-много {MAX_LENGTH.days} дни.", f"An event lasts at most {MAX_LENGTH.days} days."
        )
    if plan.visitor_capacity is None:
        if plan.kind in REGISTERED_KINDS:
            problems["visitor_capacity"] = Text(
                "За форум и конференция посетителите се записват: посочете местата.",
                "Visitors of a forum or conference register: give the number of seats.",
            )
    elif not 0 <= plan.visitor_capacity <= MAX_CAPACITY:
        problems["visitor_capacity"] = Text(f"Между 0 и {MAX_CAPACITY}.", f"Between 0 and {MAX_CAPACITY}.")
    elif plan.visitor_capacity < allocated_seats:
        problems["visitor_capacity"] = Text(
            f"Вече са записани {allocated_seats} посетители: местата не може да са по-малко.",
            f"{allocated_seats} visitors already hold seats: capacity cannot be lower.",
        )
    if plan.visitor_capacity is None and allocated_seats:
        problems["visitor_capacity"] = Text(
            f"Вече са записани {allocated_seats} посетители.", f"{allocated_seats} visitors already hold seats."
        )
    _stand_problems(problems, plan.stands, set(assigned_stands))
    kept_exhibitors = previous.exhibitor_window if previous else None
    kept_visitors = previous.visitor_window if previous else None
    _window_problems(problems, "exhibitor_window", plan.exhibitor_window, plan.starts_at, now, kept_exhibitors)
    _window_problems(problems, "visitor_window", plan.visitor_window, plan.starts_at, now, kept_visitors)
    if plan.stands and plan.exhibitor_window is None:
        problems["exhibitor_window"] = Text("Посочете кога изложителите кандидатстват.", "Give when exhibitors apply.")
    if plan.visitor_capacity is not None and plan.visitor_window is None:
        problems["visitor_window"] = Text("Посочете кога посетителите се записват.", "Give when visitors register.")
    return problems


def _stand_problems(problems: dict[str, Text], stands: Sequence[Stand], assigned: set[str]) -> None:
    if len(stands) > MAX_STANDS:
        problems["stands"] = Text(f"Най-много {MAX_STANDS} щанда.", f"At most {MAX_STANDS} stands.")
        return
    seen: set[str] = set()
    for i, stand in enumerate(stands):
        if not STAND_CODE.fullmatch(stand.code):
            problems[f"stands.{i}.code"] = Text(
                f"Кратко означение от букви, цифри и тирета, до {STAND_CODE_LIMIT} знака.",
                f"A short code of letters, digits and hyphens, up to {STAND_CODE_LIMIT} characters.",
            )
        elif stand.code in seen:
            problems[f"stands.{i}.code"] = Text("Щанд с това означение вече има.", "Another stand has this code.")
        seen.add(stand.code)
        for side in ("width_cm", "depth_cm"):
            if not 1 <= getattr(stand, side) <= MAX_STAND_SIDE_CM:
                problems[f"stands.{i}.{side}"] = Text(
                    f"Между 1 и {MAX_STAND_SIDE_CM} см.", f"Between 1 and {MAX_STAND_SIDE_CM} cm."
                )
        if not 0 <= stand.price_cents <= MAX_STAND_PRICE_CENTS:
            problems[f"stands.{i}.price_cents"] = Text(
                "Цена в евроцентове, от 0 (безплатен).", "A price in euro cents, from 0 (free)."
            )
    gone = sorted(assigned - seen)
    if gone:
        problems["stands"] = Text(
            f"Щандове {', '.join(gone)} вече са дадени на изложители: не може да отпаднат.",
            f"Stands {', '.join(gone)} are already assigned to exhibitors: they cannot be removed.",
        )


@dataclass
class Event:
    id: str
    plan: Plan
    status: Status = Status.DRAFT
    created_at: datetime | None = None
    cancel_reason: str = ""
    attendance: int | None = None
    """Visitors counted at the door, recorded once the event is held."""
    version: int = 0
    _events: list[DomainEvent] = field(default_factory=list, repr=False)

    # --- what others read
    @property
    def title_bg(self) -> str:
        return self.plan.title_bg

    @property
    def venue(self) -> Venue:
        return self.plan.venue

    @property
    def starts_at(self) -> datetime:
        return self.plan.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.plan.ends_at

    @property
    def holds_venue(self) -> bool:
        return self.status in HOLDS_VENUE

    @property
    def registration_required(self) -> bool:
        return self.plan.visitor_capacity is not None

    def stand(self, code: str) -> Stand | None:
        return next((s for s in self.plan.stands if s.code == code), None)

    def exhibitors_may_apply(self, now: datetime) -> bool:
        window = self.plan.exhibitor_window
        return self.status in UPCOMING and window is not None and window.is_open(now)

    def visitors_may_register(self, now: datetime) -> bool:
        window = self.plan.visitor_window
        return self.status in UPCOMING and self.registration_required and window is not None and window.is_open(now)

    # --- changes
    @classmethod
    def draft(cls, id: str, plan: Plan, now: datetime) -> Event:
        problems = plan_problems(plan, now)
        if problems:
            raise InvalidInput(INVALID, problems)
        return cls(id=id, plan=plan, created_at=now)

    def edit(self, plan: Plan, now: datetime, *, allocated_seats: int, assigned_stands: Iterable[str]) -> None:
        """A draft changes freely; a published event keeps its times, kind, venue and organiser (rescheduling
        moves times) and may not take a place from anyone holding one."""
        if self.status not in {Status.DRAFT, *UPCOMING}:
            raise TransitionNotAllowed(Text("промени", "edit it"), self.status)
        problems = plan_problems(
            plan, now, allocated_seats=allocated_seats, assigned_stands=assigned_stands, previous=self.plan
        )
        if self.status is not Status.DRAFT:
            for name in ("kind", "organiser", "venue", "starts_at", "ends_at"):
                if getattr(plan, name) != getattr(self.plan, name):
                    problems.setdefault(
                        name,
                        Text(
                            "Обявено събитие сменя дата с пренасрочване, а вид, организатор и място — не.",
                            "A published event changes dates by rescheduling; its kind, organiser and venue stay.",
                        ),
                    )
        if problems:
            raise InvalidInput(INVALID, problems)
        self.plan = plan

    def publish(self, now: datetime) -> None:
        if self.status is not Status.DRAFT:
            raise TransitionNotAllowed(Text("обяви", "publish it"), self.status)
        problems = plan_problems(self.plan, now)
        if problems:
            raise InvalidInput(INVALID, problems)
        self.status = Status.PUBLISHED
        self._record(EventName.PUBLISHED)

    def reschedule(
        self,
        starts_at: datetime,
        ends_at: datetime,
        now: datetime,
        *,
        exhibitor_window: Window | None,
        visitor_window: Window | None,
        told: Told,
    ) -> None:
        """New times (and registration windows: a window not given stays, closing by the new start at the
        latest); everyone in ``told`` hears of it."""
        if self.status not in UPCOMING or self.plan.starts_at <= now:
            raise TransitionNotAllowed(Text("пренасрочи", "reschedule it"), self.status)
        plan = replace(
            self.plan,
            starts_at=starts_at,
            ends_at=ends_at,
            exhibitor_window=exhibitor_window or _clipped(self.plan.exhibitor_window, starts_at),
            visitor_window=visitor_window or _clipped(self.plan.visitor_window, starts_at),
        )
        problems = plan_problems(plan, now, previous=self.plan)
        if problems:
            raise InvalidInput(INVALID, problems)
        previous = (self.plan.starts_at, self.plan.ends_at)
        self.plan = plan
        self.status = Status.RESCHEDULED
        self._record(
            EventName.RESCHEDULED,
            previous_starts_at=utc_iso(previous[0]),
            previous_ends_at=utc_iso(previous[1]),
            **told.as_payload(),
        )

    def cancel(self, reason: str, now: datetime, *, told: Told) -> None:
        if self.status not in UPCOMING:
            raise TransitionNotAllowed(Text("отмени", "cancel it"), self.status)
        if not reason.strip() or len(reason) > REASON_LIMIT:
            raise InvalidInput(
                INVALID,
                {
                    "reason": Text(
                        f"Посочете причината (до {REASON_LIMIT} знака): участниците ще я прочетат.",
                        f"Give the reason (up to {REASON_LIMIT} characters): those taking part will read it.",
                    )
                },
            )
        self.status = Status.CANCELLED
        self.cancel_reason = reason.strip()
        self._record(EventName.CANCELLED, reason=self.cancel_reason, **told.as_payload())

    def hold(self, now: datetime) -> None:
        """Marks the event held once it has started."""
        if self.status not in UPCOMING:
            raise TransitionNotAllowed(Text("отбележи като проведено", "mark it held"), self.status)
        if now < self.plan.starts_at:
            raise Conflict(
                Text(
                    f"Събитието започва на {sofia_text(self.plan.starts_at)}: още не е проведено.",
                    f"The event starts on {sofia_text(self.plan.starts_at)}: it has not been held yet.",
                )
            )
        self.status = Status.HELD
        self._record(EventName.HELD)

    def record_attendance(self, visitors: int) -> None:
        if self.status is not Status.HELD:
            raise TransitionNotAllowed(Text("запише посещаемост", "record attendance"), self.status)
        if not 0 <= visitors <= 1_000_000:
            raise InvalidInput(INVALID, {"visitors": Text("Между 0 и 1 000 000.", "Between 0 and 1,000,000.")})
        self.attendance = visitors

    def report(self, figures: dict[str, int]) -> None:
        if self.status is not Status.HELD:
            raise TransitionNotAllowed(Text("отчете", "report it"), self.status)
        if self.attendance is None:
            raise InvalidInput(
                INVALID, {"visitors": Text("Първо запишете посещаемостта.", "Record the attendance first.")}
            )
        self.status = Status.REPORTED
        self._record(EventName.REPORTED, **figures)

    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events

    def _record(self, name: EventName, **extra: Any) -> None:
        self._events.append(DomainEvent(name.value, {**self.as_payload(), **extra}))

    def as_payload(self) -> dict[str, Any]:
        plan = self.plan
        return {
            "event_id": self.id,
            "kind": plan.kind.value,
            "organiser": plan.organiser,
            "title_bg": plan.title_bg,
            "title_en": plan.title_en,
            "venue": plan.venue.as_payload(),
            "starts_at": utc_iso(plan.starts_at),
            "ends_at": utc_iso(plan.ends_at),
            "status": self.status.value,
        }
