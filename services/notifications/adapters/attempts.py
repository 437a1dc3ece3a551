"""The life of a delivery of any channel (e-mail, webhook) on MongoDB (or FerretDB).

``_id`` is ``<event id>:<recipient>:<channel>``, so inserting the intent is what makes a delivery unique.
Every later write is a conditional update on ``_id``: the claim matches only a claimable status (or an
abandoned claim), and the outcome only the claim it belongs to; each appends its entry to ``history``.
``history`` keeps the newest ``HISTORY_KEPT`` entries (``attempts`` still counts every attempt): a second
update drops the oldest entry once there are more, as neither server can both append to and shorten a list
in one update (FerretDB 1.24 ignores ``$slice``). A longer list written before this shrinks by one entry each write.
That second update is left out when the claim's answer showed the list short enough (the usual case).

**Due hints.** Deliveries are kept for good, and on FerretDB any query but one by ``_id`` reads the whole
collection, so a look for due deliveries grew with the history. The look reads ``<collection>_due`` instead:
a hint per delivery that may be due, keyed by its ``_id``, holding the delivery as it will be claimed (its
content, ``attempts``) and ``due_at``. The hints are a *superset*, each verified against the delivery it names:

- the intent's hint is inserted *before* the intent (both with bulk inserts, a duplicate skipped), so a crash
  between them leaves a hint without its delivery, never a delivery without a hint; a replay writes both again
  (and takes back a hint it wrote for an intent that was there already);
- a claimed delivery's hint is deleted *after* the claim (a delivery being sent needs none: a retry's hint is
  written, ``due_at`` its next attempt, *before* the delivery's ``retrying``, and a claim abandoned by a dead
  sender is found by the look for abandoned claims, which still reads the deliveries, once per tenth of the
  claim timeout);
- a hint whose claim fails is checked against its delivery: one sent, failed or being sent loses it, one still
  to be sent gets a fresh hint, and a hint without a delivery is checked again as long after as it is old
  (``ORPHAN_RECHECK_FIRST`` at least, ``ORPHAN_RECHECK`` at most: its intent's insert is the consumer's next
  command, so one seen young is sent soon after, not seconds later) and dropped ``ORPHAN_AFTER`` after it was
  written;
- a database written before the hints gets them once, at the first look (``HINTS_MARKER`` says it is done).

**Claims and outcomes in bulk.** :meth:`AttemptLog.claim_many` claims the hinted deliveries with conditional
updates of up to ``WRITES_PER_COMMAND`` in one command — each on ``_id``, a claimable status and the
``attempts`` the hint holds, with a claim id of its own, so of two senders exactly one wins each delivery —
and takes the content from the hint (read back by ``_id`` only when the command matched fewer than it sent:
then it is known which were won). Outcomes are written in bulk too: :meth:`AttemptLog.finish` waits while the
outcomes of other threads finishing at the same moment are written with its own, one update command for them
all.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from pymongo import ASCENDING, ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import WriteError

from services.notifications.service_layer.delivering import DeliveryStatus
from shared.consumer.idempotency import insert_new
from shared.documents import from_document, plain, to_document
from shared.mongo import WRITES_PER_COMMAND

T = TypeVar("T")
CLAIMABLE = [DeliveryStatus.PENDING.value, DeliveryStatus.RETRYING.value]
HISTORY_KEPT = 30
"""Status changes a delivery keeps: all of them with the default attempts, the newest when there are more."""
REMEMBERED_CLAIMS = 10_000
HINTS_MARKER = "~hinted"
"""The ``_id`` of the hints collection's marker: every claimable delivery written before the hints has one."""
DUE_AT = "due_at"
ORPHAN_RECHECK_FIRST = timedelta(seconds=0.25)
ORPHAN_RECHECK = timedelta(minutes=5)
ORPHAN_AFTER = timedelta(hours=1)


def _entry(status: DeliveryStatus, now: datetime, reason: str | None = None) -> dict[str, Any]:
    return plain({"status": status, "at": now, "reason": reason})


def hint_of(document: dict[str, Any]) -> dict[str, Any]:
    """The due hint of a claimable delivery's document: the delivery as it will be claimed, and when."""
    return {**document, DUE_AT: document.get("next_attempt_at")}


@dataclass
class _Outcome:
    """One attempt's outcome waiting to be written with the others finishing at the same moment."""

    delivery_id: str
    claim_id: str
    status: DeliveryStatus
    update: dict[str, Any]
    hint: dict[str, Any] | None
    short: bool
    done: threading.Event = field(default_factory=threading.Event)
    written: bool = False
    error: BaseException | None = None


