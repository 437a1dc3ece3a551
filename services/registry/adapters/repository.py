"""The enterprise repository on MongoDB (or FerretDB): optimistic versions, outbox in the same write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, OperationFailure

from services.registry.adapters.archive import ARCHIVE_INDEXES, EnterpriseArchive
from services.registry.adapters.attachments import ATTACHMENT_INDEXES
from services.registry.adapters.audit import AUDIT_INDEXES
from services.registry.adapters.documents import (
    REGISTER_VIEW_VERSION,
    from_document,
    register_view,
    registered_eik,
    to_document,
)
from services.registry.adapters.register_index import REGISTER, VIEW_FIELDS, RegisterIndex, view_postings
from services.registry.domain.enterprise import Enterprise
from shared.errors import Conflict, NotFound, Text
from shared.mongo import IndexSpec, ensure_indexes, index
from shared.outbox import OUTBOX_INDEXES, OutboxEntry
from shared.outbox.store import AggregateStore

ENTERPRISES = "enterprises"
# REGISTER: slim public-register documents, rewritten after every save of their enterprise.
LOOKUPS = "lookups"
"""``application:<id>`` → enterprise id and ``eik:<ЕИК>`` → the ids of every enterprise that ever had that ЕИК:
reads by ``_id``, which every MongoDB-protocol server answers from its primary key (FerretDB answers nothing
else without reading the collection)."""
EIK_HINTS_COMPLETE = "hints:eik"
"""Present once every enterprise has its ``eik:`` hint: only then does a missing hint mean "no enterprise"."""

INDEXES: list[IndexSpec] = [
    index(ENTERPRISES, "eik"),
    index(ENTERPRISES, "registered_eik", unique=True),
    index(ENTERPRISES, "application_ids"),
    index(ENTERPRISES, "owners"),
    *(index(ENTERPRISES, field) for field in OUTBOX_INDEXES),
    index(ENTERPRISES, "application_status", "application_centre", "queue_order"),
    index(ENTERPRISES, "registration_number"),
    index(ENTERPRISES, "entry.certificate.number"),
    index(REGISTER, "register_status", "name_folded"),
    index(REGISTER, "search_terms"),
    index(REGISTER, "district", "register_status"),
    index(REGISTER, "municipality", "register_status"),
    *AUDIT_INDEXES,
    *ARCHIVE_INDEXES,
    *ATTACHMENT_INDEXES,
]

_NOT_FOUND = Text("Не е намерено.", "Not found.")
_EIK_TAKEN = Conflict(
    Text("Този ЕИК вече е вписан в регистъра.", "This ЕИК is already entered in the register."),
    {"eik": Text("ЕИК вече е вписан в регистъра.", "The ЕИК is already entered in the register.")},
)


def _duplicate(error: OperationFailure) -> bool:
    """A unique index refused the write: MongoDB says so with code 11000; FerretDB 1.24 on SQLite, in an
    update, only in the message of an internal error."""
    return isinstance(error, DuplicateKeyError) or "UNIQUE constraint failed" in str(error)


def prepare_database(db: Database) -> None:
    """Bring an older database up to date, then create the indexes (idempotent; web, scheduler, index job).

    The ЕИК used to be unique among all enterprises, so an applicant's draft blocked every other
    applicant for that ЕИК; now it is unique only among enterprises entered in the register
    (``registered_eik``). The old unique index is dropped and the new field filled in first.
    """
    collection = db[ENTERPRISES]
    if collection.index_information().get("eik_1", {}).get("unique"):
        collection.drop_index("eik_1")
    if db[LOOKUPS].find_one({"_id": EIK_HINTS_COMPLETE}) is None:  # once: each later start reads no enterprise
        for document in collection.find({}, {"eik": 1, "entry": 1, "registered_eik": 1}):
            if "registered_eik" not in document:
                value = registered_eik(document["eik"], document["_id"], entered=document.get("entry") is not None)
                collection.update_one(
                    {"_id": document["_id"], "registered_eik": {"$exists": False}}, {"$set": {"registered_eik": value}}
                )
            _hint_eik(db[LOOKUPS], document["eik"], document["_id"])
        db[LOOKUPS].replace_one({"_id": EIK_HINTS_COMPLETE}, {"complete": True}, upsert=True)
    ensure_indexes(db, INDEXES)


def _creation(document: dict[str, Any]) -> tuple[bool, Any]:
    """Oldest first, as the query sorts: a document without ``created_at`` (written long ago) before the rest."""
    created = document.get("created_at")
    return (created is not None, created or 0)


def _hint_eik(lookups: Collection, eik: str, enterprise_id: str) -> None:
    """Written before the enterprise: a hint may name an enterprise never written, but never misses one."""
    lookups.update_one({"_id": f"eik:{eik}"}, {"$addToSet": {"enterprise_ids": enterprise_id}}, upsert=True)


class MongoEnterpriseRepository:
    def __init__(self, db: Database) -> None:
        self._collection = db[ENTERPRISES]
        self._store = AggregateStore(self._collection)
        self._register = db[REGISTER]
        self._lookups = db[LOOKUPS]
        self._archive = EnterpriseArchive(db)
        self._index = RegisterIndex(db)

    def _enterprise(self, document: dict[str, Any]) -> Enterprise:
        """The enterprise with its whole history and past applications (the oldest kept in the archive)."""
        return from_document(self._archive.restore(document))

    def _one(self, query: dict[str, Any]) -> Enterprise:
        document = self._collection.find_one(query, {"outbox": 0})
        if document is None:
            raise NotFound(_NOT_FOUND)
        return self._enterprise(document)

    def get(self, enterprise_id: str) -> Enterprise:
        return self._one({"_id": enterprise_id})

    def _looked_up(self, key: str, query: dict[str, Any]) -> dict[str, Any] | None:
        """The enterprise document behind a lookup key, checked against ``query``; a query when the key is
        missing or stale (lookups are hints written beside the enterprise, never instead of it)."""
        hint = self._lookups.find_one({"_id": key})
        if hint is not None:
            document = self._collection.find_one({"_id": hint["enterprise_id"]}, {"outbox": 0})
            if document is not None and all(
                value in document.get(field, []) if field == "application_ids" else document.get(field) == value
                for field, value in query.items()
            ):
                return document
        document = self._collection.find_one(query, {"outbox": 0})
        if document is not None:
            self._remember(key, document["_id"])
        return document

    def _remember(self, key: str, enterprise_id: str) -> None:
        self._lookups.replace_one({"_id": key}, {"enterprise_id": enterprise_id}, upsert=True)

    def get_by_application(self, application_id: str) -> Enterprise:
        document = self._looked_up(f"application:{application_id}", {"application_ids": application_id})
        if document is None:
            raise NotFound(_NOT_FOUND)
        return self._enterprise(document)

    def find_registered_by_eik(self, eik: str) -> Enterprise | None:
        """The enterprise entered in the register with this ЕИК (at most one), if any."""
        document = next((d for d in self._with_eik(eik) if d.get("registered_eik") == eik), None)
        return self._enterprise(document) if document else None

    def with_eik(self, eik: str) -> list[Enterprise]:
        """Every enterprise with this ЕИК: the one entered, if any, and each applicant's."""
        return [self._enterprise(d) for d in self._with_eik(eik)]

    def _with_eik(self, eik: str) -> list[dict[str, Any]]:
        """The documents with this ЕИК, oldest first, read by ``_id`` through the ЕИК's hint; by a query while
        the hints are not complete (a database older than them, until the web, scheduler or index job prepares it)."""
        hint = self._lookups.find_one({"_id": f"eik:{eik}"})
        if hint is None and self._lookups.find_one({"_id": EIK_HINTS_COMPLETE}) is None:
            return list(self._collection.find({"eik": eik}, {"outbox": 0}).sort("created_at", 1))
        named = (self._collection.find_one({"_id": i}, {"outbox": 0}) for i in (hint or {}).get("enterprise_ids", []))
        return sorted((d for d in named if d is not None and d["eik"] == eik), key=_creation)

    def ids_with_drafts(self) -> Iterable[str]:
        return [d["_id"] for d in self._collection.find({"application_status": "draft"}, {"_id": 1})]

    def add(self, enterprise: Enterprise, outbox: list[OutboxEntry]) -> None:
        _hint_eik(self._lookups, enterprise.details.eik, enterprise.id)
        try:
            enterprise.version = self._store.insert(self._archive.trim(enterprise.id, to_document(enterprise)), outbox)
        except OperationFailure as error:
            if _duplicate(error):
                raise _EIK_TAKEN from None
            raise
        self._after_save(enterprise)

    def save(self, enterprise: Enterprise, outbox: list[OutboxEntry]) -> None:
        if enterprise.entry is None:  # a draft's ЕИК may have changed; an entered enterprise's never does
            _hint_eik(self._lookups, enterprise.details.eik, enterprise.id)
        document = to_document(enterprise)
        del document["_id"], document["version"]
        document = self._archive.trim(enterprise.id, document)
        try:
            enterprise.version = self._store.update(enterprise.id, enterprise.version, document, outbox)
        except OperationFailure as error:
            if _duplicate(error):
                raise _EIK_TAKEN from None
            raise
        self._after_save(enterprise)

    def _after_save(self, enterprise: Enterprise) -> None:
        if enterprise.application is not None:
            self._remember(f"application:{enterprise.application.id}", enterprise.id)
        self._refresh_register(enterprise)

    def _refresh_register(self, enterprise: Enterprise) -> None:
        """Rewrite the enterprise's public-register document after its state was saved.

        Not atomic with the save (no transactions): a crash in between leaves the public list one
        change behind until the enterprise's next save or ``resync_register``; the enterprise
        document, its events and its entry page are never affected.
        """
        view = register_view(enterprise)
        if view is None:
            return
        # The search's postings change around the document: new members first, the old ones after it.
        previous = view_postings(self._register.find_one({"_id": enterprise.id}, VIEW_FIELDS))
        postings = view_postings(view)
        self._index.add(postings, previous)
        self._register.replace_one({"_id": enterprise.id}, view, upsert=True)
        self._index.remove(postings, previous)
        self._index.changed(enterprise.id)  # the web workers' kept postings and documents follow

    def resync_register(self) -> int:
        """Rewrite every public-register document that lags behind its enterprise; returns how many."""
        versions = {
            d["_id"]: (d.get("version"), d.get("view_version"))
            for d in self._register.find({}, {"version": 1, "view_version": 1})
        }
        fixed = 0
        for document in self._collection.find({"register_status": {"$ne": None}}, {"outbox": 0}):
            if versions.get(document["_id"]) != (document["version"], REGISTER_VIEW_VERSION):
                self._refresh_register(from_document(document))
                fixed += 1
        return fixed

    def ids_with_active_entries(self) -> Iterable[str]:
        return [d["_id"] for d in self._collection.find({"register_status": "active"}, {"_id": 1})]
