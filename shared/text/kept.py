"""Postings a web worker keeps in memory, kept exact by following its index's change log.

One mechanism for every search index whose postings live in ``shared.text.postings``:

- ``ChangeLog``: the index's writers log each item whose postings they changed, once its postings are
  written: ``{_id: "<prefix><n>", <field>: item id}``, numbered by a ``counters`` document. Only the last
  ``catch_up_limit`` entries are kept: a reader further behind starts afresh anyway.
- ``LogReader``: a worker's place in the log. Each search reads the counter once (one read by ``_id``) and
  hands every item changed since to the index, or tells it to start afresh (its first search, further
  behind than the log keeps, every ``reload_seconds`` in case a writer died between a change and its log
  entry, or a log that was reset or dropped).
- ``KeptPostings``: the postings of the terms people search for, ``limit`` members at most (the least
  recently searched dropped first). ``follow`` sets or takes an item's place in every posting kept, from
  the item's terms as they are now, so a worker answers a search it has seen before without reading
  postings, and never from postings older than the log it has followed. A posting read from the database
  after the log was followed holds every change logged so far (postings are written before their log
  entry); a later change found in it is set again, to the same, when its entry comes.
- ``KeptItems``: other things a worker keeps of items (a listing to show, its rating), dropped as the log names
  the item.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from typing import Generic, TypeVar

from pymongo import ReturnDocument
from pymongo.database import Database

V = TypeVar("V")

CATCH_UP_LIMIT = 5000
"""Further behind than this many changes, a worker starts afresh instead of following the log."""
RELOAD_SECONDS = 900.0
"""A worker starts afresh now and then, in case a writer died between a change and its log entry."""


class ChangeLog:
    """The numbered changes of one index: written by its writers, followed by every worker."""

    def __init__(
        self,
        db: Database,
        *,
        log: str,
        counter: str,
        field: str,
        prefix: str = "k",
        catch_up_limit: int = CATCH_UP_LIMIT,
    ) -> None:
        self._log = db[log]
        self._counters = db["counters"]
        self._counter = counter
        self._field = field
        self._prefix = prefix
        self.catch_up_limit = catch_up_limit

    # ------------------------------------------------------------------ writing
    def record(self, item_id: str) -> None:
        """Log a change of the item, after its postings (and whatever else readers follow) were written."""
        counter = self._counters.find_one_and_update(
            {"_id": self._counter}, {"$inc": {"value": 1}}, upsert=True, return_document=ReturnDocument.AFTER
        )
        seq = counter["value"]
        self._log.insert_one({"_id": f"{self._prefix}{seq}", self._field: item_id})
        # Prune what every reader has passed: a reader more than catch_up_limit changes behind starts afresh.
        # The second id sweeps entries left from before this rule: while ``passed`` runs from 2**k to
        # 2**(k+1), it runs through every number below 2**k.
        # Each by its own ``_id``: FerretDB answers an ``$in`` on ``_id`` by reading the whole log.
        passed = seq - self.catch_up_limit
        if passed > 0:
            swept = passed ^ (1 << (passed.bit_length() - 1))
            for number in dict.fromkeys((passed, swept) if swept else (passed,)):
                self._log.delete_one({"_id": f"{self._prefix}{number}"})

    def restart_readers(self) -> None:
        """Make every reader start afresh at its next search (after the postings were rebuilt whole)."""
        self._counters.update_one({"_id": self._counter}, {"$inc": {"value": self.catch_up_limit + 1}}, upsert=True)

    # ------------------------------------------------------------------ reading
    def latest(self) -> int:
        return int((self._counters.find_one({"_id": self._counter}) or {}).get("value", 0))

    def items(self, first: int, last: int) -> Iterator[str]:
        """The items changed from change ``first`` to ``last``, each entry read by its ``_id``."""
        for seq in range(first, last + 1):
            change = self._log.find_one({"_id": f"{self._prefix}{seq}"})
            if change is not None:
                yield change[self._field]


class LogReader:
    """A worker's place in a change log."""

    def __init__(self, log: ChangeLog, *, reload_seconds: float = RELOAD_SECONDS) -> None:
        self._log = log
        self._reload_seconds = reload_seconds
        self._seen = 0
        self._started_at: float | None = None

    def follow(self, changed: Callable[[str], None], restart: Callable[[], None]) -> None:
        """Hand ``changed`` each item changed since the last call, or call ``restart`` (before the items
        would be handed) when the reader must start afresh; either way the reader is then at the latest."""
        latest = self._log.latest()
        if (
            self._started_at is None
            or time.monotonic() - self._started_at > self._reload_seconds
            or latest - self._seen > self._log.catch_up_limit
            or latest < self._seen
        ):
            restart()
            self._seen = latest
            self._started_at = time.monotonic()
            return
        for item_id in self._log.items(self._seen + 1, latest):
            changed(item_id)
        self._seen = latest

    def start_afresh(self) -> None:
        """Start afresh at the next ``follow``."""
        self._started_at = None


