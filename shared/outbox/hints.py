"""Pending hints: a small note, per document, that its outbox may hold events for the relay.

Every writer that appends to a document's outbox first upserts the document's hint in its database's
``outbox_pending`` collection (`write_hint`; `shared.outbox.store.AggregateStore` does it for every
aggregate). The relay reads that small collection instead of querying the aggregates' collections for
pending entries (a query that reads every document of the collection on FerretDB), then reads each hinted
document by ``_id``.

A hint is written BEFORE its document, so the hints are a superset of the pending documents: a crash
between the two leaves a hint without events (harmless: the relay finds nothing and deletes it later),
never events without a hint. A hint is::

    {_id: "<collection>:<document id>", collection, doc: <document id>, since, at, n}

``since`` is when it was first written (the relay takes hints oldest first), ``at`` the latest write (the
relay deletes a hint only when its document, read at least a grace period after ``at``, had nothing left to
publish) and ``n`` counts the writes (the relay's delete is conditional on the ``n`` it read, so a writer's
fresh upsert is never deleted).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.collection import Collection

from shared.mongo import WRITES_PER_COMMAND

HINTS_COLLECTION = "outbox_pending"


def hint_id(collection_name: str, doc_id: Any) -> str:
    """The hint's ``_id``: a string, which FerretDB reads and deletes through its primary key."""
    return f"{collection_name}:{doc_id}"


def _upsert(collection: Collection, doc_id: Any, now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """The hint's filter and update (an upsert)."""
    return {"_id": hint_id(collection.name, doc_id)}, {
        "$setOnInsert": {"collection": collection.name, "doc": doc_id, "since": now},
        "$max": {"at": now},
        "$inc": {"n": 1},
    }


def write_hint(collection: Collection, doc_id: Any, now: datetime | None = None) -> None:
    """Note that the document ``doc_id`` of ``collection`` is about to get outbox entries (call it before)."""
    hints = collection.database[HINTS_COLLECTION]
    hints.update_one(*_upsert(collection, doc_id, now or datetime.now(UTC)), upsert=True)


def write_hints(collection: Collection, doc_ids: Iterable[Any], now: datetime | None = None) -> None:
    """`write_hint` for many documents of one collection, in a few commands (e.g. a bulk import)."""
    at = now or datetime.now(UTC)
    updates = [UpdateOne(*_upsert(collection, doc_id, at), upsert=True) for doc_id in doc_ids]
    hints = collection.database[HINTS_COLLECTION]
    for start in range(0, len(updates), WRITES_PER_COMMAND):
        hints.bulk_write(updates[start : start + WRITES_PER_COMMAND], ordered=False)
