"""The grants use cases wired to MongoDB: one place for the web app, the consumer and the demo data."""

from __future__ import annotations

from pymongo.database import Database

from services.grants.adapters.repository import INDEXES as REPOSITORY_INDEXES
from services.grants.adapters.repository import (
    EnvelopeLedger,
    MongoApplications,
    MongoAssessments,
    MongoCalls,
    MongoEnterprises,
)
from services.grants.config import GrantsRules
from services.grants.events.schemas import GRANTS_EVENTS
from services.grants.service_layer.grants import GrantsService
from shared.clock import Clock, SystemClock
from shared.mongo import IndexSpec, MongoNumberSeries, ensure_indexes

INDEXES: list[IndexSpec] = [*REPOSITORY_INDEXES]


def build(db: Database, clock: Clock | None = None, rules: GrantsRules | None = None) -> GrantsService:
    ensure_indexes(db, INDEXES)
    return GrantsService(
        calls=MongoCalls(db),
        applications=MongoApplications(db),
        ledger=EnvelopeLedger(db),
        enterprises=MongoEnterprises(db),
        assessments=MongoAssessments(db),
        numbers=MongoNumberSeries(db),
        catalog=GRANTS_EVENTS,
        clock=clock or SystemClock(),
        rules=rules or GrantsRules.from_env(),
    )
