"""Apply an event's effect to a document at most once, whatever replays happen.

The event id is recorded in the same document, by the same conditional update, as the effect:
either both are written or neither is. No transaction is needed.

A read model that mirrors one aggregate per document also names the event's ``aggregate_version``:
the same update then refuses an event older than the one the document holds, so a replayed or
redelivered old event never moves the document backwards. Such a document keeps only the ids of the
events applied at the version it holds (one, as every versioned event of an aggregate has a version of
its own): an older event is refused by its version, so its id need not be kept, and the list never
grows with the aggregate's history. A document written before this rule keeps its long list until its
next newer event replaces it.

Without a version, every applied id stays in the document: use that form only where a document
receives a bounded number of events; an effect that many events add up (a rating from every review)
keeps one document per event instead (see the marketplace's ratings).
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
    if aggregate_version is None:
        return _apply_unversioned(collection, doc_id, event_id, update)
    return _apply_versioned(collection, doc_id, event_id, update, aggregate_version)


def _apply_unversioned(collection: Collection, doc_id: Any, event_id: str, update: dict[str, Any]) -> bool:
    guarded = {**update, "$push": {**update.get("$push", {}), APPLIED_FIELD: event_id}}
    query = {"_id": doc_id, APPLIED_FIELD: {"$ne": event_id}}
    for _ in range(_INSERT_RACE_ATTEMPTS):
        try:
            result = collection.update_one(query, guarded, upsert=True)
        except DuplicateKeyError:
            # The upsert tried to insert a twin: either the document already lists the event (a
            # duplicate), or a concurrent upsert created the document after our filter found none.
            if collection.find_one({"_id": doc_id, APPLIED_FIELD: event_id}, {"_id": 1}) is not None:
                return False
            continue  # the document exists now: the next attempt updates it instead of inserting
        return result.modified_count == 1 or result.upserted_id is not None
    raise DuplicateKeyError(f"could not apply event {event_id} to {doc_id!r}: the document keeps reappearing")


def _apply_versioned(collection: Collection, doc_id: Any, event_id: str, update: dict[str, Any], version: int) -> bool:
    newer = {**update, "$set": {**update.get("$set", {}), VERSION_FIELD: version, APPLIED_FIELD: [event_id]}}
    same = {
        **update,
        "$set": {**update.get("$set", {}), VERSION_FIELD: version},
        "$push": {**update.get("$push", {}), APPLIED_FIELD: event_id},
    }
    for _ in range(_INSERT_RACE_ATTEMPTS):
        try:
            # A document holding an older version (or none, or no document): the event's id replaces the list.
            query = {"_id": doc_id, VERSION_FIELD: {"$not": {"$gte": version}}, APPLIED_FIELD: {"$ne": event_id}}
            result = collection.update_one(query, newer, upsert=True)
            return result.modified_count == 1 or result.upserted_id is not None
        except DuplicateKeyError:
            # The document exists and holds this version or a newer one (or a document without a
            # version already lists the event), or a concurrent upsert created it after our filter found none.
            pass
        query = {"_id": doc_id, VERSION_FIELD: version, APPLIED_FIELD: {"$ne": event_id}}
        if collection.update_one(query, same).modified_count == 1:
            return True
        seen = {"$or": [{APPLIED_FIELD: event_id}, {VERSION_FIELD: {"$gte": version}}]}
        if collection.find_one({"_id": doc_id, **seen}, {"_id": 1}) is not None:
            return False
    raise DuplicateKeyError(f"could not apply event {event_id} to {doc_id!r}: the document keeps reappearing")
