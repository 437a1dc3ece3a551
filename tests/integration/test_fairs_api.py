"""The events service against real FerretDB: a fair from draft to its report through the API (bad input
answered naming the field, a venue booked twice refused naming the other event), and stands, seats and
venues handed out at the same moment never over-allocated."""

from __future__ import annotations

import dataclasses
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from pymongo import MongoClient
from pymongo.database import Database

from services.events.domain.event import Kind, Plan
from services.events.domain.participation import registration_id
from services.events.domain.venue import Venue, VenueKind
from services.events.entrypoints.api.context import EXTENSION
from services.events.entrypoints.app import create_app
from services.events.entrypoints.wiring import build
from services.events.service_layer.events import EventsService
from services.marketplace.events.catalog import MARKETPLACE_EVENTS
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.auth import Principal, Role
from shared.clock import FixedClock
from shared.errors import AppError
from tests.integration.registry_api import token

pytestmark = pytest.mark.integration

NOW = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)
CLERK_PLOVDIV = token("clerk-plovdiv", Role.CLERK, centre="plovdiv")
CLERK_VARNA = token("clerk-varna", Role.CLERK, centre="varna")


def fair(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "fair",
        "organiser": "plovdiv",
        "title_bg": "Лятно изложение на социалните предприятия",
        "description_bg": "Продукти и услуги на социалните предприятия от Южен централен район.",
        "venue": {"kind": "hall", "centre": "plovdiv"},
        "starts_at": "2027-06-12T10:00",
        "ends_at": "2027-06-12T18:00",
        "visitor_capacity": 2,
        "stands": [
            {"code": "A1", "width_cm": 300, "depth_cm": 200, "price_cents": 5000},
            {"code": "A2", "width_cm": 300, "depth_cm": 200},
        ],
        "exhibitor_window": {"opens_at": "2027-05-01T09:00", "closes_at": "2027-06-05T18:00"},
        "visitor_window": {"opens_at": "2027-05-01T09:00", "closes_at": "2027-06-12T09:00"},
    }
    return body | changes


@pytest.fixture
def events_db_name(infra: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = f"events_api_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("MONGODB_URI", infra.mongodb_uri)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", infra.kafka_bootstrap)
    monkeypatch.setenv("EVENTS_MONGODB_DATABASE", name)
    yield name
    MongoClient(infra.mongodb_uri).drop_database(name)


@pytest.fixture
def events_db(infra: Any, events_db_name: str) -> Database:
    return MongoClient(infra.mongodb_uri, tz_aware=True)[events_db_name]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def service(events_db: Database, clock: FixedClock) -> EventsService:
    return build(events_db, clock)


@pytest.fixture
def app(events_db_name: str, service: EventsService) -> Flask:
    app = create_app()
    app.extensions[EXTENSION] = service
    return app


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    return app.test_client()


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def known_enterprise(service: EventsService, name: str = "Пекарна Добро", status: str = "active") -> str:
    enterprise_id = str(uuid.uuid4())
    registry_event(service, enterprise_id, name, status, "registry.EnterpriseRegistered", 1)
    return enterprise_id


def registry_event(service: EventsService, enterprise_id: str, name: str, status: str, kind: str, version: int) -> Any:
    base = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get(kind, 1))
    payload = base.payload | {"enterprise_id": enterprise_id, "name": name, "status": status}
    envelope = dataclasses.replace(
        base, event_id=str(uuid.uuid4()), aggregate_id=enterprise_id, aggregate_version=version, payload=payload
    )
    service.apply_registry_event(envelope, envelope.payload)
    return envelope


def listing(service: EventsService, seller: str, title: str, status: str = "published") -> str:
    base = MARKETPLACE_EVENTS.example(MARKETPLACE_EVENTS.get("marketplace.ListingPublished", 1))
    listing_id = str(uuid.uuid4())
    payload = base.payload | {"listing_id": listing_id, "seller_id": seller, "title_bg": title, "status": status}
    envelope = dataclasses.replace(base, event_id=str(uuid.uuid4()), aggregate_id=listing_id, payload=payload)
    assert service.apply_listing_event(envelope, envelope.payload)
    assert not service.apply_listing_event(envelope, envelope.payload)  # a redelivery changes nothing
    return listing_id


