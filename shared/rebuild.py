"""Rebuilding a read model from its source topics: the read model as the events say it must be.

Consuming under a new group name rebuilds nothing, because every document already lists the event
ids it applied. A rebuild therefore fills a FRESH collection from the beginning of the topics (no
consumer group: it reads every partition by assignment and commits nothing, so the service's own
consumer is not disturbed), copies it over the live one document by document (every field the
events give is set, fields the service writes itself are kept, documents no event names are
removed; FerretDB cannot rename over an existing collection, and the live collection never
disappears this way), then reads what arrived meanwhile into the live
collection (the live consumer may have applied those events to a document the copy replaced;
applying them again is idempotent and the version guard keeps the order).

If the rebuild stops before the copy (an error, a signal), the live collection is untouched and
the next run starts over. See the runbook (deploy/README.md, "Rebuilding a read model").
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.database import Database

from shared.config import Settings
from shared.events.catalog import EventCatalog
from shared.events.envelope import Envelope, InvalidEvent
from shared.kafka import client_security
from shared.logs import configure_logging
from shared.mongo import WRITES_PER_COMMAND, connect

log = logging.getLogger(__name__)

Handler = Callable[[Envelope, dict[str, Any]], Any]
Offsets = dict[TopicPartition, int]

FRESH_SUFFIX = "_rebuild"
METADATA_TIMEOUT_SECONDS = 30.0
FETCH_MAX_BYTES = 8 * 1024 * 1024


@dataclass
class RebuildReport:
    collection: str
    events_read: int = 0
    events_applied: int = 0
    events_skipped: int = 0
    """Messages that are not valid events of the catalogue (they went to the dead-letter topic when first read)."""
    caught_up: int = 0
    """Events read after the copy: those that arrived while the fresh collection was filled."""
    documents: int = 0

    def summary(self) -> str:
        return (
            f"{self.collection}: {self.documents} documents rebuilt from {self.events_read} events "
            f"({self.events_applied} applied, {self.events_skipped} not valid events skipped, "
            f"{self.caught_up} read after the copy)"
        )


def read_topics(
    bootstrap_servers: str,
    catalog: EventCatalog,
    handlers: Mapping[str, Handler],
    report: RebuildReport,
    *,
    client_id: str,
    start: Offsets | None = None,
) -> Offsets:
    """Apply every event of the catalogue's topics from ``start`` (or the beginning) up to their current end.

    Returns the offsets reached: the ends of the partitions as they were when reading began.
    """
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap_servers,
        client_id=client_id,
        group_id=None,
        enable_auto_commit=False,
        # It may run beside a consumer in the same pod: keep its fetch buffers small.
        fetch_max_bytes=FETCH_MAX_BYTES,
        max_partition_fetch_bytes=FETCH_MAX_BYTES // 4,
        **client_security(),
    )
    try:
        partitions = _partitions(consumer, catalog.topics())
        consumer.assign(partitions)
        end: Offsets = consumer.end_offsets(partitions)
        for tp in partitions:
            if start and tp in start:
                consumer.seek(tp, start[tp])
            else:
                consumer.seek_to_beginning(tp)
        while any(consumer.position(tp) < end[tp] for tp in partitions):
            for tp, records in consumer.poll(timeout_ms=500).items():
                for record in records:
                    if record.offset < end[tp]:
                        _apply(record, catalog, handlers, report)
        return end
    finally:
        consumer.close(autocommit=False)


def rebuild_collection(
    db: Database,
    collection: str,
    *,
    bootstrap_servers: str,
    catalog: EventCatalog,
    apply_to: Callable[[str], Handler],
    client_id: str,
) -> RebuildReport:
    """Rebuild ``collection`` from the catalogue's topics and copy it over the live one (see the module's description).

    ``apply_to(name)`` gives the handler that applies any of the catalogue's events to collection ``name``.
    """

    def handlers_for(name: str) -> dict[str, Handler]:
        handler = apply_to(name)
        return {event_type.name: handler for event_type in catalog}

    report = RebuildReport(collection)
    fresh = f"{collection}{FRESH_SUFFIX}"
    db.drop_collection(fresh)
    db.create_collection(fresh)
    reached = read_topics(bootstrap_servers, catalog, handlers_for(fresh), report, client_id=client_id)
    _copy_over(db[fresh], db[collection])
    db.drop_collection(fresh)
    log.info("rebuilt %s copied in; reading what arrived meanwhile", collection)
    before = report.events_read
    read_topics(bootstrap_servers, catalog, handlers_for(collection), report, client_id=client_id, start=reached)
    report.caught_up = report.events_read - before
    report.documents = db[collection].count_documents({})
    log.info("%s", report.summary())
    return report


def _copy_over(source: Collection, target: Collection) -> None:
    """Give ``target``'s documents every field of ``source``'s (``$set``, each document in one write).

    Fields only the service itself writes (the marketplace's ``listing_ids`` on a seller) are left as
    they are; documents of ``target`` that no event names are removed.
    """
    kept: set[Any] = set()
    batch: list[UpdateOne] = []
    for document in source.find({}):
        doc_id = document.pop("_id")
        kept.add(doc_id)
        batch.append(UpdateOne({"_id": doc_id}, {"$set": document}, upsert=True))
        if len(batch) == WRITES_PER_COMMAND:
            target.bulk_write(batch, ordered=False)
            batch = []
    if batch:
        target.bulk_write(batch, ordered=False)
    stale = [document["_id"] for document in target.find({}, {"_id": 1}) if document["_id"] not in kept]
    for start in range(0, len(stale), WRITES_PER_COMMAND):
        target.delete_many({"_id": {"$in": stale[start : start + WRITES_PER_COMMAND]}})


def _partitions(consumer: KafkaConsumer, topics: Iterable[str]) -> list[TopicPartition]:
    deadline = time.monotonic() + METADATA_TIMEOUT_SECONDS
    wanted = sorted(topics)
    while True:
        found = {topic: consumer.partitions_for_topic(topic) for topic in wanted}
        if all(found.values()):
            return [TopicPartition(topic, p) for topic in wanted for p in sorted(found[topic] or ())]
        if time.monotonic() > deadline:
            missing = [topic for topic, partitions in found.items() if not partitions]
            raise RuntimeError(f"no partitions found for topics {missing}")
        time.sleep(0.5)


def _apply(
    record: ConsumerRecord, catalog: EventCatalog, handlers: Mapping[str, Handler], report: RebuildReport
) -> None:
    report.events_read += 1
    try:
        envelope = Envelope.from_json(record.value)
        handler = handlers.get(envelope.event_type)
        if handler is None:
            return
        payload = catalog.validate(envelope)
        handler(envelope, payload)
    except (InvalidEvent, ValueError) as exc:
        report.events_skipped += 1
        log.warning("skipped %s-%s@%s: %s", record.topic, record.partition, record.offset, exc)
        return
    report.events_applied += 1


def service_database(service: str, prog: str) -> tuple[Database, Settings]:
    """The service's database and settings for a rebuild command, with its logging set up as ``prog``."""
    settings = Settings.from_env(service)
    configure_logging(prog, settings.log_level)
    return connect(settings.mongodb_uri, app_name=prog)[settings.mongodb_database], settings
