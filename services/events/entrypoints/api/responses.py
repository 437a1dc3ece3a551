"""The events API's answers: events, exhibitors and registrations as JSON."""

from __future__ import annotations

from typing import Any

from services.events.domain.event import KIND_NAMES, STATUS_NAMES, Event
from services.events.domain.participation import Exhibitor, Registration
from services.events.domain.reports import EventReport, PeriodReport
from shared.events.envelope import utc_iso

OBJECT = {"type": "object"}


def _window(window: Any) -> dict[str, str] | None:
    return None if window is None else {"opens_at": utc_iso(window.opens_at), "closes_at": utc_iso(window.closes_at)}


def event_view(event: Event, *, seats: tuple[int, int] | None = None) -> dict[str, Any]:
    """``seats``: (taken, waiting) for an event visitors register for."""
    plan = event.plan
    view: dict[str, Any] = {
        "id": event.id,
        "version": event.version,
        "kind": plan.kind.value,
        "kind_name": KIND_NAMES[plan.kind].as_dict(),
        "organiser": plan.organiser,
        "title_bg": plan.title_bg,
        "title_en": plan.title_en,
        "description_bg": plan.description_bg,
        "description_en": plan.description_en,
        "venue": {**plan.venue.as_payload(), "url": plan.venue.url, "name": plan.venue.describe().as_dict()},
        "starts_at": utc_iso(plan.starts_at),
        "ends_at": utc_iso(plan.ends_at),
        "status": event.status.value,
        "status_name": STATUS_NAMES[event.status].as_dict(),
        "visitor_capacity": plan.visitor_capacity,
        "registration_required": event.registration_required,
        "stands": [s.as_payload() for s in plan.stands],
        "exhibitor_window": _window(plan.exhibitor_window),
        "visitor_window": _window(plan.visitor_window),
        "cancel_reason": event.cancel_reason,
        "attendance": event.attendance,
    }
    if seats is not None:
        view["seats_taken"], view["waiting"] = seats
        view["seats_free"] = max((plan.visitor_capacity or 0) - seats[0], 0)
    return view


def event_summary(event: Event | None) -> dict[str, Any] | None:
    """What a list of someone's participations says of each event (None: the event is gone)."""
    if event is None:
        return None
    return {
        "id": event.id,
        "kind": event.plan.kind.value,
        "title_bg": event.plan.title_bg,
        "title_en": event.plan.title_en,
        "organiser": event.plan.organiser,
        "starts_at": utc_iso(event.plan.starts_at),
        "ends_at": utc_iso(event.plan.ends_at),
        "status": event.status.value,
    }


def public_event_view(event: Event, seats: tuple[int, int] | None = None) -> dict[str, Any]:
    """An online event's address is for its visitors, not the public page."""
    view = event_view(event, seats=seats)
    view["venue"]["url"] = None
    return view


def exhibitor_view(exhibitor: Exhibitor) -> dict[str, Any]:
    return {
        "id": exhibitor.id,
        "version": exhibitor.version,
        "event_id": exhibitor.event_id,
        "event_title_bg": exhibitor.event_title_bg,
        "enterprise_id": exhibitor.enterprise_id,
        "enterprise_name": exhibitor.enterprise_name,
        "listings": list(exhibitor.listings),
        "state": exhibitor.state.value,
        "stand": exhibitor.stand,
        "reason": exhibitor.reason,
        "withdrawn_by": exhibitor.withdrawn_by.value if exhibitor.withdrawn_by else None,
        "applied_at": utc_iso(exhibitor.applied_at),
        "contacts": exhibitor.contacts,
        "sales_cents": exhibitor.sales_cents,
    }


def registration_view(registration: Registration) -> dict[str, Any]:
    return {
        "id": registration.id,
        "event_id": registration.event_id,
        "event_title_bg": registration.event_title_bg,
        "name": registration.name,
        "email": registration.email,
        "state": registration.state.value,
        "waiting_position": registration.waiting_position,
        "attended": registration.attended,
        "registered_at": utc_iso(registration.registered_at),
    }


def report_view(report: EventReport) -> dict[str, Any]:
    return {"event_id": report.event_id, **report.as_figures(), "attendance": report.attendance}


def period_view(report: PeriodReport) -> dict[str, Any]:
    return {
        "organiser": report.organiser,
        "since": utc_iso(report.since),
        "until": utc_iso(report.until),
        "events_held": report.events_held,
        "cancelled": report.cancelled,
        "exhibitors": report.exhibitors,
        "visitors": report.visitors,
        "contacts": report.contacts,
        "sales_cents": report.sales_cents,
    }
