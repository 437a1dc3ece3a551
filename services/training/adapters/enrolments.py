"""Enrolments, seat ledgers and certificates on MongoDB (or FerretDB).

- ``enrolments``: one document per (session, learner), ``_id = "<session id>:<learner e-mail>"``, with
  its outbox and optimistic version (``AggregateStore``). The document is ``to_document(enrolment)``, so
  the fields the queries use are top-level: ``session_id``, ``learner``, ``enterprise_id``, ``state``,
  ``centre``, ``enrolled_at``.
- ``seats``: one ledger per session, ``_id = session id``: ``{capacity, holders: [enrolment ids],
  waiting: [enrolment ids]}``. Every change is ONE conditional update addressed by ``_id`` (the server
  applies each single-document update atomically), so no two claims can take the last seat and no two
  promotions can move the same person: see ``SeatLedger`` (on ``shared.seat_ledger``).
- ``certificates``: the public record of each certificate, ``_id`` = its number, with its random check
  code (a record written before codes existed gets one the first time it is read).
- ``calendar_links``: learners' private calendar links, ``_id`` = the SHA-256 of the secret, ``learner``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.training.domain.calendar_link import CalendarLink
from services.training.domain.certificate import Certificate, new_check_code
from services.training.domain.enrolment import MAX_WAITING, Enrolment, EnrolmentState, Seats
from shared.documents import from_document, to_document
from shared.errors import NotFound, Text
from shared.mongo import IndexSpec, index
from shared.outbox import OUTBOX_INDEXES, OutboxEntry
from shared.outbox.store import AggregateStore
from shared.seat_ledger import Places
from shared.seat_ledger import SeatLedger as SharedSeatLedger

ENROLMENTS = "enrolments"
SEATS = "seats"
CERTIFICATES = "certificates"
CALENDAR_LINKS = "calendar_links"
INDEXES: list[IndexSpec] = [
    index(ENROLMENTS, "session_id", "state"),
    index(ENROLMENTS, "learner", "-enrolled_at"),
    index(ENROLMENTS, "enterprise_id", "-enrolled_at"),
    index(ENROLMENTS, "centre", "state"),
    *(index(ENROLMENTS, field) for field in OUTBOX_INDEXES),
    index(CERTIFICATES, "enrolment_id"),
    index(CALENDAR_LINKS, "learner"),
]
NO_SUCH_ENROLMENT = Text("Няма такова записване.", "No such enrolment.")
_STATE = {"outbox": 0, "outbox_seq": 0, "outbox_sent_seq": 0}
_NEWEST_FIRST = [("enrolled_at", DESCENDING), ("_id", ASCENDING)]
LEDGER_BOUND = 2 * MAX_WAITING
"""The most ids a session's waitlist document holds, whatever happens at the same moment."""


class MongoEnrolments:
    def __init__(self, db: Database) -> None:
        self._store = AggregateStore(db[ENROLMENTS])
        self._collection = db[ENROLMENTS]

    def get(self, enrolment_id: str) -> Enrolment:
        found = self.find(enrolment_id)
        if found is None:
            raise NotFound(NO_SUCH_ENROLMENT)
        return found

    def find(self, enrolment_id: str) -> Enrolment | None:
        document = self._collection.find_one({"_id": enrolment_id}, _STATE)
        return None if document is None else from_document(Enrolment, document)

    def add(self, enrolment: Enrolment, outbox: list[OutboxEntry]) -> bool:
        """Insert a new enrolment; False (and nothing written) when the learner's enrolment id is taken."""
        try:
            enrolment.version = self._store.insert(to_document(enrolment, drop=("version",)), outbox)
        except DuplicateKeyError:
            return False
        return True

    def save(self, enrolment: Enrolment, outbox: list[OutboxEntry]) -> None:
        """Write the changed enrolment and its events in one update; StaleVersion when someone saved it first."""
        fields = to_document(enrolment, drop=("version",))
        del fields["_id"]
        enrolment.version = self._store.update(enrolment.id, enrolment.version, fields, outbox)

    def of_session(self, session_id: str, states: Iterable[EnrolmentState] | None = None) -> list[Enrolment]:
        """The session's enrolments, oldest first."""
        query: dict[str, Any] = {"session_id": session_id}
        if states is not None:
            query["state"] = {"$in": [EnrolmentState(s).value for s in states]}
        cursor = self._collection.find(query, _STATE).sort([("enrolled_at", ASCENDING), ("_id", ASCENDING)])
        return [from_document(Enrolment, d) for d in cursor]

    def of_learner(self, learner: str, limit: int = 0) -> list[Enrolment]:
        """The learner's enrolments, newest first."""
        return self._find({"learner": learner}, limit)

    def of_enterprise(self, enterprise_id: str, limit: int = 0) -> list[Enrolment]:
        """Enrolments of the enterprise's workers, newest first."""
        return self._find({"enterprise_id": enterprise_id}, limit)

    def _find(self, query: dict[str, Any], limit: int) -> list[Enrolment]:
        cursor = self._collection.find(query, _STATE).sort(_NEWEST_FIRST).limit(limit)
        return [from_document(Enrolment, d) for d in cursor]


