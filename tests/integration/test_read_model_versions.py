"""Read models never move backwards, and a rebuild makes them what the topic says, over real Kafka and FerretDB.

A dead letter replayed (or an event redelivered) arrives after newer events of its enterprise: the
marketplace's sellers and training's enterprises apply an event only if it is not older than the
one they hold (``aggregate_version``). A rebuild reads the topic from the beginning into a fresh
collection and copies it over the live one. Each test reads a scratch topic, so other tests' events never interfere.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.marketplace.adapters.sellers import MongoSellers
from services.marketplace.entrypoints.consumer import RegisterFollower
from services.marketplace.entrypoints.rebuild import rebuild_sellers
from services.marketplace.events.registry import CONSUMED as MARKETPLACE_READS
from services.registry.events.schemas import REGISTRY_EVENTS
from services.training.adapters.enterprises import ENTERPRISES, MongoEnterprises
from services.training.entrypoints.rebuild import rebuild_enterprises
from services.training.events.registry import CONSUMED as TRAINING_READS
from shared.consumer import ConsumerRunner
from shared.consumer.runner import Handler
from shared.events import Envelope, EventCatalog
from shared.kafka import make_producer
from shared.localinfra import Infrastructure
from shared.rebuild import FRESH_SUFFIX, rebuild_collection
from shared.runtime import StopSignal
from tests.integration.marketplace_api import published_listing, representative_of
from tests.polling import wait_until

pytestmark = pytest.mark.integration


def on_topic(catalog: EventCatalog, topic: str) -> EventCatalog:
    """The same event types and schemas, read from a scratch topic."""
    return EventCatalog([dataclasses.replace(event_type, topic=topic) for event_type in catalog])


def registry_event(event_name: str, enterprise_id: str, version: int, **payload: Any) -> Envelope:
    """A registry event like the golden example, for ``enterprise_id`` at the enterprise's ``version``."""
    base = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get(f"registry.{event_name}", 1))
    return dataclasses.replace(
        base,
        event_id=str(uuid.uuid4()),
        aggregate_id=enterprise_id,
        aggregate_version=version,
        payload=base.payload | {"enterprise_id": enterprise_id} | payload,
    )


def publish(infra: Infrastructure, topic: str, *events: Envelope) -> None:
    producer = make_producer(infra.kafka_bootstrap, "test-registry")
    for envelope in events:
        producer.send(topic, key=envelope.aggregate_id, value=envelope.to_dict())
    producer.flush()
    producer.close()