class AttemptLog(Generic[T]):
    def __init__(self, collection: Collection, kind: type[T]) -> None:
        self._collection = collection
        self._hints = collection.database[f"{collection.name}_due"]
        self._kind = kind
        self._short: set[str] = set()
        """Claims whose delivery's ``history`` the claim's answer showed short enough for one more entry."""
        self._claimed: dict[str, dict[str, Any]] = {}
        """Each claim's delivery document as the claim left it (a retry's hint is written from it)."""
        self._looked: dict[str, dict[str, Any]] = {}
        """The hints of the last looks, by delivery id, until claimed."""
        self._hinted = False
        self._lock = threading.Lock()
        self._outcomes: list[_Outcome] = []
        self._writing = False

    # ------------------------------------------------------------------ intents
    def add_intent(self, delivery: T) -> bool:
        """Record that this delivery is to be made; False if it was recorded before (a replay, a twin)."""
        return self.add_intents([delivery])[0]

    def add_intents(self, deliveries: list[T]) -> list[bool]:
        """``add_intent`` for each, with bulk inserts: whether each was recorded now (False: recorded before).

        A hint written now for an intent recorded before (a replay) is taken back: that delivery has the hint it
        needs, or needs none (being sent or done). Only the hint as written here is deleted, never a newer one."""
        documents = [to_document(delivery) for delivery in deliveries]
        hints = [hint_of(document) for document in documents]
        hinted = insert_new(self._hints, hints)
        recorded = insert_new(self._collection, documents)
        stray = [
            {"q": {"_id": hint["_id"], DUE_AT: hint[DUE_AT], "attempts": hint.get("attempts")}, "limit": 1}
            for hint, new_hint, new in zip(hints, hinted, recorded, strict=True)
            if new_hint and not new
        ]
        for start in range(0, len(stray), WRITES_PER_COMMAND):
            self._command(
                "delete", self._hints, {"deletes": stray[start : start + WRITES_PER_COMMAND], "ordered": False}
            )
        return recorded

    # ------------------------------------------------------------------ claims
    def claim(self, delivery_id: str, claim_id: str, now: datetime, stale_before: datetime) -> T | None:
        """Take the delivery for one attempt, if it is due or its last attempt was abandoned before ``stale_before``."""
        document = self._collection.find_one_and_update(
            {
                "_id": delivery_id,
                "$or": [
                    {"status": {"$in": CLAIMABLE}, "next_attempt_at": {"$lte": now}},
                    {"status": DeliveryStatus.SENDING.value, "claimed_at": {"$lte": stale_before}},
                ],
            },
            self._claim_update(claim_id, now),
            return_document=ReturnDocument.AFTER,
        )
        with self._lock:
            hint = self._looked.pop(delivery_id, None)
        if document is None:
            if hint is not None:  # a hint whose delivery is not due: checked against it
                self._settle(hint, self._collection.find_one({"_id": delivery_id}), now)
            return None
        self._hints.delete_one({"_id": delivery_id})  # being sent: its hint is written again for a retry
        self._claimed_now(document, claim_id)
        return from_document(self._kind, document)

    def claim_many(self, delivery_ids: list[str], now: datetime) -> tuple[list[tuple[T, str]], list[str]]:
        """Claim the hinted ones of ``delivery_ids`` (due by ``now``) with bulk updates: the deliveries won with
        their claim ids, and the ids without a hint to claim them by (to claim one by one with :meth:`claim`)."""
        with self._lock:
            hinted = [(i, self._looked.pop(i)) for i in delivery_ids if "attempts" in self._looked.get(i, {})]
        rest = [i for i in delivery_ids if i not in dict(hinted)]
        won: list[tuple[T, str]] = []
        for start in range(0, len(hinted), WRITES_PER_COMMAND):
            chunk = [(i, hint, uuid.uuid4().hex) for i, hint in hinted[start : start + WRITES_PER_COMMAND]]
            updates = [
                {
                    "q": {
                        "_id": i,
                        "status": {"$in": CLAIMABLE},
                        "attempts": hint["attempts"],
                        "next_attempt_at": {"$lte": now},
                    },
                    "u": self._claim_update(claim_id, now),
                }
                for i, hint, claim_id in chunk
            ]
            matched = self._command("update", self._collection, {"updates": updates, "ordered": False})
            every = matched == len(chunk)
            taken: list[str] = []
            for i, hint, claim_id in chunk:
                current = None if every else self._collection.find_one({"_id": i})
                if not every and (current is None or current.get("claim_id") != claim_id):
                    self._settle(hint, current, now)
                    continue
                if current is None:
                    current = {key: value for key, value in hint.items() if key != DUE_AT}
                    current.update(
                        status=DeliveryStatus.SENDING.value, claim_id=claim_id, claimed_at=now, updated_at=now
                    )
                    current["attempts"] = hint["attempts"] + 1
                    current["history"] = [*hint.get("history", []), _entry(DeliveryStatus.SENDING, now)]
                self._claimed_now(current, claim_id)
                won.append((from_document(self._kind, current), claim_id))
                taken.append(i)
            if taken:  # being sent: a retry writes its hint again, an abandoned claim is found by its own look
                deletes = [{"q": {"_id": i}, "limit": 1} for i in taken]
                self._command("delete", self._hints, {"deletes": deletes, "ordered": False})
        return won, rest

    def release(self, claims: list[tuple[str, str]], now: datetime) -> None:
        """Give back claims (delivery id, claim id) whose attempts were never started (a sender stopping): each
        gets a hint again, then is due at once as before its claim, with the claim's attempt and entry undone."""
        for start in range(0, len(claims), WRITES_PER_COMMAND):
            chunk = claims[start : start + WRITES_PER_COMMAND]
            with self._lock:
                attempts = {claim_id: self._claimed.pop(claim_id, {}).get("attempts", 2) for _, claim_id in chunk}
                self._short.difference_update(attempts)
            hints = [
                {"q": {"_id": i}, "u": {"_id": i, DUE_AT: now, "created_at": now}, "upsert": True} for i, _ in chunk
            ]
            self._command("update", self._hints, {"updates": hints, "ordered": False})
            updates = [
                {
                    "q": {"_id": i, "claim_id": claim_id, "status": DeliveryStatus.SENDING.value},
                    "u": {
                        "$set": {
                            "status": (
                                DeliveryStatus.PENDING if attempts[claim_id] <= 1 else DeliveryStatus.RETRYING
                            ).value,
                            "claim_id": None,
                            "claimed_at": None,
                            "next_attempt_at": now,
                            "updated_at": now,
                        },
                        "$inc": {"attempts": -1},
                        "$pop": {"history": 1},
                    },
                }
                for i, claim_id in chunk
            ]
            self._command("update", self._collection, {"updates": updates, "ordered": False})

    def _claim_update(self, claim_id: str, now: datetime) -> dict[str, Any]:
        return {
            "$set": {
                "status": DeliveryStatus.SENDING.value,
                "claim_id": claim_id,
                "claimed_at": now,
                "updated_at": now,
            },
            "$inc": {"attempts": 1},
            "$push": {"history": _entry(DeliveryStatus.SENDING, now)},
        }

    def _claimed_now(self, document: dict[str, Any], claim_id: str) -> None:
        history = len(document.get("history", []))
        if history > HISTORY_KEPT:
            self._prune(document["_id"])
        with self._lock:
            if len(self._claimed) >= REMEMBERED_CLAIMS:  # attempts that never finished: forget (prune then)
                self._claimed.clear()
                self._short.clear()
            self._claimed[claim_id] = document
            if history < HISTORY_KEPT:
                self._short.add(claim_id)

    def _settle(self, hint: dict[str, Any], current: dict[str, Any] | None, now: datetime) -> None:
        """A hint whose claim failed, checked against its delivery (``current``); each change is conditional on
        the hint being the one read, so a newer hint written meanwhile (a retry's) stays."""
        seen = {"_id": hint["_id"], DUE_AT: hint.get(DUE_AT)}
        if current is None:
            created = hint.get("created_at")
            if created is not None and created <= now - ORPHAN_AFTER:
                self._hints.delete_one(seen)
            else:
                age = ORPHAN_RECHECK if created is None else now - created
                self._hints.update_one(
                    seen, {"$set": {DUE_AT: now + min(ORPHAN_RECHECK, max(ORPHAN_RECHECK_FIRST, age))}}
                )
        elif current.get("status") in CLAIMABLE:
            self._hints.replace_one(seen, hint_of(current))
        else:  # sent or failed; or being sent: its sender hints it again for a retry, the abandoned look finds it
            self._hints.delete_one(seen)

    # ------------------------------------------------------------------ outcomes
    def finish(
        self, delivery_id: str, claim_id: str, status: DeliveryStatus, now: datetime, reason: str | None, **fields: Any
    ) -> bool:
        """The attempt's outcome, written only while the attempt still holds its claim (with the outcomes of the
        attempts finishing at the same moment, in one command)."""
        update = {
            "$set": {
                "next_attempt_at": None,
                **fields,
                "status": status.value,
                "claim_id": None,
                "claimed_at": None,
                "finished_claim": claim_id,
                "updated_at": now,
            },
            "$push": {"history": _entry(status, now, reason)},
        }
        with self._lock:
            claimed = self._claimed.pop(claim_id, None)
            short = claim_id in self._short
            self._short.discard(claim_id)
        hint = None
        if status is DeliveryStatus.RETRYING:
            next_at = fields.get("next_attempt_at")
            if claimed is None:  # forgotten: a hint by id only (claimed one by one)
                hint = {"_id": delivery_id, DUE_AT: next_at, "created_at": now}
            else:
                hint = {key: value for key, value in claimed.items() if key != "_id"}
                hint.update({key: value for key, value in update["$set"].items()})
                hint["history"] = [*claimed.get("history", []), _entry(status, now, reason)]
                hint = hint_of({"_id": delivery_id, **hint})
        outcome = _Outcome(delivery_id, claim_id, status, update, hint, short)
        with self._lock:
            self._outcomes.append(outcome)
        while not outcome.done.is_set():
            with self._lock:
                batch: list[_Outcome] = []
                if not self._writing and self._outcomes:
                    self._writing = True
                    batch, self._outcomes = self._outcomes[:WRITES_PER_COMMAND], self._outcomes[WRITES_PER_COMMAND:]
            if batch:
                try:
                    self._write(batch)
                except BaseException as exc:
                    for waiting in batch:
                        waiting.error = exc
                finally:
                    with self._lock:
                        self._writing = False
                    for waiting in batch:
                        waiting.done.set()
            else:
                outcome.done.wait(0.01)
        if outcome.error is not None:
            raise outcome.error
        return outcome.written

    def _write(self, batch: list[_Outcome]) -> None:
        """The batch's retry hints, then its outcomes (see the module)."""
        hints = [{"q": {"_id": o.delivery_id}, "u": o.hint, "upsert": True} for o in batch if o.hint is not None]
        if hints:
            self._command("update", self._hints, {"updates": hints, "ordered": False})
        updates = [
            {"q": {"_id": o.delivery_id, "claim_id": o.claim_id, "status": DeliveryStatus.SENDING.value}, "u": o.update}
            for o in batch
        ]
        matched = self._command("update", self._collection, {"updates": updates, "ordered": False})
        for o in batch:
            o.written = matched == len(batch) or (
                self._collection.find_one({"_id": o.delivery_id, "finished_claim": o.claim_id}, {"_id": 1}) is not None
            )
        for o in batch:
            if o.written and not o.short:
                self._prune(o.delivery_id)

    def _command(self, name: str, collection: Collection, body: dict[str, Any]) -> int:
        """One write command as such (FerretDB answers a failed bulk without the counts pymongo expects):
        how many statements matched."""
        command: dict[str, Any] = {name: collection.name, **body}
        if collection.write_concern.document:
            command["writeConcern"] = collection.write_concern.document
        reply = collection.database.command(command, codec_options=collection.codec_options)
        errors = reply.get("writeErrors") or []
        if errors:
            raise WriteError(errors[0].get("errmsg", "write error"), errors[0].get("code"), errors[0])
        return int(reply.get("n", 0))

    def _prune(self, delivery_id: str) -> None:
        """Drop the oldest status changes past ``HISTORY_KEPT`` (two while a longer list from before shrinks)."""
        for _ in range(2):
            beyond = {"_id": delivery_id, f"history.{HISTORY_KEPT}": {"$exists": True}}
            if not self._collection.update_one(beyond, {"$pop": {"history": -1}}).modified_count:
                return

    # ------------------------------------------------------------------ looks
    def due(
        self, now: datetime, stale_before: datetime | None, limit: int, where: dict[str, Any] | None = None
    ) -> list[str]:
        """Due pending and retrying deliveries (the longest-waiting first; from their hints), then abandoned claims
        (claimed before ``stale_before``; not looked for when it is None); ``where`` narrows both (the sender
        leaves out destinations it skips)."""
        where = where or {}
        self._hint_older_deliveries()
        hints = self._hints.find({DUE_AT: {"$lte": now}, **where}).sort([(DUE_AT, ASCENDING), ("_id", ASCENDING)])
        found = list(hints.limit(limit))
        with self._lock:
            if len(self._looked) >= REMEMBERED_CLAIMS:
                self._looked.clear()
            self._looked.update((hint["_id"], hint) for hint in found)
        ids = [hint["_id"] for hint in found]
        room = limit - len(ids)
        if room > 0 and stale_before is not None:
            abandoned = self._collection.find(
                {"status": DeliveryStatus.SENDING.value, "claimed_at": {"$lte": stale_before}, **where}, {"_id": 1}
            ).sort([("claimed_at", ASCENDING), ("_id", ASCENDING)])
            ids.extend(document["_id"] for document in abandoned.limit(room) if document["_id"] not in ids)
        return ids

    def _hint_older_deliveries(self) -> None:
        """Once per database: hints for the claimable deliveries written before there were hints."""
        if self._hinted:
            return
        if self._hints.find_one({"_id": HINTS_MARKER}, {"_id": 1}) is None:
            claimable = self._collection.find({"status": {"$in": CLAIMABLE}})
            insert_new(self._hints, [hint_of(document) for document in claimable])
            insert_new(self._hints, [{"_id": HINTS_MARKER}])
        self._hinted = True

    def get(self, delivery_id: str) -> T | None:
        document = self._collection.find_one({"_id": delivery_id})
        return None if document is None else from_document(self._kind, document)