def outbox_types(db: Database, collection: str) -> list[str]:
    return [e["envelope"]["event_type"] for d in db[collection].find() for e in d.get("outbox", [])]


def test_a_fair_from_draft_to_its_report(
    api: FlaskClient, service: EventsService, clock: FixedClock, events_db: Database
) -> None:
    # Bad input: every problem named at its field, nothing written.
    past = ok(
        api.post(
            "/api/v1/events", json=fair(starts_at="2027-05-01T10:00", ends_at="2027-05-01T09:00"), headers=CLERK_PLOVDIV
        ),
        422,
    )
    assert {"starts_at", "ends_at"} <= set(past["fields"])
    assert past["fields"]["starts_at"][0]["bg"].startswith("Началото")
    assert ok(api.post("/api/v1/events", json=fair(), headers=CLERK_VARNA), 403)
    assert events_db["events"].count_documents({}) == 0

    event = ok(api.post("/api/v1/events", json=fair(), headers=CLERK_PLOVDIV), 201)
    assert (event["status"], event["starts_at"], event["venue"]["district"]) == (
        "draft",
        "2027-06-12T07:00:00Z",
        "BG-16",
    )
    assert ok(api.get(f"/api/v1/events/{event['id']}"), 404)  # a draft is for its organisers
    clash = ok(
        api.post(
            "/api/v1/events",
            json=fair(title_bg="Пролетен базар", starts_at="2027-06-12T17:00", ends_at="2027-06-12T20:00"),
            headers=CLERK_PLOVDIV,
        ),
        409,
    )
    assert "Лятно изложение на социалните предприятия" in clash["message"]["bg"] and "venue" in clash["fields"]
    ok(api.post(f"/api/v1/events/{event['id']}/publish", headers=CLERK_PLOVDIV))
    assert [e["id"] for e in ok(api.get("/api/v1/events?centre=plovdiv&kind=fair"))["items"]] == [event["id"]]
    assert ok(api.get("/api/v1/events?district=BG-03"))["items"] == []

    # An enterprise applies with its listings; unknown and foreign ones are named.
    bakery = known_enterprise(service)
    other = known_enterprise(service, "Шивашко ателие")
    bread = listing(service, bakery, "Пълнозърнест хляб")
    apron = listing(service, other, "Престилка")
    rep = token("rep-bakery", Role.REPRESENTATIVE, enterprise_id=bakery)
    refused = ok(
        api.post(f"/api/v1/events/{event['id']}/exhibitors", json={"listings": [bread, "nope", apron]}, headers=rep),
        422,
    )
    assert set(refused["fields"]) == {"listings.1", "listings.2"}
    applied = ok(api.post(f"/api/v1/events/{event['id']}/exhibitors", json={"listings": [bread]}, headers=rep), 201)
    assert applied["state"] == "applied" and applied["enterprise_name"] == "Пекарна Добро"
    assert ok(
        api.post(f"/api/v1/exhibitors/{applied['id']}/selection", json={"stand": "Z9"}, headers=CLERK_PLOVDIV), 422
    )["fields"].keys() == {"stand"}
    selected = ok(
        api.post(f"/api/v1/exhibitors/{applied['id']}/selection", json={"stand": "A1"}, headers=CLERK_PLOVDIV)
    )
    assert (selected["state"], selected["stand"]) == ("selected", "A1")
    shown = ok(api.get(f"/api/v1/events/{event['id']}/exhibitors"))["items"]
    assert shown == [
        {
            "enterprise_id": bakery,
            "enterprise_name": "Пекарна Добро",
            "stand": "A1",
            "products": [
                {"listing_id": bread, "title_bg": "Пълнозърнест хляб", "title_en": shown[0]["products"][0]["title_en"]}
            ],
        }
    ]
    # Capacity may not drop below the seats held; a stand held may not go.
    visitors = [token(f"v{i}", Role.BUYER, email=f"visitor{i}@example.bg") for i in range(3)]
    seats = [
        ok(api.post(f"/api/v1/events/{event['id']}/registration", json={"name": f"Посетител {i}"}, headers=v), 201)
        for i, v in enumerate(visitors)
    ]
    assert [s["state"] for s in seats] == ["registered", "registered", "waiting"]
    lower = ok(api.put(f"/api/v1/events/{event['id']}", json=fair(visitor_capacity=1), headers=CLERK_PLOVDIV), 422)
    assert set(lower["fields"]) == {"visitor_capacity"}
    fewer = ok(
        api.put(
            f"/api/v1/events/{event['id']}",
            json=fair(stands=[{"code": "A2", "width_cm": 300, "depth_cm": 200}]),
            headers=CLERK_PLOVDIV,
        ),
        422,
    )
    assert set(fewer["fields"]) == {"stands"}
    unverified = token("v9", Role.BUYER, email="x@example.bg", email_verified=False)
    assert ok(api.post(f"/api/v1/events/{event['id']}/registration", json={"name": "Х"}, headers=unverified), 403)
    # A cancellation gives the seat to the first waiting; the personal .ics entry.
    ok(api.delete(f"/api/v1/events/{event['id']}/registration", headers=visitors[0]))
    assert ok(api.get(f"/api/v1/events/{event['id']}/registration", headers=visitors[2]))["state"] == "registered"
    ics = api.get(f"/api/v1/events/{event['id']}/registration.ics", headers=visitors[2])
    [entry] = Calendar.from_ical(ics.data).walk("VEVENT")
    assert (str(entry["summary"]), entry.decoded("dtstart")) == (
        "Лятно изложение на социалните предприятия",
        datetime(2027, 6, 12, 7, 0, tzinfo=UTC),
    )
    feed = api.get("/api/v1/centres/plovdiv/events.ics")
    assert feed.status_code == 200 and f"UID:{event['id']}@solidarity-hub".encode() in feed.data

    # Held, attendance, the exhibitor's report, the event's report, the period and open data.
    assert ok(api.post(f"/api/v1/events/{event['id']}/held", headers=CLERK_PLOVDIV), 409)
    clock.advance(days=40)
    ok(api.post(f"/api/v1/events/{event['id']}/held", headers=CLERK_PLOVDIV))
    ok(
        api.post(
            f"/api/v1/events/{event['id']}/check-in/{seats[1]['id']}", json={"present": True}, headers=CLERK_PLOVDIV
        )
    )
    ok(api.post(f"/api/v1/events/{event['id']}/attendance", json={"visitors": 350}, headers=CLERK_PLOVDIV))
    bad = ok(api.post(f"/api/v1/exhibitors/{applied['id']}/report", json={"contacts": -1}, headers=rep), 422)
    assert set(bad["fields"]) == {"contacts"}
    ok(
        api.post(
            f"/api/v1/exhibitors/{applied['id']}/report", json={"contacts": 14, "sales_cents": 48_050}, headers=rep
        )
    )
    reported = ok(api.post(f"/api/v1/events/{event['id']}/report", headers=CLERK_PLOVDIV))
    assert reported["status"] == "reported"
    assert {
        k: reported["report"][k]
        for k in ("exhibitors", "contacts", "sales_cents", "registered_visitors", "checked_in", "attendance")
    } == {
        "exhibitors": 1,
        "contacts": 14,
        "sales_cents": 48_050,
        "registered_visitors": 2,
        "checked_in": 1,
        "attendance": 350,
    }
    period = ok(
        api.get(
            "/api/v1/reports?organiser=plovdiv&since=2027-01-01T00:00&until=2028-01-01T00:00", headers=CLERK_PLOVDIV
        )
    )
    assert (period["events_held"], period["exhibitors"], period["visitors"], period["sales_cents"]) == (
        1,
        1,
        350,
        48_050,
    )
    assert ok(
        api.get("/api/v1/reports?organiser=plovdiv&since=2027-01-01T00:00&until=2028-01-01T00:00", headers=CLERK_VARNA),
        403,
    )
    rows = ok(api.get("/api/v1/events/past.json"))["items"]
    assert [(r["id"], r["visitors"], r["sales_cents"]) for r in rows] == [(event["id"], 350, 48_050)]
    csv = api.get("/api/v1/events/past.csv").get_data(as_text=True)
    assert "480,50" in csv and "Лятно изложение" in csv
    assert outbox_types(events_db, "events") == ["events.EventPublished", "events.EventHeld", "events.EventReported"]
    assert "events.ExhibitorSelected" in outbox_types(events_db, "exhibitors")


