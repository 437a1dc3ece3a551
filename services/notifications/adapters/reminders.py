"""Reminders on MongoDB (or FerretDB): one document per reminder id in ``reminders``.

A document holds the reminder's ``due_at``, ``moment``, ``status`` (``scheduled``, ``sent`` or ``dropped``),
the notice it becomes (``message``, ``category``, ``recipient``, ``context``) and ``as_of``: the
``occurred_at`` of the last event that changed it. Every change is one conditional update by ``_id`` that
applies only when the event is at least as new as ``as_of``, so a replayed or late event changes nothing:

- *schedule* (an upsert): applies to an older document, or to one of the same ``as_of`` still scheduled (a
  replay rewrites the same values; it never revives a sent or dropped reminder). When the filter does not
  match, the upsert's insert hits the existing ``_id``: a duplicate key, which means "newer already".
- *move*: only an existing scheduled reminder, or a sent one whose due time changes (a new delivery).
- *drop* (an upsert): leaves a ``dropped`` tombstone, so a late older schedule cannot revive it. A consumer's
  batch drops its events' reminders with one update command per ``WRITES_PER_COMMAND`` (``drop_many``: each
  reminder once a command, each statement the same conditional upsert); FerretDB stops such a command at a
  duplicate key (a drop older than the reminder), so that command's drops are then made again one by one.
- *mark sent / skipped*: conditional on the ``due_at`` that was sent, so a reminder moved meanwhile stays
  scheduled for its new time.
- Personal data: a dropped or skipped reminder loses its ``recipient`` and ``context`` at once; a sent one keeps
  them until its moment has passed (*forget past*), since a move before then sends it again, at the new time.
- *drop all* / *move all* under a prefix of their ids (an event's reminders): one ``update_many`` with the same
  conditions; a drop also leaves the prefix itself as a tombstone (``_id`` = the prefix), and a schedule lying
  under a tombstone at least as new as its event plans nothing.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, OperationFailure

from services.notifications.domain.notice import Recipient
from services.notifications.domain.reminders import ReminderPlan
from shared.consumer.idempotency import DUPLICATE_KEY
from shared.mongo import WRITES_PER_COMMAND, IndexSpec, index

REMINDERS = "reminders"
INDEXES: list[IndexSpec] = [index(REMINDERS, "status", "due_at")]

SCHEDULED = "scheduled"
SENT = "sent"
DROPPED = "dropped"
PERSONAL = {"recipient": "", "context": ""}
"""What a reminder needs no longer once it will not be sent (again): the address and name, the details."""


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _values(plan: ReminderPlan) -> dict[str, Any]:
    recipient = plan.recipient
    return {
        "due_at": plan.due_at,
        "moment": plan.moment,
        "message": plan.message,
        "category": plan.category,
        "recipient": {
            "key": recipient.key,
            "email": recipient.email,
            "name": recipient.name,
            "language": recipient.language,
        },
        "context": plan.context,
    }


def _plan(document: dict[str, Any]) -> ReminderPlan:
    return ReminderPlan(
        reminder_id=document["_id"],
        due_at=_utc(document["due_at"]),
        moment=_utc(document["moment"]),
        message=document["message"],
        category=document["category"],
        recipient=Recipient(**document["recipient"]),
        context=document["context"],
    )


class MongoReminders:
    def __init__(self, db: Database) -> None:
        self._collection = db[REMINDERS]

    def schedule(self, plan: ReminderPlan, as_of: datetime, now: datetime) -> bool:
        """Schedule (or reschedule) the reminder; False when a newer event decided about it already."""
        if plan.within and self._collection.find_one(
            {"_id": {"$in": list(plan.within)}, "status": DROPPED, "as_of": {"$gte": as_of}}, {"_id": 1}
        ):
            return False
        newer_or_replay = {"$or": [{"as_of": {"$lt": as_of}}, {"as_of": as_of, "status": SCHEDULED}]}
        try:
            result = self._collection.update_one(
                {"_id": plan.reminder_id, **newer_or_replay},
                {"$set": {**_values(plan), "status": SCHEDULED, "as_of": as_of, "updated_at": now}},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return result.matched_count > 0 or result.upserted_id is not None

    def move(self, plan: ReminderPlan, as_of: datetime, now: datetime) -> bool:
        """Move an existing reminder to its new time; False when there is none to move or it is newer."""
        result = self._collection.update_one(
            {
                "_id": plan.reminder_id,
                "as_of": {"$lte": as_of},
                "$or": [{"status": SCHEDULED}, {"status": SENT, "due_at": {"$ne": plan.due_at}}],
            },
            {"$set": {**_values(plan), "status": SCHEDULED, "as_of": as_of, "updated_at": now}},
        )
        return result.matched_count > 0

    def drop(self, reminder_id: str, as_of: datetime, now: datetime) -> bool:
        """Drop the reminder (a tombstone if it was never scheduled); False when a newer event decided."""
        try:
            result = self._collection.update_one(
                {"_id": reminder_id, "as_of": {"$lte": as_of}},
                {"$set": {"status": DROPPED, "as_of": as_of, "updated_at": now}, "$unset": PERSONAL},
                upsert=True,
            )
        except DuplicateKeyError:
            return False
        return result.matched_count > 0 or result.upserted_id is not None

    def drop_many(self, drops: list[tuple[str, datetime]], now: datetime) -> list[bool]:
        """``drop`` for each (reminder id, as of), in order, with bulk upserts: whether each was dropped now.

        A reminder id appears at most once in a command (a later drop of it waits for the next one), so the
        statements of one command may apply in any order."""
        dropped: list[bool] = []
        chunk: list[tuple[str, datetime]] = []
        for drop in [*drops, None]:
            if drop is None or len(chunk) == WRITES_PER_COMMAND or any(drop[0] == seen for seen, _ in chunk):
                dropped.extend(self._drop_chunk(chunk, now))
                chunk = []
            if drop is not None:
                chunk.append(drop)
        return dropped

    def _drop_chunk(self, chunk: list[tuple[str, datetime]], now: datetime) -> list[bool]:
        if not chunk:
            return []
        updates = [
            {
                "q": {"_id": reminder_id, "as_of": {"$lte": as_of}},
                "u": {"$set": {"status": DROPPED, "as_of": as_of, "updated_at": now}, "$unset": PERSONAL},
                "upsert": True,
            }
            for reminder_id, as_of in chunk
        ]
        command: dict[str, Any] = {"update": self._collection.name, "updates": updates, "ordered": False}
        if self._collection.write_concern.document:
            command["writeConcern"] = self._collection.write_concern.document
        try:
            reply = self._collection.database.command(command, codec_options=self._collection.codec_options)
            errors = reply.get("writeErrors") or []
        except OperationFailure as exc:
            errors = [{"code": exc.code, "errmsg": str(exc)}]
        if any(error.get("code") != DUPLICATE_KEY for error in errors):
            raise OperationFailure(errors[0].get("errmsg", "write error"), errors[0].get("code"), errors[0])
        if errors:  # a reminder newer than its drop: FerretDB stops there, so each is made (again) on its own
            return [self.drop(reminder_id, as_of, now) for reminder_id, as_of in chunk]
        return [True] * len(chunk)

    def drop_all(self, prefix: str, as_of: datetime, now: datetime) -> int:
        """Drop every reminder under ``prefix`` that no newer event decided about, and leave the prefix's
        tombstone; how many reminders were dropped."""
        result = self._collection.update_many(
            {"_id": {"$regex": f"^{re.escape(prefix)}."}, "as_of": {"$lte": as_of}, "status": {"$ne": DROPPED}},
            {"$set": {"status": DROPPED, "as_of": as_of, "updated_at": now}, "$unset": PERSONAL},
        )
        with contextlib.suppress(DuplicateKeyError):  # a newer tombstone is there already
            self._collection.update_one(
                {"_id": prefix, "as_of": {"$lte": as_of}},
                {"$set": {"status": DROPPED, "as_of": as_of, "updated_at": now, "tombstone": True}},
                upsert=True,
            )
        return result.modified_count

    def move_all(
        self, prefix: str, due_at: datetime, moment: datetime, shown: dict[str, str], as_of: datetime, now: datetime
    ) -> int:
        """Move every scheduled reminder under ``prefix`` (and every sent one whose due time changes) to
        ``due_at``; how many moved."""
        result = self._collection.update_many(
            {
                "_id": {"$regex": f"^{re.escape(prefix)}."},
                "as_of": {"$lte": as_of},
                # a sent one whose moment has passed has forgotten its recipient: there is nobody to send it to
                "$or": [
                    {"status": SCHEDULED},
                    {"status": SENT, "due_at": {"$ne": due_at}, "recipient": {"$exists": True}},
                ],
            },
            {
                "$set": {
                    "due_at": due_at,
                    "moment": moment,
                    "status": SCHEDULED,
                    "as_of": as_of,
                    "updated_at": now,
                    **{f"context.{key}": value for key, value in shown.items()},
                }
            },
        )
        return result.modified_count

    def due(self, now: datetime, limit: int) -> list[ReminderPlan]:
        cursor = (
            self._collection.find({"status": SCHEDULED, "due_at": {"$lte": now}})
            .sort([("due_at", ASCENDING), ("_id", ASCENDING)])
            .limit(limit)
        )
        return [_plan(document) for document in cursor]

    def mark_sent(self, reminder_id: str, due_at: datetime, now: datetime) -> bool:
        return self._finish(reminder_id, due_at, {"status": SENT, "sent_at": now, "updated_at": now})

    def mark_skipped(self, reminder_id: str, due_at: datetime, now: datetime) -> bool:
        """Its moment passed before it could be sent: dropped, not sent."""
        return self._finish(reminder_id, due_at, {"status": DROPPED, "skipped": True, "updated_at": now}, PERSONAL)

    def forget_past(self, now: datetime) -> int:
        """Sent reminders whose moment has passed lose their recipient and details (and dropped ones that an
        older version of this service left with theirs); how many did now."""
        result = self._collection.update_many(
            {"$or": [{"status": SENT, "moment": {"$lte": now}}, {"status": DROPPED}], "recipient": {"$exists": True}},
            {"$set": {"updated_at": now}, "$unset": PERSONAL},
        )
        return result.modified_count

    def _finish(
        self, reminder_id: str, due_at: datetime, values: dict[str, Any], forget: dict[str, str] | None = None
    ) -> bool:
        update: dict[str, Any] = {"$set": values, **({"$unset": forget} if forget else {})}
        result = self._collection.update_one({"_id": reminder_id, "status": SCHEDULED, "due_at": due_at}, update)
        return result.matched_count > 0

    def get(self, reminder_id: str) -> dict[str, Any] | None:
        return self._collection.find_one({"_id": reminder_id})
