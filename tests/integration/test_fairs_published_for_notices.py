"""What the events service publishes for notifications, against real FerretDB: after a fair is moved, the
events of its exhibitors and visitors name the NEW start (the day-before reminder is planned from it), a
visitor's events name her sign-in subject (her inbox) and say when a seat came from the waiting list, a
move names each visitor with her name and subject, and a withdrawal by the register says it was a deletion."""

# ruff: noqa: F811 (the fixtures of test_fairs_api, imported, are this module's test arguments)
from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.events.service_layer.events import EventsService
from shared.auth import Role
from tests.integration.registry_api import token
from tests.integration.test_fairs_api import (  # noqa: F401 (fixtures)
    CLERK_PLOVDIV,
    api,
    app,
    clock,
    events_db,
    events_db_name,
    fair,
    known_enterprise,
    ok,
    registry_event,
    service,
)

pytestmark = pytest.mark.integration


def published(db: Database, collection: str, event_type: str) -> list[dict[str, Any]]:
    return [
        e["envelope"]["payload"]
        for d in db[collection].find()
        for e in d.get("outbox", [])
        if e["envelope"]["event_type"] == event_type
    ]


def test_after_a_move_exhibitors_and_visitors_events_name_the_new_start_and_the_person(
    api: FlaskClient, service: EventsService, events_db: Database
) -> None:
    event = ok(api.post("/api/v1/events", json=fair(visitor_capacity=1), headers=CLERK_PLOVDIV), 201)
    ok(api.post(f"/api/v1/events/{event['id']}/publish", headers=CLERK_PLOVDIV))
    bakery = known_enterprise(service)
    rep = token("rep-bakery", Role.REPRESENTATIVE, enterprise_id=bakery)
    applied = ok(api.post(f"/api/v1/events/{event['id']}/exhibitors", json={"listings": []}, headers=rep), 201)
    maria = token("visitor-maria", Role.BUYER, email="maria@example.bg")
    georgi = token("visitor-georgi", Role.BUYER, email="Georgi@Example.bg")
    ok(api.post(f"/api/v1/events/{event['id']}/registration", json={"name": "Мария Петрова"}, headers=maria), 201)
    ok(api.post(f"/api/v1/events/{event['id']}/registration", json={"name": "Георги Колев"}, headers=georgi), 201)

    ok(
        api.post(
            f"/api/v1/events/{event['id']}/reschedule",
            json={"starts_at": "2027-06-19T10:00", "ends_at": "2027-06-19T18:00"},
            headers=CLERK_PLOVDIV,
        )
    )
    (moved,) = published(events_db, "events", "events.EventRescheduled")
    assert moved["visitor_roster"] == [
        {"subject": "visitor-maria", "name": "Мария Петрова", "email": "maria@example.bg"},
        {"subject": "visitor-georgi", "name": "Георги Колев", "email": "georgi@example.bg"},
    ]

    # Selected and promoted after the move: their events name the new day (not the one they applied for).
    ok(api.post(f"/api/v1/exhibitors/{applied['id']}/selection", json={"stand": "A1"}, headers=CLERK_PLOVDIV))
    ok(api.delete(f"/api/v1/events/{event['id']}/registration", headers=maria))
    (selected,) = published(events_db, "exhibitors", "events.ExhibitorSelected")
    assert (selected["starts_at"], selected["organiser"]) == ("2027-06-19T07:00:00Z", "plovdiv")
    seats = published(events_db, "registrations", "events.VisitorRegistered")
    promoted = [p for p in seats if p["visitor_subject"] == "visitor-georgi"]
    assert [(p["starts_at"], p["promoted"]) for p in promoted] == [("2027-06-19T07:00:00Z", True)]
    first = [p for p in seats if p["visitor_subject"] == "visitor-maria"]
    assert [(p["starts_at"], p["promoted"]) for p in first] == [("2027-06-12T07:00:00Z", False)]

    # The register deletes the enterprise: its withdrawal says so.
    registry_event(service, bakery, "Пекарна Добро", "deleted", "registry.EnterpriseDeleted", 5)
    (withdrawn,) = published(events_db, "exhibitors", "events.ExhibitorWithdrawn")
    assert (withdrawn["withdrawn_by"], withdrawn["register_status"], withdrawn["starts_at"]) == (
        "register",
        "deleted",
        "2027-06-19T07:00:00Z",
    )
