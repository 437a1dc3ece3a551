"""Apply an event's effect to a document at most once, whatever replays happen.

The event id is recorded in the same document, by the same conditional update, as the effect:
either both are written or neither is. No transaction is needed.

A read model that mirrors one aggregate per document also names the event's ``aggregate_version``:
the same update then refuses an event older than the one the document holds, so a replayed or
redelivered old event never moves the document backwards. Such a document keeps only the ids of the
events applied at the version it holds (one, as every versioned event of an aggregate has a version of
its own): an older event is refused by its version, so its id need not be kept, and the list never
grows with the aggregate's history. A document written before this rule keeps its long list until its
next newer event replaces it.

Without a version, every applied id stays in the document: use that form only where a document
receives a bounded number of events; an effect that many events add up (a rating from every review)
keeps one document per event instead (see the marketplace's ratings).

``apply_many`` applies a batch of such effects (a poll's records) with bulk writes: each operation is the
same conditional update as ``apply_once``'s first attempt, sent in order (so one document's events keep
their order). An operation whose filter finds no document inserts one; if the document exists but the
filter refused it (a duplicate, an older event, an event of the same version) or a concurrent upsert won
the race, the write fails with a duplicate key: the operations before it were applied, and it and the rest
take ``apply_once``, which tells those cases apart. Nothing is dropped or applied twice. (FerretDB 1.24
reports the first update of a failed command as the failed one: the updates it applied before the
refusal are then taken again by ``apply_once`` and reported as not applied now, as a redelivery would be.)

``fold`` and ``write_folded`` write a batch's effects on one document (each a ``$set`` of the document's
picture, as a read model mirroring an aggregate has) as ONE write: ``fold`` applies them in memory, in
order, to what the document held when read (its version and applied ids, ``Held``), exactly as
``apply_once`` would one after another — a duplicate, an older event or one already applied is refused —
and ``write_folded`` writes the result conditional on the document still holding what was read. A
document written meanwhile (a concurrent writer, a rebuild's copy) makes its write miss: then
``DocumentMoved`` is raised and the events are to be applied one by one (``apply_once`` tells every case
apart). On FerretDB a document write costs the same alone or in a bulk command, so twenty events of one
aggregate in a poll cost one write instead of twenty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError, WriteError

from shared.mongo import WRITES_PER_COMMAND

APPLIED_FIELD = "applied_event_ids"
VERSION_FIELD = "aggregate_version"
_INSERT_RACE_ATTEMPTS = 3
DUPLICATE_KEY = 11000


@dataclass(frozen=True)
class Effect:
    """One event's effect on one document, as ``apply_once`` takes it."""

    doc_id: Any
    event_id: str
    update: dict[str, Any]
    aggregate_version: int | None = None


def apply_once(
    collection: Collection, doc_id: Any, event_id: str, update: dict[str, Any], *, aggregate_version: int | None = None
) -> bool:
    """Run ``update`` on document ``doc_id`` unless ``event_id`` was applied to it already.

    With ``aggregate_version``, also unless the document holds a newer version of the aggregate
    (it records the version it applied in ``aggregate_version``). Equal versions apply, so events
    recorded before versions existed (version 0) still apply in arrival order to a document that
    holds no versioned event yet, and never over one that does.

    Returns True if the effect was applied now, False for a duplicate or an older event. The
    document is created when missing (the update is an upsert).
    """
    if aggregate_version is None:
        return _apply_unversioned(collection, doc_id, event_id, update)
    return _apply_versioned(collection, doc_id, event_id, update, aggregate_version)


def apply_many(collection: Collection, effects: Sequence[Effect]) -> list[bool]:
    """Apply ``effects`` in order, each as ``apply_once`` would, with bulk writes of ``WRITES_PER_COMMAND`` updates.

    Returns, for each effect, whether it was applied now (False for a duplicate or an older event).
    A failure that will pass (the database unreachable) propagates: the effects applied before it stay
    applied, and applying the batch again applies only the rest.
    """
    applied: list[bool] = []
    while len(applied) < len(effects):
        chunk = effects[len(applied) : len(applied) + WRITES_PER_COMMAND]
        done = _bulk(collection, chunk)
        applied.extend([True] * done)
        if done < len(chunk):
            # Refused by the bulk's filter or a race: this effect and the rest take the per-event path.
            applied.extend(apply_once(collection, e.doc_id, e.event_id, e.update, aggregate_version=e.aggregate_version)
                           for e in effects[len(applied) :])  # fmt: skip
    return applied


