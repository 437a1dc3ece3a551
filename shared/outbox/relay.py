"""The outbox relay: publishes pending events to Kafka, oldest first, then marks them sent.

What it guarantees, and how:

- **Order.** A document's events go out in sequence order and count as sent only up to the first
  one Kafka did not acknowledge, so a retry never publishes a later event before an earlier one.
  Documents are taken oldest first, so a backlog drains in order: hinted ones by their hint's first
  write (when the first of their waiting events was written, by the writer's clock), scanned ones by their
  first waiting event; within a round the hinted ones come first. Order within a document is exact.
- **Hints find the work; a full scan is the safety net.** Writers upsert a pending hint before they
  append to a document's outbox (`shared.outbox.hints`). Each round reads the hints (a small collection),
  oldest first, and each hinted document by ``_id`` (FerretDB reads every document of a collection for any
  other query). A hint is deleted only once its document, read at least ``hint_grace_seconds`` after the
  hint's last write, had nothing left to publish, and only if no writer upserted it since (the delete is
  conditional on its write count): a writer that wrote its hint but not yet its document is never missed
  (the grace covers that gap and the writers' clocks' difference from the relay's; a writer slower than
  that has its event found by the next full scan). A crash between a hint and its document leaves a hint
  without events, which is deleted in time; a parked document's hint is deleted too (``outbox-parked``'s
  retry and drop write a new one). The full query for pending documents still runs at start-up and then
  every ``full_scan_seconds`` (in a round with nothing else to publish, or once it is four intervals
  late), so a hint lost or never written (an older database, a writer of its own) delays an event, never
  loses it; a database where no hint was ever written is scanned on every pass, as before hints. A scan
  is one query, oldest first, whose cursor serves round after round (``batch_size`` documents each) until
  it ends or is ``scan_seconds`` old: on FerretDB it reads the whole collection, on MongoDB it is the
  ``outbox.seq`` index. A document the cursor yields was read at the scan (events appended since come
  through their hints or the next scan; one read through its hint since the scan started is not taken
  again from the scan), and each mark removes exactly the entries published. Documents a round did not
  reach (its send window ended) are kept for the next.
- **Nothing stuck forever.** An event Kafka always refuses (a record too large, an invalid topic, an
  authorization error) is *parked*: the document gets an ``outbox_parked`` field (the event, the
  error, when, how many attempts) and is no longer fetched. Its later events wait behind it, so
  consumers never see an aggregate's events out of order; operators list, retry or drop parked events
  with ``outbox-parked`` (`shared.outbox.parked`). A retriable failure parks the event only after
  ``park_after_attempts`` attempts while Kafka acknowledged other events (during a Kafka outage
  nothing is parked). Until then the document backs off and is left out of the next fetches, so
  failing documents never starve the others.
- **Broker refusals.** kafka-python's idempotent producer refuses every later record once the broker
  refused one batch for good, and aborts the batches in flight with the same error. After such a
  round the relay makes a new producer, and publishes each document that failed that way alone: the
  one that still fails alone is parked, the others go on.
- **Majority reads.** Pending entries are read with read concern ``majority`` by default, so the
  relay never publishes an event for a write a failover may still roll back.
- **One holder, bounded rounds.** With a lease, the relay publishes only while the lease it renewed
  lasts longer than a publish round can take (sends stop after ``send_window_seconds``, and Kafka
  answers within ``send_timeout_seconds``, bounded by the producer's ``delivery_timeout_ms``): a
  standby never publishes while the holder still might.
- **Outages.** A database error that may pass (unreachable, failover, timeout) is logged and retried
  with a growing pause; the liveness file stays fresh meanwhile. Events Kafka acknowledged before the
  database went away are marked sent when it returns, without publishing them again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError
from kafka.producer.future import FutureRecordMetadata
from prometheus_client import Counter, Gauge
from pymongo import ASCENDING, DeleteOne, UpdateOne
from pymongo.collection import Collection
from pymongo.cursor import Cursor
from pymongo.database import Database
from pymongo.errors import ConnectionFailure, CursorNotFound, ExecutionTimeout, PyMongoError, WTimeoutError
from pymongo.read_concern import ReadConcern

from shared.mongo import WRITES_PER_COMMAND
from shared.outbox.fields import PENDING_QUERY
from shared.outbox.hints import HINTS_COLLECTION
from shared.outbox.lease import Lease
from shared.runtime import LivenessFile, StopSignal

log = logging.getLogger(__name__)

PUBLISHED = Counter("outbox_events_published_total", "Events the relay got acknowledged by Kafka", ["topic"])
FAILED = Counter("outbox_publish_failures_total", "Events Kafka did not acknowledge (retried later)", ["topic"])
PENDING = Gauge("outbox_pending_events", "Events waiting in the outbox at the relay's last look (up to a batch)")
OLDEST_PENDING_AGE = Gauge("outbox_oldest_pending_age_seconds", "Age of the oldest waiting event; 0 when none")
PARKED = Gauge("outbox_parked_entries", "Events Kafka refused for good, parked until an operator retries or drops them")
DATABASE_ERRORS = Counter("outbox_relay_database_errors_total", "Database errors the relay rode out (retried)")

TRANSIENT_DATABASE_ERRORS: tuple[type[PyMongoError], ...] = (ConnectionFailure, ExecutionTimeout, WTimeoutError)
"""Errors that pass on their own: the server unreachable, a failover, a timeout."""

PARKED_FIELD = "outbox_parked"
RELAY_QUERY: dict[str, Any] = {**PENDING_QUERY, PARKED_FIELD: {"$exists": False}}
OLDEST_FIRST = [("outbox.0.envelope.occurred_at", ASCENDING)]
"""A document's first entry is its oldest waiting event (entries are appended in order, sent ones removed)."""
_PROJECTION = {"outbox": 1, "outbox_sent_seq": 1}
_HINTED_PROJECTION = {**_PROJECTION, PARKED_FIELD: 1}

