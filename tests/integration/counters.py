"""A tiny event type, and a topic reader, for testing the shared outbox and consumer mechanisms on their own."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from marshmallow import Schema, fields, validate

from shared.events.catalog import EventCatalog, EventType
from shared.events.envelope import Envelope, new_envelope
from tests.polling import DEADLINE_S

EVENT_TYPE = "test.CounterIncremented"


class CounterIncrementedV1(Schema):
    counter_id = fields.String(required=True)
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(min=1))


def counter_catalog(topic: str) -> EventCatalog:
    return EventCatalog([EventType(EVENT_TYPE, 1, topic, CounterIncrementedV1)])


def counter_event(counter_id: str, amount: Any) -> Envelope:
    return new_envelope(
        event_type=EVENT_TYPE,
        schema_version=1,
        producer="tests",
        aggregate_type="counter",
        aggregate_id=counter_id,
        correlation_id=f"corr-{uuid.uuid4().hex[:8]}",
        payload={"counter_id": counter_id, "amount": amount},
        occurred_at=datetime.now(UTC),
    )


def read_topic(bootstrap: str, topic: str) -> list[ConsumerRecord]:
    """Every record currently in ``topic`` (up to the end offsets seen at the start), by partition and offset."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    try:
        deadline = time.monotonic() + DEADLINE_S
        partitions = consumer.partitions_for_topic(topic)
        while not partitions:
            assert time.monotonic() < deadline, f"no metadata for {topic}"
            time.sleep(0.1)
            partitions = consumer.partitions_for_topic(topic)
        tps = [TopicPartition(topic, p) for p in sorted(partitions)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        ends = consumer.end_offsets(tps)
        records: list[ConsumerRecord] = []
        while any(consumer.position(tp) < ends[tp] for tp in tps):
            assert time.monotonic() < deadline, f"could not read {topic} to its end"
            for batch in consumer.poll(timeout_ms=500).values():
                records.extend(batch)
        return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        consumer.close()
