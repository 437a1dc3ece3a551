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
from shared.events import EventCatalog
from shared.rebuild import RebuildReport, rebuild_collection, service_database


def rebuild_sellers(
    db: Database, bootstrap_servers: str, catalog: EventCatalog = CONSUMED
) -> tuple[RebuildReport, int]:
    """Rebuild the sellers and realign their listings and quotes; returns the report and how many of those changed."""

    report = rebuild_collection(
        db,
        SELLERS,
        bootstrap_servers=bootstrap_servers,
        catalog=catalog,
        apply_to=lambda name: MongoSellers(db, name).apply_registry_event,
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
    db, settings = service_database(SERVICE, f"{SERVICE}-rebuild")
    report, realigned = rebuild_sellers(db, settings.kafka_bootstrap_servers)
    print(f"{report.summary()}; {realigned} listings and quotes realigned")


if __name__ == "__main__":
    main()
