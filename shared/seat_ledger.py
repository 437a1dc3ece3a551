"""A ledger of places (seats at a session or an event) in one document, safe without transactions.

``holders`` are those with a place, in the order they got it; ``waiting`` are first in, first out. Every
change is one conditional single-document update, decided by the database alone, so simultaneous
requests never hand out more places than the capacity:

- ``claim``: push to ``holders`` only if the id is in neither list, ``holders.<capacity-1>`` does not
  exist (fewer than ``capacity`` holders) and nobody waits (``waiting.0`` does not exist: a freed place
  belongs to the first waiting); otherwise push to ``waiting`` only if it is in neither list, the list has
  room (``waiting.<max_waiting-1>`` does not exist) and a place is indeed not free. If neither matches, the
  ledger changed in between (or does not exist yet) and the claim is tried again. A caller that has just
  read the ledger passes what it saw (``seen``): the update likely to match is then tried first (the waiting
  list when no place was free; creating the ledger with the claim in it when it was empty or missing), so a
  claim costs one write instead of two or four; the conditions, not the guess, decide.
- ``promote_first``: move the id from the head of ``waiting`` to ``holders`` only if it is still the head
  and a place is free, so two cancellations never promote the same person or skip anyone.
- ``release``: pull the ids from both lists.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError

_ATTEMPTS = 50


@dataclass(frozen=True)
class Places:
    key: str
    capacity: int
    holders: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()

    def place_of(self, holder: str) -> tuple[bool, int | None]:
        """(holds a place, position on the waiting list counted from 1)."""
        if holder in self.holders:
            return True, None
        if holder in self.waiting:
            return False, self.waiting.index(holder) + 1
        return False, None

    def has(self, holder: str) -> bool:
        return holder in self.holders or holder in self.waiting


class WaitingListFull(Exception):
    """No place is free and the waiting list holds ``max_waiting`` already."""


def _places(document: dict[str, Any]) -> Places:
    return Places(
        key=document["_id"],
        capacity=int(document.get("capacity", 0)),
        holders=tuple(document.get("holders", ())),
        waiting=tuple(document.get("waiting", ())),
    )


class SeatLedger:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    def get(self, key: str) -> Places | None:
        document = self._collection.find_one({"_id": key})
        return None if document is None else _places(document)

    def claim(self, key: str, holder: str, capacity: int, max_waiting: int, seen: Places | None = None) -> Places:
        """A place while one is free and nobody waits, else the end of the waiting list; the ledger as the
        claim left it. Claiming an id already in the ledger changes nothing. ``seen`` is the ledger as the
        caller last read it (empty when there was none), only to choose which update to try first."""
        absent = {"holders": {"$ne": holder}, "waiting": {"$ne": holder}}
        no_place: list[dict[str, Any]] = [{"waiting.0": {"$exists": True}}]
        if capacity >= 1:
            no_place.append({f"holders.{capacity - 1}": {"$exists": True}})
        room = {f"waiting.{max_waiting - 1}": {"$exists": False}}
        seat: dict[str, Any] = {
            "_id": key,
            **absent,
            f"holders.{capacity - 1}": {"$exists": False},
            "waiting.0": {"$exists": False},
        }
        queue: dict[str, Any] = {"_id": key, **absent, **room}
        if capacity >= 1:
            queue["$or"] = no_place
        updates = [(seat, "holders"), (queue, "waiting")] if capacity >= 1 else [(queue, "waiting")]
        if seen is not None and capacity >= 1:
            if seen.waiting or len(seen.holders) >= capacity:
                updates.reverse()  # no place was free: the waiting list is where this claim most likely goes
            elif not seen.holders:
                created = self._create(key, holder, capacity)  # the first claim of a ledger not written yet
                if created is not None:
                    return created
        for _ in range(_ATTEMPTS):
            for condition, into in updates:
                document = self._collection.find_one_and_update(
                    condition,
                    {"$push": {into: holder}, "$set": {"capacity": capacity}},
                    return_document=ReturnDocument.AFTER,
                )
                if document is not None:
                    return _places(document)
            document = self._collection.find_one({"_id": key})
            if document is None:
                with contextlib.suppress(DuplicateKeyError):  # another claim created it first
                    self._collection.insert_one({"_id": key, "capacity": capacity, "holders": [], "waiting": []})
                continue
            places = _places(document)
            if places.has(holder):
                return places
            if len(places.waiting) >= max_waiting and (places.waiting or len(places.holders) >= capacity):
                raise WaitingListFull()
        raise RuntimeError(f"could not claim a place in the ledger {key}")

    def _create(self, key: str, holder: str, capacity: int) -> Places | None:
        """The ledger written with ``holder`` in its first place; None when it exists already."""
        try:
            self._collection.insert_one({"_id": key, "capacity": capacity, "holders": [holder], "waiting": []})
        except DuplicateKeyError:
            return None
        return Places(key=key, capacity=capacity, holders=(holder,))

    def promote_first(self, key: str, expected: str, capacity: int) -> bool:
        """Move ``expected`` from the head of the waiting list to a free place; False if it is not the head
        any more or no place is free (someone else acted first)."""
        if capacity < 1:
            return False
        result = self._collection.update_one(
            {"_id": key, "waiting.0": expected, f"holders.{capacity - 1}": {"$exists": False}},
            {"$pull": {"waiting": expected}, "$push": {"holders": expected}, "$set": {"capacity": capacity}},
        )
        return result.modified_count == 1

    def release(self, key: str, holders: Iterable[str]) -> None:
        ids = list(holders)
        if ids:
            self._collection.update_one({"_id": key}, {"$pullAll": {"holders": ids, "waiting": ids}})