def _seats(places: Places) -> Seats:
    return Seats(session_id=places.key, capacity=places.capacity, holders=places.holders, waiting=places.waiting)


class SeatLedger:
    """A session's seats on the platform's seat ledger (``shared.seat_ledger``, which events' visitors share):
    ``holders`` in the order they got a seat, ``waiting`` first-in-first-out, every change ONE conditional
    update of the ledger document by ``_id`` (``Seats`` in the domain states the same rules):

    - ``claim``: a seat while one is free and nobody waits (a seat freed by a cancellation belongs to the
      first waiting, not to whoever comes next), else the end of the waitlist; nothing for an id already there;
    - ``promote_first``: the head of the waitlist to a free seat, only if it is still the head, so two
      cancellations never promote the same person or skip anyone;
    - ``release``: the ids out of both lists.

    The waitlist's bound (``MAX_WAITING``) is checked before anything is written; requests at the same moment
    may pass that check together, so the ledger itself refuses only beyond ``LEDGER_BOUND``, which keeps the
    one document bounded (``WaitingListFull``).
    """

    def __init__(self, db: Database) -> None:
        self._ledger = SharedSeatLedger(db[SEATS])

    def get(self, session_id: str) -> Seats | None:
        places = self._ledger.get(session_id)
        return None if places is None else _seats(places)

    def claim(self, session_id: str, enrolment_id: str, capacity: int, seen: Seats | None = None) -> Seats:
        """A seat while one is free and nobody waits, else the end of the waitlist; the ledger as the claim
        left it (the first claim creates it with the session's capacity). ``seen``, the ledger as the caller
        has just read it, only chooses which update is tried first."""
        hint = None if seen is None else Places(seen.session_id, seen.capacity, seen.holders, seen.waiting)
        return _seats(self._ledger.claim(session_id, enrolment_id, capacity, LEDGER_BOUND, hint))

    def promote_first(self, session_id: str, expected: str, capacity: int) -> bool:
        """Move ``expected`` from the head of the waitlist to a free seat; False if it is not the head any
        more or no seat is free (someone else acted first)."""
        return self._ledger.promote_first(session_id, expected, capacity)

    def release(self, session_id: str, enrolment_ids: Iterable[str]) -> None:
        self._ledger.release(session_id, enrolment_ids)


class MongoCertificates:
    """The public record of certificates, ``_id`` = number. Written once per number, whatever retries happen."""

    def __init__(self, db: Database) -> None:
        self._collection = db[CERTIFICATES]

    def put(self, certificate: Certificate) -> None:
        fields = to_document(certificate)
        number = fields.pop("_id")
        with contextlib.suppress(DuplicateKeyError):  # written at the same moment by a retry of the same issue
            self._collection.update_one({"_id": number}, {"$setOnInsert": fields}, upsert=True)

    def get(self, number: str) -> Certificate | None:
        document = self._collection.find_one({"_id": number})
        if document is not None and not document.get("check_code"):
            # Issued before check codes: give it one now, once (a concurrent reader's code wins the race).
            self._collection.update_one(
                {"_id": number, "check_code": {"$in": [None, ""]}}, {"$set": {"check_code": new_check_code()}}
            )
            document = self._collection.find_one({"_id": number})
        return None if document is None else from_document(Certificate, document)


class MongoCalendarLinks:
    """One private calendar link per learner, found by the hash of its secret (the ``_id``)."""

    def __init__(self, db: Database) -> None:
        self._collection = db[CALENDAR_LINKS]

    def replace(self, learner: str, hashed: str, created_at: datetime) -> None:
        self._collection.insert_one({"_id": hashed, "learner": learner, "created_at": created_at})
        self._collection.delete_many({"learner": learner, "_id": {"$ne": hashed}})

    def remove(self, learner: str) -> None:
        self._collection.delete_many({"learner": learner})

    def of_learner(self, learner: str) -> CalendarLink | None:
        document = self._collection.find_one({"learner": learner}, sort=[("created_at", DESCENDING)])
        return None if document is None else CalendarLink(document["learner"], document["created_at"])

    def by_hash(self, hashed: str) -> CalendarLink | None:
        document = self._collection.find_one({"_id": hashed})
        return None if document is None else CalendarLink(document["learner"], document["created_at"])
