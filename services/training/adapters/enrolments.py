"""Enrolments, seat ledgers and certificates on MongoDB (or FerretDB).

- ``enrolments``: one document per (session, learner), ``_id = "<session id>:<learner e-mail>"``, with
  its outbox and optimistic version (``AggregateStore``). The document is ``to_document(enrolment)``, so
  the fields the queries use are top-level: ``session_id``, ``learner``, ``enterprise_id``, ``state``,
  ``centre``, ``enrolled_at``.
- ``seats``: one ledger per session, ``_id = session id``: ``{capacity, holders: [enrolment ids],
  waiting: [enrolment ids]}``. Every change is ONE conditional update addressed by ``_id`` (the server
  applies each single-document update atomically), so no two claims can take the last seat and no two
  promotions can move the same person: see ``SeatLedger``.
- ``certificates``: the public record of each certificate, ``_id`` = its number, with its random check
  code (a record written before codes existed gets one the first time it is read).
- ``calendar_links``: learners' private calendar links, ``_id`` = the SHA-256 of the secret, ``learner``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from services.training.domain.calendar_link import CalendarLink
from services.training.domain.certificate import Certificate, new_check_code
from services.training.domain.enrolment import Enrolment, EnrolmentState, Seats
from shared.documents import from_document, to_document
from shared.errors import NotFound, Text
from shared.mongo import IndexSpec, index
from shared.outbox import OUTBOX_INDEXES, OutboxEntry
from shared.outbox.store import AggregateStore

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
_CLAIM_ATTEMPTS = 50
"""Each failed attempt means the ledger changed meanwhile (another writer made progress)."""


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


def _seats(document: dict[str, Any]) -> Seats:
    return Seats(
        session_id=document["_id"],
        capacity=int(document.get("capacity", 0)),
        holders=tuple(document.get("holders", ())),
        waiting=tuple(document.get("waiting", ())),
    )


class SeatLedger:
    """A session's seats: ``holders`` in the order they got a seat, ``waiting`` first-in-first-out.

    Each method is a single conditional update of the ledger document by ``_id``; the conditions are
    what make it safe without transactions (``Seats`` in the domain states the same rules):

    - ``claim``: push to ``holders`` only if the id is in neither list, ``holders.<capacity-1>`` does
      not exist (fewer than ``capacity`` holders) and nobody waits (``waiting.0`` does not exist: a seat
      freed by a cancellation belongs to the first waiting, not to whoever comes next); otherwise push
      to ``waiting`` only if it is in neither list. Pushes append, so the waiting order is the order the
      claims were applied in.
    - ``promote_first``: move the id from ``waiting`` to ``holders`` only if it is still ``waiting.0``
      and a seat is free, so two cancellations never promote the same person or skip anyone.
    - ``release``: pull the ids from both lists.
    """

    def __init__(self, db: Database) -> None:
        self._collection = db[SEATS]

    def get(self, session_id: str) -> Seats | None:
        document = self._collection.find_one({"_id": session_id})
        return None if document is None else _seats(document)

    def claim(self, session_id: str, enrolment_id: str, capacity: int) -> Seats:
        """A seat while one is free and nobody waits, else the end of the waitlist; the ledger as the claim
        left it.

        Each attempt is decided by the server alone: the push to ``holders`` names the condition for a
        free seat, the push to ``waiting`` names its opposite (``holders.<capacity-1>`` or ``waiting.0``
        exists), so neither can act on a state that changed in between; when both find nothing to do the
        ledger changed meanwhile (or does not exist yet: the first claim creates it with the session's
        capacity) and the claim is tried again. Claiming an id already in the ledger changes nothing.
        """
        absent = {"holders": {"$ne": enrolment_id}, "waiting": {"$ne": enrolment_id}}
        no_seat = [{"waiting.0": {"$exists": True}}]
        if capacity >= 1:
            no_seat.append({f"holders.{capacity - 1}": {"$exists": True}})
        for _ in range(_CLAIM_ATTEMPTS):
            if capacity >= 1:
                seat = {
                    "_id": session_id,
                    **absent,
                    f"holders.{capacity - 1}": {"$exists": False},
                    "waiting.0": {"$exists": False},
                }
                document = self._collection.find_one_and_update(
                    seat,
                    {"$push": {"holders": enrolment_id}, "$set": {"capacity": capacity}},
                    return_document=ReturnDocument.AFTER,
                )
                if document is not None:
                    return _seats(document)
            queue = {"_id": session_id, **absent, "$or": no_seat} if capacity >= 1 else {"_id": session_id, **absent}
            document = self._collection.find_one_and_update(
                queue,
                {"$push": {"waiting": enrolment_id}, "$set": {"capacity": capacity}},
                return_document=ReturnDocument.AFTER,
            )
            if document is not None:
                return _seats(document)
            document = self._collection.find_one({"_id": session_id})
            if document is None:
                self._open(session_id, capacity)
            elif enrolment_id in document.get("holders", ()) or enrolment_id in document.get("waiting", ()):
                return _seats(document)
        raise RuntimeError(f"could not claim a place in the seat ledger of session {session_id}")

    def promote_first(self, session_id: str, expected: str, capacity: int) -> bool:
        """Move ``expected`` from the head of the waitlist to a free seat; False if it is not the head any
        more or no seat is free (someone else acted first)."""
        if capacity < 1:
            return False
        result = self._collection.update_one(
            {"_id": session_id, "waiting.0": expected, f"holders.{capacity - 1}": {"$exists": False}},
            {"$pull": {"waiting": expected}, "$push": {"holders": expected}, "$set": {"capacity": capacity}},
        )
        return result.modified_count == 1

    def release(self, session_id: str, enrolment_ids: Iterable[str]) -> None:
        ids = list(enrolment_ids)
        if ids:
            self._collection.update_one({"_id": session_id}, {"$pullAll": {"holders": ids, "waiting": ids}})

    def _open(self, session_id: str, capacity: int) -> None:
        with contextlib.suppress(DuplicateKeyError):  # another claim created it first
            self._collection.insert_one({"_id": session_id, "capacity": capacity, "holders": [], "waiting": []})


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
