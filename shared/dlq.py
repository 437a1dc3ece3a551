"""``dlq-replay``: send one consumer group's dead letters back to the topic they came from, once the cause is fixed.

A consumer dead-letters a message it cannot process into ``<topic>.dlq`` with headers naming where it
came from, which consumer group failed, the exception and the error, next to the message's own headers.
After a fix is deployed, ``dlq-replay --topic <topic>.dlq --group <group>`` reads that DLQ topic from
where the last replay for that group stopped up to the end it sees at start, prints each dead letter,
and (unless ``--dry-run``) publishes that group's dead letters again to their origin topic, marked:

- ``x-replayed: <n>`` (how many times it was replayed) and ``x-replay-group: <group>``: only that group
  reads it (other groups skip it), and if it fails again it goes back to the DLQ once, marked, without
  counting toward the consumer's flood guard;
- a dead letter already marked (it failed again after a replay) is not replayed again, and neither is a
  tombstone (a record without a value: there is no event to replay), unless ``--force``; ``--force``
  also starts again from the first dead letter.

The position per group is kept in the commit metadata of the consumer group ``dlq-replay`` and moves
only after Kafka acknowledged the replayed messages, so a crash replays at most a batch twice; consumers
apply each event id once, so nothing is applied twice.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from kafka import KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord

from shared.config import KAFKA_BOOTSTRAP_SERVERS
from shared.kafka import REPLAY_GROUP_HEADER, REPLAYED_HEADER, client_security, make_producer

DLQ_SUFFIX = ".dlq"
ACK_TIMEOUT_SECONDS = 30.0
POSITION_GROUP = "dlq-replay"
_NOT_COPIED = frozenset({REPLAYED_HEADER, REPLAY_GROUP_HEADER, "dlq.replayed.from"})


@dataclass(frozen=True)
class DeadLetter:
    dlq_topic: str
    partition: int
    offset: int
    origin_topic: str
    key: bytes | None
    value: bytes | None
    error: str
    group: str
    exception: str
    replayed: int
    original_headers: list[tuple[str, bytes]] = field(default_factory=list)

    @classmethod
    def from_record(cls, record: ConsumerRecord) -> DeadLetter:
        raw = [(name, value or b"") for name, value in record.headers or []]
        headers = {name: value.decode(errors="replace") for name, value in raw}
        replayed = headers.get(REPLAYED_HEADER, "0")
        return cls(
            dlq_topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            origin_topic=headers.get("dlq.origin.topic") or record.topic.removesuffix(DLQ_SUFFIX),
            key=record.key,
            value=record.value or None,
            error=headers.get("dlq.error", ""),
            group=headers.get("dlq.group", ""),
            exception=headers.get("dlq.exception", ""),
            replayed=int(replayed) if replayed.isdigit() else 1,
            original_headers=[(n, v) for n, v in raw if not n.startswith("dlq.") and n not in _NOT_COPIED],
        )

    def skip_reason(self, group: str, force: bool) -> str | None:
        """Why this dead letter is not replayed for ``group`` (None: it is)."""
        if self.group and self.group != group:
            return f"dead-lettered by group {self.group}"
        if self.value is None:
            return "a tombstone (no value): nothing to replay"
        if self.replayed and not force:
            return f"failed again after {self.replayed} replay(s); --force replays it again"
        return None

    def describe(self) -> str:
        """One line for the operator: where it sits, where it goes, which event, and why it failed."""
        try:
            envelope = json.loads(self.value or b"")
            event = f"{envelope['event_type']} {envelope['event_id']}"
        except (ValueError, TypeError, KeyError):
            event = f"not an event ({len(self.value or b'')} bytes)"
        key = self.key.decode(errors="replace") if self.key else "-"
        return (
            f"{self.dlq_topic}[{self.partition}]@{self.offset} -> {self.origin_topic}  key={key}  {event}"
            f"  group={self.group or '-'}  {self.exception or '-'}: {self.error or '-'}"
        )


@dataclass
class Outcome:
    replayed: int = 0
    skipped: int = 0
    seen: int = 0


class DlqReplay:
    def __init__(
        self, consumer: KafkaConsumer, producer: KafkaProducer | None, out: TextIO, *, group: str, force: bool = False
    ) -> None:
        """``producer`` None is a dry run: dead letters are listed, nothing is sent, no position moves."""
        self._consumer = consumer
        self._producer = producer
        self._out = out
        self._group = group
        self._force = force
        self._positions: dict[TopicPartition, dict[str, int]] = {}

    def run(self, dlq_topic: str, limit: int | None = None) -> Outcome:
        outcome = Outcome()
        for batch in self._batches(dlq_topic, limit):
            letters = [DeadLetter.from_record(record) for record in batch]
            chosen = []
            for letter in letters:
                reason = letter.skip_reason(self._group, self._force)
                print(letter.describe() + (f"  (skipped: {reason})" if reason else ""), file=self._out)
                if reason is None:
                    chosen.append(letter)
            outcome.seen += len(letters)
            outcome.skipped += len(letters) - len(chosen)
            if self._producer is not None:
                self._send(chosen, letters)
                outcome.replayed += len(chosen)
        return outcome

    def _start(self, tp: TopicPartition) -> int:
        committed = self._consumer.committed(tp, metadata=True)
        positions: dict[str, int] = {}
        if committed is not None:
            try:
                loaded = json.loads(committed.metadata or "{}")
                positions = {str(g): int(o) for g, o in loaded.items()} if isinstance(loaded, dict) else {}
            except (ValueError, TypeError, AttributeError):
                positions = {}
            if not positions and committed.offset >= 0:  # a position from before positions were kept per group
                positions = {self._group: committed.offset}
        self._positions[tp] = positions
        return 0 if self._force else positions.get(self._group, 0)

    def _batches(self, dlq_topic: str, limit: int | None) -> Iterator[list[ConsumerRecord]]:
        """Records from the group's position to the end offsets seen now (later dead letters wait a next run)."""
        partitions = self._consumer.partitions_for_topic(dlq_topic)
        if not partitions:
            raise SystemExit(f"topic {dlq_topic} does not exist")
        assigned = [TopicPartition(dlq_topic, p) for p in sorted(partitions)]
        self._consumer.assign(assigned)
        beginnings = self._consumer.beginning_offsets(assigned)
        for tp in assigned:
            self._consumer.seek(tp, max(self._start(tp), beginnings[tp]))
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

    def _send(self, chosen: list[DeadLetter], seen: list[DeadLetter]) -> None:
        assert self._producer is not None
        futures = [
            self._producer.send(
                letter.origin_topic,
                key=letter.key,
                value=letter.value,
                headers=[
                    *letter.original_headers,
                    (REPLAYED_HEADER, str(letter.replayed + 1).encode()),
                    (REPLAY_GROUP_HEADER, self._group.encode()),
                    ("dlq.replayed.from", f"{letter.dlq_topic}/{letter.partition}/{letter.offset}".encode()),
                ],
            )
            for letter in chosen
        ]
        self._producer.flush(timeout=ACK_TIMEOUT_SECONDS)
        for future in futures:
            future.get(timeout=ACK_TIMEOUT_SECONDS)  # raises if Kafka did not take it: nothing is committed
        offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        for letter in seen:
            tp = TopicPartition(letter.dlq_topic, letter.partition)
            positions = self._positions.setdefault(tp, {})
            positions[self._group] = letter.offset + 1
            offsets[tp] = OffsetAndMetadata(letter.offset + 1, json.dumps(positions, separators=(",", ":")), -1)
        if offsets:
            self._consumer.commit(offsets)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="dlq-replay",
        description="Replay one consumer group's dead letters of a DLQ topic to the topics they came from.",
    )
    parser.add_argument("--topic", required=True, help="the dead-letter topic, e.g. registry.enterprise.v1.dlq")
    parser.add_argument(
        "--group", required=True, help="the consumer group whose dead letters to replay (only it reads them again)"
    )
    parser.add_argument("--dry-run", action="store_true", help="list what would be replayed; send nothing")
    parser.add_argument("--limit", type=int, help="replay at most this many dead letters")
    parser.add_argument(
        "--force",
        action="store_true",
        help="start from the first dead letter, and replay again those that failed again after a replay",
    )
    args = parser.parse_args(argv)
    if not args.topic.endswith(DLQ_SUFFIX):
        parser.error(f"--topic must be a dead-letter topic (ending in {DLQ_SUFFIX}), got {args.topic}")
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    bootstrap = KAFKA_BOOTSTRAP_SERVERS.text()
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=POSITION_GROUP,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        **client_security(),
    )
    producer = None if args.dry_run else make_producer(bootstrap, "dlq-replay")
    try:
        replay = DlqReplay(consumer, producer, sys.stdout, group=args.group, force=args.force)
        outcome = replay.run(args.topic, args.limit)
    finally:
        consumer.close(autocommit=False)
        if producer is not None:
            producer.close(timeout=ACK_TIMEOUT_SECONDS)
    if args.dry_run:
        print(
            f"dry run: {outcome.seen - outcome.skipped} dead letter(s) of group {args.group} would be replayed "
            f"({outcome.skipped} skipped); nothing sent, position unchanged"
        )
    else:
        print(
            f"replayed {outcome.replayed} dead letter(s) of group {args.group} from {args.topic}"
            f" ({outcome.skipped} skipped)"
        )
