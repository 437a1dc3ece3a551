"""The audit of personal-data reads on MongoDB: one small document per read, kept for a limited time."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import datetime
from typing import Any

from pymongo import DESCENDING
from pymongo.database import Database

from services.registry.domain.audit import PersonalDataRead
from shared.mongo import IndexSpec, index

AUDIT_READS = "audit_reads"

AUDIT_INDEXES: list[IndexSpec] = [
    index(AUDIT_READS, "at"),
    index(AUDIT_READS, "enterprise_id", "-at"),
    index(AUDIT_READS, "reader.subject", "-at"),
]
"""By time (the scheduler prunes by it: growth is bounded by the retention), by enterprise and by reader."""


class MongoReadAudit:
    def __init__(self, db: Database) -> None:
        self._collection = db[AUDIT_READS]

    def record(self, reads: list[PersonalDataRead]) -> None:
        if reads:
            self._collection.insert_many([{"_id": str(uuid.uuid4()), **asdict(read)} for read in reads])

    def page(
        self, enterprise_id: str | None, reader: str | None, page: int, per_page: int
    ) -> tuple[int, list[dict[str, Any]]]:
        """Newest first, filtered by enterprise and/or reader's subject."""
        query: dict[str, Any] = {}
        if enterprise_id:
            query["enterprise_id"] = enterprise_id
        if reader:
            query["reader.subject"] = reader
        total = self._collection.count_documents(query)
        cursor = (
            self._collection.find(query, {"_id": 0})
            .sort([("at", DESCENDING), ("_id", DESCENDING)])
            .skip((page - 1) * per_page)
            .limit(per_page)
        )
        return total, list(cursor)

    def prune(self, before: datetime) -> int:
        """Delete the records older than ``before``; returns how many."""
        return self._collection.delete_many({"at": {"$lt": before}}).deleted_count
