"""The events consumer over real Kafka and FerretDB: the register's enterprises and the marketplace's listings
applied once each and never moved back by a replayed older event; an exhibitor deleted from the register is
withdrawn from an upcoming fair once (its stand freed, the withdrawal published for notifications), and a
paused listing leaves the fair's public page."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.database import Database

from services.events.adapters.repository import ENTERPRISES, EXHIBITORS, LISTINGS
from services.events.domain.event import Kind, Plan, Stand, Window
from services.events.domain.venue import Venue, VenueKind
from services.events.entrypoints.wiring import build
from services.events.events.consumed import CONSUMED, ENTERPRISE_TYPES, LISTING_TYPES
from services.marketplace.events.catalog import MARKETPLACE_EVENTS
from shared.auth import Principal, Role
from shared.clock import FixedClock
from shared.events import Envelope, EventCatalog
from shared.kafka import ensure_topics
from shared.localinfra import Infrastructure
from tests.integration.test_read_model_versions import Consumer, publish, registry_event

pytestmark = pytest.mark.integration

NOW = datetime(2027, 5, 3, 9, 0, tzinfo=UTC)
CLERK = Principal("clerk-gabrovo", frozenset({Role.CLERK}), centre="gabrovo")


def listing_event(kind: str, listing_id: str, seller: str, version: int, status: str) -> Envelope:
    base = MARKETPLACE_EVENTS.example(MARKETPLACE_EVENTS.get(f"marketplace.{kind}", 1))
    return dataclasses.replace(
        base,
        event_id=str(uuid.uuid4()),
        aggregate_id=listing_id,
        aggregate_version=version,
        payload=base.payload
        | {"listing_id": listing_id, "seller_id": seller, "title_bg": "Керамична купа", "status": status},
    )


def test_an_exhibitor_deleted_from_the_register_is_withdrawn_from_an_upcoming_fair_once(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]]
) -> None:
    listings_topic = f"test-{uuid.uuid4().hex[:10]}"
    ensure_topics(infra.kafka_bootstrap, [listings_topic], partitions=3)
    service = build(db, FixedClock(NOW))
    catalog = EventCatalog(
        [
            *(dataclasses.replace(t, topic=topic) for t in ENTERPRISE_TYPES),
            *(dataclasses.replace(t, topic=listings_topic) for t in LISTING_TYPES),
        ]
    )
    assert {t.name for t in catalog} == {t.name for t in CONSUMED}
    handlers: dict[str, Any] = {t.name: service.apply_registry_event for t in ENTERPRISE_TYPES}
    handlers.update({t.name: service.apply_listing_event for t in LISTING_TYPES})
    consumer = Consumer(infra, catalog, handlers)
    potters, bowl = str(uuid.uuid4()), str(uuid.uuid4())
    registered = registry_event("EnterpriseRegistered", potters, 3, status="active", name="Грънчарска работилница")
    deleted = registry_event("EnterpriseDeleted", potters, 7, status="deleted", name="Грънчарска работилница")
    published = listing_event("ListingPublished", bowl, potters, 1, "published")
    paused = listing_event("ListingPaused", bowl, potters, 2, "paused")

    starts = NOW + timedelta(days=30)
    plan = Plan(
        kind=Kind.FAIR,
        organiser="gabrovo",
        title_bg="Коледен базар в Габрово",
        description_bg="Подаръци от социалните предприятия.",
        venue=Venue(VenueKind.HALL, centre="gabrovo"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=8),
        visitor_capacity=None,
        stands=(Stand("B1", 200, 200),),
        exhibitor_window=Window(NOW, starts - timedelta(days=3)),
    )
    fair = service.publish(CLERK, service.create(CLERK, plan).id)
    try:
        publish(infra, topic, registered)
        publish(infra, listings_topic, published)
        consumer.handle(2)
        rep = Principal("rep-potters", frozenset({Role.REPRESENTATIVE}), enterprise_id=potters)
        exhibitor = service.select(CLERK, service.apply(rep, fair.id, [bowl]).id, "B1")
        assert [p["title_bg"] for e in service.public_exhibitors(fair.id) for p in e["products"]] == ["Керамична купа"]
        publish(infra, listings_topic, paused, published)  # paused, then an older event replayed
        publish(infra, topic, deleted)
        consumer.handle(3)
        # The deletion and the registration delivered again: nothing more happens.
        publish(infra, topic, deleted, registered)
        consumer.handle(2)
    finally:
        consumer.close()

    withdrawn = service.exhibitors.get(exhibitor.id)
    assert (withdrawn.state.value, withdrawn.withdrawn_by.value if withdrawn.withdrawn_by else None) == (
        "withdrawn",
        "register",
    )
    assert service.stands.held(fair.id) == {}
    assert service.public_exhibitors(fair.id) == []
    outbox = [e["envelope"] for e in db[EXHIBITORS].find_one({"_id": exhibitor.id})["outbox"]]
    assert [e["event_type"] for e in outbox].count("events.ExhibitorWithdrawn") == 1
    assert outbox[-1]["payload"]["enterprise_id"] == potters and "заличено" in outbox[-1]["payload"]["reason"]
    assert db[ENTERPRISES].find_one({"_id": potters})["status"] == "deleted"
    assert db[LISTINGS].find_one({"_id": bowl})["status"] == "paused"
