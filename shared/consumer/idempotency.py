"""Apply an event's effect to a document at most once, whatever replays happen.

The event id is recorded in the same document, by the same conditional update, as the effect:
either both are written or neither is. No transaction is needed.

A read model that mirrors one aggregate per document also names the event's ``aggregate_version``:
the same update then refuses an event older than the one the document holds, so a replayed or
redelivered old event never moves the document backwards.
"""

from __future__ import annotations

from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

APPLIED_FIELD = "applied_event_ids"
VERSION_FIELD = "aggregate_version"
_INSERT_RACE_ATTEMPTS = 3


def apply_once(
    collection: Collection, doc_id: Any, event_id: str, update: dict[str, Any], *, aggregate_version: int | None = None
) -> bool:
    """Run ``update`` on document ``doc_id`` unless ``event_id`` was applied to it already.

    With ``aggregate_version``, also unless the document holds a newer version of the aggregate
    (it records the version it applied in ``aggregate_version``). Equal versions apply, so events
    recorded before versions existed (version 0) still apply in arrival order to a document that
    holds no versioned event yet, and never over one that does.

    Returns True if the effect was applied now, False for a duplicate or an older event. The
    document is created when missing (the update is an upsert).
    """
    push = dict(update.get("$push", {}))
    push[APPLIED_FIELD] = event_id
    guarded = {**update, "$push": push}
    query: dict[str, Any] = {"_id": doc_id, APPLIED_FIELD: {"$ne": event_id}}
    seen: dict[str, Any] = {APPLIED_FIELD: event_id}
    if aggregate_version is not None:
        query[VERSION_FIELD] = {"$not": {"$gt": aggregate_version}}
        guarded["$set"] = {**update.get("$set", {}), VERSION_FIELD: aggregate_version}
        seen = {"$or": [seen, {VERSION_FIELD: {"$gt": aggregate_version}}]}
    for _ in range(_INSERT_RACE_ATTEMPTS):
        try:
            result = collection.update_one(query, guarded, upsert=True)
        except DuplicateKeyError:
            # The upsert tried to insert a twin: either the document already lists the event (a
            # duplicate) or holds a newer version, or a concurrent upsert created the document
            # after our filter found none.
            if collection.find_one({"_id": doc_id, **seen}, {"_id": 1}) is not None:
                return False
            continue  # the document exists now: the next attempt updates it instead of inserting
        return result.modified_count == 1 or result.upserted_id is not None
    raise DuplicateKeyError(f"could not apply event {event_id} to {doc_id!r}: the document keeps reappearing")