BACKOFF_FIRST_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 10.0
MAX_EXCLUDED = 1000
"""At most this many backing-off documents are left out of a fetch (more would make the query heavy)."""
PARKED_COUNT_INTERVAL_SECONDS = 30.0
PARKED_COUNT_BUSY_SECONDS = 300.0
"""Parked events are counted (a query; on FerretDB a full scan) every 30 s while the relay is idle, and only
every 5 minutes while it drains a backlog, which the scans would slow down; parking counts them at once.
The periodic count runs beside the relay's rounds: on FerretDB it takes seconds at a few thousand documents,
and a round that waited for it held back every event written meanwhile."""
SCAN_BATCHES = 10
"""A scan reads at most this many batches of documents before the next pass queries again."""
SCAN_SECONDS = 30.0
"""A scan older than this is given up for a fresh one (events appended since it started wait no longer)."""
FULL_SCAN_SECONDS = 60.0
"""How often the full query for pending documents runs besides the hints (and once at start-up)."""
HINT_GRACE_SECONDS = 10.0
"""A hint is deleted only after its document was read this long after the hint's last write: more than a writer
takes between its hint and its document, plus any difference between the writer's and the relay's clocks."""
HINT_SETTLE_SECONDS = 1.0
"""A document read with nothing left sooner than this after its hint's last write is read again at the next look
(its writer may be writing it at that moment); read later, it is left alone until the grace period is over."""
SETTLED_REMEMBERED = 50_000
HINTED_MAX_IDLE_SECONDS = 0.25
"""The longest an idle relay waits between looks at its hints (a look reads only the small hints collection)."""
SCAN_LATE_INTERVALS = 4
"""While every round has hinted work, the full scan waits up to this many intervals more (5 minutes in all, by
default): on FerretDB one costs as much as reading every document by ``_id`` (15 s at 5 000 documents under load),
and events without a hint are rare (an older database, a lost hint)."""


def backoff_seconds(failures: int, first: float = BACKOFF_FIRST_SECONDS, cap: float = BACKOFF_MAX_SECONDS) -> float:
    """The pause after ``failures`` failures in a row: doubling from ``first`` up to ``cap``."""
    return min(cap, first * 2 ** max(0, failures - 1))


@dataclass(frozen=True)
class _Hint:
    id: str
    n: int
    at: datetime


@dataclass
class _PendingDocument:
    collection: Collection
    doc_id: Any
    entries: list[dict[str, Any]]
    """Entries still to publish, in sequence order."""
    already_sent: int
    sent_up_to: int
    leftovers: list[dict[str, Any]]
    """Entries already acknowledged earlier but still in the list (to be removed now)."""
    park: dict[str, Any] | None = None
    """Set when the relay parks the document's first waiting entry."""
    tried: bool = False
    """Whether a publish round handed any of its entries to the producer."""
    hint: _Hint | None = None
    """The hint the document was read through."""
    read_at: datetime | None = None
    """When it was read through its hint (by the relay's clock)."""

    @property
    def key(self) -> tuple[str, Any]:
        return (self.collection.full_name, self.doc_id)

    @property
    def newly_sent(self) -> int:
        return sum(1 for e in self.entries if e["seq"] <= self.sent_up_to)

    @property
    def done(self) -> bool:
        """Nothing read is left to publish: all acknowledged, or the document is parked."""
        return self.park is not None or all(e["seq"] <= self.sent_up_to for e in self.entries)


@dataclass
class _Failures:
    """What the relay remembers of a document whose next event Kafka did not take."""

    attempts: int = 0
    """Failed attempts that count towards parking (made while Kafka acknowledged other events)."""
    failures: int = 0
    retry_at: float = 0.0
    suspect: bool = False
    """Failed with a broker refusal that may have been another record's: to be tried alone."""


