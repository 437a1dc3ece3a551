"""Taking part in an event: exhibitors' applications for a stand, visitors' registrations for a seat.

Exhibitor: applied ─select(stand)→ selected; applied ─wait(reason)→ waiting ─select→ selected;
applied/waiting ─reject(reason)→ rejected; applied/waiting/selected ─withdraw→ withdrawn (by the enterprise,
by the organiser, or by the register when the enterprise is deleted or expires). A selected exhibitor of a
held event reports the contacts it made and its sales.

Visitor: registered (holding a seat) or waiting, in the order they came (the seat ledger decides, see
``services.events.domain.ledger``); cancelled; attended is recorded at the door.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from services.events.domain.event import REASON_LIMIT, Event, Status
from services.events.domain.venue import INVALID
from shared.errors import Conflict, InvalidInput, Text
from shared.events.envelope import utc_iso
from shared.events.recorded import DomainEvent

MAX_LISTINGS = 20
NAME_LIMIT = 200
MAX_CONTACTS = 100_000
MAX_SALES_CENTS = 100_000_000


class ParticipationName(StrEnum):
    """What a participation records (``events.<name>`` on ``events.participation.v1``)."""

    EXHIBITOR_APPLIED = "ExhibitorApplied"
    EXHIBITOR_SELECTED = "ExhibitorSelected"
    EXHIBITOR_WAITING = "ExhibitorWaitlisted"
    EXHIBITOR_REJECTED = "ExhibitorRejected"
    EXHIBITOR_WITHDRAWN = "ExhibitorWithdrawn"
    EXHIBITOR_REPORTED = "ExhibitorReported"
    VISITOR_REGISTERED = "VisitorRegistered"
    VISITOR_WAITING = "VisitorWaitlisted"
    VISITOR_CANCELLED = "VisitorCancelled"


class ExhibitorState(StrEnum):
    APPLIED = "applied"
    SELECTED = "selected"
    WAITING = "waiting"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class WithdrawnBy(StrEnum):
    ENTERPRISE = "enterprise"
    ORGANISER = "organiser"
    REGISTER = "register"
    """The enterprise was deleted from or expired in the register."""


STATE_NAMES: dict[ExhibitorState, Text] = {
    ExhibitorState.APPLIED: Text("подадена", "applied"),
    ExhibitorState.SELECTED: Text("одобрена", "selected"),
    ExhibitorState.WAITING: Text("в списъка на чакащите", "on the waiting list"),
    ExhibitorState.REJECTED: Text("отказана", "rejected"),
    ExhibitorState.WITHDRAWN: Text("оттеглена", "withdrawn"),
}


class NotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, action: Text, because: Text) -> None:
        super().__init__(Text(f"Не може да {action.bg}: {because.bg}.", f"Cannot {action.en}: {because.en}."))


def exhibitor_id(event_id: str, enterprise_id: str) -> str:
    """One application per enterprise and event: applying twice finds the first."""
    return f"{event_id}:{enterprise_id}"


def visitor_key(email: str) -> str:
    """A person's key among visitors: their address, lower-cased and hashed (not shown to anyone)."""
    return hashlib.sha256(email.strip().casefold().encode()).hexdigest()[:32]


def registration_id(event_id: str, email: str) -> str:
    return f"{event_id}:{visitor_key(email)}"


def _reason(reason: str) -> str:
    if not reason.strip() or len(reason) > REASON_LIMIT:
        raise InvalidInput(
            INVALID,
            {
                "reason": Text(
                    f"Посочете причината (до {REASON_LIMIT} знака): кандидатът ще я прочете.",
                    f"Give the reason (up to {REASON_LIMIT} characters): the applicant will read it.",
                )
            },
        )
    return reason.strip()