def run_at_once(calls: list[Callable[[], Any]]) -> tuple[list[Any], list[AppError]]:
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[AppError] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            result = call()
            with lock:
                results.append(result)
        except AppError as error:
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def published_forum(api: FlaskClient, capacity: int) -> str:
    body = fair(
        kind="forum",
        title_bg="Форум на социалната икономика",
        visitor_capacity=capacity,
        stands=[],
        exhibitor_window=None,
    )
    event = ok(api.post("/api/v1/events", json=body, headers=CLERK_PLOVDIV), 201)
    ok(api.post(f"/api/v1/events/{event['id']}/publish", headers=CLERK_PLOVDIV))
    return event["id"]


def test_simultaneous_registrations_never_take_more_seats_than_there_are(
    api: FlaskClient, service: EventsService, events_db: Database
) -> None:
    event_id = published_forum(api, 10)
    people = [
        Principal(f"p{i}", frozenset({Role.BUYER}), email=f"person{i}@example.bg", email_verified=True)
        for i in range(30)
    ]
    results, errors = run_at_once([lambda p=p: service.register(p, event_id, "Гост") for p in people])
    assert errors == []
    states = sorted(r.state.value for r in results)
    assert states.count("registered") == 10 and states.count("waiting") == 20
    places = service.seats.ledger.get(event_id)
    assert places is not None and len(places.holders) == 10 and len(places.waiting) == 20
    stored = {d["_id"]: d["state"] for d in events_db["registrations"].find()}
    assert sorted(stored.values()).count("registered") == 10
    assert {k for k, v in stored.items() if v == "registered"} == set(places.holders)
    waiting = [d["waiting_position"] for d in events_db["registrations"].find({"state": "waiting"})]
    assert sorted(waiting) == list(range(1, 21))
    # Ten cancel at once: the first ten waiting take their seats, never more.
    by_registration = {registration_id(event_id, p.email): p for p in people}
    _, errors = run_at_once(
        [lambda p=by_registration[r]: service.cancel_registration(p, event_id) for r in places.holders]
    )
    assert errors == []
    after = service.seats.ledger.get(event_id)
    assert after is not None and after.holders == places.waiting[:10] and after.waiting == places.waiting[10:]
    assert events_db["registrations"].count_documents({"state": "registered"}) == 10


