"""The grants service's MongoDB collections: calls and applications (outbox inside each document), the
envelope ledger, and the enterprises and assessments read from other services' events."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pymongo.database import Database

from services.grants.domain.application import DECIDED, Application
from services.grants.domain.call import Call
from services.grants.domain.deminimis import Aid, AidSource
from shared.consumer import apply_once
from shared.documents import from_document, to_document
from shared.errors import NotFound, Text
from shared.events import Envelope
from shared.mongo import IndexSpec, index
from shared.outbox import OUTBOX_INDEXES, OutboxEntry
from shared.outbox.store import AggregateStore

CALLS = "calls"
APPLICATIONS = "applications"
ENVELOPES = "envelopes"
ENTERPRISES = "enterprises"
ASSESSMENTS = "assessments"
AID_LEDGERS = "aid_ledgers"

INDEXES: list[IndexSpec] = [
    *(index(CALLS, f) for f in OUTBOX_INDEXES),
    *(index(APPLICATIONS, f) for f in OUTBOX_INDEXES),
    index(APPLICATIONS, "enterprise_id"),
    index(APPLICATIONS, "centre", "status"),
    index(APPLICATIONS, "call_id", "region"),
    index(APPLICATIONS, "evaluators.evaluator"),
    index(ASSESSMENTS, "enterprise_id"),
]

_NO_APPLICATION = Text("Няма такова заявление.", "No such application.")
_NO_CALL = Text("Няма такава покана.", "No such call.")


class MongoCalls:
    def __init__(self, db: Database) -> None:
        self._collection = db[CALLS]
        self._store = AggregateStore(self._collection)

    def add(self, call: Call, outbox: list[OutboxEntry]) -> None:
        call.version = self._store.insert(to_document(call), outbox)

    def save(self, call: Call, outbox: list[OutboxEntry]) -> None:
        document = to_document(call)
        del document["_id"], document["version"]
        call.version = self._store.update(call.id, call.version, document, outbox)

    def get(self, call_id: str) -> Call:
        document = self._collection.find_one({"_id": call_id}, {"outbox": 0})
        if document is None:
            raise NotFound(_NO_CALL)
        return from_document(Call, document)

    def all(self) -> list[Call]:
        found = self._collection.find({}, {"outbox": 0}).sort("opens_on", -1)
        return [from_document(Call, d) for d in found]


class MongoApplications:
    def __init__(self, db: Database) -> None:
        self._collection = db[APPLICATIONS]
        self._store = AggregateStore(self._collection)

    def add(self, application: Application, outbox: list[OutboxEntry]) -> None:
        application.version = self._store.insert(to_document(application), outbox)

    def save(self, application: Application, outbox: list[OutboxEntry]) -> None:
        document = to_document(application)
        del document["_id"], document["version"]
        application.version = self._store.update(application.id, application.version, document, outbox)

    def get(self, application_id: str) -> Application:
        document = self._collection.find_one({"_id": application_id}, {"outbox": 0})
        if document is None:
            raise NotFound(_NO_APPLICATION)
        return from_document(Application, document)

    def find(self, query: dict[str, Any], limit: int = 500) -> list[Application]:
        found = self._collection.find(query, {"outbox": 0}).sort("created_at", 1).limit(limit)
        return [from_document(Application, d) for d in found]

    def states(self, application_ids: list[str]) -> dict[str, tuple[str, int]]:
        """Each application's status and version, read in one query (an envelope's holders, say)."""
        found = self._collection.find({"_id": {"$in": application_ids}}, {"status": 1, "version": 1})
        return {d["_id"]: (d["status"], d["version"]) for d in found}

    def awards(self) -> list[tuple[str, str, Aid]]:
        """Every award made on the platform: (enterprise, application, the aid)."""
        found = self._collection.find({"status": {"$in": [s.value for s in DECIDED]}}, {"award": 1, "enterprise_id": 1})
        return [
            (
                d["enterprise_id"],
                d["_id"],
                Aid(date.fromisoformat(d["award"]["awarded_on"]), d["award"]["amount_cents"], AidSource.PLATFORM),
            )
            for d in found
            if d.get("award")
        ]


class AidLedger:
    """The aid each enterprise was awarded on the platform, one document per enterprise (``_id``: its id) with
    each award by application: the de minimis check reads it with one read by ``_id``.

    An award's entry is written before the award is saved (after its envelope hold) and taken out again with
    the hold when the decision fails or crashed: the ceiling is never checked against less than was awarded.
    """

    def __init__(self, db: Database) -> None:
        self._collection = db[AID_LEDGERS]

    def record(self, enterprise_id: str, application_id: str, amount_cents: int, awarded_on: date) -> None:
        entry = {"amount_cents": amount_cents, "awarded_on": awarded_on.isoformat()}
        self._collection.update_one({"_id": enterprise_id}, {"$set": {f"aids.{application_id}": entry}}, upsert=True)

    def forget(self, enterprise_id: str, application_id: str) -> None:
        self._collection.update_one({"_id": enterprise_id}, {"$unset": {f"aids.{application_id}": ""}})

    def of(self, enterprise_id: str, excluding: str = "") -> list[Aid]:
        """The enterprise's awards on the platform (but the application ``excluding``'s own)."""
        found = self._collection.find_one({"_id": enterprise_id}) or {}
        return [
            Aid(date.fromisoformat(entry["awarded_on"]), entry["amount_cents"], AidSource.PLATFORM)
            for application_id, entry in sorted((found.get("aids") or {}).items())
            if application_id != excluding
        ]

    def rebuild(self, applications: MongoApplications) -> int:
        """Write every award the applications hold (after a restore, or for awards made before the ledger);
        how many. Entries are set by application, so running it twice changes nothing."""
        written = 0
        for enterprise_id, application_id, aid in applications.awards():
            self.record(enterprise_id, application_id, aid.amount_cents, aid.granted_on)
            written += 1
        return written


class Hold(StrEnum):
    TAKEN = "taken"
    """Held now, by this decision."""
    HELD = "held"
    """Held already for a decision on the same version of the application (a retry, or a twin request)."""
    BUSY = "busy"
    """Held for the application by a decision on another version (in progress, or one that crashed)."""
    NO_MONEY = "no_money"


class EnvelopeLedger:
    """A region's envelope of a call: ``budget_cents``, ``committed_cents`` and who holds what.

    ``commit`` is one conditional update: it adds the award only if the committed total stays within the
    budget and the application holds nothing yet, so two awards decided at the same moment can never
    both take the last money — the server applies one, and the other's condition no longer matches.
    """

    def __init__(self, db: Database) -> None:
        self._collection = db[ENVELOPES]

    @staticmethod
    def key(call_id: str, region: str) -> str:
        return f"{call_id}:{region}"

    def open(self, call_id: str, region: str, budget_cents: int) -> None:
        self._collection.update_one(
            {"_id": self.key(call_id, region)},
            {
                "$setOnInsert": {
                    "call_id": call_id,
                    "region": region,
                    "budget_cents": budget_cents,
                    "committed_cents": 0,
                    "holders": [],
                    "amounts": {},
                    "tokens": {},
                }
            },
            upsert=True,
        )

    def get(self, call_id: str, region: str) -> dict[str, Any]:
        document = self._collection.find_one({"_id": self.key(call_id, region)})
        if document is None:
            raise NotFound(Text("Поканата няма средства за този район.", "The call has no envelope for this region."))
        return _ledger(document)

    def of_call(self, call_id: str) -> list[dict[str, Any]]:
        return [_ledger(d) for d in self._collection.find({"call_id": call_id}).sort("region", 1)]

    def commit(
        self,
        call_id: str,
        region: str,
        application_id: str,
        amount_cents: int,
        version: int,
        at: datetime | None = None,
    ) -> Hold:
        """Hold ``amount_cents`` for the application's decision taken on its ``version`` (``at``: when).

        A retried decision on the same version (say, after a crash between the hold and the save) finds its
        hold (``HELD``); a decision on another version while the application holds money is ``BUSY``.
        """
        envelope = self.get(call_id, region)
        if application_id in envelope["holders"]:
            same = (
                envelope["amounts"].get(application_id) == amount_cents
                and envelope["tokens"].get(application_id) == version
            )
            return Hold.HELD if same else Hold.BUSY
        result = self._collection.update_one(
            {
                "_id": envelope["_id"],
                "committed_cents": {"$lte": envelope["budget_cents"] - amount_cents},
                "holders": {"$ne": application_id},
            },
            {
                "$inc": {"committed_cents": amount_cents},
                "$push": {"holders": application_id},
                "$set": {
                    f"amounts.{application_id}": amount_cents,
                    f"tokens.{application_id}": version,
                    f"held_at.{application_id}": at or datetime.now(UTC),
                },
            },
        )
        if result.modified_count == 1:
            return Hold.TAKEN
        return Hold.BUSY if application_id in self.get(call_id, region)["holders"] else Hold.NO_MONEY

    def release(self, call_id: str, region: str, application_id: str, amount_cents: int, version: int) -> bool:
        """Give back the hold a decision on ``version`` took (and only that one); False if it was gone already
        (another process gave it back first: a hold is given back once)."""
        result = self._collection.update_one(
            {"_id": self.key(call_id, region), "holders": application_id, f"tokens.{application_id}": version},
            {
                "$inc": {"committed_cents": -amount_cents},
                "$pull": {"holders": application_id},
                "$unset": {
                    f"amounts.{application_id}": "",
                    f"tokens.{application_id}": "",
                    f"held_at.{application_id}": "",
                },
            },
        )
        return result.modified_count == 1

    def holding(self) -> list[dict[str, Any]]:
        """Every envelope that holds money for someone (the sweep of stale holds reads these)."""
        return [_ledger(d) for d in self._collection.find({"committed_cents": {"$gt": 0}}).sort("_id", 1)]


def _ledger(document: dict[str, Any]) -> dict[str, Any]:
    """FerretDB leaves out an empty list or object written on insert: an envelope nobody holds any of yet.
    A hold taken before holds had a time has none (``held_at``)."""
    found = {"holders": [], "amounts": {}, "tokens": {}, "held_at": {}, **document}
    found["held_at"] = {k: v if v.tzinfo else v.replace(tzinfo=UTC) for k, v in found["held_at"].items()}
    return found


class MongoEnterprises:
    """Enterprises as the register last told (one document each, never moved back by an older event)."""

    def __init__(self, db: Database, collection: str = ENTERPRISES) -> None:
        self._collection = db[collection]

    def apply_registry_event(self, envelope: Envelope, payload: dict[str, Any]) -> bool:
        state = {k: payload[k] for k in ("name", "status", "region", "centre")}
        return apply_once(
            self._collection,
            payload["enterprise_id"],
            envelope.event_id,
            {"$set": {**state, "as_of": envelope.occurred_at}},
            aggregate_version=envelope.aggregate_version,
        )

    def get(self, enterprise_id: str) -> dict[str, Any] | None:
        return self._collection.find_one({"_id": enterprise_id}, {"name": 1, "status": 1, "region": 1, "centre": 1})

    def active(self, limit: int = 200) -> list[dict[str, Any]]:
        found = self._collection.find({"status": "active"}, {"name": 1, "status": 1, "region": 1, "centre": 1})
        return list(found.sort("_id", 1).limit(limit))


class MongoAssessments:
    """Digital maturity assessments as training published them (one document per assessment)."""

    def __init__(self, db: Database, collection: str = ASSESSMENTS) -> None:
        self._collection = db[collection]

    def apply_assessment_event(self, envelope: Envelope, payload: dict[str, Any]) -> bool:
        state = {
            "enterprise_id": payload["enterprise_id"],
            "sequence": payload["sequence"],
            "overall": payload["overall"],
            "scores": payload["scores"],
            "taken_at": envelope.occurred_at,
        }
        return apply_once(
            self._collection,
            payload["assessment_id"],
            envelope.event_id,
            {"$set": state},
            aggregate_version=envelope.aggregate_version,
        )

    def of_enterprise(self, enterprise_id: str) -> list[dict[str, Any]]:
        return list(self._collection.find({"enterprise_id": enterprise_id}).sort("sequence", 1).limit(100))
