"""Apply an event's effect to a document at most once, whatever replays happen.

The event id is recorded in the same document, by the same conditional update, as the effect:
either both are written or neither is. No transaction is needed.
"""

from __future__ import annotations

from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

APPLIED_FIELD = "applied_event_ids"
_INSERT_RACE_ATTEMPTS = 3


def apply_once(collection: Collection, doc_id: Any, event_id: str, update: dict[str, Any]) -> bool:
    """Run ``update`` on document ``doc_id`` unless ``event_id`` was applied to it already.

    Returns True if the effect was applied now, False for a duplicate. The document is created
    when missing (the update is an upsert).
    """
    push = dict(update.get("$push", {}))
    push[APPLIED_FIELD] = event_id
    guarded = {**update, "$push": push}
    for _ in range(_INSERT_RACE_ATTEMPTS):
        try:
            result = collection.update_one({"_id": doc_id, APPLIED_FIELD: {"$ne": event_id}}, guarded, upsert=True)
        except DuplicateKeyError:
            # The upsert tried to insert a twin: either the document already lists the event (a
            # duplicate), or a concurrent upsert created the document after our filter found none.
            if collection.find_one({"_id": doc_id, APPLIED_FIELD: event_id}, {"_id": 1}) is not None:
                return False
            continue  # the document exists now: the next attempt updates it instead of inserting
        return result.modified_count == 1 or result.upserted_id is not None
    raise DuplicateKeyError(f"could not apply event {event_id} to {doc_id!r}: the document keeps reappearing")