def listing_problems(listings: Sequence[str], enterprise_id: str, known: Mapping[str, str]) -> dict[str, Text]:
    """``known`` maps the marketplace's published listings (as this service learnt them) to their seller."""
    problems: dict[str, Text] = {}
    if len(listings) > MAX_LISTINGS:
        problems["listings"] = Text(f"Най-много {MAX_LISTINGS} продукта.", f"At most {MAX_LISTINGS} products.")
        return problems
    seen: set[str] = set()
    for i, listing in enumerate(listings):
        seller = known.get(listing)
        if seller is None:
            problems[f"listings.{i}"] = Text(
                "Няма такава публикувана обява в пазара.", "No such published listing on the marketplace."
            )
        elif seller != enterprise_id:
            problems[f"listings.{i}"] = Text("Обявата е на друго предприятие.", "The listing is another enterprise's.")
        elif listing in seen:
            problems[f"listings.{i}"] = Text("Обявата е посочена два пъти.", "The listing is named twice.")
        seen.add(listing)
    return problems


@dataclass
class Exhibitor:
    id: str
    event_id: str
    enterprise_id: str
    enterprise_name: str
    listings: list[str]
    state: ExhibitorState
    applied_at: datetime
    event_title_bg: str
    event_starts_at: datetime
    stand: str | None = None
    reason: str = ""
    withdrawn_by: WithdrawnBy | None = None
    organiser: str | None = None
    """The organising centre (or ``national``): whose staff hear of the application (older ones kept none)."""
    contacts: int | None = None
    sales_cents: int | None = None
    version: int = 0
    _events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def apply(
        cls,
        event: Event,
        *,
        enterprise_id: str,
        enterprise_name: str,
        enterprise_active: bool,
        listings: Sequence[str],
        known_listings: Mapping[str, str],
        now: datetime,
    ) -> Exhibitor:
        if not event.plan.stands:
            raise NotAllowed(Text("кандидатства", "apply"), Text("събитието няма щандове", "the event has no stands"))
        if not event.exhibitors_may_apply(now):
            raise NotAllowed(
                Text("кандидатства", "apply"),
                Text("кандидатстването за щанд не е отворено", "applications for stands are not open"),
            )
        problems = listing_problems(listings, enterprise_id, known_listings)
        if not enterprise_active:
            problems["enterprise_id"] = Text(
                "Предприятието не е вписано в регистъра (или вписването е изтекло).",
                "The enterprise is not entered in the register (or its entry has expired).",
            )
        if problems:
            raise InvalidInput(INVALID, problems)
        exhibitor = cls(
            id=exhibitor_id(event.id, enterprise_id),
            event_id=event.id,
            enterprise_id=enterprise_id,
            enterprise_name=enterprise_name[:NAME_LIMIT],
            listings=list(listings),
            state=ExhibitorState.APPLIED,
            applied_at=now,
            event_title_bg=event.title_bg,
            event_starts_at=event.starts_at,
            organiser=event.plan.organiser,
        )
        exhibitor._record(ParticipationName.EXHIBITOR_APPLIED)
        return exhibitor

    def follow_event(self, event: Event) -> None:
        """Takes the event's title and start as they are now (a rescheduled event's new start), so that what
        this application publishes next names the right day."""
        self.event_title_bg, self.event_starts_at = event.title_bg, event.starts_at
        self.organiser = event.plan.organiser

    def change_listings(self, listings: Sequence[str], known_listings: Mapping[str, str]) -> None:
        if self.state in {ExhibitorState.REJECTED, ExhibitorState.WITHDRAWN}:
            raise NotAllowed(Text("промени продуктите", "change the products"), STATE_NAMES[self.state])
        problems = listing_problems(listings, self.enterprise_id, known_listings)
        if problems:
            raise InvalidInput(INVALID, problems)
        self.listings = list(listings)

    def select(self, event: Event, stand: str) -> None:
        """Selected for ``stand``; the stand ledger must have given it to this exhibitor first."""
        if self.state not in {ExhibitorState.APPLIED, ExhibitorState.WAITING}:
            raise NotAllowed(Text("одобри", "select"), STATE_NAMES[self.state])
        chosen = event.stand(stand)
        if chosen is None:
            raise InvalidInput(INVALID, {"stand": Text("Няма такъв щанд.", "No such stand.")})
        self.state = ExhibitorState.SELECTED
        self.stand = stand
        self.reason = ""
        self._record(ParticipationName.EXHIBITOR_SELECTED, price_cents=chosen.price_cents)

    def wait(self, reason: str) -> None:
        if self.state is not ExhibitorState.APPLIED:
            raise NotAllowed(Text("сложи в списъка на чакащите", "put on the waiting list"), STATE_NAMES[self.state])
        self.reason = _reason(reason)
        self.state = ExhibitorState.WAITING
        self._record(ParticipationName.EXHIBITOR_WAITING)

    def reject(self, reason: str) -> None:
        if self.state not in {ExhibitorState.APPLIED, ExhibitorState.WAITING}:
            raise NotAllowed(Text("откаже", "reject"), STATE_NAMES[self.state])
        self.reason = _reason(reason)
        self.state = ExhibitorState.REJECTED
        self._record(ParticipationName.EXHIBITOR_REJECTED)

    def withdraw(self, by: WithdrawnBy, reason: str, register_status: str | None = None) -> str | None:
        """Withdraws the application; returns the stand it held (for the ledger to free), if any. A second
        withdrawal changes nothing and records nothing (a redelivered register event). ``register_status``:
        ``deleted`` or ``expired`` when the register's change withdrew it (published, so that the message
        says which)."""
        if self.state is ExhibitorState.WITHDRAWN:
            return None
        if self.state is ExhibitorState.REJECTED:
            raise NotAllowed(Text("оттегли", "withdraw"), STATE_NAMES[self.state])
        self.reason = _reason(reason)
        freed, self.stand = self.stand, None
        self.state = ExhibitorState.WITHDRAWN
        self.withdrawn_by = by
        self._record(
            ParticipationName.EXHIBITOR_WITHDRAWN,
            freed_stand=freed,
            register_status=register_status if by is WithdrawnBy.REGISTER else None,
        )
        return freed

    def report(self, event: Event, *, contacts: int, sales_cents: int | None) -> None:
        if self.state is not ExhibitorState.SELECTED:
            raise NotAllowed(Text("отчете", "report"), STATE_NAMES[self.state])
        if event.status not in {Status.HELD, Status.REPORTED}:
            raise NotAllowed(
                Text("отчете", "report"), Text("събитието още не е проведено", "the event has not been held")
            )
        problems: dict[str, Text] = {}
        if not 0 <= contacts <= MAX_CONTACTS:
            problems["contacts"] = Text(f"Между 0 и {MAX_CONTACTS}.", f"Between 0 and {MAX_CONTACTS}.")
        if sales_cents is not None and not 0 <= sales_cents <= MAX_SALES_CENTS:
            problems["sales_cents"] = Text("Продажби в евроцентове, от 0.", "Sales in euro cents, from 0.")
        if problems:
            raise InvalidInput(INVALID, problems)
        self.contacts = contacts
        self.sales_cents = sales_cents
        self._record(ParticipationName.EXHIBITOR_REPORTED, contacts=contacts, sales_cents=sales_cents)

    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events

    def _record(self, name: ParticipationName, **extra: Any) -> None:
        self._events.append(DomainEvent(name.value, {**self.as_payload(), **extra}))

    def as_payload(self) -> dict[str, Any]:
        return {
            "participation_id": self.id,
            "event_id": self.event_id,
            "event_title_bg": self.event_title_bg,
            "starts_at": utc_iso(self.event_starts_at),
            "role": "exhibitor",
            "enterprise_id": self.enterprise_id,
            "enterprise_name": self.enterprise_name,
            "listings": list(self.listings),
            "state": self.state.value,
            "stand": self.stand,
            "reason": self.reason,
            "withdrawn_by": self.withdrawn_by.value if self.withdrawn_by else None,
            "organiser": self.organiser,
        }