@dataclass
class _Sent:
    doc: _PendingDocument
    entry: dict[str, Any]
    future: FutureRecordMetadata | None
    refused: Exception | None = None
    """Raised by ``send`` itself (the producer refused the record before sending it)."""


@dataclass
class _Scan:
    """One pass over a collection's pending documents: a cursor read a batch at a time."""

    cursor: Cursor
    started: float
    seen: set[Any] = field(default_factory=set)


@dataclass
class _Round:
    sent: list[_Sent] = field(default_factory=list)
    acknowledged: int = 0


def _is_permanent(error: BaseException | None) -> bool:
    """Kafka will refuse this record however often it is sent (too large, invalid, not authorized)."""
    if isinstance(error, KafkaError):
        return not error.retriable
    return isinstance(error, ValueError | TypeError)  # e.g. an illegal topic name, refused before sending


class OutboxRelay:
    def __init__(
        self,
        collections: Sequence[Collection],
        producer: KafkaProducer | Callable[[], KafkaProducer],
        *,
        batch_size: int = 500,
        send_timeout_seconds: float = 4.0,
        send_window_seconds: float = 1.0,
        park_after_attempts: int = 10,
        read_concern: str = "majority",
        scan_batches: int = SCAN_BATCHES,
        scan_seconds: float = SCAN_SECONDS,
        full_scan_seconds: float = FULL_SCAN_SECONDS,
        hint_grace_seconds: float = HINT_GRACE_SECONDS,
    ) -> None:
        """``producer`` may be a factory: the relay then replaces a producer Kafka left unusable.

        ``send_timeout_seconds`` is how long a round waits for Kafka's acknowledgements (at least the
        producer's ``delivery_timeout_ms``, so nothing of a round is still in flight after it; see
        `shared.outbox.process.relay_for`, which derives both from the lease);
        ``send_window_seconds`` how long it keeps handing records to the producer. A scan of the pending
        documents serves up to ``scan_batches`` rounds of ``batch_size`` documents, for ``scan_seconds`` at most,
        and runs at start-up and every ``full_scan_seconds`` (every pass while a database has no hints); a hint is
        deleted once its document was read ``hint_grace_seconds`` after the hint's last write with nothing left.
        """
        concern = ReadConcern(read_concern) if read_concern else ReadConcern()
        self._collections = [c.with_options(read_concern=concern) for c in collections]
        if isinstance(producer, KafkaProducer):
            self._make_producer: Callable[[], KafkaProducer] | None = None
            self._producer = producer
        else:
            self._make_producer = producer
            self._producer = producer()
        self._batch_size = batch_size
        self._send_timeout = send_timeout_seconds
        self._send_window = send_window_seconds
        self._park_after = park_after_attempts
        self._failures: dict[tuple[str, Any], _Failures] = {}
        self._unmarked: list[_PendingDocument] = []
        self._parked_counted_at = time.monotonic() - PARKED_COUNT_BUSY_SECONDS / 2  # the first count once idle
        self._counting: threading.Thread | None = None
        self._counts_started = 0
        """Counts started so far: a periodic count that finishes after a later one leaves the gauge alone."""
        self._idle = False
        """Whether the last round found nothing to publish."""
        self._producer_refused = False
        self._last_acknowledged = float("-inf")
        self._window_ends = 0.0
        self._window_stretch = 0.0
        self._scan_batches = max(1, scan_batches)
        self._scan_seconds = scan_seconds
        self._scans: dict[str, _Scan] = {}
        self._carried: list[_PendingDocument] = []
        """Documents of the last round that no send reached: the next round's first."""
        self._full_scan_seconds = full_scan_seconds
        self._grace = timedelta(seconds=hint_grace_seconds)
        self._scanned_at: dict[str, float] = {}
        """Per collection, when its last full scan started (by the monotonic clock; none yet when absent)."""
        self._started = time.monotonic()
        self._hint_sources: dict[str, tuple[Collection, dict[str, Collection]]] = {}
        """Per database, its hints collection and the relay's collections there by name."""
        for collection in self._collections:
            database: Database = collection.database
            hints = database[HINTS_COLLECTION].with_options(read_concern=concern)
            self._hint_sources.setdefault(database.name, (hints, {}))[1][collection.name] = collection
        self._hinted_databases: set[str] = set()
        """Databases where a hint was ever written (their writers write hints): scanned only as a safety net."""
        self._settled: dict[str, int] = {}
        """Hints (id → write count) whose document had nothing left when read, too soon to delete the hint."""
        self._empty: list[_PendingDocument] = []
        """Documents the last fetch read through their hints with nothing to publish."""

    @property
    def publish_seconds(self) -> float:
        """The longest a publish round can take: the lease must last at least this long when it starts.

        Sends start within the window, stretched by at most as much again for sends that waited for
        a missing topic's metadata; every acknowledgement comes within the send timeout after that.
        """
        return 2 * self._send_window + self._send_timeout

    # ----------------------------------------------------------------------------------------------
    # Reading
    # ----------------------------------------------------------------------------------------------

    def fetch_pending(self) -> list[_PendingDocument]:
        """Documents with waiting events, oldest first; parked ones and those backing off are left out.

        Up to ``batch_size`` per collection: those the last round did not reach, then the next ones of the
        collection's scan (a new scan when there is none, or it ended or aged)."""
        pending: list[_PendingDocument] = []
        carried, self._carried = self._carried, []
        self._empty = []
        now = time.monotonic()
        carried = [doc for doc in carried if not self._backing_off(doc.key, now)]
        try:
            hinted = self._read_hinted(now, {doc.key for doc in carried})
            for collection in self._collections:
                mine = [doc for doc in carried + hinted if doc.collection is collection]
                taken = {doc.doc_id for doc in mine}
                scan = self._scans.get(collection.full_name)
                if scan is not None:  # read through their hints after the scan's read: not taken from it again
                    scan.seen |= {doc.doc_id for doc in hinted + self._empty if doc.collection is collection}
                # Where writers hint, the full scan waits for a round with nothing else (or for being overdue).
                busy = bool(mine) and self._hinted(collection) and not self._scan_overdue(collection, now)
                room = 0 if busy and collection.full_name not in self._scans else self._batch_size - len(mine)
                pending += mine + self._next_from_scan(collection, room, now, taken)
        except PyMongoError:
            self.forget_scans()  # a cursor cut off by an outage is not resumed
            raise
        return pending

    def _hints_written(self, database: str, hints: Collection) -> bool:
        """Whether a hint was ever written in ``database`` (asked until one was: an older database has none)."""
        if database not in self._hinted_databases and hints.database.list_collection_names(
            filter={"name": HINTS_COLLECTION}
        ):
            self._hinted_databases.add(database)
        return database in self._hinted_databases

    def _scan_due_at(self, collection: Collection) -> float:
        """When the next full scan is due: at once if none ran yet (start-up, after an outage or a lapsed lease),
        then ``full_scan_seconds`` after the last (after every pass while the database has no hints)."""
        last = self._scanned_at.get(collection.full_name)
        if last is None:
            return float("-inf")
        return last + (self._full_scan_seconds if self._hinted(collection) else 0.0)

    def _scan_overdue(self, collection: Collection, now: float) -> bool:
        """The full scan is ``SCAN_LATE_INTERVALS`` intervals late (no round was idle): it gets half of the next."""
        name = collection.full_name
        due = max(self._scan_due_at(collection), self._started)
        return name not in self._scans and now > due + SCAN_LATE_INTERVALS * self._full_scan_seconds

    def _read_hinted(self, now: float, taken: set[tuple[str, Any]]) -> list[_PendingDocument]:
        """The hinted documents with events to publish (up to ``batch_size`` read per collection), oldest hint
        first, each read by ``_id``; those read with nothing to publish go to ``self._empty``."""
        found: list[_PendingDocument] = []
        chosen: list[tuple[Collection, Any, _Hint]] = []
        for database, (hints, collections) in self._hint_sources.items():
            if not self._hints_written(database, hints):
                continue
            room = {  # what the documents carried over from the last round left
                name: (self._batch_size // 2 if self._scan_overdue(c, now) else self._batch_size)
                - sum(1 for owner, _ in taken if owner == c.full_name)
                for name, c in collections.items()
            }
            query = {"collection": {"$in": list(collections)}}
            for note in hints.find(query).sort("since", ASCENDING).limit(4 * self._batch_size * len(collections)):
                name, doc_id = note.get("collection"), note.get("doc")
                collection = collections.get(name)
                if collection is None or room[name] <= 0:
                    continue
                key = (collection.full_name, doc_id)
                if key in taken or self._backing_off(key, now):
                    continue
                at = note["at"] if note["at"].tzinfo else note["at"].replace(tzinfo=UTC)
                hint = _Hint(note["_id"], note["n"], at)
                if self._settled.get(hint.id) == hint.n and datetime.now(UTC) < hint.at + self._grace:
                    continue  # read with nothing left since its last write: read again once the grace is over
                room[name] -= 1
                chosen.append((collection, doc_id, hint))
        # Each document by _id: FerretDB reads the whole collection for any other query (an $in too). Reading
        # a few at a time made no difference there (it is bound by FerretDB's CPU).
        for collection, doc_id, hint in chosen:
            doc, read_at = _read_by_id(collection, doc_id)
            read = self._pending_document(collection, doc or {"_id": doc_id})
            read.hint, read.read_at = hint, read_at
            if doc is None or PARKED_FIELD in doc or not (read.entries or read.leftovers):
                read.entries = []  # gone, parked (an operator's retry writes a new hint) or nothing pending
                self._empty.append(read)
            else:
                found.append(read)
        return found

    def _pending_document(self, collection: Collection, doc: dict[str, Any]) -> _PendingDocument:
        sent = doc.get("outbox_sent_seq", 0)
        outbox = doc.get("outbox", [])
        entries = sorted((e for e in outbox if e["seq"] > sent), key=lambda e: e["seq"])
        leftovers = [e for e in outbox if e["seq"] <= sent]
        return _PendingDocument(collection, doc["_id"], entries, sent, sent, leftovers)

    def forget_scans(self) -> None:
        """Give up the scans and the documents carried over (the next round queries afresh)."""
        for scan in self._scans.values():
            scan.cursor.close()
        self._scans.clear()
        self._carried = []
        self._scanned_at.clear()  # and scan again: what happened meanwhile is not known

    def _backing_off(self, key: tuple[str, Any], now: float) -> bool:
        failure = self._failures.get(key)
        return failure is not None and failure.retry_at > now

    def _open_scan(self, collection: Collection, now: float) -> _Scan:
        name = collection.full_name
        waiting = [doc_id for (owner, doc_id), f in self._failures.items() if owner == name and f.retry_at > now]
        waiting = waiting[:MAX_EXCLUDED]
        query = {**RELAY_QUERY, "_id": {"$nin": waiting}} if waiting else RELAY_QUERY
        limit = self._batch_size * self._scan_batches
        cursor = collection.find(query, _PROJECTION).sort(OLDEST_FIRST).limit(limit).batch_size(self._batch_size)
        return _Scan(cursor, now)

    def _next_from_scan(
        self, collection: Collection, count: int, now: float, taken: set[Any]
    ) -> list[_PendingDocument]:
        """The next ``count`` documents of the collection's scan, opening one if needed (once per round)."""
        name = collection.full_name
        found: list[_PendingDocument] = []
        opened = False
        while len(found) < count:
            scan = self._scans.get(name)
            if scan is not None and now - scan.started > self._scan_seconds:
                scan.cursor.close()
                del self._scans[name]
                scan = None
            if scan is None:
                if opened or now < self._scan_due_at(collection):
                    break  # the scan this round opened has ended (nothing more is pending), or none is due
                self._scanned_at[name] = now
                scan = self._scans[name] = self._open_scan(collection, now)
                scan.seen |= taken | {doc.doc_id for doc in found}  # this round has them from before
                opened = True
            try:
                doc = next(scan.cursor, None)
            except CursorNotFound:  # the server let an idle cursor go: a fresh scan (if not opened just now)
                doc = None
            if doc is None:
                del self._scans[name]
                continue
            if doc["_id"] in scan.seen or self._backing_off((name, doc["_id"]), now):
                continue
            scan.seen.add(doc["_id"])
            found.append(self._pending_document(collection, doc))
        return found

    def _hinted(self, collection: Collection) -> bool:
        return collection.database.name in self._hinted_databases

    # ----------------------------------------------------------------------------------------------
    # Publishing
    # ----------------------------------------------------------------------------------------------

    def publish(self, pending: list[_PendingDocument]) -> None:
        """Send every entry, wait for Kafka's acknowledgements, and note how far each document got.

        Documents suspected of a broker refusal are tried first, each alone; then the others together.
        """
        if self._producer_refused:
            self._renew_producer()
        # Nothing is sent after the window, so the round stays bounded. Time a send spent waiting for a
        # missing topic's metadata stretches it (by one window at most), so others still go out.
        self._window_ends = time.monotonic() + self._send_window
        self._window_stretch = self._send_window
        suspects = [doc for doc in pending if self._failure(doc).suspect and doc.entries]
        for doc in suspects:
            self._publish_round([doc], alone=True)
        tried_alone = {id(doc) for doc in suspects}
        self._publish_round([doc for doc in pending if id(doc) not in tried_alone], alone=False)

    def _failure(self, doc: _PendingDocument) -> _Failures:
        return self._failures.get(doc.key) or _Failures()

    def _send(self, doc: _PendingDocument, entry: dict[str, Any]) -> _Sent:
        envelope = entry["envelope"]
        try:
            future = self._producer.send(
                entry["topic"],
                key=entry["key"],
                value=envelope,
                headers=[
                    ("event_type", envelope["event_type"].encode()),
                    ("correlation_id", envelope["correlation_id"].encode()),
                ],
            )
        except (KafkaError, ValueError, TypeError) as exc:
            return _Sent(doc, entry, None, exc)
        return _Sent(doc, entry, future)

    def _publish_round(self, docs: list[_PendingDocument], *, alone: bool) -> None:
        if not docs or time.monotonic() > self._window_ends:
            return
        silent_topics: set[str] = set()
        sent: list[_Sent] = []
        for doc in docs:
            for entry in doc.entries[:1] if alone else doc.entries:
                if entry["topic"] in silent_topics or time.monotonic() > self._window_ends:
                    break  # not tried this round: neither a failure nor a success
                started = time.monotonic()
                doc.tried = True
                attempt = self._send(doc, entry)
                sent.append(attempt)
                if attempt.refused is not None:
                    if isinstance(attempt.refused, KafkaTimeoutError):
                        silent_topics.add(entry["topic"])  # no metadata for it: do not wait again per entry
                        stretch = min(self._window_stretch, time.monotonic() - started)
                        self._window_ends += stretch
                        self._window_stretch -= stretch
                    break  # this document stops here; the others still go out
        answer_by = time.monotonic() + self._send_timeout
        try:
            self._producer.flush(timeout=self._send_timeout)
        except KafkaError as exc:  # a timeout, or a producer Kafka left refusing: each future says what failed
            log.warning("Kafka did not acknowledge every event within %s s: %r", self._send_timeout, exc)
        # A flush that gave up early leaves futures Kafka still answers: give them the rest of the time.
        while time.monotonic() < answer_by and any(s.future is not None and not s.future.is_done for s in sent):
            time.sleep(0.05)
        self._evaluate(sent, alone=alone)

    def _evaluate(self, sent: list[_Sent], *, alone: bool) -> None:
        acknowledged = sum(1 for s in sent if s.future is not None and s.future.succeeded())
        if acknowledged:
            self._last_acknowledged = time.monotonic()
        # Kafka answers if it acknowledged anything lately: then a failure is this event's, not an outage's.
        kafka_answered = time.monotonic() - self._last_acknowledged < BACKOFF_MAX_SECONDS + self.publish_seconds
        failed_docs: set[int] = set()
        # The round waited past the producer's delivery timeout: a record neither acknowledged nor failed by
        # now never will be (kafka-python's idempotent producer can stall so after a broker restart).
        producer_refused = any(s.future is not None and not s.future.is_done for s in sent)
        if producer_refused:
            log.warning("the producer left events unanswered past its delivery timeout; replacing it")
        for attempt in sent:
            doc, entry = attempt.doc, attempt.entry
            if id(doc) in failed_docs:
                continue
            future = attempt.future
            if future is not None and future.succeeded():
                doc.sent_up_to = entry["seq"]
                PUBLISHED.labels(entry["topic"]).inc()
                self._failures.pop(doc.key, None)
                continue
            failed_docs.add(id(doc))
            FAILED.labels(entry["topic"]).inc()
            error = attempt.refused if attempt.refused is not None else (future.exception if future else None)
            from_broker = attempt.refused is None
            producer_refused |= from_broker and _is_permanent(error)
            self._failed(doc, entry, error, from_broker=from_broker, alone=alone, kafka_answered=kafka_answered)
        if producer_refused:
            self._producer_refused = self._make_producer is not None
            self._renew_producer()

    def _failed(
        self,
        doc: _PendingDocument,
        entry: dict[str, Any],
        error: BaseException | None,
        *,
        from_broker: bool,
        alone: bool,
        kafka_answered: bool,
    ) -> None:
        failure = self._failures.setdefault(doc.key, _Failures())
        failure.failures += 1
        event = f"{entry['envelope']['event_type']} {entry['envelope']['event_id']}"
        if _is_permanent(error):
            if from_broker and not alone:
                # The broker may have refused another record of the batch: try this document alone.
                failure.suspect = True
                log.warning("event %s refused by Kafka with others (%r); trying it alone", event, error)
                return
            self._park(doc, entry, error, failure.failures)
            return
        failure.suspect = False
        if kafka_answered:
            failure.attempts += 1
        if failure.attempts >= self._park_after:
            self._park(doc, entry, error, failure.attempts)
            return
        failure.retry_at = time.monotonic() + backoff_seconds(failure.failures)
        log.warning("event %s not acknowledged (attempt %s): %r", event, failure.failures, error)

    def _park(self, doc: _PendingDocument, entry: dict[str, Any], error: BaseException | None, attempts: int) -> None:
        envelope = entry["envelope"]
        doc.park = {
            "seq": entry["seq"],
            "event_id": envelope["event_id"],
            "event_type": envelope["event_type"],
            "topic": entry["topic"],
            "error": repr(error)[:1000],
            "attempts": attempts,
            "parked_at": datetime.now(UTC),
        }
        self._failures.pop(doc.key, None)
        log.error(
            "event %s %s of %s parked after %s attempt(s): %r; later events of the same aggregate wait behind it",
            envelope["event_type"],
            envelope["event_id"],
            doc.doc_id,
            attempts,
            error,
        )

    def _renew_producer(self) -> None:
        """Replace a producer Kafka left refusing every record (kafka-python's idempotent producer does)."""
        if self._make_producer is None:
            log.warning("Kafka refused a record for good; the producer may refuse the next ones too")
            return
        try:
            fresh = self._make_producer()
        except KafkaError as exc:  # tried again before the next round
            log.warning("could not make a new producer: %r", exc)
            return
        old, self._producer = self._producer, fresh
        self._producer_refused = False
        try:
            old.close(timeout=0)
        except KafkaError as exc:
            log.warning("closing the refused producer: %r", exc)

    # ----------------------------------------------------------------------------------------------
    # Marking
    # ----------------------------------------------------------------------------------------------

    def mark_sent(self, pending: list[_PendingDocument]) -> None:
        """Raise each document's sent mark and remove exactly the entries Kafka acknowledged; park what must be.

        ``$pullAll`` of the very entries read leaves anything appended meanwhile in place, and the
        filter is the ``_id`` alone, so no condition can go stale between read and write. Repeating it
        changes nothing, so marks that failed with the database are simply repeated.
        """
        by_collection: dict[str, tuple[Collection, list[UpdateOne]]] = {}
        for doc in pending:
            acknowledged = [e for e in doc.entries if e["seq"] <= doc.sent_up_to] + doc.leftovers
            update: dict[str, Any] = {}
            if acknowledged:
                update["$pullAll"] = {"outbox": acknowledged}
            if doc.sent_up_to > doc.already_sent:
                update["$max"] = {"outbox_sent_seq": doc.sent_up_to}
            if doc.park is not None:
                update["$set"] = {PARKED_FIELD: doc.park}
            if not update:
                continue
            ops = by_collection.setdefault(doc.collection.full_name, (doc.collection, []))[1]
            ops.append(UpdateOne({"_id": doc.doc_id}, update))
        for collection, ops in by_collection.values():
            for start in range(0, len(ops), WRITES_PER_COMMAND):
                collection.bulk_write(ops[start : start + WRITES_PER_COMMAND], ordered=False)
        if any(doc.park is not None for doc in pending):
            self.count_parked()

    def count_parked(self) -> int:
        """Count the parked events of every collection into the ``outbox_parked_entries`` gauge."""
        self._counts_started += 1
        self._parked_counted_at = time.monotonic()
        parked = sum(c.count_documents({PARKED_FIELD: {"$exists": True}}) for c in self._collections)
        PARKED.set(parked)
        return parked

    def _count_parked_beside(self) -> None:
        """Start the periodic count in a thread of its own, unless the last one is still counting."""
        if self._counting is not None and self._counting.is_alive():
            return
        self._counts_started += 1
        self._parked_counted_at = time.monotonic()
        self._counting = threading.Thread(
            target=self._count_parked_quietly, args=(self._counts_started,), name="outbox-parked-count", daemon=True
        )
        self._counting.start()

    def _count_parked_quietly(self, started: int) -> None:
        try:
            parked = sum(c.count_documents({PARKED_FIELD: {"$exists": True}}) for c in self._collections)
        except PyMongoError as error:  # the rounds ride the outage out; the next count is in 30 s
            log.warning("could not count the parked events: %s", error)
            return
        if started == self._counts_started:
            PARKED.set(parked)

    # ----------------------------------------------------------------------------------------------
    # The loop
    # ----------------------------------------------------------------------------------------------

    def relay_once(self, lease: Lease | None = None) -> int:
        """One round: finish marks a database outage interrupted, fetch, publish (holding ``lease``), mark."""
        if self._unmarked:
            self.mark_sent(self._unmarked)
            self._unmarked = []
        since_count = time.monotonic() - self._parked_counted_at
        if since_count > PARKED_COUNT_BUSY_SECONDS or (self._idle and since_count > PARKED_COUNT_INTERVAL_SECONDS):
            self._count_parked_beside()
        pending = self.fetch_pending()
        empty = self._empty
        self._idle = not pending
        _measure_backlog(pending)
        if not pending:
            if empty and (lease is None or lease.remaining_seconds() > 0):
                self.settle_hints(empty)
            return 0
        if lease is not None and not lease.holds_for(self.publish_seconds):
            log.info("the lease does not last a publish round; not publishing")
            self.forget_scans()  # another replica may publish meanwhile: read afresh when ours again
            return 0
        self.publish(pending)
        self._unmarked = pending
        self.mark_sent(pending)
        self._unmarked = []
        self._carried = [doc for doc in pending if not doc.tried and doc.park is None]
        self.settle_hints(pending + empty)
        return sum(doc.newly_sent for doc in pending)

    def settle_hints(self, docs: list[_PendingDocument]) -> None:
        """Delete the hints of documents read through them with nothing left to publish (after the marks).

        Only when the document was read at least the grace period after the hint's last write (so a writer
        that wrote the hint had written its document by then), and only if the hint was not written since
        (conditional on its write count). A hint kept costs one more read of its document, never an event: at
        the next look when it was read within ``HINT_SETTLE_SECONDS`` of the hint's write (a writer between its
        hint and its document), else once the grace period is over."""
        deletes: dict[str, list[DeleteOne]] = {}
        for doc in docs:
            hint = doc.hint
            if hint is None or doc.read_at is None:
                continue
            if not doc.done:
                self._settled.pop(hint.id, None)
            elif doc.read_at - hint.at >= self._grace:
                deletes.setdefault(doc.collection.database.name, []).append(DeleteOne({"_id": hint.id, "n": hint.n}))
                self._settled.pop(hint.id, None)
            elif doc.read_at - hint.at < timedelta(seconds=HINT_SETTLE_SECONDS):
                self._settled.pop(hint.id, None)  # its writer may not have written it yet: read it again next look
            else:
                if len(self._settled) >= SETTLED_REMEMBERED:
                    self._settled.clear()  # only spares reads
                self._settled[hint.id] = hint.n
        # Each by _id, in commands of WRITES_PER_COMMAND: one delete of a chunk's (_id, n) pairs by $or cost FerretDB
        # six times as much (it evaluates the filter against every hint).
        for database, ops in deletes.items():
            hints = self._hint_sources[database][0]
            for start in range(0, len(ops), WRITES_PER_COMMAND):
                hints.bulk_write(ops[start : start + WRITES_PER_COMMAND], ordered=False)

    def run(
        self,
        stop: StopSignal,
        *,
        lease: Lease | None = None,
        liveness: LivenessFile | None = None,
        idle_seconds: float = 0.1,
        max_idle_seconds: float = 2.0,
    ) -> None:
        """Relay until stopped. When idle, look less and less often (up to ``max_idle_seconds``; up to
        ``HINTED_MAX_IDLE_SECONDS`` once every database has hints, where a look reads the small hints collection,
        not the whole collections, and the full scan comes only every ``full_scan_seconds``). The lease is
        renewed on every pass (and before every publish round), so it lapses within its ttl when this loop stops
        or hangs."""
        log.info("outbox relay started")
        wait = idle_seconds
        database_failures = 0
        try:
            while not stop.is_set():
                if liveness:
                    liveness.touch()
                try:
                    if lease and lease.remaining_seconds() <= 0:
                        self.forget_scans()  # the lease lapsed: another replica may have published meanwhile
                    if lease and not lease.acquire():
                        self.forget_scans()
                        stop.wait(max_idle_seconds)
                        continue
                    published = self.relay_once(lease)
                except TRANSIENT_DATABASE_ERRORS as exc:
                    database_failures += 1
                    DATABASE_ERRORS.inc()
                    pause = backoff_seconds(database_failures)
                    log.warning("database unavailable (%r); retrying in %.1f s", exc, pause)
                    _wait(stop, pause, liveness)
                    continue
                database_failures = 0
                if published == 0:
                    stop.wait(wait)
                    hinted = len(self._hinted_databases) == len(self._hint_sources)
                    wait = min(wait * 2, min(max_idle_seconds, HINTED_MAX_IDLE_SECONDS) if hinted else max_idle_seconds)
                else:
                    wait = idle_seconds
        finally:
            if lease:
                try:
                    lease.release()
                except PyMongoError as exc:  # the lease lapses on its own within its ttl
                    log.warning("could not release the lease: %r", exc)
            try:
                self._producer.flush(timeout=self._send_timeout)
            except KafkaError as exc:
                log.warning("could not flush the producer: %r", exc)
            log.info("outbox relay stopped")

    def close(self, timeout: float = 10.0) -> None:
        self._producer.close(timeout=timeout)


def _read_by_id(collection: Collection, doc_id: Any) -> tuple[dict[str, Any] | None, datetime]:
    """A hinted document's outbox, and when it was read: just before asking (the read sees at least that)."""
    asked_at = datetime.now(UTC)
    return collection.find_one({"_id": doc_id}, _HINTED_PROJECTION), asked_at


def _wait(stop: StopSignal, seconds: float, liveness: LivenessFile | None) -> None:
    """Wait ``seconds`` (or until stopped), touching the liveness file: waiting out an outage is alive."""
    deadline = time.monotonic() + seconds
    while not stop.is_set() and (remaining := deadline - time.monotonic()) > 0:
        if liveness:
            liveness.touch()
        stop.wait(min(1.0, remaining))


def _measure_backlog(pending: list[_PendingDocument]) -> None:
    """Set the backlog gauges: how many events wait, and since when the oldest has waited."""
    entries = [entry for doc in pending for entry in doc.entries]
    PENDING.set(len(entries))
    if not entries:
        OLDEST_PENDING_AGE.set(0)
        return
    oldest = min(datetime.fromisoformat(entry["envelope"]["occurred_at"]) for entry in entries)
    OLDEST_PENDING_AGE.set(max(0.0, (datetime.now(UTC) - oldest).total_seconds()))
