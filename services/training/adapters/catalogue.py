"""Courses, sessions and the booking ledger on MongoDB (or FerretDB).

Courses and sessions are one document each (``shared.documents``), saved with an optimistic version;
a session's pending events live in its own document (the outbox), so its change and its events are one
write. A session document also carries query fields: ``starts_at`` and ``ends_at`` (its first meeting's
start, its last meeting's end); ``trainer_id``, ``centre`` and ``status`` are fields of the session itself.

The booking ledger keeps a trainer or a room from being booked twice at overlapping times, without
transactions. One document per trainer (``_id = "trainer:<id>"``) and per room
(``_id = "room:<centre>:<room>"``) lists the intervals booked there and has a version:

    {_id, resource, intervals: [{session_id, course_title, starts_at, ends_at, claim, claimed_at}], version}

A writer reads the document, decides (an overlap with another session's interval is refused with a
``SchedulingConflict`` naming that session), and writes the new list with a conditional update on the
version it read; losing the race to another writer means reading again and deciding again. Every write
names the document by ``_id`` alone (FerretDB serves only ``_id`` lookups from an index).

A session's intervals are claimed *before* the session is saved and released only *after* it is saved,
so whatever crashes, the ledger holds at least every interval a saved session meets in: a crash can leave
too much booked, never too little. Each claim is tagged with its own id: rescheduling adds the new
intervals under a new claim, saves the session, then removes the intervals of the claims it replaced (it
never removes another writer's claim made meanwhile); a failed save removes only its own claim. What a
crash leaves behind (intervals of a session that does not exist, is cancelled or no longer meets then) is
removed by ``release_orphans`` once it is old enough not to belong to a request still in flight.
Intervals that have ended are dropped whenever a ledger is written: a new meeting is always in the future,
so they can never conflict again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.training.domain.course import Course, Format, Level
from services.training.domain.dimensions import Dimension
from services.training.domain.scheduling import Booked, Resource, SchedulingConflict, Slot, first_conflict
from services.training.domain.session import Session, SessionStatus
from shared.documents import from_document, to_document
from shared.errors import NotFound, StaleVersion, Text
from shared.mongo import IndexSpec, index
from shared.outbox import OUTBOX_INDEXES, OutboxEntry
from shared.outbox.store import AggregateStore

COURSES = "courses"
SESSIONS = "sessions"
BOOKINGS = "bookings"
INDEXES: list[IndexSpec] = [
    index(SESSIONS, "status", "starts_at"),
    index(SESSIONS, "trainer_id", "starts_at"),
    index(SESSIONS, "centre", "starts_at"),
    index(SESSIONS, "course_id", "starts_at"),
    *(index(SESSIONS, name) for name in OUTBOX_INDEXES),
]
NO_SUCH_COURSE = Text("Няма такъв курс.", "No such course.")
NO_SUCH_SESSION = Text("Няма такава сесия.", "No such session.")
_STATE = {"outbox": 0, "outbox_seq": 0, "outbox_sent_seq": 0}
LEDGER_ATTEMPTS = 20
"""How often a ledger write is tried again after losing a race, before the request gets a 409."""


# ---------------------------------------------------------------------- courses
class MongoCourses:
    def __init__(self, db: Database) -> None:
        self._collection = db[COURSES]
        self._store = AggregateStore(self._collection)

    def get(self, course_id: str) -> Course:
        document = self._collection.find_one({"_id": course_id}, _STATE)
        if document is None:
            raise NotFound(NO_SUCH_COURSE)
        return from_document(Course, document)

    def find(self, course_id: str) -> Course | None:
        try:
            return self.get(course_id)
        except NotFound:
            return None

    def add(self, course: Course) -> None:
        course.version = self._store.insert(to_document(course), [])

    def save(self, course: Course) -> None:
        fields = to_document(course, drop=("version",))
        del fields["_id"]
        course.version = self._store.update(course.id, course.version, fields, [])

    def list(
        self,
        dimension: Dimension | None = None,
        level: Level | None = None,
        format: Format | None = None,
        include_withdrawn: bool = False,
    ) -> list[Course]:
        """The catalogue (a few dozen courses), by Bulgarian title."""
        query: dict[str, Any] = {}
        if dimension is not None:
            query["dimensions"] = dimension.value
        if level is not None:
            query["level"] = level.value
        if format is not None:
            query["format"] = format.value
        if not include_withdrawn:
            query["active"] = True
        courses = [from_document(Course, d) for d in self._collection.find(query, _STATE)]
        return sorted(courses, key=lambda c: (c.title_bg.casefold(), c.id))


# ---------------------------------------------------------------------- sessions
def _query_fields(session: Session) -> dict[str, Any]:
    return {"starts_at": session.starts_at, "ends_at": session.ends_at}


class MongoSessions:
    def __init__(self, db: Database) -> None:
        self._collection = db[SESSIONS]
        self._store = AggregateStore(self._collection)

    def get(self, session_id: str) -> Session:
        document = self._collection.find_one({"_id": session_id}, _STATE)
        if document is None:
            raise NotFound(NO_SUCH_SESSION)
        return from_document(Session, document)

    def find(self, session_id: str) -> Session | None:
        try:
            return self.get(session_id)
        except NotFound:
            return None

    def add(self, session: Session, outbox: list[OutboxEntry]) -> None:
        session.version = self._store.insert({**to_document(session), **_query_fields(session)}, outbox)

    def save(self, session: Session, outbox: list[OutboxEntry]) -> None:
        """Write the changed session and its events atomically; StaleVersion on a lost race."""
        fields = to_document(session, drop=("version",))
        del fields["_id"]
        session.version = self._store.update(session.id, session.version, {**fields, **_query_fields(session)}, outbox)

    def _find(self, query: dict[str, Any], limit: int = 0) -> list[Session]:
        cursor = self._collection.find(query, _STATE).sort([("starts_at", ASCENDING), ("_id", ASCENDING)])
        return [from_document(Session, d) for d in cursor.limit(limit)]

    def of_trainer(self, trainer_id: str, ending_after: datetime | None = None) -> list[Session]:
        """The trainer's sessions in every state, by first meeting; those ended before ``ending_after`` left out."""
        return self._find({"trainer_id": trainer_id, **_ending_after(ending_after)})

    def at_centre(self, centre: str, ending_after: datetime | None = None) -> list[Session]:
        return self._find({"centre": centre, **_ending_after(ending_after)})

    def of_course(self, course_id: str, ending_after: datetime | None = None) -> list[Session]:
        return self._find({"course_id": course_id, **_ending_after(ending_after)})

    def upcoming(
        self,
        now: datetime,
        *,
        course_id: str | None = None,
        centre: str | None = None,
        online: bool | None = None,
        starts_from: datetime | None = None,
        starts_before: datetime | None = None,
        limit: int = 0,
    ) -> list[Session]:
        """Scheduled sessions that have not ended, by first meeting; filters by course, centre, online or not,
        and the first meeting's start (``starts_from`` ≤ start < ``starts_before``)."""
        query: dict[str, Any] = {"status": SessionStatus.SCHEDULED.value, "ends_at": {"$gt": now}}
        if course_id is not None:
            query["course_id"] = course_id
        if centre is not None:
            query["centre"] = centre
        if online is not None:
            query["room"] = None if online else {"$ne": None}
        starts: dict[str, datetime] = {}
        if starts_from is not None:
            starts["$gte"] = starts_from
        if starts_before is not None:
            starts["$lt"] = starts_before
        if starts:
            query["starts_at"] = starts
        return self._find(query, limit)


