"""Buyers' needs on MongoDB (or FerretDB): one document each, with its outbox and optimistic version.

Besides the need's own fields each document carries ``due_at`` (when the deadline has passed, only
while the need is published), so the scheduler finds the needs to close with one indexed query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from services.marketplace.domain.need import Need, NeedStatus
from shared.documents import from_document, to_document
from shared.errors import NotFound, Text
from shared.mongo import IndexSpec, index
from shared.outbox import OUTBOX_INDEXES, OutboxEntry
from shared.outbox.store import AggregateStore

NEEDS = "needs"
INDEXES: list[IndexSpec] = [
    index(NEEDS, "buyer.id", "-created_at"),
    index(NEEDS, "status", "created_at"),
    index(NEEDS, "status", "due_at"),
    *(index(NEEDS, field) for field in OUTBOX_INDEXES),
]
NO_SUCH_NEED = Text("Няма такава нужда.", "No such need.")
_STATE = {"outbox": 0, "outbox_seq": 0, "outbox_sent_seq": 0, "due_at": 0}


@dataclass(frozen=True)
class NeedPage:
    total: int
    items: list[Need]


def _query_fields(need: Need) -> dict[str, Any]:
    return {"due_at": need.due_at}


class MongoNeeds:
    def __init__(self, db: Database) -> None:
        self._store = AggregateStore(db[NEEDS])
        self._collection = db[NEEDS]

    def get(self, need_id: str) -> Need:
        document = self._collection.find_one({"_id": need_id}, _STATE)
        if document is None:
            raise NotFound(NO_SUCH_NEED)
        return from_document(Need, document)

    def add(self, need: Need, outbox: list[OutboxEntry]) -> None:
        need.version = self._store.insert({**to_document(need), **_query_fields(need)}, outbox)

    def save(self, need: Need, outbox: list[OutboxEntry]) -> None:
        """Write the changed need and its events in one update; StaleVersion on a lost race."""
        fields = to_document(need, drop=("version",))
        del fields["_id"]
        need.version = self._store.update(need.id, need.version, {**fields, **_query_fields(need)}, outbox)

    def _page(self, query: dict[str, Any], sort: list[tuple[str, int]], page: int, per_page: int) -> NeedPage:
        total = self._collection.count_documents(query)
        cursor = self._collection.find(query, _STATE).sort(sort).skip((page - 1) * per_page).limit(per_page)
        return NeedPage(total, [from_document(Need, document) for document in cursor])

    def of_buyer(self, buyer_id: str, page: int = 1, per_page: int = 20) -> NeedPage:
        """The buyer's own needs in any state, newest first."""
        return self._page({"buyer.id": buyer_id}, [("created_at", DESCENDING), ("_id", ASCENDING)], page, per_page)

    def with_status(self, status: NeedStatus, page: int = 1, per_page: int = 20) -> NeedPage:
        """Needs in one state, oldest first (the clerks' queue is the submitted ones)."""
        query = {"status": status.value}
        return self._page(query, [("created_at", ASCENDING), ("_id", ASCENDING)], page, per_page)

    def published(
        self, categories: list[str] | None, district: str | None, now: datetime, page: int = 1, per_page: int = 20
    ) -> NeedPage:
        """Published needs still open to sellers (deadline not passed), the soonest deadline first.

        ``categories`` are the codes to show (a category and its sub-categories); None shows every one.
        """
        query: dict[str, Any] = {"status": NeedStatus.PUBLISHED.value, "due_at": {"$gt": now}}
        if categories is not None:
            query["category"] = {"$in": categories}
        if district:
            query["districts"] = district
        return self._page(
            query, [("deadline", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)], page, per_page
        )

    def due(self, now: datetime) -> list[Need]:
        """Published needs whose deadline has passed by ``now``: the scheduler's work."""
        query = {"status": NeedStatus.PUBLISHED.value, "due_at": {"$lte": now}}
        return [from_document(Need, d) for d in self._collection.find(query, _STATE).sort("due_at", ASCENDING)]
