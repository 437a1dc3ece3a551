"""The outbox relay: publishes pending events to Kafka, then marks them sent."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError
from kafka.producer.future import FutureRecordMetadata
from prometheus_client import Counter, Gauge
from pymongo import UpdateOne
from pymongo.collection import Collection

from shared.outbox.fields import PENDING_QUERY
from shared.outbox.lease import Lease
from shared.runtime import LivenessFile, StopSignal

log = logging.getLogger(__name__)

PUBLISHED = Counter("outbox_events_published_total", "Events the relay got acknowledged by Kafka", ["topic"])
FAILED = Counter("outbox_publish_failures_total", "Events Kafka did not acknowledge (retried later)", ["topic"])
PENDING = Gauge("outbox_pending_events", "Events waiting in the outbox at the relay's last look (up to a batch)")
OLDEST_PENDING_AGE = Gauge("outbox_oldest_pending_age_seconds", "Age of the oldest waiting event; 0 when none")

_PROJECTION = {"outbox": 1, "outbox_sent_seq": 1}


# FerretDB 1.24 never answers an update command that carries about a hundred updates or more,
# so the relay marks documents in chunks well below that.
MARK_CHUNK = 40


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

    @property
    def newly_sent(self) -> int:
        return sum(1 for e in self.entries if e["seq"] <= self.sent_up_to)


class OutboxRelay:
    def __init__(
        self,
        collections: Sequence[Collection],
        producer: KafkaProducer,
        *,
        batch_size: int = 500,
        send_timeout_seconds: float = 30.0,
    ) -> None:
        self._collections = list(collections)
        self._producer = producer
        self._batch_size = batch_size
        self._send_timeout = send_timeout_seconds

    def fetch_pending(self) -> list[_PendingDocument]:
        pending: list[_PendingDocument] = []
        for collection in self._collections:
            for doc in collection.find(PENDING_QUERY, _PROJECTION).limit(self._batch_size):
                sent = doc.get("outbox_sent_seq", 0)
                outbox = doc.get("outbox", [])
                entries = sorted((e for e in outbox if e["seq"] > sent), key=lambda e: e["seq"])
                leftovers = [e for e in outbox if e["seq"] <= sent]
                pending.append(_PendingDocument(collection, doc["_id"], entries, sent, sent, leftovers))
        return pending

    def publish(self, pending: list[_PendingDocument]) -> None:
        """Send every entry, wait for Kafka's acknowledgements, and note how far each document got.

        A document's events are sent in sequence order and counted as sent only up to its first
        failure, so a retry never publishes a later event before an earlier one.
        """
        futures: list[tuple[_PendingDocument, dict[str, Any], FutureRecordMetadata | None]] = []
        for doc in pending:
            for entry in doc.entries:
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
                except KafkaError as exc:
                    # Refused before sending (unknown topic, record too large...): this document
                    # stops here, the others still go out.
                    log.warning("event %s not sent: %s", envelope["event_id"], exc)
                    futures.append((doc, entry, None))
                    break
                futures.append((doc, entry, future))
        try:
            self._producer.flush(timeout=self._send_timeout)
        except KafkaTimeoutError:
            log.warning("Kafka did not acknowledge every event within %s s", self._send_timeout)
        failed_docs: set[int] = set()
        for doc, entry, future in futures:
            if id(doc) in failed_docs:
                continue
            if future is not None and future.succeeded():
                doc.sent_up_to = entry["seq"]
                PUBLISHED.labels(entry["topic"]).inc()
            else:
                failed_docs.add(id(doc))
                FAILED.labels(entry["topic"]).inc()
                if future is not None:
                    log.warning("event %s not acknowledged: %s", entry["envelope"]["event_id"], future.exception)

    def mark_sent(self, pending: list[_PendingDocument]) -> None:
        """Raise each document's sent mark and remove exactly the entries Kafka acknowledged.

        ``$pullAll`` of the very entries read leaves anything appended meanwhile in place, and the
        filter is the ``_id`` alone, so no condition can go stale between read and write.
        """
        by_collection: dict[str, tuple[Collection, list[UpdateOne]]] = {}
        for doc in pending:
            acknowledged = [e for e in doc.entries if e["seq"] <= doc.sent_up_to] + doc.leftovers
            if not acknowledged:
                continue
            update: dict[str, Any] = {"$pullAll": {"outbox": acknowledged}}
            if doc.sent_up_to > doc.already_sent:
                update["$max"] = {"outbox_sent_seq": doc.sent_up_to}
            ops = by_collection.setdefault(doc.collection.full_name, (doc.collection, []))[1]
            ops.append(UpdateOne({"_id": doc.doc_id}, update))
        for collection, ops in by_collection.values():
            for start in range(0, len(ops), MARK_CHUNK):
                collection.bulk_write(ops[start : start + MARK_CHUNK], ordered=False)

    def relay_once(self) -> int:
        pending = self.fetch_pending()
        _measure_backlog(pending)
        if not pending:
            return 0
        self.publish(pending)
        self.mark_sent(pending)
        return sum(doc.newly_sent for doc in pending)

    def run(
        self,
        stop: StopSignal,
        *,
        lease: Lease | None = None,
        liveness: LivenessFile | None = None,
        idle_seconds: float = 0.1,
        max_idle_seconds: float = 2.0,
    ) -> None:
        """Relay until stopped. When idle, look less and less often (up to ``max_idle_seconds``):
        each look is a query, and on FerretDB a full scan."""
        log.info("outbox relay started")
        wait = idle_seconds
        try:
            while not stop.is_set():
                if liveness:
                    liveness.touch()
                if lease and not lease.acquire():
                    stop.wait(max_idle_seconds)
                    continue
                if self.relay_once() == 0:
                    stop.wait(wait)
                    wait = min(wait * 2, max_idle_seconds)
                else:
                    wait = idle_seconds
        finally:
            if lease:
                lease.release()
            self._producer.flush(timeout=self._send_timeout)
            log.info("outbox relay stopped")


def _measure_backlog(pending: list[_PendingDocument]) -> None:
    """Set the backlog gauges: how many events wait, and since when the oldest has waited."""
    entries = [entry for doc in pending for entry in doc.entries]
    PENDING.set(len(entries))
    if not entries:
        OLDEST_PENDING_AGE.set(0)
        return
    oldest = min(datetime.fromisoformat(entry["envelope"]["occurred_at"]) for entry in entries)
    OLDEST_PENDING_AGE.set(max(0.0, (datetime.now(UTC) - oldest).total_seconds()))
