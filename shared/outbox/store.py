"""One aggregate per document, saved with an optimistic version and the events its change caused."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.collection import Collection

from shared.errors import StaleVersion
from shared.outbox.fields import OutboxEntry, outbox_for_insert, outbox_for_update


class AggregateStore:
    """Inserts at version 1; later writes name the version they read, so a lost race is refused, not merged.

    Each write is one single-document update carrying both the state and its outbox entries.
    """

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    def insert(self, document: dict[str, Any], outbox: Sequence[OutboxEntry]) -> int:
        """Insert a new aggregate (``document`` has its ``_id``); DuplicateKeyError when a unique key is taken."""
        self.collection.insert_one({**document, "version": 1, **outbox_for_insert(outbox)})
        return 1

    def update(self, doc_id: Any, version: int, fields: dict[str, Any], outbox: Sequence[OutboxEntry]) -> int:
        """Set ``fields`` on the aggregate last read at ``version``; returns the new version."""
        current = self.collection.find_one({"_id": doc_id}, {"outbox_seq": 1, "version": 1})
        if current is None or current["version"] != version:
            raise StaleVersion()
        update: dict[str, Any] = {"$set": {**fields, "version": version + 1}}
        appended = outbox_for_update(current.get("outbox_seq", 0), outbox)
        update["$set"].update(appended.get("$set", {}))
        if "$push" in appended:
            update["$push"] = appended["$push"]
        result = self.collection.update_one({"_id": doc_id, "version": version}, update)
        if result.matched_count != 1:
            raise StaleVersion()
        return version + 1
