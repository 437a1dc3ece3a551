"""Exhibitors and visitors over HTTP: enterprises apply for stands, organisers select; people register."""

from __future__ import annotations

from typing import Any

from services.events.entrypoints.api.context import events
from services.events.entrypoints.api.requests import (
    ApplySchema,
    CheckInSchema,
    ExhibitorReportSchema,
    ReasonSchema,
    RegisterSchema,
    SelectSchema,
)
from services.events.entrypoints.api.responses import OBJECT, event_summary, exhibitor_view, registration_view
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.ratelimit import public_limit

blp = Blueprint("participation", __name__, url_prefix="/api/v1", description="Exhibitors and visitors")


@blp.get("/events/<event_id>/exhibitors")
@blp.response(200)
@documented(OBJECT)
@public_limit
def exhibitors(event_id: str) -> dict[str, Any]:
    """The selected exhibitors of an event with their stands and the products they will show."""
    return {"items": events().public_exhibitors(event_id)}


@blp.post("/events/<event_id>/exhibitors")
@blp.arguments(ApplySchema)
@blp.response(201)
@documented(OBJECT, 201)
def apply(data: dict[str, Any], event_id: str) -> dict[str, Any]:
    """Apply for a stand for the caller's enterprise (active in the register) with the marketplace listings it
    will show (published, its own)."""
    return exhibitor_view(events().apply(current_principal(), event_id, data["listings"]))


@blp.get("/exhibitors")
@blp.response(200)
@documented(OBJECT)
def my_exhibitors() -> dict[str, Any]:
    """The applications for stands of the caller's enterprise, each with its event's title, times and status."""
    service = events()
    found = service.exhibitors_of_enterprise(current_principal())
    shown = service.events_by_id([e.event_id for e in found])
    return {"items": [{**exhibitor_view(e), "event": event_summary(shown.get(e.event_id))} for e in found]}


@blp.get("/exhibitors/<participation_id>")
@blp.response(200)
@documented(OBJECT)
def show_exhibitor(participation_id: str) -> dict[str, Any]:
    """An application for a stand: for the enterprise and the organisers."""
    return exhibitor_view(events().own_exhibitor(current_principal(), participation_id))


@blp.put("/exhibitors/<participation_id>/listings")
@blp.arguments(ApplySchema)
@blp.response(200)
@documented(OBJECT)
def change_listings(data: dict[str, Any], participation_id: str) -> dict[str, Any]:
    """Change the products the enterprise will show."""
    return exhibitor_view(events().change_listings(current_principal(), participation_id, data["listings"]))


@blp.post("/exhibitors/<participation_id>/selection")
@blp.arguments(SelectSchema)
@blp.response(200)
@documented(OBJECT)
def select(data: dict[str, Any], participation_id: str) -> dict[str, Any]:
    """Select the exhibitor for a stand (one exhibitor per stand, whoever asks at the same moment)."""
    return exhibitor_view(events().select(current_principal(), participation_id, data["stand"]))


@blp.post("/exhibitors/<participation_id>/waiting")
@blp.arguments(ReasonSchema)
@blp.response(200)
@documented(OBJECT)
def wait(data: dict[str, Any], participation_id: str) -> dict[str, Any]:
    """Put the application on the waiting list, with the reason the enterprise reads."""
    return exhibitor_view(events().wait(current_principal(), participation_id, data["reason"]))


@blp.post("/exhibitors/<participation_id>/rejection")
@blp.arguments(ReasonSchema)
@blp.response(200)
@documented(OBJECT)
def reject(data: dict[str, Any], participation_id: str) -> dict[str, Any]:
    """Reject the application, with the reason the enterprise reads."""
    return exhibitor_view(events().reject(current_principal(), participation_id, data["reason"]))


@blp.post("/exhibitors/<participation_id>/withdrawal")
@blp.arguments(ReasonSchema)
@blp.response(200)
@documented(OBJECT)
def withdraw(data: dict[str, Any], participation_id: str) -> dict[str, Any]:
    """Withdraw the application (the enterprise, or the organisers): its stand is freed."""
    return exhibitor_view(events().withdraw(current_principal(), participation_id, data["reason"]))


@blp.post("/exhibitors/<participation_id>/report")
@blp.arguments(ExhibitorReportSchema)
@blp.response(200)
@documented(OBJECT)
def exhibitor_report(data: dict[str, Any], participation_id: str) -> dict[str, Any]:
    """After the event: the contacts the enterprise made and (optionally) its sales in euro cents."""
    service = events()
    found = service.exhibitor_report(current_principal(), participation_id, data["contacts"], data["sales_cents"])
    return exhibitor_view(found)


@blp.post("/events/<event_id>/registration")
@blp.arguments(RegisterSchema)
@blp.response(201)
@documented(OBJECT, 201)
def register(data: dict[str, Any], event_id: str) -> dict[str, Any]:
    """Register the caller (by their verified e-mail) for a seat, or a place on the waiting list when all are
    taken; registering again answers the registration as it is."""
    return registration_view(events().register(current_principal(), event_id, data["name"]))


@blp.get("/registrations")
@blp.response(200)
@documented(OBJECT)
def my_registrations() -> dict[str, Any]:
    """The caller's registrations (by their verified e-mail), each with its event's title, times and status."""
    service = events()
    found = service.my_registrations(current_principal())
    shown = service.events_by_id([r.event_id for r in found])
    return {"items": [{**registration_view(r), "event": event_summary(shown.get(r.event_id))} for r in found]}


@blp.get("/events/<event_id>/registration")
@blp.response(200)
@documented(OBJECT)
def my_registration(event_id: str) -> dict[str, Any]:
    """The caller's registration for the event."""
    return registration_view(events().my_registration(current_principal(), event_id))


@blp.delete("/events/<event_id>/registration")
@blp.response(200)
@documented(OBJECT)
def cancel_registration(event_id: str) -> dict[str, Any]:
    """Cancel the caller's registration: the seat goes to the first waiting."""
    return registration_view(events().cancel_registration(current_principal(), event_id))


@blp.get("/events/<event_id>/check-in")
@blp.response(200)
@documented(OBJECT)
def check_in_list(event_id: str) -> dict[str, Any]:
    """The organisers' check-in list: visitors holding a seat, with names and whether they came."""
    return {"items": [registration_view(r) for r in events().check_in_list(current_principal(), event_id)]}


@blp.post("/events/<event_id>/check-in/<participation_id>")
@blp.arguments(CheckInSchema)
@blp.response(200)
@documented(OBJECT)
def check_in(data: dict[str, Any], event_id: str, participation_id: str) -> dict[str, Any]:
    """Mark a visitor present (or not)."""
    found = events().check_in(current_principal(), event_id, participation_id, data["present"])
    return registration_view(found)