def _ending_after(moment: datetime | None) -> dict[str, Any]:
    return {} if moment is None else {"ends_at": {"$gt": moment}}


# ---------------------------------------------------------------------- the booking ledger
def trainer_key(trainer_id: str) -> str:
    return f"trainer:{trainer_id}"


def room_key(centre: str, room: str) -> str:
    """Rooms are told apart by centre and name, whatever the case and spacing people type („Зала 2“, „зала  2“)."""
    return f"room:{centre}:{' '.join(room.split()).casefold()}"


def ledgers_of(session: Session) -> list[tuple[Resource, str]]:
    """Where a session's time is booked: its trainer, and its room unless it is online."""
    found = [(Resource.TRAINER, trainer_key(session.trainer_id))]
    if session.room is not None:
        found.append((Resource.ROOM, room_key(session.centre, session.room)))
    return found


@dataclass(frozen=True)
class Claim:
    """Intervals claimed for a session in its ledgers, under one claim id."""

    session_id: str
    token: str
    ledgers: tuple[str, ...]
    replaced: dict[str, frozenset[str]] = field(default_factory=dict)
    """Per ledger: the claim ids of the session's intervals there when this claim was made (the old times)."""


Entries = list[dict[str, Any]]


class MongoBookings:
    def __init__(self, db: Database) -> None:
        self._collection = db[BOOKINGS]
        self._sessions = db[SESSIONS]

    # -------------------------------------------------------------- what scheduling uses
    def claim(self, session: Session, now: datetime) -> Claim:
        """Book the session's meetings (those not yet ended) for its trainer and room; ``SchedulingConflict``
        naming the other session when either is taken at an overlapping time (nothing stays claimed then)."""
        token = uuid.uuid4().hex
        wanted = [Slot(m.starts_at, m.ends_at) for m in session.meetings if m.ends_at > now]
        entries = [
            {
                "session_id": session.id,
                "course_title": session.course_title,
                "starts_at": slot.starts_at,
                "ends_at": slot.ends_at,
                "claim": token,
                "claimed_at": now,
            }
            for slot in wanted
        ]
        replaced: dict[str, frozenset[str]] = {}
        done: list[str] = []
        try:
            for resource, key in ledgers_of(session):
                replaced[key] = self._claim_in(key, resource, session.id, wanted, entries, now)
                done.append(key)
        except SchedulingConflict:
            self._drop_claim(done, token)
            raise
        return Claim(session.id, token, tuple(done), replaced)

    def commit(self, claim: Claim) -> None:
        """The session is saved with the claimed times: free the times it held before."""
        for key in claim.ledgers:
            old = claim.replaced.get(key, frozenset())
            if old:
                self._change(
                    key,
                    lambda entries, old=old: _without(
                        entries, lambda e: e["session_id"] == claim.session_id and e["claim"] in old
                    ),
                )

    def abandon(self, claim: Claim) -> None:
        """The session could not be saved: take back this claim (and only this one)."""
        self._drop_claim(claim.ledgers, claim.token)

    def release(self, session: Session) -> None:
        """Free every interval of the session (it is cancelled)."""
        for _, key in ledgers_of(session):
            self._change(key, lambda entries: _without(entries, lambda e: e["session_id"] == session.id))

    def booked(self, key: str) -> list[Booked]:
        document = self._collection.find_one({"_id": key}) or {}
        return [_booked(e) for e in document.get("intervals", [])]

    def release_orphans(self, claimed_before: datetime) -> int:
        """Remove intervals claimed before ``claimed_before`` whose session does not exist, is cancelled, or no
        longer meets at that time (what a crash between claiming and saving leaves); returns how many."""
        meetings: dict[str, set[tuple[datetime, datetime]] | None] = {}

        def held(session_id: str) -> set[tuple[datetime, datetime]] | None:
            if session_id not in meetings:
                document = self._sessions.find_one({"_id": session_id}, {"status": 1, "meetings": 1})
                if document is None or document["status"] == SessionStatus.CANCELLED.value:
                    meetings[session_id] = None
                else:
                    meetings[session_id] = {(m["starts_at"], m["ends_at"]) for m in document["meetings"]}
            return meetings[session_id]

        def orphan(entry: dict[str, Any]) -> bool:
            if entry["claimed_at"] >= claimed_before:
                return False  # perhaps a request still in flight
            times = held(entry["session_id"])
            return times is None or (entry["starts_at"], entry["ends_at"]) not in times

        removed = 0
        for document in self._collection.find({}, {"_id": 1}):
            removed += self._change(document["_id"], lambda entries: _without(entries, orphan))
        return removed

    # -------------------------------------------------------------- the conditional writes
    def _claim_in(
        self, key: str, resource: Resource, session_id: str, wanted: list[Slot], entries: Entries, now: datetime
    ) -> frozenset[str]:
        replaced: set[str] = set()

        def decide(current: Entries) -> Entries:
            live = [e for e in current if e["ends_at"] > now]
            found = first_conflict(wanted, (_booked(e) for e in live), ignore_session=session_id)
            if found is not None:
                index, booking = found
                raise SchedulingConflict(resource, booking, index)
            replaced.clear()
            replaced.update(e["claim"] for e in current if e["session_id"] == session_id)
            return live + entries

        self._change(key, decide, resource)
        return frozenset(replaced)

    def _drop_claim(self, keys: Iterable[str], token: str) -> None:
        for key in keys:
            self._change(key, lambda entries: _without(entries, lambda e: e["claim"] == token))

    def _change(self, key: str, decide: Callable[[Entries], Entries | None], resource: Resource | None = None) -> int:
        """Apply ``decide`` to the ledger's intervals with a conditional write, again after a lost race.
        ``decide`` returns the new intervals, or None for no change. Returns how many intervals went away."""
        for _ in range(LEDGER_ATTEMPTS):
            document = self._collection.find_one({"_id": key})
            current: Entries = document["intervals"] if document else []
            new = decide(current)
            if new is None:
                return 0
            if document is None:
                if resource is None:
                    return 0  # nothing to release in a ledger that does not exist
                try:
                    self._collection.insert_one(
                        {"_id": key, "resource": resource.value, "intervals": new, "version": 1}
                    )
                except DuplicateKeyError:
                    continue
                return 0
            version = document["version"]
            update = {"$set": {"intervals": new, "version": version + 1}}
            if self._collection.update_one({"_id": key, "version": version}, update).matched_count == 1:
                return max(0, len(current) - len(new))
        raise StaleVersion()


def _without(entries: Entries, drop: Callable[[dict[str, Any]], bool]) -> Entries | None:
    kept = [e for e in entries if not drop(e)]
    return None if len(kept) == len(entries) else kept


def _booked(entry: dict[str, Any]) -> Booked:
    return Booked(entry["session_id"], entry.get("course_title", ""), entry["starts_at"], entry["ends_at"])