def test_one_stand_given_at_the_same_moment_to_eight_exhibitors_goes_to_one(
    api: FlaskClient, service: EventsService
) -> None:
    event = ok(api.post("/api/v1/events", json=fair(), headers=CLERK_PLOVDIV), 201)
    ok(api.post(f"/api/v1/events/{event['id']}/publish", headers=CLERK_PLOVDIV))
    applied = []
    for i in range(8):
        enterprise = known_enterprise(service, f"Предприятие {i}")
        rep = Principal(f"rep{i}", frozenset({Role.REPRESENTATIVE}), enterprise_id=enterprise)
        applied.append(service.apply(rep, event["id"], []))
    clerk = Principal("clerk", frozenset({Role.CLERK}), centre="plovdiv")
    results, errors = run_at_once([lambda a=a: service.select(clerk, a.id, "A1") for a in applied])
    assert len(results) == 1 and len(errors) == 7
    assert all(e.code == "stand_taken" for e in errors)
    assert service.stands.held(event["id"]) == {"A1": results[0].id}
    assert [e.id for e in service.exhibitors.of_event(event["id"], ["selected"])] == [results[0].id]


def test_one_hall_booked_at_the_same_moment_for_six_events_holds_one(
    service: EventsService, events_db: Database
) -> None:
    clerk = Principal("clerk", frozenset({Role.CLERK}), centre="burgas")
    start = datetime(2027, 7, 1, 7, 0, tzinfo=UTC)

    def plan(i: int) -> Plan:
        return Plan(
            kind=Kind.BAZAAR,
            organiser="burgas",
            title_bg=f"Базар {i}",
            description_bg="Базар на социалните предприятия.",
            venue=Venue(VenueKind.HALL, centre="burgas"),
            starts_at=start + timedelta(hours=i),
            ends_at=start + timedelta(hours=i + 8),
            visitor_capacity=None,
        )

    results, errors = run_at_once([lambda i=i: service.create(clerk, plan(i)) for i in range(6)])
    assert len(results) == 1 and len(errors) == 5
    assert all(results[0].title_bg in e.message.bg for e in errors)
    assert [e.title_bg for e in service.events.query({}, 10)] == [results[0].title_bg]
    assert len(events_db["venue_bookings"].find_one({"_id": "hall:burgas|2027-07-01"})["bookings"]) == 1


