"""``dlq-replay``: send dead letters back to the topic they came from, once the cause is fixed.

A consumer dead-letters a message it cannot process into ``<topic>.dlq`` with headers naming where it
came from and why. After a fix is deployed, this command reads the DLQ topic from where its own consumer
group (``dlq-replay``) last stopped up to the end it sees at start, prints each dead letter, and (unless
``--dry-run``) publishes it again, unchanged, to its origin topic. The group's position is committed only
after Kafka acknowledged the replayed messages, so a crash replays at most a batch twice; consumers apply
each event id once, so nothing is applied twice.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TextIO

from kafka import KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from shared.config import KAFKA_BOOTSTRAP_SERVERS
from shared.kafka import client_security, make_producer

DLQ_SUFFIX = ".dlq"
ACK_TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class DeadLetter:
    dlq_topic: str
    partition: int
    offset: int
    origin_topic: str
    key: bytes | None
    value: bytes
    error: str

    @classmethod
    def from_record(cls, record: ConsumerRecord) -> DeadLetter:
        headers = {name: value.decode(errors="replace") for name, value in record.headers or []}
        return cls(
            dlq_topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            origin_topic=headers.get("dlq.origin.topic") or record.topic.removesuffix(DLQ_SUFFIX),
            key=record.key,
            value=record.value or b"",
            error=headers.get("dlq.error", ""),
        )

    def describe(self) -> str:
        """One line for the operator: where it sits, where it goes, which event, and why it failed."""
        try:
            envelope = json.loads(self.value)
            event = f"{envelope['event_type']} {envelope['event_id']}"
        except (ValueError, TypeError, KeyError):
            event = f"not an event ({len(self.value)} bytes)"
        key = self.key.decode(errors="replace") if self.key else "-"
        return (
            f"{self.dlq_topic}[{self.partition}]@{self.offset} -> {self.origin_topic}  key={key}  {event}"
            f"  error: {self.error or '-'}"
        )


@dataclass
class Outcome:
    replayed: int = 0
    seen: int = 0


class DlqReplay:
    def __init__(self, consumer: KafkaConsumer, producer: KafkaProducer | None, out: TextIO) -> None:
        """``producer`` None is a dry run: dead letters are listed, nothing is sent, no position moves."""
        self._consumer = consumer
        self._producer = producer
        self._out = out

    def run(self, dlq_topic: str, limit: int | None = None) -> Outcome:
        outcome = Outcome()
        for batch in self._batches(dlq_topic, limit):
            letters = [DeadLetter.from_record(record) for record in batch]
            for letter in letters:
                print(letter.describe(), file=self._out)
            outcome.seen += len(letters)
            if self._producer is not None:
                self._send(letters)
                outcome.replayed += len(letters)
        return outcome

    def _batches(self, dlq_topic: str, limit: int | None) -> Iterator[list[ConsumerRecord]]:
        """Records from the group's position to the end offsets seen now (later dead letters wait a next run)."""
        partitions = self._consumer.partitions_for_topic(dlq_topic)
        if not partitions:
            raise SystemExit(f"topic {dlq_topic} does not exist")
        assigned = [TopicPartition(dlq_topic, p) for p in sorted(partitions)]
        self._consumer.assign(assigned)
        ends = self._consumer.end_offsets(assigned)
        taken = 0
        while any(self._consumer.position(tp) < ends[tp] for tp in assigned):
            if limit is not None and taken >= limit:
                return
            polled = self._consumer.poll(timeout_ms=1000, max_records=100)
            batch = [
                r
                for records in polled.values()
                for r in records
                if r.offset < ends[TopicPartition(r.topic, r.partition)]
            ]
            if limit is not None:
                batch = batch[: limit - taken]
            taken += len(batch)
            if batch:
                yield batch

    def _send(self, letters: list[DeadLetter]) -> None:
        assert self._producer is not None
        futures = [
            self._producer.send(
                letter.origin_topic,
                key=letter.key,
                value=letter.value,
                headers=[("dlq.replayed.from", f"{letter.dlq_topic}/{letter.partition}/{letter.offset}".encode())],
            )
            for letter in letters
        ]
        self._producer.flush(timeout=ACK_TIMEOUT_SECONDS)
        for future in futures:
            future.get(timeout=ACK_TIMEOUT_SECONDS)  # raises if Kafka did not take it: nothing is committed
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for letter in letters:
            offsets[TopicPartition(letter.dlq_topic, letter.partition)] = OffsetAndMetadata(letter.offset + 1, "", -1)
        self._consumer.commit(offsets)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="dlq-replay", description="Replay the dead letters of a DLQ topic to the topics they came from."
    )
    parser.add_argument("--topic", required=True, help="the dead-letter topic, e.g. registry.enterprise.v1.dlq")
    parser.add_argument("--dry-run", action="store_true", help="list what would be replayed; send nothing")
    parser.add_argument("--limit", type=int, help="replay at most this many dead letters")
    parser.add_argument("--group", default="dlq-replay", help="consumer group keeping the position (dlq-replay)")
    args = parser.parse_args(argv)
    if not args.topic.endswith(DLQ_SUFFIX):
        parser.error(f"--topic must be a dead-letter topic (ending in {DLQ_SUFFIX}), got {args.topic}")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    bootstrap = KAFKA_BOOTSTRAP_SERVERS.text()
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=args.group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **client_security(),
    )
    producer = None if args.dry_run else make_producer(bootstrap, "dlq-replay")
    try:
        outcome = DlqReplay(consumer, producer, sys.stdout).run(args.topic, args.limit)
    finally:
        consumer.close(autocommit=False)
        if producer is not None:
            producer.close(timeout=ACK_TIMEOUT_SECONDS)
    if args.dry_run:
        print(f"dry run: {outcome.seen} dead letter(s) would be replayed; nothing sent, position unchanged")
    else:
        print(f"replayed {outcome.replayed} dead letter(s) from {args.topic}")
