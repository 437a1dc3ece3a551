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
from shared.config import Settings
from shared.events import EventCatalog
from shared.logs import configure_logging
from shared.mongo import connect
from shared.rebuild import Handler, RebuildReport, rebuild_collection


def rebuild_enterprises(db: Database, bootstrap_servers: str, catalog: EventCatalog = CONSUMED) -> RebuildReport:
    def handlers_for(collection: str) -> dict[str, Handler]:
        enterprises = MongoEnterprises(db, collection)
        return {event_type.name: enterprises.apply_registry_event for event_type in catalog}

    return rebuild_collection(
        db,
        ENTERPRISES,
        bootstrap_servers=bootstrap_servers,
        catalog=catalog,
        handlers_for=handlers_for,
        client_id=f"{SERVICE}-rebuild-enterprises",
    )


def main(argv: list[str] | None = None) -> None:
    argparse.ArgumentParser(
        prog="training-rebuild-enterprises",
        description="Rebuild training's enterprises from registry.enterprise.v1.",
    ).parse_args(argv)
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-rebuild", settings.log_level)
    db = connect(settings.mongodb_uri, app_name=f"{SERVICE}-rebuild")[settings.mongodb_database]
    print(rebuild_enterprises(db, settings.kafka_bootstrap_servers).summary())


if __name__ == "__main__":
    main()
