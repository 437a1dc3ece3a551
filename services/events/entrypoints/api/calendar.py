"""Events over HTTP: the public calendar and pages; organisers create, publish, move, cancel, hold and report."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.events.domain.event import Plan
from services.events.entrypoints.api.context import events
from services.events.entrypoints.api.requests import (
    AttendanceSchema,
    CalendarQuerySchema,
    OrganisedQuerySchema,
    PeriodQuerySchema,
    PlanSchema,
    ReasonSchema,
    RescheduleSchema,
)
from services.events.entrypoints.api.responses import (
    OBJECT,
    event_view,
    exhibitor_view,
    period_view,
    public_event_view,
    report_view,
)
from services.events.service_layer.events import EventsService
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.ratelimit import public_limit

blp = Blueprint("calendar", __name__, url_prefix="/api/v1", description="Fairs, bazaars, forums of the centres")


def _seats(service: EventsService, event_id: str) -> tuple[int, int] | None:
    places = service.seats.ledger.get(event_id)
    return (0, 0) if places is None else (len(places.holders), len(places.waiting))


def _plan(data: dict[str, Any]) -> Plan:
    return Plan(**{k: v for k, v in data.items() if k != "version"})


@blp.get("/events")
@blp.arguments(CalendarQuerySchema, location="query")
@blp.response(200)
@documented(OBJECT)
@public_limit
def list_events(query: dict[str, Any]) -> dict[str, Any]:
    """The calendar: events from `since` (now) to `until` (a year later), by organising centre, district of the
    venue and kind; cancelled ones are shown as cancelled."""
    service = events()
    since = query["since"] or service.clock.now()
    until = query["until"] or since + timedelta(days=366)
    found = service.calendar(since, until, query["centre"], query["district"], query["kind"])
    return {"items": [public_event_view(e) for e in found]}


@blp.post("/events")
@blp.arguments(PlanSchema)
@blp.response(201)
@documented(OBJECT, 201)
def create(data: dict[str, Any]) -> dict[str, Any]:
    """A draft event of the caller's centre (of the ministry: `organiser` `national`); its venue is booked
    (a venue booked at overlapping times is refused, naming the other event)."""
    return event_view(events().create(current_principal(), _plan(data)))


@blp.get("/events/<event_id>")
@blp.response(200)
@documented(OBJECT)
@public_limit
def show(event_id: str) -> dict[str, Any]:
    """An event (a draft only for its organisers), with its seats taken and waiting."""
    service = events()
    principal = current_principal()
    event = service.event_for(principal, event_id)
    if service.may_organise(principal, event.plan.organiser):
        return event_view(event, seats=_seats(service, event.id))
    return public_event_view(event, seats=_seats(service, event.id))


@blp.put("/events/<event_id>")
@blp.arguments(PlanSchema)
@blp.response(200)
@documented(OBJECT)
def edit(data: dict[str, Any], event_id: str) -> dict[str, Any]:
    """Change an event: a draft freely; a published one keeps its kind, organiser, venue and times (see
    reschedule), and its capacity and stands cannot drop below what is already allocated."""
    return event_view(events().edit(current_principal(), event_id, _plan(data), data.get("version")))


@blp.post("/events/<event_id>/publish")
@blp.response(200)
@documented(OBJECT)
def publish(event_id: str) -> dict[str, Any]:
    """Publish a draft: it shows in the calendar and registration opens in its windows."""
    return event_view(events().publish(current_principal(), event_id))


@blp.post("/events/<event_id>/reschedule")
@blp.arguments(RescheduleSchema)
@blp.response(200)
@documented(OBJECT)
def reschedule(data: dict[str, Any], event_id: str) -> dict[str, Any]:
    """New times (and windows) for an upcoming event; exhibitors and visitors are told."""
    event = events().reschedule(
        current_principal(),
        event_id,
        data["starts_at"],
        data["ends_at"],
        data["exhibitor_window"],
        data["visitor_window"],
    )
    return event_view(event)


@blp.post("/events/<event_id>/cancel")
@blp.arguments(ReasonSchema)
@blp.response(200)
@documented(OBJECT)
def cancel(data: dict[str, Any], event_id: str) -> dict[str, Any]:
    """Cancel an upcoming event with the reason exhibitors and visitors will read; the venue is freed."""
    return event_view(events().cancel(current_principal(), event_id, data["reason"]))


@blp.post("/events/<event_id>/held")
@blp.response(200)
@documented(OBJECT)
def hold(event_id: str) -> dict[str, Any]:
    """Mark an event held (once it has started)."""
    return event_view(events().hold(current_principal(), event_id))


@blp.post("/events/<event_id>/attendance")
@blp.arguments(AttendanceSchema)
@blp.response(200)
@documented(OBJECT)
def attendance(data: dict[str, Any], event_id: str) -> dict[str, Any]:
    """Record the visitors counted at a held event."""
    return event_view(events().record_attendance(current_principal(), event_id, data["visitors"]))


@blp.post("/events/<event_id>/report")
@blp.response(200)
@documented(OBJECT)
def report(event_id: str) -> dict[str, Any]:
    """Close a held event with its report (exhibitors, their contacts and sales, visitors): published for
    the programme's figures."""
    service = events()
    event = service.report(current_principal(), event_id)
    return {**event_view(event), "report": report_view(service.event_report(event))}


@blp.get("/events/<event_id>/figures")
@blp.response(200)
@documented(OBJECT)
def figures(event_id: str) -> dict[str, Any]:
    """The event's report so far, for its organisers."""
    service = events()
    return report_view(service.event_report(service.organised(current_principal(), event_id)))


@blp.get("/events/<event_id>/applications")
@blp.response(200)
@documented(OBJECT)
def applications(event_id: str) -> dict[str, Any]:
    """Every exhibitor's application for the event, for its organisers (the order they came)."""
    return {"items": [exhibitor_view(e) for e in events().exhibitors_of(current_principal(), event_id)]}


@blp.get("/organisers/<organiser>/events")
@blp.arguments(OrganisedQuerySchema, location="query")
@blp.response(200)
@documented(OBJECT)
def organised(query: dict[str, Any], organiser: str) -> dict[str, Any]:
    """An organiser's events for its staff (a centre's id, or `national`), drafts included: those ending from
    `since` (three months back) on, soonest first, with their seats taken and waiting."""
    service = events()
    since = query["since"] or service.clock.now() - timedelta(days=92)
    found = service.organised_events(current_principal(), organiser, since)
    return {"items": [event_view(e, seats=_seats(service, e.id)) for e in found]}


@blp.get("/reports")
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200)
@documented(OBJECT)
def period(query: dict[str, Any]) -> dict[str, Any]:
    """Events held in a period (of one organiser, or all for national staff): exhibitors, visitors, contacts,
    reported sales in euro cents, events cancelled."""
    found = events().period_report(current_principal(), query["organiser"], query["since"], query["until"])
    return period_view(found)
