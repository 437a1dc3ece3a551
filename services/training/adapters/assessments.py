"""Digital maturity assessments on MongoDB (or FerretDB), and a read-only view of the course catalogue.

One document per assessment, with its outbox (``AssessmentCompleted``) and optimistic version. Its own
fields include the ones the queries use: ``enterprise_id``, ``centre``, ``taken_at``, ``sequence``
(0 for T0, unique per enterprise, so two assessments submitted at once cannot both become T1) and
``overall``.

Courses and sessions belong to the catalogue (another part of this service writes them, as
``shared.documents.to_document`` plus top-level ``starts_at``, ``centre``, ``status`` and ``course_id``
on sessions); ``CatalogueReader`` only reads them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.training.domain.assessment import Assessment
from services.training.domain.course import Course
from services.training.domain.progress import Scores, Track
from services.training.domain.session import Session, SessionStatus
from shared.documents import from_document, to_document
from shared.errors import NotFound, StaleVersion, Text
from shared.mongo import IndexSpec, index
from shared.outbox import OUTBOX_INDEXES, OutboxEntry
from shared.outbox.store import AggregateStore

ASSESSMENTS = "assessments"
COURSES = "courses"
SESSIONS = "sessions"
INDEXES: list[IndexSpec] = [
    index(ASSESSMENTS, "enterprise_id", "sequence", unique=True),
    index(ASSESSMENTS, "centre", "-taken_at"),
    *(index(ASSESSMENTS, field) for field in OUTBOX_INDEXES),
]
NO_SUCH_ASSESSMENT = Text("Няма такава оценка.", "No such assessment.")
_STATE = {"outbox": 0, "outbox_seq": 0, "outbox_sent_seq": 0}


class MongoAssessments:
    def __init__(self, db: Database) -> None:
        self._store = AggregateStore(db[ASSESSMENTS])
        self._collection = db[ASSESSMENTS]

    def add(self, assessment: Assessment, outbox: list[OutboxEntry]) -> None:
        """Insert a new assessment with its events; StaleVersion when another took its sequence number first."""
        try:
            assessment.version = self._store.insert(to_document(assessment), outbox)
        except DuplicateKeyError:
            raise StaleVersion() from None

    def get(self, assessment_id: str) -> Assessment:
        document = self._collection.find_one({"_id": assessment_id}, _STATE)
        if document is None:
            raise NotFound(NO_SUCH_ASSESSMENT)
        return from_document(Assessment, document)

    def of_enterprise(self, enterprise_id: str) -> list[Assessment]:
        """The enterprise's assessments, T0 first."""
        cursor = self._collection.find({"enterprise_id": enterprise_id}, _STATE).sort("sequence", ASCENDING)
        return [from_document(Assessment, document) for document in cursor]

    def latest(self, enterprise_id: str) -> Assessment | None:
        """The enterprise's most recent assessment (the highest sequence), if any."""
        cursor = self._collection.find({"enterprise_id": enterprise_id}, _STATE).sort("sequence", DESCENDING)
        document = next(iter(cursor.limit(1)), None)
        return None if document is None else from_document(Assessment, document)

    def tracks(self, enterprise_ids: Iterable[str]) -> list[Track]:
        """Each of these enterprises' first and latest scores (those never assessed are left out)."""
        projection = {"_id": 0, "enterprise_id": 1, "sequence": 1, "scores": 1, "overall": 1}
        cursor = self._collection.find({"enterprise_id": {"$in": list(enterprise_ids)}}, projection)
        first: dict[str, dict[str, Any]] = {}
        latest: dict[str, dict[str, Any]] = {}
        counts: dict[str, int] = {}
        for document in cursor:
            enterprise = document["enterprise_id"]
            counts[enterprise] = counts.get(enterprise, 0) + 1
            if enterprise not in first or document["sequence"] < first[enterprise]["sequence"]:
                first[enterprise] = document
            if enterprise not in latest or document["sequence"] > latest[enterprise]["sequence"]:
                latest[enterprise] = document
        return [
            Track(enterprise, _scores(first[enterprise]), _scores(latest[enterprise]), counts[enterprise])
            for enterprise in sorted(first)
        ]


def _scores(document: dict[str, Any]) -> Scores:
    return Scores(document["overall"], dict(document["scores"]))


class CatalogueReader:
    """Courses and sessions as recommendations need them; never writes."""

    def __init__(self, db: Database) -> None:
        self._courses = db[COURSES]
        self._sessions = db[SESSIONS]

    def courses_improving(self, dimensions: Iterable[str]) -> list[Course]:
        """Active courses that improve any of ``dimensions`` (dimension codes)."""
        query: dict[str, Any] = {"dimensions": {"$in": list(dimensions)}, "active": True}
        return [from_document(Course, document) for document in self._courses.find(query)]

    def upcoming_sessions(self, course_ids: Iterable[str], centre: str, now: datetime) -> list[Session]:
        """Scheduled sessions of these courses starting after ``now``, at ``centre`` or online (any centre).

        Whether each still accepts enrolments is the domain's call (``Session.accepts_enrolments``).
        """
        query: dict[str, Any] = {
            "course_id": {"$in": list(course_ids)},
            "status": SessionStatus.SCHEDULED.value,
            "starts_at": {"$gt": now},
            "$or": [{"centre": centre}, {"room": None}],
        }
        cursor = self._sessions.find(query, _STATE).sort([("starts_at", ASCENDING), ("_id", ASCENDING)])
        return [from_document(Session, document) for document in cursor]
