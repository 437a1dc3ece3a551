"""Rebuilding grants' read models from the topics they come from (``grants-rebuild-enterprises``).

The enterprises (from ``registry.enterprise.v1``) and the maturity assessments (from
``training.assessment.v1``) are filled afresh from the beginning of their topics and copied over the live
ones (see shared.rebuild); the eligibility rules read them (active in the register, surveyed), and the
completion its baseline and follow-up scores. The enterprises' aid ledger (the de minimis check's one read) is
written afresh from the awards the applications hold, too. The runbook: deploy/README.md, "Rebuilding a read
model".
"""

from __future__ import annotations

import argparse

from pymongo.database import Database

from services.grants.adapters.repository import (
    AID_LEDGERS,
    ASSESSMENTS,
    ENTERPRISES,
    MongoAssessments,
    MongoEnterprises,
)
from services.grants.config import SERVICE
from services.grants.entrypoints.wiring import build
from services.grants.events.consumed import ASSESSMENT_TYPE, ENTERPRISE_TYPES
from shared.config import Settings
from shared.events import EventCatalog
from shared.logs import configure_logging
from shared.mongo import connect
from shared.rebuild import Handler, RebuildReport, rebuild_collection

ENTERPRISE_CATALOG = EventCatalog(ENTERPRISE_TYPES)
ASSESSMENT_CATALOG = EventCatalog([ASSESSMENT_TYPE])


def rebuild_enterprises(
    db: Database, bootstrap_servers: str, catalog: EventCatalog = ENTERPRISE_CATALOG
) -> RebuildReport:
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


def rebuild_assessments(
    db: Database, bootstrap_servers: str, catalog: EventCatalog = ASSESSMENT_CATALOG
) -> RebuildReport:
    def handlers_for(collection: str) -> dict[str, Handler]:
        assessments = MongoAssessments(db, collection)
        return {event_type.name: assessments.apply_assessment_event for event_type in catalog}

    return rebuild_collection(
        db,
        ASSESSMENTS,
        bootstrap_servers=bootstrap_servers,
        catalog=catalog,
        handlers_for=handlers_for,
        client_id=f"{SERVICE}-rebuild-assessments",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="grants-rebuild-enterprises",
        description="Rebuild grants' enterprises from registry.enterprise.v1 and its maturity assessments from "
        "training.assessment.v1.",
    )
    parser.add_argument(
        "--enterprises-only", action="store_true", help="Leave the assessments and the aid ledger as they are."
    )
    args = parser.parse_args(argv)
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-rebuild", settings.log_level)
    db = connect(settings.mongodb_uri, app_name=f"{SERVICE}-rebuild")[settings.mongodb_database]
    print(rebuild_enterprises(db, settings.kafka_bootstrap_servers).summary())
    if not args.enterprises_only:
        print(rebuild_assessments(db, settings.kafka_bootstrap_servers).summary())
        grants = build(db)
        assert grants.aid is not None
        print(f"{AID_LEDGERS}: {grants.aid.rebuild(grants.applications)} awards written")


if __name__ == "__main__":
    main()