class KeptPostings(Generic[V]):
    """term → {item id: value}, at most ``limit`` members in all; a posting handed out is never changed."""

    def __init__(self, limit: int) -> None:
        self._postings: OrderedDict[str, dict[str, V]] = OrderedDict()
        self._entries = 0
        self._limit = limit

    def __bool__(self) -> bool:
        return bool(self._postings)

    @property
    def entries(self) -> int:
        return self._entries

    def get(self, term: str) -> dict[str, V] | None:
        kept = self._postings.get(term)
        if kept is not None:
            self._postings.move_to_end(term)
        return kept

    def keep(self, term: str, members: dict[str, V]) -> None:
        if len(members) > self._limit:
            return
        while self._postings and self._entries + len(members) > self._limit:
            _, dropped = self._postings.popitem(last=False)
            self._entries -= len(dropped)
        self._postings[term] = members
        self._entries += len(members)

    def forget(self) -> None:
        self._postings.clear()
        self._entries = 0

    def follow(self, item_id: str, current: Mapping[str, V]) -> None:
        """Bring every kept posting in line with the item's terms as they are now (term → value; none for an
        item gone)."""
        for term, members in list(self._postings.items()):
            # A new dict, never a change of one handed out: another thread of the worker may be searching it.
            value = current.get(term)
            if value is None and item_id in members:
                self._postings[term] = {i: v for i, v in members.items() if i != item_id}
                self._entries -= 1
            elif value is not None and members.get(item_id) != value:
                self._entries += item_id not in members
                self._postings[term] = {**members, sys.intern(item_id): value}


class KeptItems(Generic[V]):
    """What a worker keeps of items (a listing to show, its rating), the ``limit`` last used, until told an item
    changed (``forget``, e.g. from the change log it follows). A value read while a change was told is handed out
    but not kept: it may be older than the change."""

    def __init__(self, limit: int) -> None:
        self._items: OrderedDict[str, V] = OrderedDict()
        self._limit = limit
        self._lock = threading.Lock()
        self._generation = 0

    def get(self, item_id: str, read: Callable[[], V]) -> V:
        """The item's kept value, or ``read()`` (kept unless a change was told meanwhile)."""
        with self._lock:
            if item_id in self._items:
                self._items.move_to_end(item_id)
                return self._items[item_id]
            generation = self._generation
        value = read()
        with self._lock:
            if generation == self._generation:
                self._items[item_id] = value
                while len(self._items) > self._limit:
                    self._items.popitem(last=False)
        return value

    def forget(self, item_id: str | None) -> None:
        """The item changed (``None``: any item may have): read it again when next asked for."""
        with self._lock:
            self._generation += 1
            if item_id is None:
                self._items.clear()
            else:
                self._items.pop(item_id, None)