class VisitorState(StrEnum):
    REGISTERED = "registered"
    WAITING = "waiting"
    CANCELLED = "cancelled"


@dataclass
class Registration:
    """A visitor's registration. The person's name and (verified) address are kept to tell them of changes
    and to print the organisers' check-in list; the topic carries the address (``visitor``) so that
    notifications can reach the person, as training's enrolments carry the learner's."""

    id: str
    event_id: str
    name: str
    email: str
    state: VisitorState
    registered_at: datetime
    event_title_bg: str
    event_starts_at: datetime
    waiting_position: int | None = None
    attended: bool = False
    subject: str | None = None
    """The person's sign-in subject: her platform inbox (older registrations kept none)."""
    version: int = 0
    _events: list[DomainEvent] = field(default_factory=list, repr=False)

    @classmethod
    def register(
        cls, event: Event, *, name: str, email: str, now: datetime, subject: str | None = None
    ) -> Registration:
        if not event.registration_required:
            raise NotAllowed(
                Text("се запише", "register"),
                Text("събитието е отворено за всички без записване", "the event is open to all without registration"),
            )
        if not event.visitors_may_register(now):
            raise NotAllowed(
                Text("се запише", "register"), Text("записването не е отворено", "registration is not open")
            )
        problems: dict[str, Text] = {}
        if not name.strip() or len(name) > NAME_LIMIT:
            problems["name"] = Text(f"Име до {NAME_LIMIT} знака.", f"A name of up to {NAME_LIMIT} characters.")
        if "@" not in email or len(email) > 254 or any(c.isspace() for c in email.strip()):
            problems["email"] = Text("Невалиден адрес на електронна поща.", "Not a valid e-mail address.")
        if problems:
            raise InvalidInput(INVALID, problems)
        return cls(
            id=registration_id(event.id, email),
            event_id=event.id,
            name=name.strip(),
            email=email.strip(),
            state=VisitorState.WAITING,
            registered_at=now,
            event_title_bg=event.title_bg,
            event_starts_at=event.starts_at,
            subject=subject,
        )

    def follow_event(self, event: Event) -> None:
        """Takes the event's title and start as they are now (see :meth:`Exhibitor.follow_event`)."""
        self.event_title_bg, self.event_starts_at = event.title_bg, event.starts_at

    def follow_seat(self, seated: bool, waiting_position: int | None) -> None:
        """Takes what the seat ledger says: a seat, or a place on the waiting list."""
        before = (self.state, self.waiting_position)
        self.state = VisitorState.REGISTERED if seated else VisitorState.WAITING
        self.waiting_position = None if seated else waiting_position
        if (self.state, self.waiting_position) != before:
            name = ParticipationName.VISITOR_REGISTERED if seated else ParticipationName.VISITOR_WAITING
            held_a_place = before[0] is VisitorState.WAITING and before[1] is not None  # not a fresh registration
            self._record(name, promoted=seated and held_a_place)

    def cancel(self) -> bool:
        """Cancels; False if already cancelled (nothing recorded)."""
        if self.state is VisitorState.CANCELLED:
            return False
        self.state = VisitorState.CANCELLED
        self.waiting_position = None
        self._record(ParticipationName.VISITOR_CANCELLED, promoted=False)
        return True

    def check_in(self, present: bool) -> None:
        if self.state is not VisitorState.REGISTERED:
            raise NotAllowed(
                Text("отбележи присъствие", "check in"), Text("посетителят няма място", "the visitor holds no seat")
            )
        self.attended = present

    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events

    def _record(self, name: ParticipationName, *, promoted: bool) -> None:
        """``promoted``: a seat after a place on the waiting list."""
        self._events.append(
            DomainEvent(
                name.value,
                {
                    "participation_id": self.id,
                    "event_id": self.event_id,
                    "event_title_bg": self.event_title_bg,
                    "starts_at": utc_iso(self.event_starts_at),
                    "role": "visitor",
                    "visitor": self.email.casefold(),
                    "visitor_name": self.name,
                    "visitor_subject": self.subject,
                    "state": self.state.value,
                    "waiting_position": self.waiting_position,
                    "at": utc_iso(self.registered_at),
                    "promoted": promoted,
                },
            )
        )
