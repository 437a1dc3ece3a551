"""The events service's lists for the portal's pages, against real FerretDB: a centre's staff see their
events with the drafts, an enterprise its applications for stands, a person their registrations — each
only their own, with the event's title, times and status."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from services.events.service_layer.events import EventsService
from shared.auth import Role
from tests.integration import test_fairs_api as fairs
from tests.integration.registry_api import token
from tests.integration.test_fairs_api import CLERK_PLOVDIV, CLERK_VARNA, fair, known_enterprise, listing, ok

# the events API over real FerretDB, as the API's own tests set it up
api, app, clock, events_db, events_db_name, service = (
    fairs.api,
    fairs.app,
    fairs.clock,
    fairs.events_db,
    fairs.events_db_name,
    fairs.service,
)

pytestmark = pytest.mark.integration


def test_staff_enterprises_and_visitors_each_list_their_own(api: FlaskClient, service: EventsService) -> None:
    draft = ok(
        api.post("/api/v1/events", json=fair(title_bg="Есенен базар", kind="bazaar"), headers=CLERK_PLOVDIV), 201
    )
    forum = ok(
        api.post(
            "/api/v1/events",
            json=fair(
                kind="forum",
                title_bg="Форум на социалната икономика",
                starts_at="2027-06-20T10:00",
                ends_at="2027-06-20T17:00",
                stands=[],
                exhibitor_window=None,
            ),
            headers=CLERK_PLOVDIV,
        ),
        201,
    )
    ok(api.post(f"/api/v1/events/{forum['id']}/publish", headers=CLERK_PLOVDIV))

    organised = ok(api.get("/api/v1/organisers/plovdiv/events", headers=CLERK_PLOVDIV))["items"]
    assert [(e["title_bg"], e["status"]) for e in organised] == [
        ("Есенен базар", "draft"),
        ("Форум на социалната икономика", "published"),
    ]
    assert organised[1]["seats_free"] == 2
    assert ok(api.get("/api/v1/organisers/plovdiv/events", headers=CLERK_VARNA), 403)
    assert ok(api.get("/api/v1/organisers/plovdiv/events"), 401)

    ok(api.post(f"/api/v1/events/{draft['id']}/publish", headers=CLERK_PLOVDIV))
    bakery = known_enterprise(service)
    bread = listing(service, bakery, "Пълнозърнест хляб")
    rep = token("rep-bakery", Role.REPRESENTATIVE, enterprise_id=bakery)
    other = token("rep-other", Role.REPRESENTATIVE, enterprise_id=known_enterprise(service, "Шивашко ателие"))
    applied = ok(api.post(f"/api/v1/events/{draft['id']}/exhibitors", json={"listings": [bread]}, headers=rep), 201)
    mine = ok(api.get("/api/v1/exhibitors", headers=rep))["items"]
    assert [(e["id"], e["state"], e["listings"]) for e in mine] == [(applied["id"], "applied", [bread])]
    assert (mine[0]["event"]["title_bg"], mine[0]["event"]["starts_at"]) == ("Есенен базар", "2027-06-12T07:00:00Z")
    assert ok(api.get("/api/v1/exhibitors", headers=other))["items"] == []
    assert ok(api.get("/api/v1/exhibitors", headers=CLERK_PLOVDIV), 403)

    visitor = token("visitor-1", Role.BUYER, email="visitor1@example.bg")
    ok(api.post(f"/api/v1/events/{forum['id']}/registration", json={"name": "Мария Петрова"}, headers=visitor), 201)
    registered = ok(api.get("/api/v1/registrations", headers=visitor))["items"]
    assert [(r["name"], r["state"], r["event"]["title_bg"]) for r in registered] == [
        ("Мария Петрова", "registered", "Форум на социалната икономика")
    ]
    stranger = token("visitor-2", Role.LEARNER, email="visitor2@example.bg")
    assert ok(api.get("/api/v1/registrations", headers=stranger))["items"] == []
    assert ok(api.get("/api/v1/registrations"), 401)
