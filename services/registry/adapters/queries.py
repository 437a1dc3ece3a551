"""Read-side queries of the register, straight from the documents' flat query fields.

The public search, the map's counts and the filtered export choose their entries from the register's
postings (``register_index``), read by ``_id``; ``register_filter`` is the same choice as a query."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database

from services.registry.adapters.archive import EnterpriseArchive
from services.registry.adapters.register_index import RegisterIndex
from services.registry.adapters.repository import ENTERPRISES
from shared.text.search import query_terms

OPEN_FOR_REVIEW = ["submitted", "information_requested"]

PUBLIC_LIST_FIELDS = {"search_terms": 0, "activity_terms": 0, "name_folded": 0, "version": 0}


@dataclass(frozen=True)
class Page:
    total: int
    items: list[dict[str, Any]]


class RegisterQueries:
    def __init__(self, db: Database) -> None:
        self._collection = db[ENTERPRISES]
        self._archive = EnterpriseArchive(db)
        self._index = RegisterIndex(db)

    @staticmethod
    def register_filter(filters: dict[str, Any]) -> dict[str, Any]:
        status = filters.get("status", "active")
        query: dict[str, Any] = (
            {"register_status": {"$in": ["active", "expired", "deleted"]}}
            if status == "all"
            else {"register_status": status}
        )
        terms = query_terms(filters.get("q", ""))
        if terms:
            query["search_terms"] = {"$all": terms}
        activity_terms = query_terms(filters.get("activity", ""))
        if activity_terms:
            query["activity_terms"] = {"$all": activity_terms}
        for field, key in (
            ("eik", "eik"),
            ("district", "district"),
            ("municipality", "municipality"),
            ("region", "region"),
        ):
            if filters.get(key):
                query[field] = filters[key]
        if filters.get("enterprise_class"):
            query["enterprise_class"] = filters["enterprise_class"]
        return query

    def search(self, filters: dict[str, Any], page: int, per_page: int) -> Page:
        """One page of the entries ``register_filter(filters)`` finds, by name then id, read by ``_id``."""
        total, items = self._index.page(filters, (page - 1) * per_page, page * per_page, PUBLIC_LIST_FIELDS)
        return Page(total, items)

    def district_counts(self, filters: dict[str, Any]) -> dict[str, int]:
        """How many entries the search with ``filters`` finds in each district (districts with none left out)."""
        counts: dict[str, int] = {}
        for match in self._index.matches(filters):
            if match.district:
                counts[match.district] = counts.get(match.district, 0) + 1
        return counts

    def export(self, filters: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """The whole documents of the entries the register's search finds with ``filters`` (all of a status
        when only that is given), in the order of their registration numbers."""
        query = self.register_filter(filters)
        if any(value for key, value in filters.items() if key != "status"):
            # The public search's fields live on the slim register documents: they choose, the full ones are read.
            query = {"_id": {"$in": [match.enterprise_id for match in self._index.matches(filters)]}}
        projection = {
            "registration_number": 1,
            "eik": 1,
            "district": 1,
            "region": 1,
            "centre": 1,
            "enterprise_class": 1,
            "register_status": 1,
            "details": 1,
            "entry": 1,
        }
        return self._collection.find(query, projection).sort([("registration_number", ASCENDING)])

    def public_entry(self, key: str) -> dict[str, Any] | None:
        """By enterprise id or registration number; only enterprises that were ever entered."""
        document = self._collection.find_one(
            {"$or": [{"_id": key}, {"registration_number": key}], "register_status": {"$ne": None}},
            {"outbox": 0, "past_applications": 0, "application": 0},
        )
        return None if document is None else self._archive.restore(document)

    def by_certificate(self, number: str) -> dict[str, Any] | None:
        """The enterprise whose current certificate has ``number`` (as issued); only enterprises ever entered."""
        return self._collection.find_one(
            {"entry.certificate.number": number, "register_status": {"$ne": None}},
            {
                "_id": 1,
                "registration_number": 1,
                "register_status": 1,
                "enterprise_class": 1,
                "details.name": 1,
                "entry.certificate": 1,
            },
        )

    def queue(
        self, centre: str | None, status: str | None, overdue: bool | None, now: datetime, page: int, per_page: int
    ) -> Page:
        query: dict[str, Any] = {"application_status": status or {"$in": OPEN_FOR_REVIEW}}
        if centre:
            query["application_centre"] = centre
        if overdue is True:
            query["application_due_at"] = {"$lt": now}
        elif overdue is False:
            query["$or"] = [{"application_due_at": {"$gte": now}}, {"application_due_at": None}]
        total = self._collection.count_documents(query)
        cursor = (
            self._collection.find(query, {"outbox": 0, "past_applications": 0, "history": 0})
            .sort([("queue_order", ASCENDING), ("_id", ASCENDING)])
            .skip((page - 1) * per_page)
            .limit(per_page)
        )
        return Page(total, list(cursor))

    def of_representative(self, subject: str, enterprise_id: str | None) -> list[dict[str, Any]]:
        clauses: list[dict[str, Any]] = [{"owners": subject}]
        if enterprise_id:
            clauses.append({"_id": enterprise_id})
        found = self._collection.find({"$or": clauses}, {"outbox": 0, "history": 0}).sort("created_at", -1)
        return [self._archive.restore(document) for document in found]

    def overdue_reports(self, centre: str | None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"has_overdue_report": True, "register_status": "active"}
        if centre:
            query["centre"] = centre
        return list(self._collection.find(query, {"outbox": 0, "past_applications": 0}))
