"""Rebuilding the events service's read models (``events-rebuild-enterprises``, ``events-rebuild-listings``)
over real Kafka and FerretDB: the enterprises and listings become what the topics say, and an exhibitor of an
enterprise the register deleted is withdrawn from the upcoming fair even though the live consumer never
applied the deletion (the read model restored from a backup taken before it)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest
from pymongo.database import Database

from services.events.entrypoints.api.context import EXTENSION
from services.events.entrypoints.app import create_app
from services.events.entrypoints.rebuild import (
    ENTERPRISE_EVENTS,
    LISTING_EVENTS,
    rebuild_enterprises,
    rebuild_listings,
)
from services.events.entrypoints.wiring import build
from services.marketplace.events.catalog import MARKETPLACE_EVENTS
from shared.auth import Role
from shared.events import Envelope
from shared.kafka import ensure_topics
from shared.localinfra import Infrastructure
from tests.integration.events_seed import events_fair
from tests.integration.registry_api import token
from tests.integration.test_read_model_versions import Consumer, on_topic, publish, registry_event

pytestmark = pytest.mark.integration

CLERK = token("clerk-plovdiv", Role.CLERK, centre="plovdiv")


def listing_event(event_name: str, listing_id: str, seller_id: str, version: int, **payload: Any) -> Envelope:
    base = MARKETPLACE_EVENTS.example(MARKETPLACE_EVENTS.get(f"marketplace.{event_name}", 1))
    fields = {"listing_id": listing_id, "seller_id": seller_id, "title_bg": "Мед от липа", "status": "published"}
    return dataclasses.replace(
        base,
        event_id=str(uuid.uuid4()),
        aggregate_id=listing_id,
        aggregate_version=version,
        payload=base.payload | fields | payload,
    )


def test_rebuilding_enterprises_and_listings_from_the_topics_withdraws_a_deleted_exhibitor(
    infra: Infrastructure, topic: str, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    listings_topic = f"test-{uuid.uuid4().hex[:10]}"
    ensure_topics(infra.kafka_bootstrap, [listings_topic], partitions=3)
    enterprises_read, listings_read = on_topic(ENTERPRISE_EVENTS, topic), on_topic(LISTING_EVENTS, listings_topic)
    service = build(db)
    handlers = {t.name: service.apply_registry_event for t in enterprises_read}
    handlers |= {t.name: service.apply_listing_event for t in listings_read}

    enterprise, honey, jam = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    publish(infra, topic, registry_event("EnterpriseRegistered", enterprise, 3, status="active", name="Пчелна"))
    publish(
        infra,
        listings_topic,
        listing_event("ListingPublished", honey, enterprise, 1),
        listing_event("ListingPublished", jam, enterprise, 1, title_bg="Сладко от смокини"),
    )
    consumer = Consumer(infra, on_topic(ENTERPRISE_EVENTS, topic), handlers)
    listings_consumer = Consumer(infra, listings_read, handlers)
    try:
        consumer.handle(1)
        listings_consumer.handle(2)
    finally:
        consumer.close()
        listings_consumer.close()

    monkeypatch.setenv("MONGODB_URI", infra.mongodb_uri)
    monkeypatch.setenv("EVENTS_MONGODB_DATABASE", db.name)
    app = create_app()
    app.extensions[EXTENSION] = service
    api = app.test_client()
    representative = token("rep-pchelna", Role.REPRESENTATIVE, enterprise_id=enterprise)
    fair = api.post("/api/v1/events", json=events_fair(), headers=CLERK).json["id"]
    assert api.post(f"/api/v1/events/{fair}/publish", headers=CLERK).status_code == 200
    applied = api.post(f"/api/v1/events/{fair}/exhibitors", json={"listings": [honey, jam]}, headers=representative)
    assert applied.status_code == 201, applied.json
    exhibitor = applied.json["id"]
    selected = api.post(f"/api/v1/exhibitors/{exhibitor}/selection", json={"stand": "A1"}, headers=CLERK)
    assert selected.status_code == 200, selected.json

    # The register deletes the enterprise and the marketplace archives the jam, but the read models were
    # restored from a backup taken before (the consumer's offsets are past those events: it never applies
    # them); the backup also holds a listing no event names and a wrong title.
    publish(infra, topic, registry_event("EnterpriseDeleted", enterprise, 6, status="deleted", name="Пчелна"))
    publish(infra, listings_topic, listing_event("ListingArchived", jam, enterprise, 2, status="archived"))
    db.listings.update_one({"_id": honey}, {"$set": {"title_bg": "Грешно заглавие"}})
    db.listings.insert_one({**db.listings.find_one({"_id": honey}), "_id": "ghost"})
    page = api.get(f"/api/v1/events/{fair}/exhibitors").json["items"]
    assert [p["enterprise_id"] for p in page] == [enterprise], "the deleted enterprise still shows at the fair"

    report, withdrawn = rebuild_enterprises(db, infra.kafka_bootstrap, enterprises_read)
    listings_report = rebuild_listings(db, infra.kafka_bootstrap, listings_read)

    assert (report.events_read, report.documents, withdrawn) == (2, 1, 1)
    assert (listings_report.events_read, listings_report.documents) == (3, 2)
    assert db.enterprises.find_one({"_id": enterprise})["status"] == "deleted"
    assert db.listings.find_one({"_id": "ghost"}) is None
    assert db.listings.find_one({"_id": honey})["title_bg"] == "Мед от липа"
    assert db.listings.find_one({"_id": jam})["status"] == "archived"
    seen = api.get(f"/api/v1/exhibitors/{exhibitor}", headers=representative).json
    assert (seen["state"], seen["withdrawn_by"], seen["stand"]) == ("withdrawn", "register", None)
    assert api.get(f"/api/v1/events/{fair}/exhibitors").json["items"] == []
    outbox = [e["envelope"]["event_type"] for e in db.exhibitors.find_one({"_id": exhibitor})["outbox"]]
    assert outbox.count("events.ExhibitorWithdrawn") == 1, outbox
    assert db.list_collection_names(filter={"name": {"$regex": "_rebuild$"}}) == []
    _, again = rebuild_enterprises(db, infra.kafka_bootstrap, enterprises_read)
    assert again == 0, "a second rebuild withdraws nothing more"
