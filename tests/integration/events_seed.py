"""What the events service's API suites share: a fair weeks ahead at Plovdiv's hall with stands and seats,
and an enterprise and its published listing as events-consumer would have recorded them from the register's
and the marketplace's events."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from pymongo.database import Database

from services.events.entrypoints.wiring import build
from services.marketplace.events.catalog import MARKETPLACE_EVENTS
from services.registry.events.schemas import REGISTRY_EVENTS


def sofia(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes")


def events_fair(days_ahead: int = 40, **changes: Any) -> dict[str, Any]:
    """A fair of Plovdiv's centre ``days_ahead`` days from today (Sofia wall-clock times), registration open."""
    starts = datetime.combine(date.today() + timedelta(days=days_ahead), time(10))
    opens = datetime.combine(date.today() - timedelta(days=1), time(9))
    body: dict[str, Any] = {
        "kind": "fair",
        "organiser": "plovdiv",
        "title_bg": "Есенно изложение на социалните предприятия",
        "description_bg": "Продукти и услуги на социалните предприятия от Южен централен район.",
        "venue": {"kind": "hall", "centre": "plovdiv"},
        "starts_at": sofia(starts),
        "ends_at": sofia(starts + timedelta(hours=8)),
        "visitor_capacity": 20,
        "stands": [
            {"code": "A1", "width_cm": 300, "depth_cm": 200, "price_cents": 5000},
            {"code": "A2", "width_cm": 300, "depth_cm": 200},
        ],
        "exhibitor_window": {"opens_at": sofia(opens), "closes_at": sofia(starts - timedelta(days=2))},
        "visitor_window": {"opens_at": sofia(opens), "closes_at": sofia(starts - timedelta(hours=1))},
    }
    return body | changes


def seed_events_enterprise(db: Database[dict[str, Any]], enterprise_id: str, name: str = "Пекарна Добро") -> None:
    """An enterprise active in the register, as events-consumer records it."""
    base = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get("registry.EnterpriseRegistered", 1))
    payload = base.payload | {"enterprise_id": enterprise_id, "name": name, "status": "active"}
    envelope = dataclasses.replace(base, event_id=str(uuid.uuid4()), aggregate_id=enterprise_id, payload=payload)
    build(db).apply_registry_event(envelope, payload)


def seed_events_listing(db: Database[dict[str, Any]], seller_id: str, title: str = "Мед от липа") -> str:
    """A published listing of ``seller_id``, as events-consumer records it; its id."""
    base = MARKETPLACE_EVENTS.example(MARKETPLACE_EVENTS.get("marketplace.ListingPublished", 1))
    listing_id = str(uuid.uuid4())
    payload = base.payload | {
        "listing_id": listing_id,
        "seller_id": seller_id,
        "title_bg": title,
        "status": "published",
    }
    envelope = dataclasses.replace(base, event_id=str(uuid.uuid4()), aggregate_id=listing_id, payload=payload)
    build(db).apply_listing_event(envelope, payload)
    return listing_id
