"""Rebuilding training's enterprises from ``registry.enterprise.v1`` (``training-rebuild-enterprises``).

The enterprises are filled afresh from the beginning of the topic and copied over the live ones (see
shared.rebuild). The runbook: deploy/README.md, "Rebuilding a read model".
"""

from __future__ import annotations

import argparse

from pymongo.database import Database

from services.training.adapters.enterprises import ENTERPRISES, MongoEnterprises
from services.training.config import SERVICE
from services.training.events.registry import CONSUMED
from shared.events import EventCatalog
from shared.rebuild import RebuildReport, rebuild_collection, service_database


def rebuild_enterprises(db: Database, bootstrap_servers: str, catalog: EventCatalog = CONSUMED) -> RebuildReport:
    return rebuild_collection(
        db,
        ENTERPRISES,
        bootstrap_servers=bootstrap_servers,
        catalog=catalog,
        apply_to=lambda name: MongoEnterprises(db, name).apply_registry_event,
        client_id=f"{SERVICE}-rebuild-enterprises",
    )


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(
        prog="training-rebuild-enterprises",
        description="Rebuild training's enterprises from registry.enterprise.v1.",
    ).parse_args(argv)
    db, settings = service_database(SERVICE, f"{SERVICE}-rebuild")
    print(rebuild_enterprises(db, settings.kafka_bootstrap_servers).summary())


if __name__ == "__main__":
    main()
