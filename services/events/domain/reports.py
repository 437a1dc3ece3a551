"""What an event and a period come to: events held, exhibitors, visitors, contacts and reported sales."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from services.events.domain.event import Event, Status
from services.events.domain.participation import Exhibitor, ExhibitorState, Registration, VisitorState


@dataclass(frozen=True)
class EventReport:
    event_id: str
    exhibitors: int
    """Selected exhibitors (withdrawn ones do not count)."""
    exhibitors_reported: int
    contacts: int
    sales_cents: int
    registered_visitors: int
    checked_in: int
    attendance: int | None
    """Visitors counted at the door (includes those who came without registering)."""

    def as_figures(self) -> dict[str, int]:
        return {
            "exhibitors": self.exhibitors,
            "exhibitors_reported": self.exhibitors_reported,
            "contacts": self.contacts,
            "sales_cents": self.sales_cents,
            "registered_visitors": self.registered_visitors,
            "checked_in": self.checked_in,
            "attendance": self.attendance or 0,
        }


def event_report(event: Event, exhibitors: Iterable[Exhibitor], registrations: Iterable[Registration]) -> EventReport:
    selected = [e for e in exhibitors if e.state is ExhibitorState.SELECTED and e.event_id == event.id]
    reported = [e for e in selected if e.contacts is not None]
    seated = [r for r in registrations if r.state is VisitorState.REGISTERED and r.event_id == event.id]
    return EventReport(
        event_id=event.id,
        exhibitors=len(selected),
        exhibitors_reported=len(reported),
        contacts=sum(e.contacts or 0 for e in reported),
        sales_cents=sum(e.sales_cents or 0 for e in reported),
        registered_visitors=len(seated),
        checked_in=sum(1 for r in seated if r.attended),
        attendance=event.attendance,
    )


@dataclass(frozen=True)
class PeriodReport:
    organiser: str | None
    since: datetime
    until: datetime
    events_held: int
    exhibitors: int
    visitors: int
    contacts: int
    sales_cents: int
    cancelled: int


def period_report(
    organiser: str | None, since: datetime, until: datetime, events: Iterable[Event], reports: dict[str, EventReport]
) -> PeriodReport:
    """Events starting in ``[since, until)`` (of ``organiser``, or all); ``reports`` by event id for those held."""
    chosen = [
        e for e in events if since <= e.starts_at < until and (organiser is None or e.plan.organiser == organiser)
    ]
    held = [e for e in chosen if e.status in {Status.HELD, Status.REPORTED}]
    figures = [reports[e.id] for e in held if e.id in reports]
    return PeriodReport(
        organiser=organiser,
        since=since,
        until=until,
        events_held=len(held),
        exhibitors=sum(r.exhibitors for r in figures),
        visitors=sum(r.attendance if r.attendance is not None else r.checked_in for r in figures),
        contacts=sum(r.contacts for r in figures),
        sales_cents=sum(r.sales_cents for r in figures),
        cancelled=sum(1 for e in chosen if e.status is Status.CANCELLED),
    )
