"""The grants use cases wired to MongoDB: one place for the web app, the consumer and the demo data."""

from __future__ import annotations

from pymongo.database import Database

from services.grants.adapters.documents import DOCUMENT_INDEXES, GridFSDocuments, new_document_id
from services.grants.adapters.repository import INDEXES as REPOSITORY_INDEXES
from services.grants.adapters.repository import (
    AidLedger,
    EnvelopeLedger,
    MongoApplications,
    MongoAssessments,
    MongoCalls,
    MongoEnterprises,
)
from services.grants.config import SERVICE, GrantsRules
from services.grants.events.schemas import GRANTS_EVENTS
from services.grants.service_layer.documents import DocumentService
from services.grants.service_layer.grants import GrantsService
from shared.clock import Clock, SystemClock
from shared.mongo import IndexSpec, MongoNumberSeries, ensure_indexes
from shared.scanning import Scanner, file_scanner

INDEXES: list[IndexSpec] = [*REPOSITORY_INDEXES, *DOCUMENT_INDEXES]


def build(db: Database, clock: Clock | None = None, rules: GrantsRules | None = None) -> GrantsService:
    ensure_indexes(db, INDEXES)
    documents = GridFSDocuments(db)
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
        aid=AidLedger(db),
        document_codes=lambda application_id: {d.code for d in documents.of_application(application_id)},
    )


def build_documents(db: Database, grants: GrantsService, scanner: Scanner | None = None) -> DocumentService:
    """Applications' documents in GridFS, scanned before they are stored (``CLAMD_ADDRESS``)."""
    return DocumentService(grants, GridFSDocuments(db), new_document_id, scanner=scanner or file_scanner(SERVICE))
