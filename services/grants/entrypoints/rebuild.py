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
from shared.events import EventCatalog
from shared.rebuild import RebuildReport, rebuild_collection, service_database

ENTERPRISE_CATALOG = EventCatalog(ENTERPRISE_TYPES)
ASSESSMENT_CATALOG = EventCatalog([ASSESSMENT_TYPE])


def rebuild_enterprises(
    db: Database, bootstrap_servers: str, catalog: EventCatalog = ENTERPRISE_CATALOG
) -> RebuildReport:
    return rebuild_collection(
        db,
        ENTERPRISES,
        bootstrap_servers=bootstrap_servers,
        catalog=catalog,
        apply_to=lambda name: MongoEnterprises(db, name).apply_registry_event,
        client_id=f"{SERVICE}-rebuild-enterprises",
    )


def rebuild_assessments(
    db: Database, bootstrap_servers: str, catalog: EventCatalog = ASSESSMENT_CATALOG
) -> RebuildReport:
    return rebuild_collection(
        db,
        ASSESSMENTS,
        bootstrap_servers=bootstrap_servers,
        catalog=catalog,
        apply_to=lambda name: MongoAssessments(db, name).apply_assessment_event,
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
    db, settings = service_database(SERVICE, f"{SERVICE}-rebuild")
    print(rebuild_enterprises(db, settings.kafka_bootstrap_servers).summary())
    if not args.enterprises_only:
        print(rebuild_assessments(db, settings.kafka_bootstrap_servers).summary())
        grants = build(db)
        assert grants.aid is not None
        print(f"{AID_LEDGERS}: {grants.aid.rebuild(grants.applications)} awards written")


if __name__ == "__main__":
    main()
