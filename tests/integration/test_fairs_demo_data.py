"""The events demo data for ``make run``, against real FerretDB: events at every centre in several states,
visitors holding seats and waiting, and, once the register's enterprises and the marketplace's listings are
known, exhibitors selected for stands with their products and one waiting."""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo.database import Database

from services.events.entrypoints.demo_data import demo_events, demo_exhibitors, demo_visitors
from services.events.entrypoints.wiring import build
from services.marketplace.events.catalog import MARKETPLACE_EVENTS
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.bg.geography import geography
from shared.clock import FixedClock

pytestmark = pytest.mark.integration

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


def known_seller(service: Any, n: int) -> str:
    enterprise_id = str(uuid.uuid4())
    base = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get("registry.EnterpriseRegistered", 1))
    payload = base.payload | {"enterprise_id": enterprise_id, "name": f"Предприятие {n}", "status": "active"}
    service.apply_registry_event(dataclasses.replace(base, event_id=str(uuid.uuid4()), payload=payload), payload)
    example = MARKETPLACE_EVENTS.example(MARKETPLACE_EVENTS.get("marketplace.ListingPublished", 1))
    listing_id = str(uuid.uuid4())
    body = example.payload | {"listing_id": listing_id, "seller_id": enterprise_id, "title_bg": f"Продукт {n}"}
    service.apply_listing_event(dataclasses.replace(example, event_id=str(uuid.uuid4()), payload=body), body)
    return enterprise_id


def test_demo_data_holds_events_at_every_centre_in_several_states(db: Database[dict[str, Any]]) -> None:
    service = build(db, FixedClock(NOW))
    made = demo_events(service)
    for n in range(24):
        known_seller(service, n)
    assert demo_visitors(service, made["forums"]) == 45
    states = demo_exhibitors(service, made["fairs"], seconds=0)

    every = service.events.query({}, 100)
    by_centre = {
        centre: Counter(e.status.value for e in every if e.plan.organiser == centre) for centre in geography().centres
    }
    for centre, counted in by_centre.items():
        assert counted["published"] >= 2 and counted["reported"] == 1, (centre, counted)
    assert {s for c in by_centre.values() for s in c} == {"draft", "published", "rescheduled", "cancelled", "reported"}
    assert [e.venue.kind.value for e in every if e.plan.organiser == "national"] == ["online"]
    seats = [service.seats.ledger.get(f.id) for f in made["forums"]]
    assert all(p is not None and len(p.holders) == 6 and len(p.waiting) >= 1 for p in seats)
    assert states == {"selected": 18, "waiting": 6}
    fair = made["fairs"][0]
    shown = service.public_exhibitors(fair.id)
    assert len(shown) == 3 and all(e["products"] for e in shown)
    reported = [service.event_report(e) for e in made["held"]]
    assert all(r.attendance and r.attendance >= 120 for r in reported)
