"""One aggregate per document, saved with an optimistic version and the events its change caused."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from pymongo.collection import Collection

from shared.errors import StaleVersion
from shared.outbox.fields import OutboxEntry, outbox_for_insert, outbox_for_update
from shared.outbox.hints import write_hint

REMEMBERED = 1024
"""How many documents' last write a store keeps in mind (per process)."""


class AggregateStore:
    """Inserts at version 1; later writes name the version they read, so a lost race is refused, not merged.

    Each write is one single-document update carrying both the state and its outbox entries. Appending to the
    outbox needs the document's ``outbox_seq``: an update reads it first, unless this store wrote that version
    itself (an enrolment inserted and then confirmed in one request) — then it knows the number and the update
    is conditional on it as well as on the version, so a wrong memory can only be refused, never written.

    A write that appends outbox entries first writes the document's pending hint (`shared.outbox.hints`), so the
    relay finds the document without querying the whole collection; a write without events writes none.
    """

    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        self._written: dict[tuple[str, int], int] = {}
        """(document id, version) → its ``outbox_seq``, for the versions this store wrote, oldest first."""
        self._lock = threading.Lock()

    def insert(self, document: dict[str, Any], outbox: Sequence[OutboxEntry]) -> int:
        """Insert a new aggregate (``document`` has its ``_id``); DuplicateKeyError when a unique key is taken."""
        if outbox:
            write_hint(self.collection, document["_id"])
        self.collection.insert_one({**document, "version": 1, **outbox_for_insert(outbox)})
        self._remember(document["_id"], 1, len(outbox))
        return 1

    def update(self, doc_id: Any, version: int, fields: dict[str, Any], outbox: Sequence[OutboxEntry]) -> int:
        """Set ``fields`` on the aggregate last read at ``version``; returns the new version."""
        condition: dict[str, Any] = {"_id": doc_id, "version": version}
        seq = self._recall(doc_id, version)
        if seq is None:
            current = self.collection.find_one({"_id": doc_id}, {"outbox_seq": 1, "version": 1})
            if current is None or current["version"] != version:
                raise StaleVersion()
            seq = current.get("outbox_seq", 0)
        else:
            condition["outbox_seq"] = seq
        update: dict[str, Any] = {"$set": {**fields, "version": version + 1}}
        appended = outbox_for_update(seq, outbox)
        update["$set"].update(appended.get("$set", {}))
        if "$push" in appended:
            update["$push"] = appended["$push"]
            write_hint(self.collection, doc_id)
        result = self.collection.update_one(condition, update)
        if result.matched_count != 1:
            raise StaleVersion()
        self._remember(doc_id, version + 1, seq + len(outbox))
        return version + 1

    def _recall(self, doc_id: Any, version: int) -> int | None:
        if not isinstance(doc_id, str):
            return None
        with self._lock:
            return self._written.pop((doc_id, version), None)

    def _remember(self, doc_id: Any, version: int, seq: int) -> None:
        if not isinstance(doc_id, str):
            return
        with self._lock:
            self._written[(doc_id, version)] = seq
            while len(self._written) > REMEMBERED:
                del self._written[next(iter(self._written))]
