"""In-app inbox messages on MongoDB (or FerretDB): one document per (event, recipient).

``_id`` is ``<event id>:<recipient key>:inbox``: inserting it delivers the message, and a duplicate key
means it was delivered before — except for a thread's message (``<thread>:<recipient key>:inbox``, one
per application's "received"), which a newer event's message replaces, unread again. ``owner`` is the
recipient key whose inbox it is in; every read and update is filtered by the owners the signed-in person
may read, so another person's message is never found. ``read_at`` is null until the message is first read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.notifications.service_layer.delivering import InboxMessage, InboxPage
from shared.consumer.idempotency import insert_new
from shared.documents import from_document, to_document
from shared.mongo import IndexSpec, index

INBOX = "inbox"
INDEXES: list[IndexSpec] = [
    index(INBOX, "owner", "-created_at"),
    index(INBOX, "owner", "read_at"),
]
_NEWEST_FIRST = [("created_at", DESCENDING), ("_id", ASCENDING)]


class MongoInbox:
    def __init__(self, db: Database) -> None:
        self._collection = db[INBOX]

    def add(self, message: InboxMessage) -> bool:
        try:
            self._collection.insert_one(to_document(message))
        except DuplicateKeyError:
            return self._replace(message)
        return True

    def add_many(self, messages: list[InboxMessage]) -> list[bool]:
        """``add`` for each, with bulk inserts; a message there already takes ``add``'s replacing path."""
        inserted = insert_new(self._collection, [to_document(message) for message in messages])
        return [new or self._replace(message) for message, new in zip(messages, inserted, strict=True)]

    def _replace(self, message: InboxMessage) -> bool:
        """A thread's newer message takes the place of the one there, unread again; the same event replayed
        or an older one changes nothing."""
        if message.thread is None or message.occurred_at is None:
            return False
        document = to_document(message)
        del document["_id"]
        result = self._collection.update_one(
            {
                "_id": message.id,
                "event_id": {"$ne": message.event_id},
                "$or": [{"occurred_at": None}, {"occurred_at": {"$lt": message.occurred_at}}],
            },
            {"$set": document},
        )
        return result.modified_count == 1

    def get(self, message_id: str, owners: list[str]) -> InboxMessage | None:
        document = self._collection.find_one({"_id": message_id, "owner": {"$in": owners}})
        return None if document is None else from_document(InboxMessage, document)

    def page(self, owners: list[str], unread_only: bool, limit: int, after: tuple[datetime, str] | None) -> InboxPage:
        """The owners' messages newest first, starting after ``after`` = (created_at, id) of the last one seen."""
        query: dict[str, Any] = {"owner": {"$in": owners}}
        if unread_only:
            query["read_at"] = None
        if after is not None:
            created_at, last_id = after
            query["$or"] = [{"created_at": {"$lt": created_at}}, {"created_at": created_at, "_id": {"$gt": last_id}}]
        documents = list(self._collection.find(query).sort(_NEWEST_FIRST).limit(limit + 1))
        return InboxPage([from_document(InboxMessage, d) for d in documents[:limit]], more=len(documents) > limit)

    def unread_count(self, owners: list[str]) -> int:
        return self._collection.count_documents({"owner": {"$in": owners}, "read_at": None})

    def mark_read(self, message_id: str, owners: list[str], now: datetime) -> InboxMessage | None:
        mine = {"_id": message_id, "owner": {"$in": owners}}
        document = self._collection.find_one_and_update(
            {**mine, "read_at": None}, {"$set": {"read_at": now}}, return_document=ReturnDocument.AFTER
        )
        if document is None:  # read before (the first reading time stays), or not theirs at all
            return self.get(message_id, owners)
        return from_document(InboxMessage, document)

    def mark_all_read(self, owners: list[str], now: datetime) -> int:
        result = self._collection.update_many({"owner": {"$in": owners}, "read_at": None}, {"$set": {"read_at": now}})
        return result.modified_count
