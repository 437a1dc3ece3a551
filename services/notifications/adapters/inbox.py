"""In-app inbox messages on MongoDB (or FerretDB): one document per (event, recipient), listed through
per-owner postings read by ``_id``.

``_id`` is ``<event id>:<recipient key>:inbox``: inserting it delivers the message, and a duplicate key
means it was delivered before — except for a thread's message (``<thread>:<recipient key>:inbox``, one
per application's "received"), which a newer event's message replaces, unread again. ``owner`` is the
recipient key whose inbox it is in; every read and update is filtered by the owners the signed-in person
may read, so another person's message is never found. ``read_at`` is null until the message is first read.

**Postings** (collection ``inbox_index``, every document read and written by ``_id`` only: FerretDB answers
any other filter, even ``owner: {$in: …}``, by reading every message of every person):

- ``d:<owner>`` — the months (UTC, ``year * 12 + month - 1``) in which the owner has messages;
- ``a:<owner>:<month>`` — ``"<created_at in ms, 15 digits>|<message id>"`` of each of the owner's messages
  created that month (months, not days: most people get a few messages a month, and reading each posting
  costs a round trip);
- ``u:<owner>`` — the ids of the owner's unread messages: its size is the unread count.

They are written BEFORE the messages (upserts with ``$addToSet``, one command per 40), so they are a
superset: a member whose message is missing, or whose message's ``created_at`` is not the member's (a
thread's message replaced since, a message delivered again), is skipped when listing; a replaced message's
old member is taken out when met. A message already there (a redelivery) has its new member taken out
again, and its id out of the unread set when it was read meanwhile (looked at after writing, so a reading
at the same moment is never undone). Reading a message marks it read, then takes its id out of the unread
set; marking all read marks the unread set's messages by ``_id``, then takes them out. Sets make a retried
write count once and two markings of the same message take it out once; marking all read takes an id out
only once its message is seen read, so a message still on its way stays counted.

Known limits: between a consumer's postings and its insert (a crash there, until the poll is retried) the
new message is counted unread before it can be listed; a thread's message replaced in the very moment its
previous version is marked read may be left unread but uncounted, until the next message of that thread.
An owner who never reads keeps every id in one unread document (a few dozen bytes each).

An older database gets its postings once (:func:`prepare_inbox`, from every process's start and the index
job); until then the inbox is read by the owner query as before.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from services.notifications.service_layer.delivering import InboxMessage, InboxPage
from shared.consumer.idempotency import insert_new
from shared.documents import from_document, to_document
from shared.mongo import WRITES_PER_COMMAND, IndexSpec, index

INBOX = "inbox"
INBOX_INDEX = "inbox_index"
"""The per-owner postings of the inbox (see the module's description)."""
BUILT = "built"
"""Present once every message written before the postings has its postings: only then is the inbox listed
from them."""
INDEXES: list[IndexSpec] = [
    index(INBOX, "owner", "-created_at"),
    index(INBOX, "owner", "read_at"),
]
_NEWEST_FIRST = [("created_at", DESCENDING), ("_id", ASCENDING)]
_EACH_CHUNK = 500
"""Members added to one posting by one update while building the postings of an older database."""
_KNOWN_MONTHS = 100_000
"""(owner, month) pairs a process remembers having written, so it writes each owner's month once."""

_Key = tuple[int, str]
"""Where a message is in an inbox: (created_at in ms, id), newest first by -ms then id."""


def millis(moment: datetime) -> int:
    """``created_at`` as MongoDB keeps it: milliseconds since 1970, the microseconds cut off (naive is UTC)."""
    offset = moment.utcoffset()
    if offset is not None:
        moment = moment - offset
    return calendar.timegm(moment.timetuple()) * 1000 + moment.microsecond // 1000


def _term(owner: str) -> str:
    return owner.replace("%", "%25")


def month_of(ms: int) -> int:
    """The UTC month of a moment in ms since 1970, as ``year * 12 + month - 1`` (months sort as numbers)."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    return moment.year * 12 + moment.month - 1


def months_id(owner: str) -> str:
    return f"d:{_term(owner)}"


def month_id(owner: str, month: int) -> str:
    return f"a:{_term(owner)}:{month}"


def unread_id(owner: str) -> str:
    return f"u:{_term(owner)}"


def member(created_at: datetime, message_id: str) -> str:
    return member_of(millis(created_at), message_id)


def member_of(ms: int, message_id: str) -> str:
    return f"{ms:015d}|{message_id}"


def _parsed(value: str) -> _Key:
    ms, _, message_id = value.partition("|")
    return int(ms), message_id


def _order(key: _Key) -> tuple[int, str]:
    """Newest first, then by id (as the query sorts: created_at descending, _id ascending)."""
    return -key[0], key[1]


def _after(key: _Key, after: _Key | None) -> bool:
    """Whether a message comes after the cursor's, newest first (then by id)."""
    if after is None:
        return True
    return key[0] < after[0] or (key[0] == after[0] and key[1] > after[1])


class InboxPostings:
    """The ``inbox_index`` documents: written by upserts and ``$pullAll``, read one ``_id`` at a time."""

    def __init__(self, collection: Collection) -> None:
        self._collection = collection
        self._known_months: set[tuple[str, int]] = set()

    # ------------------------------------------------------------------ writing
    def add(self, members: Mapping[str, Iterable[Any]]) -> None:
        """Each posting's members (posting ``_id`` → members) added, the posting made if need be."""
        writes = [
            UpdateOne({"_id": key}, {"$addToSet": {"m": {"$each": list(values)}}}, upsert=True)
            for key, values in members.items()
            if values
        ]
        for start in range(0, len(writes), WRITES_PER_COMMAND):
            chunk = writes[start : start + WRITES_PER_COMMAND]
            try:
                self._collection.bulk_write(chunk, ordered=False)
            except BulkWriteError as exc:
                # Two writers made the same posting at once: the one refused now updates it.
                if any(error.get("code") != 11000 for error in exc.details.get("writeErrors", [])):
                    raise
                self._collection.bulk_write(chunk, ordered=False)

    def pull(self, members: Mapping[str, Iterable[Any]]) -> None:
        writes = [
            UpdateOne({"_id": key}, {"$pullAll": {"m": list(values)}}) for key, values in members.items() if values
        ]
        for start in range(0, len(writes), WRITES_PER_COMMAND):
            self._collection.bulk_write(writes[start : start + WRITES_PER_COMMAND], ordered=False)

    def add_messages(self, messages: Iterable[InboxMessage]) -> None:
        """The messages' month, member and unread id, written before the messages themselves."""
        postings: dict[str, list[Any]] = defaultdict(list)
        months: set[tuple[str, int]] = set()
        for message in messages:
            month = month_of(millis(message.created_at))
            if (message.owner, month) not in self._known_months:
                months.add((message.owner, month))
                postings[months_id(message.owner)].append(month)
            postings[month_id(message.owner, month)].append(member(message.created_at, message.id))
            if message.read_at is None:
                postings[unread_id(message.owner)].append(message.id)
        self.add(postings)
        if len(self._known_months) > _KNOWN_MONTHS:
            self._known_months.clear()
        self._known_months |= months

    # ------------------------------------------------------------------ reading
    def members(self, key: str) -> list[Any]:
        document = self._collection.find_one({"_id": key})
        return [] if document is None else list(document.get("m", []))

    def built(self) -> bool:
        return self._collection.find_one({"_id": BUILT}, {"_id": 1}) is not None


def prepare_inbox(db: Database) -> None:
    """Give the messages of a database older than the postings their postings, once (idempotent: web,
    consumer, scheduler and index job); each later start reads one document."""
    postings = InboxPostings(db[INBOX_INDEX])
    if postings.built():
        return
    found: dict[str, dict[Any, None]] = defaultdict(dict)
    for document in db[INBOX].find({}, {"owner": 1, "created_at": 1, "read_at": 1}):
        owner, created_at = document["owner"], document["created_at"]
        month = month_of(millis(created_at))
        found[months_id(owner)][month] = None
        found[month_id(owner, month)][member(created_at, document["_id"])] = None
        if document.get("read_at") is None:
            found[unread_id(owner)][document["_id"]] = None
    documents = [{"_id": key, "m": list(values)} for key, values in found.items()]
    inserted = insert_new(db[INBOX_INDEX], documents)
    # Postings written meanwhile (messages delivered while this ran) get the members added.
    slices = {
        (document["_id"], start): document["m"][start : start + _EACH_CHUNK]
        for document, new in zip(documents, inserted, strict=True)
        if not new
        for start in range(0, len(document["m"]), _EACH_CHUNK)
    }
    for start in range(0, len(slices), WRITES_PER_COMMAND):
        batch: dict[str, list[Any]] = {}
        for (key, _), values in list(slices.items())[start : start + WRITES_PER_COMMAND]:
            if key in batch:  # one update per posting in a command
                postings.add(batch)
                batch = {}
            batch[key] = values
        postings.add(batch)
    db[INBOX_INDEX].replace_one({"_id": BUILT}, {"_id": BUILT, "complete": True}, upsert=True)


class MongoInbox:
    def __init__(self, db: Database) -> None:
        self._collection = db[INBOX]
        self._postings = InboxPostings(db[INBOX_INDEX])
        self._built = False

    # ------------------------------------------------------------------ writing
    def add(self, message: InboxMessage) -> bool:
        return self.add_many([message])[0]

    def add_many(self, messages: list[InboxMessage]) -> list[bool]:
        """Insert each message (in bulk) after its postings; a message there already takes the replacing
        path (a thread's newer message), else its new postings are taken out again."""
        self._postings.add_messages(messages)
        inserted = insert_new(self._collection, [to_document(message) for message in messages])
        added = []
        for message, new in zip(messages, inserted, strict=True):
            added.append(new or self._replace(message))
            if not added[-1]:
                self._undo_postings(message)
        return added

    def _undo_postings(self, message: InboxMessage) -> None:
        """A message delivered before: the member written for this delivery goes unless it is the stored
        message's own, and its id leaves the unread set if the stored message has been read."""
        stored = self._collection.find_one({"_id": message.id}, {"created_at": 1, "read_at": 1, "owner": 1})
        if stored is None or stored["owner"] != message.owner:
            return
        written = member(message.created_at, message.id)
        pull: dict[str, list[str]] = {}
        if written != member(stored["created_at"], message.id):
            pull[month_id(message.owner, month_of(millis(message.created_at)))] = [written]
        if stored.get("read_at") is not None:
            pull[unread_id(message.owner)] = [message.id]
        self._postings.pull(pull)

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

    def mark_read(self, message_id: str, owners: list[str], now: datetime) -> InboxMessage | None:
        mine = {"_id": message_id, "owner": {"$in": owners}}
        document = self._collection.find_one_and_update(
            {**mine, "read_at": None}, {"$set": {"read_at": now}}, return_document=ReturnDocument.AFTER
        )
        if document is None:  # read before (the first reading time stays), or not theirs at all
            document = self._collection.find_one(mine)
            if document is None:
                return None
        if document.get("read_at") is not None:
            self._postings.pull({unread_id(document["owner"]): [message_id]})
        return from_document(InboxMessage, document)

    def mark_all_read(self, owners: list[str], now: datetime) -> int:
        """The unread sets' messages marked read by ``_id``; each id then leaves its set once its message is
        seen read (one still on its way from the consumer stays)."""
        owners = list(dict.fromkeys(owners))
        marked = 0
        if not self._ready():
            marked = self._collection.update_many(
                {"owner": {"$in": owners}, "read_at": None}, {"$set": {"read_at": now}}
            ).modified_count
        unread = [(owner, message_id) for owner in owners for message_id in self._postings.members(unread_id(owner))]
        read: dict[str, list[str]] = defaultdict(list)
        for start in range(0, len(unread), WRITES_PER_COMMAND):
            chunk = unread[start : start + WRITES_PER_COMMAND]
            writes = [
                UpdateOne({"_id": message_id, "owner": owner, "read_at": None}, {"$set": {"read_at": now}})
                for owner, message_id in chunk
            ]
            modified = self._collection.bulk_write(writes, ordered=False).modified_count
            marked += modified
            for owner, message_id in chunk:
                if modified == len(chunk) or self._is_read(message_id, owner):
                    read[unread_id(owner)].append(message_id)
        self._postings.pull(read)
        return marked

    def _is_read(self, message_id: str, owner: str) -> bool:
        document = self._collection.find_one({"_id": message_id}, {"owner": 1, "read_at": 1})
        return document is not None and (document["owner"] != owner or document.get("read_at") is not None)

    # ------------------------------------------------------------------ reading
    def get(self, message_id: str, owners: list[str]) -> InboxMessage | None:
        document = self._collection.find_one({"_id": message_id, "owner": {"$in": owners}})
        return None if document is None else from_document(InboxMessage, document)

    def page(self, owners: list[str], unread_only: bool, limit: int, after: tuple[datetime, str] | None) -> InboxPage:
        """The owners' messages newest first, starting after ``after`` = (created_at, id) of the last one seen."""
        if not self._ready():
            return self._queried_page(owners, unread_only, limit, after)
        owners = list(dict.fromkeys(owners))
        cursor = None if after is None else (millis(after[0]), after[1])
        only = None
        if unread_only:
            only = {message_id for owner in owners for message_id in self._postings.members(unread_id(owner))}
        documents = self._listed_page(owners, limit, cursor, only) if only is None or only else []
        return InboxPage([from_document(InboxMessage, d) for d in documents[:limit]], more=len(documents) > limit)

    def _listed_page(
        self, owners: list[str], limit: int, cursor: _Key | None, only: set[str] | None
    ) -> list[dict[str, Any]]:
        """Month by month, newest first: each month's members of every owner ordered, their messages read by
        ``_id`` until the page and one more are found; ``only`` the unread sets' when given (then only
        unread messages)."""
        months: dict[int, list[str]] = defaultdict(list)
        for owner in owners:
            for month in self._postings.members(months_id(owner)):
                months[int(month)].append(owner)
        found: list[dict[str, Any]] = []
        stale: dict[str, list[str]] = defaultdict(list)
        for month in sorted(months, reverse=True):
            if cursor is not None and month > month_of(cursor[0]):
                continue
            candidates = sorted(
                (
                    (key, owner)
                    for owner in months[month]
                    for key in {_parsed(m) for m in self._postings.members(month_id(owner, month))}
                    if _after(key, cursor) and (only is None or key[1] in only)
                ),
                key=lambda candidate: _order(candidate[0]),
            )
            for (ms, message_id), owner in candidates:
                document = self._collection.find_one({"_id": message_id})
                if document is None or document["owner"] != owner:
                    continue  # written before its message: the message is on its way, or never came
                if only is not None and document.get("read_at") is not None:
                    continue
                stored = millis(document["created_at"])
                if stored != ms:
                    if stored > ms:  # the thread's message replaced since
                        stale[month_id(owner, month)].append(member_of(ms, message_id))
                    continue
                found.append(document)
                if len(found) > limit:
                    break
            if len(found) > limit:
                break
        if stale:
            self._postings.pull(stale)
        return found

    def _queried_page(
        self, owners: list[str], unread_only: bool, limit: int, after: tuple[datetime, str] | None
    ) -> InboxPage:
        query: dict[str, Any] = {"owner": {"$in": owners}}
        if unread_only:
            query["read_at"] = None
        if after is not None:
            created_at, last_id = after
            query["$or"] = [{"created_at": {"$lt": created_at}}, {"created_at": created_at, "_id": {"$gt": last_id}}]
        documents = list(self._collection.find(query).sort(_NEWEST_FIRST).limit(limit + 1))
        return InboxPage([from_document(InboxMessage, d) for d in documents[:limit]], more=len(documents) > limit)

    def unread_count(self, owners: list[str]) -> int:
        if not self._ready():
            return self._collection.count_documents({"owner": {"$in": owners}, "read_at": None})
        return sum(len(set(self._postings.members(unread_id(owner)))) for owner in dict.fromkeys(owners))

    def _ready(self) -> bool:
        """Whether every message has its postings (once seen, for good)."""
        if not self._built:
            self._built = self._postings.built()
        return self._built