def test_an_enterprise_deleted_from_the_register_is_withdrawn_from_upcoming_fairs(
    api: FlaskClient, service: EventsService, events_db: Database
) -> None:
    event = ok(api.post("/api/v1/events", json=fair(), headers=CLERK_PLOVDIV), 201)
    ok(api.post(f"/api/v1/events/{event['id']}/publish", headers=CLERK_PLOVDIV))
    bakery = known_enterprise(service)
    rep = token("rep-bakery", Role.REPRESENTATIVE, enterprise_id=bakery)
    applied = ok(api.post(f"/api/v1/events/{event['id']}/exhibitors", json={"listings": []}, headers=rep), 201)
    ok(api.post(f"/api/v1/exhibitors/{applied['id']}/selection", json={"stand": "A2"}, headers=CLERK_PLOVDIV))
    deleted = registry_event(service, bakery, "Пекарна Добро", "deleted", "registry.EnterpriseDeleted", 5)
    withdrawn = ok(api.get(f"/api/v1/exhibitors/{applied['id']}", headers=rep))
    assert (withdrawn["state"], withdrawn["withdrawn_by"], withdrawn["stand"]) == ("withdrawn", "register", None)
    assert "заличено" in withdrawn["reason"]
    assert service.stands.held(event["id"]) == {}
    assert ok(api.get(f"/api/v1/events/{event['id']}/exhibitors"))["items"] == []
    service.apply_registry_event(deleted, deleted.payload)  # redelivered: nothing more
    assert outbox_types(events_db, "exhibitors").count("events.ExhibitorWithdrawn") == 1
    # An older event does not bring it back, and it cannot apply again.
    registry_event(service, bakery, "Пекарна Добро", "active", "registry.EnterpriseRenewed", 4)
    again = ok(api.post(f"/api/v1/events/{event['id']}/exhibitors", json={"listings": []}, headers=rep), 422)
    assert set(again["fields"]) == {"enterprise_id"}


def test_the_openapi_document_shows_every_operation_with_its_policy(api: FlaskClient) -> None:
    document = ok(api.get("/openapi.json"))
    operations = [op for path in document["paths"].values() for op in path.values() if isinstance(op, dict)]
    assert len(operations) >= 30
    assert all("x-policy" in op for op in operations), [
        op.get("operationId") for op in operations if "x-policy" not in op
    ]
    assert document["paths"]["/api/v1/events/{event_id}/registration"]["post"]["x-policy"]["roles"] != ["public"]
    assert ok(api.post("/api/v1/events", json=fair()), 401)
    buyer = token("buyer", Role.BUYER, email="b@example.bg")
    assert ok(api.post("/api/v1/events", json=fair(), headers=buyer), 403)
