"""Rebuilding who represents each enterprise from ``registry.enterprise.v1``
(``notifications-rebuild-representatives``).

The representatives are filled afresh from the beginning of the topic and copied over the live ones (see
shared.rebuild); nothing is sent: only the read model the consumer looks sellers' and employers' people up
in is rewritten. The runbook: deploy/README.md, "Rebuilding a read model".
"""

from __future__ import annotations

import argparse

from pymongo.database import Database

from services.notifications.adapters.representatives import REPRESENTATIVES, MongoRepresentatives
from services.notifications.config import SERVICE
from services.notifications.entrypoints.consumer import ENTERPRISE_EVENTS
from services.notifications.events.consumed import consumed
from shared.events import EventCatalog
from shared.rebuild import RebuildReport, rebuild_collection, service_database

READS = consumed(ENTERPRISE_EVENTS)
"""The registry's enterprise events, each naming the enterprise's representatives."""


def rebuild_representatives(db: Database, bootstrap_servers: str, catalog: EventCatalog = READS) -> RebuildReport:
    return rebuild_collection(
        db,
        REPRESENTATIVES,
        bootstrap_servers=bootstrap_servers,
        catalog=catalog,
        apply_to=lambda name: MongoRepresentatives(db, name).apply_registry_event,
        client_id=f"{SERVICE}-rebuild-representatives",
    )


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(
        prog="notifications-rebuild-representatives",
        description="Rebuild who represents each enterprise from registry.enterprise.v1 (nothing is sent).",
    ).parse_args(argv)
    db, settings = service_database(SERVICE, f"{SERVICE}-rebuild")
    print(rebuild_representatives(db, settings.kafka_bootstrap_servers).summary())


if __name__ == "__main__":
    main()
