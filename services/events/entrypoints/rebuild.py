"""Rebuilding the events service's read models from their topics (``events-rebuild-enterprises``,
``events-rebuild-listings``).

Each is filled afresh from the beginning of its topic and copied over the live one (see shared.rebuild):
the enterprises from ``registry.enterprise.v1`` (then every exhibitor of an enterprise no longer active is
withdrawn from the upcoming events, as the consumer does when the register deletes it), the listings from
``marketplace.listing.v1`` (an event's page shows only the published ones). The runbook: deploy/README.md,
"Rebuilding a read model".
"""

from __future__ import annotations

import argparse

from pymongo.database import Database

from services.events.adapters.repository import ENTERPRISES, LISTINGS, MongoEnterprises, MongoListings
from services.events.config import SERVICE
from services.events.entrypoints.wiring import build
from services.events.events.consumed import ENTERPRISE_TYPES, LISTING_TYPES
from shared.events import EventCatalog
from shared.rebuild import RebuildReport, rebuild_collection, service_database

ENTERPRISE_EVENTS = EventCatalog(ENTERPRISE_TYPES)
LISTING_EVENTS = EventCatalog(LISTING_TYPES)


def rebuild_enterprises(
    db: Database, bootstrap_servers: str, catalog: EventCatalog = ENTERPRISE_EVENTS
) -> tuple[RebuildReport, int]:
    """Rebuild the enterprises, then withdraw the exhibitors of those no longer active from upcoming events;
    returns the report and how many exhibitors were withdrawn."""

    report = rebuild_collection(
        db,
        ENTERPRISES,
        bootstrap_servers=bootstrap_servers,
        catalog=catalog,
        apply_to=lambda name: MongoEnterprises(db, name).apply_registry_event,
        client_id=f"{SERVICE}-rebuild-enterprises",
    )
    service = build(db)
    withdrawn = 0
    for enterprise in db[ENTERPRISES].find({"status": {"$in": ["deleted", "expired"]}}, {"status": 1}):
        withdrawn += len(service.withdraw_inactive(enterprise["_id"], enterprise["status"]))
    return report, withdrawn


def rebuild_listings(db: Database, bootstrap_servers: str, catalog: EventCatalog = LISTING_EVENTS) -> RebuildReport:
    return rebuild_collection(
        db,
        LISTINGS,
        bootstrap_servers=bootstrap_servers,
        catalog=catalog,
        apply_to=lambda name: MongoListings(db, name).apply_listing_event,
        client_id=f"{SERVICE}-rebuild-listings",
    )


def enterprises_main(argv: list[str] | None = None) -> None:
    prog = "events-rebuild-enterprises"
    argparse.ArgumentParser(
        prog=prog,
        description="Rebuild the events service's enterprises from registry.enterprise.v1 and withdraw the "
        "exhibitors of those no longer active from upcoming events.",
    ).parse_args(argv)
    db, settings = service_database(SERVICE, prog)
    report, withdrawn = rebuild_enterprises(db, settings.kafka_bootstrap_servers)
    print(f"{report.summary()}; {withdrawn} exhibitors withdrawn")


def listings_main(argv: list[str] | None = None) -> None:
    prog = "events-rebuild-listings"
    argparse.ArgumentParser(
        prog=prog, description="Rebuild the events service's listings from marketplace.listing.v1."
    ).parse_args(argv)
    db, settings = service_database(SERVICE, prog)
    print(rebuild_listings(db, settings.kafka_bootstrap_servers).summary())
