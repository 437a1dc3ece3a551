"""Rebuilding the marketplace's sellers from ``registry.enterprise.v1`` (``marketplace-rebuild-sellers``).

The sellers are filled afresh from the beginning of the topic and copied over the live ones (see shared.rebuild);
then every seller's listings and open quotes are brought in line with the rebuilt picture, as the
scheduler's pass does. The runbook: deploy/README.md, "Rebuilding a read model".
"""

from __future__ import annotations

import argparse

from pymongo.database import Database

from services.marketplace.adapters.sellers import SELLERS, MongoSellers
from services.marketplace.config import SERVICE
from services.marketplace.entrypoints.wiring import build
from services.marketplace.events.registry import CONSUMED
from shared.config import Settings
from shared.events import EventCatalog
from shared.logs import configure_logging
from shared.mongo import connect
from shared.rebuild import Handler, RebuildReport, rebuild_collection


def rebuild_sellers(
    db: Database, bootstrap_servers: str, catalog: EventCatalog = CONSUMED
) -> tuple[RebuildReport, int]:
    """Rebuild the sellers and realign their listings and quotes; returns the report and how many of those changed."""

    def handlers_for(collection: str) -> dict[str, Handler]:
        sellers = MongoSellers(db, collection)
        return {event_type.name: sellers.apply_registry_event for event_type in catalog}

    report = rebuild_collection(
        db,
        SELLERS,
        bootstrap_servers=bootstrap_servers,
        catalog=catalog,
        handlers_for=handlers_for,
        client_id=f"{SERVICE}-rebuild-sellers",
    )
    marketplace = build(db)
    realigned = 0
    for seller in marketplace.sellers.all():
        realigned += marketplace.listings.follow_seller(seller)
        realigned += marketplace.deals.follow_seller(seller)
    return report, realigned


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(
        prog="marketplace-rebuild-sellers",
        description="Rebuild the marketplace's sellers from registry.enterprise.v1 and realign their listings.",
    ).parse_args(argv)
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-rebuild", settings.log_level)
    db = connect(settings.mongodb_uri, app_name=f"{SERVICE}-rebuild")[settings.mongodb_database]
    report, realigned = rebuild_sellers(db, settings.kafka_bootstrap_servers)
    print(f"{report.summary()}; {realigned} listings and quotes realigned")


if __name__ == "__main__":
    main()