class Consumer:
    """The consumer loop as the services run it, in its own group, polled by the test."""

    def __init__(self, infra: Infrastructure, catalog: EventCatalog, handlers: Mapping[str, Handler]) -> None:
        self._dlq = make_producer(infra.kafka_bootstrap, "test-dlq")
        self._runner = ConsumerRunner(
            bootstrap_servers=infra.kafka_bootstrap,
            group_id=f"read-model-test-{uuid.uuid4().hex[:8]}",
            catalog=catalog,
            handlers=handlers,
            dlq_producer=self._dlq,
            stop=StopSignal(install_handlers=False),
            consumer_overrides={"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000},
        )

    def handle(self, count: int) -> None:
        seen = [0]

        def handled_all() -> bool:
            seen[0] += self._runner.poll_once(timeout_ms=300)
            return seen[0] >= count

        wait_until(handled_all, f"{count} registry events handled", timeout=60)

    def close(self) -> None:
        self._runner.close()
        self._dlq.close()


def search_total(client: FlaskClient, query: str) -> int:
    response = client.get("/api/v1/listings", query_string={"q": query})
    assert response.status_code == 200, response.json
    return response.json["total"]


def test_an_older_event_replayed_after_the_deletion_leaves_the_seller_deleted_and_its_listing_paused(
    infra: Infrastructure, topic: str, market: FlaskClient, market_db: Database
) -> None:
    context = market.application.extensions["marketplace"]
    follower = RegisterFollower(MongoSellers(market_db), context.listings, deals=context.deals)
    catalog = on_topic(MARKETPLACE_READS, topic)
    consumer = Consumer(infra, catalog, {event_type.name: follower for event_type in catalog})
    seller = str(uuid.uuid4())
    registered = registry_event("EnterpriseRegistered", seller, 3, status="active")
    # Read while the consumer refused it (say, before a fix) and dead-lettered: never applied.
    updated = registry_event("EnterpriseUpdated", seller, 5, status="active", name="Кооперация „Старо име“")
    deleted = registry_event("EnterpriseDeleted", seller, 7, status="deleted")
    try:
        publish(infra, topic, registered)
        consumer.handle(1)
        listing = published_listing(market, seller)
        assert search_total(market, "med") == 1

        publish(infra, topic, deleted)
        consumer.handle(1)
        assert search_total(market, "med") == 0

        # The dead letter and the registration are replayed: appended to the topic after the deletion.
        publish(infra, topic, updated, registered)
        consumer.handle(2)
    finally:
        consumer.close()

    assert search_total(market, "med") == 0
    assert market.get(f"/api/v1/listings/{listing['id']}").status_code == 404
    seen_by_seller = market.get(f"/api/v1/listings/{listing['id']}", headers=representative_of(seller)).json
    assert (seen_by_seller["status"], seen_by_seller["pause_reason"]) == ("paused", "register")
    stored = MongoSellers(market_db).get(seller)
    assert stored is not None and stored.register_status == "deleted" and not stored.in_good_standing
    assert market_db.sellers.find_one({"_id": seller})["aggregate_version"] == 7


def test_an_older_event_replayed_after_the_deletion_leaves_training_s_enterprise_deleted(
    infra: Infrastructure, topic: str, db: Database
) -> None:
    enterprises = MongoEnterprises(db)
    catalog = on_topic(TRAINING_READS, topic)
    consumer = Consumer(infra, catalog, {event_type.name: enterprises.apply_registry_event for event_type in catalog})
    enterprise = str(uuid.uuid4())
    registered = registry_event("EnterpriseRegistered", enterprise, 3, status="active")
    updated = registry_event("EnterpriseUpdated", enterprise, 5, status="active", name="Старо име")
    deleted = registry_event("EnterpriseDeleted", enterprise, 7, status="deleted")
    try:
        publish(infra, topic, registered, deleted)
        consumer.handle(2)
        publish(infra, topic, updated, registered)  # replayed after the deletion
        consumer.handle(2)
    finally:
        consumer.close()

    stored = enterprises.get(enterprise)
    assert stored is not None and stored.register_status == "deleted" and not stored.active
    assert stored.name == deleted.payload["name"]


def test_events_without_a_version_still_apply_in_order_until_a_versioned_one_arrives(db: Database) -> None:
    enterprises = MongoEnterprises(db)
    enterprise = str(uuid.uuid4())
    first = registry_event("EnterpriseRegistered", enterprise, 0, status="active", name="Първо")
    later = registry_event("EnterpriseUpdated", enterprise, 0, status="active", name="Второ")
    assert Envelope.from_dict({k: v for k, v in first.to_dict().items() if k != "aggregate_version"}) == first

    assert enterprises.apply_registry_event(first, first.payload)
    assert enterprises.apply_registry_event(later, later.payload)
    assert enterprises.get(enterprise).name == "Второ"

    versioned = registry_event("EnterpriseDeleted", enterprise, 4, status="deleted")
    assert enterprises.apply_registry_event(versioned, versioned.payload)
    stale = registry_event("EnterpriseUpdated", enterprise, 0, status="active", name="Трето")
    assert not enterprises.apply_registry_event(stale, stale.payload)
    assert enterprises.get(enterprise).register_status == "deleted"


def test_rebuilding_the_sellers_restores_what_the_register_says_and_realigns_their_listings(
    infra: Infrastructure, topic: str, market: FlaskClient, market_db: Database
) -> None:
    context = market.application.extensions["marketplace"]
    sellers = MongoSellers(market_db)
    follower = RegisterFollower(sellers, context.listings, deals=context.deals)
    catalog = on_topic(MARKETPLACE_READS, topic)
    consumer = Consumer(infra, catalog, {event_type.name: follower for event_type in catalog})
    renamed, left = str(uuid.uuid4()), str(uuid.uuid4())
    try:
        publish(infra, topic, registry_event("EnterpriseRegistered", left, 3, status="active"))
        consumer.handle(1)
        listing = published_listing(market, left)
        publish(
            infra,
            topic,
            registry_event("EnterpriseRegistered", renamed, 3, status="active", name="Първо име"),
            registry_event("EnterpriseUpdated", renamed, 4, status="active", name="Шивашка кооперация „Игла“"),
            registry_event("EnterpriseDeleted", left, 8, status="deleted"),
        )
        consumer.handle(3)
    finally:
        consumer.close()
    assert search_total(market, "med") == 0

    # The read model goes wrong (a bug, a bad restore): the deleted seller is back, a name is lost,
    # a seller no event ever named appears, and the listing is public again.
    market_db.sellers.update_one({"_id": left}, {"$set": {"register_status": "active"}})
    market_db.sellers.update_one({"_id": renamed}, {"$set": {"name": "Грешно име"}})
    market_db.sellers.insert_one({**market_db.sellers.find_one({"_id": renamed}), "_id": "ghost"})
    context.listings.follow_seller(sellers.get(left))
    assert search_total(market, "med") == 1

    report, realigned = rebuild_sellers(market_db, infra.kafka_bootstrap, catalog)

    assert (report.events_read, report.events_applied, report.documents) == (4, 4, 2)
    assert sellers.get(renamed).name == "Шивашка кооперация „Игла“"
    assert sellers.get(left).register_status == "deleted"
    assert sellers.get("ghost") is None
    assert market_db.list_collection_names(filter={"name": {"$regex": "_rebuild$"}}) == []
    assert search_total(market, "med") == 0
    seen_by_seller = market.get(f"/api/v1/listings/{listing['id']}", headers=representative_of(left)).json
    assert (seen_by_seller["status"], seen_by_seller["pause_reason"]) == ("paused", "register")
    assert realigned == 1


def test_rebuilding_training_s_enterprises_from_the_topic_and_a_new_group_alone_would_not(
    infra: Infrastructure, topic: str, db: Database
) -> None:
    enterprises = MongoEnterprises(db)
    catalog = on_topic(TRAINING_READS, topic)
    handlers = {event_type.name: enterprises.apply_registry_event for event_type in catalog}
    enterprise = str(uuid.uuid4())
    events = [
        registry_event("EnterpriseRegistered", enterprise, 3, status="active", centre="varna"),
        registry_event("EnterpriseDeleted", enterprise, 6, status="deleted", centre="varna"),
    ]
    publish(infra, topic, *events)
    consumer = Consumer(infra, catalog, handlers)
    try:
        consumer.handle(2)
    finally:
        consumer.close()
    db.enterprises.update_one({"_id": enterprise}, {"$set": {"register_status": "active", "centre": "gabrovo"}})

    again = Consumer(infra, catalog, handlers)  # a new group reads the topic again...
    try:
        again.handle(2)
    finally:
        again.close()
    assert enterprises.get(enterprise).active  # ...and changes nothing: the document holds the applied ids

    report = rebuild_enterprises(db, infra.kafka_bootstrap, catalog)

    assert (report.events_read, report.documents) == (2, 1)
    stored = enterprises.get(enterprise)
    assert (stored.register_status, stored.centre, stored.active) == ("deleted", "varna", False)


def test_an_event_the_live_consumer_applies_during_a_rebuild_survives_the_copy(
    infra: Infrastructure, topic: str, db: Database
) -> None:
    live = MongoEnterprises(db)
    catalog = on_topic(TRAINING_READS, topic)
    enterprise = str(uuid.uuid4())
    registered = registry_event("EnterpriseRegistered", enterprise, 3, status="active")
    publish(infra, topic, registered)
    live.apply_registry_event(registered, registered.payload)
    # While the rebuild reads the topic, the registry deletes the enterprise and the running consumer
    # applies the deletion to the live collection, past the end the rebuild is reading up to.
    deleted = registry_event("EnterpriseDeleted", enterprise, 9, status="deleted")
    arrived: list[Envelope] = []

    def apply_to(collection: str) -> Handler:
        target = MongoEnterprises(db, collection)

        def apply(envelope: Envelope, payload: dict[str, Any]) -> bool:
            if collection.endswith(FRESH_SUFFIX) and not arrived:
                arrived.append(deleted)
                publish(infra, topic, deleted)
                live.apply_registry_event(deleted, deleted.payload)
            return target.apply_registry_event(envelope, payload)

        return apply

    report = rebuild_collection(
        db,
        ENTERPRISES,
        bootstrap_servers=infra.kafka_bootstrap,
        catalog=catalog,
        apply_to=apply_to,
        client_id="test-rebuild",
    )

    assert live.get(enterprise).register_status == "deleted"
    assert db.enterprises.find_one({"_id": enterprise})["aggregate_version"] == 9
    assert (report.events_read, report.caught_up) == (2, 1)