def _bulk(collection: Collection, effects: Sequence[Effect]) -> int:
    """Send ``effects`` as one ordered update command; returns how many were applied before the first refusal.

    The command is sent as such rather than through ``bulk_write``: FerretDB answers a failed one without
    the counts pymongo expects, and the index of the first failure is all that is needed here.
    """
    updates = []
    for effect in effects:
        if effect.aggregate_version is None:
            query, update = _unversioned(effect.doc_id, effect.event_id, effect.update)
        else:
            query, update = _newer(effect.doc_id, effect.event_id, effect.update, effect.aggregate_version)
        updates.append({"q": query, "u": update, "upsert": True})
    command: dict[str, Any] = {"update": collection.name, "updates": updates, "ordered": True}
    if collection.write_concern.document:
        command["writeConcern"] = collection.write_concern.document
    reply = collection.database.command(command, codec_options=collection.codec_options)
    errors = reply.get("writeErrors") or []
    if not errors:
        return len(effects)
    first = min(errors, key=lambda error: error["index"])
    if first.get("code") != DUPLICATE_KEY:
        raise WriteError(first.get("errmsg", "write error"), first.get("code"), first)
    return int(first["index"])


def _unversioned(doc_id: Any, event_id: str, update: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The guard without a version: the document does not list the event yet; the update lists it."""
    guarded = {**update, "$push": {**update.get("$push", {}), APPLIED_FIELD: event_id}}
    return {"_id": doc_id, APPLIED_FIELD: {"$ne": event_id}}, guarded


def _newer(doc_id: Any, event_id: str, update: dict[str, Any], version: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The versioned guard's first form: a document holding an older version (or none, or no document);
    the event's id replaces the list."""
    query = {"_id": doc_id, VERSION_FIELD: {"$not": {"$gte": version}}, APPLIED_FIELD: {"$ne": event_id}}
    return query, {**update, "$set": {**update.get("$set", {}), VERSION_FIELD: version, APPLIED_FIELD: [event_id]}}


def _apply_unversioned(collection: Collection, doc_id: Any, event_id: str, update: dict[str, Any]) -> bool:
    query, guarded = _unversioned(doc_id, event_id, update)
    for _ in range(_INSERT_RACE_ATTEMPTS):
        try:
            result = collection.update_one(query, guarded, upsert=True)
        except DuplicateKeyError:
            # The upsert tried to insert a twin: either the document already lists the event (a
            # duplicate), or a concurrent upsert created the document after our filter found none.
            if collection.find_one({"_id": doc_id, APPLIED_FIELD: event_id}, {"_id": 1}) is not None:
                return False
            continue  # the document exists now: the next attempt updates it instead of inserting
        return result.modified_count == 1 or result.upserted_id is not None
    raise DuplicateKeyError(f"could not apply event {event_id} to {doc_id!r}: the document keeps reappearing")


def _apply_versioned(collection: Collection, doc_id: Any, event_id: str, update: dict[str, Any], version: int) -> bool:
    older_query, newer = _newer(doc_id, event_id, update, version)
    same = {
        **update,
        "$set": {**update.get("$set", {}), VERSION_FIELD: version},
        "$push": {**update.get("$push", {}), APPLIED_FIELD: event_id},
    }
    for _ in range(_INSERT_RACE_ATTEMPTS):
        try:
            # A document holding an older version (or none, or no document): the event's id replaces the list.
            result = collection.update_one(older_query, newer, upsert=True)
            return result.modified_count == 1 or result.upserted_id is not None
        except DuplicateKeyError:
            # The document exists and holds this version or a newer one (or a document without a
            # version already lists the event), or a concurrent upsert created it after our filter found none.
            pass
        query = {"_id": doc_id, VERSION_FIELD: version, APPLIED_FIELD: {"$ne": event_id}}
        if collection.update_one(query, same).modified_count == 1:
            return True
        seen = {"$or": [{APPLIED_FIELD: event_id}, {VERSION_FIELD: {"$gte": version}}]}
        if collection.find_one({"_id": doc_id, **seen}, {"_id": 1}) is not None:
            return False
    raise DuplicateKeyError(f"could not apply event {event_id} to {doc_id!r}: the document keeps reappearing")


INSERT_CHUNK = 200
"""Documents per insert command (a poll's inbox messages or e-mail intents: far below the 16 MiB of a command)."""


def insert_new(collection: Collection, documents: Sequence[dict[str, Any]]) -> list[bool]:
    """Insert ``documents`` with unordered insert commands; for each, whether it was inserted now.

    For effects whose document *is* the effect, keyed by a deterministic ``_id`` (an event's id and a
    recipient): a document already there (a redelivery, a twin in the same batch) is a duplicate key,
    reported by its index and returned as False, while the others are still inserted. Any other write error,
    or a failure of the command itself (the database unreachable), raises: the documents inserted before it
    stay, and inserting them all again inserts only the rest.
    """
    inserted: list[bool] = []
    for start in range(0, len(documents), INSERT_CHUNK):
        chunk = documents[start : start + INSERT_CHUNK]
        command: dict[str, Any] = {"insert": collection.name, "documents": list(chunk), "ordered": False}
        if collection.write_concern.document:
            command["writeConcern"] = collection.write_concern.document
        reply = collection.database.command(command, codec_options=collection.codec_options)
        refused = set()
        for error in reply.get("writeErrors") or []:
            if error.get("code") != DUPLICATE_KEY:
                raise WriteError(error.get("errmsg", "write error"), error.get("code"), error)
            refused.add(int(error["index"]))
        if reply.get("writeConcernError"):
            raise WriteError("write concern error", None, reply["writeConcernError"])
        inserted.extend(index not in refused for index in range(len(chunk)))
    return inserted


@dataclass(frozen=True)
class Held:
    """What a document held of its events when read: its ``aggregate_version`` and applied event ids.

    None where the field is absent (no document, or one no event wrote yet: both take an event the same way).
    """

    version: int | None = None
    applied: tuple[str, ...] | None = None

    @classmethod
    def of(cls, document: Mapping[str, Any] | None) -> Held:
        if document is None:
            return cls()
        applied = document.get(APPLIED_FIELD)
        return cls(document.get(VERSION_FIELD), None if applied is None else tuple(applied))

    def query(self) -> dict[str, Any]:
        """The filter of a document still holding exactly this (with ``_id``, by its primary key)."""
        return {
            VERSION_FIELD: {"$exists": False} if self.version is None else self.version,
            APPLIED_FIELD: {"$exists": False} if self.applied is None else list(self.applied),
        }


@dataclass(frozen=True)
class Folded:
    """A document's effects of a batch applied in memory: what it held, what it holds after, what each did."""

    doc_id: Any
    held: Held
    now: Held
    applied: tuple[bool, ...]
    """For each effect, in order: whether ``apply_once`` would have applied it (False: a duplicate or older)."""
    fields: dict[str, Any]
    """The ``$set`` of the applied effects, a later one's fields over an earlier one's."""


class DocumentMoved(Exception):
    """A folded write found a document no longer holding what was read: apply its events one by one."""


def fold(doc_id: Any, held: Held, effects: Sequence[Effect]) -> Folded:
    """Apply ``effects`` (each a ``$set`` on ``doc_id``) in memory to ``held``, in order, as ``apply_once`` would.

    Versioned: an event applies to a document holding an older version (or none) whose list lacks its id,
    and the id replaces the list; to one holding its version whose list lacks it, and the id joins the list;
    otherwise it is refused. Unversioned: it applies unless its id is listed, and joins the list.
    """
    version, ids = held.version, held.applied
    fields: dict[str, Any] = {}
    applied: list[bool] = []
    for effect in effects:
        if effect.doc_id != doc_id or set(effect.update) != {"$set"}:
            raise ValueError(f"only $set effects on {doc_id!r} fold, not {effect!r}")
        listed = ids is not None and effect.event_id in ids
        if listed:
            done = False
        elif effect.aggregate_version is None:
            ids, done = (*(ids or ()), effect.event_id), True
        elif version is None or version < effect.aggregate_version:
            version, ids, done = effect.aggregate_version, (effect.event_id,), True
        elif version == effect.aggregate_version:
            ids, done = (*(ids or ()), effect.event_id), True
        else:
            done = False
        if done:
            fields.update(effect.update["$set"])
        applied.append(done)
    return Folded(doc_id, held, Held(version, ids), tuple(applied), fields)


def write_folded(collection: Collection, folds: Sequence[Folded]) -> None:
    """Write each folded document that changed with one update conditional on it holding what was read.

    Unordered update commands of ``WRITES_PER_COMMAND`` (each document once, so their order does not matter).
    A document written meanwhile matches nothing (or, where none was read, its insert is a duplicate key):
    the others are written all the same, and ``DocumentMoved`` is raised at the end. A failure that will pass
    (the database unreachable) propagates; writing the same folds again writes only those still as read.
    """
    updates = []
    for folded in folds:
        if not any(folded.applied):
            continue
        now = folded.now
        picture = {**folded.fields, APPLIED_FIELD: list(now.applied or ())}
        if now.version is not None:
            picture[VERSION_FIELD] = now.version
        # Upserted only where nothing was read: a document that vanished since it was read is not revived here.
        upsert = folded.held == Held()
        updates.append({"q": {"_id": folded.doc_id, **folded.held.query()}, "u": {"$set": picture}, "upsert": upsert})
    missed = 0
    for start in range(0, len(updates), WRITES_PER_COMMAND):
        chunk = updates[start : start + WRITES_PER_COMMAND]
        command: dict[str, Any] = {"update": collection.name, "updates": chunk, "ordered": False}
        if collection.write_concern.document:
            command["writeConcern"] = collection.write_concern.document
        reply = collection.database.command(command, codec_options=collection.codec_options)
        errors = reply.get("writeErrors") or []
        for error in errors:
            if error.get("code") != DUPLICATE_KEY:
                raise WriteError(error.get("errmsg", "write error"), error.get("code"), error)
        if reply.get("writeConcernError"):
            raise WriteError("write concern error", None, reply["writeConcernError"])
        missed += len(chunk) - int(reply.get("n", 0))
    if missed:
        raise DocumentMoved(f"{missed} of {len(updates)} documents of {collection.name} changed since they were read")
