"""The consumer loop every service runs for the topics it listens to.

- auto-commit is off; an offset is committed only after its record's effect is durable;
- offsets are committed on partition revoke and on SIGTERM;
- transient failures (database unreachable) retry with backoff and are never dead-lettered;
- poison messages (not an event, unknown version, invalid payload, a handler's ValueError) go to
  ``<topic>.dlq`` with origin headers, and the loop moves on once Kafka acknowledged the dead
  letter (if it cannot, the consumer stops with the error rather than skip the message);
- when most recent messages are poison, the consumer stops (something is badly wrong upstream).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Mapping
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from prometheus_client import Counter
from pymongo.errors import ConnectionFailure, ServerSelectionTimeoutError
from tenacity import Retrying, retry_if_exception_type, stop_when_event_set, wait_exponential_jitter

from shared.events.catalog import EventCatalog
from shared.events.envelope import Envelope, InvalidEvent
from shared.kafka import client_security, dlq_topic
from shared.logs import correlation_scope
from shared.runtime import LivenessFile, StopSignal

log = logging.getLogger(__name__)

Handler = Callable[[Envelope, dict[str, Any]], None]

DLQ_ACK_TIMEOUT_SECONDS = 30.0

HANDLED = Counter("consumer_events_total", "Events read by a consumer, by outcome", ["topic", "outcome"])


class TransientError(Exception):
    """Raised by a handler for a failure that will pass (retry, never dead-letter)."""


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (ConnectionFailure, ServerSelectionTimeoutError, TransientError)


class PoisonFlood(RuntimeError):
    """Most recent messages were poison: stop rather than dead-letter a whole topic."""


class _CommitOnRevoke(ConsumerRebalanceListener):
    def __init__(self, runner: ConsumerRunner) -> None:
        self._runner = runner

    def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self._runner.commit()

    def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("partitions assigned: %s", sorted(f"{tp.topic}-{tp.partition}" for tp in assigned))


class ConsumerRunner:
    def __init__(
        self,
        *,
        bootstrap_servers: str,
        group_id: str,
        catalog: EventCatalog,
        handlers: Mapping[str, Handler],
        dlq_producer: KafkaProducer,
        stop: StopSignal,
        liveness: LivenessFile | None = None,
        poison_window: int = 50,
        max_poison_ratio: float = 0.5,
        consumer_overrides: Mapping[str, Any] | None = None,
    ) -> None:
        self._catalog = catalog
        self._handlers = dict(handlers)
        self._dlq = dlq_producer
        self._stop = stop
        self._liveness = liveness or LivenessFile(None)
        self._outcomes: deque[bool] = deque(maxlen=poison_window)
        self._max_poison_ratio = max_poison_ratio
        self._pending_offsets: dict[TopicPartition, OffsetAndMetadata] = {}
        config: dict[str, Any] = {
            "bootstrap_servers": bootstrap_servers,
            "group_id": group_id,
            "client_id": group_id,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "max_poll_records": 200,
            **client_security(),
        }
        config.update(consumer_overrides or {})
        self._consumer = KafkaConsumer(**config)
        self._consumer.subscribe(topics=sorted(catalog.topics()), listener=_CommitOnRevoke(self))

    def run(self) -> None:
        """Poll and handle until the stop signal; commits what was handled before returning."""
        log.info("consumer started for %s", sorted(self._catalog.topics()))
        try:
            while not self._stop.is_set():
                self._liveness.touch()
                self.poll_once()
        finally:
            self.close()

    def close(self) -> None:
        """Commit what was handled and let go of the group and the connections."""
        try:
            self.commit()
        finally:
            self._consumer.close(autocommit=False)
            self._dlq.flush()
            log.info("consumer stopped")

    def poll_once(self, timeout_ms: int = 500) -> int:
        batches = self._consumer.poll(timeout_ms=timeout_ms)
        count = 0
        for records in batches.values():
            for record in records:
                if self._stop.is_set():
                    break
                self._handle(record)
                count += 1
        self.commit()
        return count

    def commit(self) -> None:
        if not self._pending_offsets:
            return
        self._dlq.flush()  # a dead letter must be durable before its offset is committed
        self._consumer.commit(dict(self._pending_offsets))
        self._pending_offsets.clear()

    def _handle(self, record: ConsumerRecord) -> None:
        try:
            envelope = Envelope.from_json(record.value)
            handler = self._handlers.get(envelope.event_type)
            if handler is None:
                HANDLED.labels(record.topic, "ignored").inc()
            else:
                payload = self._catalog.validate(envelope)
                with correlation_scope(envelope.correlation_id):
                    self._run_with_retry(handler, envelope, payload)
                HANDLED.labels(record.topic, "handled").inc()
            self._outcomes.append(True)
        except (InvalidEvent, ValueError) as exc:
            self._dead_letter(record, exc)
        except TRANSIENT_ERRORS:
            if self._stop.is_set():
                return  # stopping while retrying: leave the record for the next run
            raise
        self._mark_done(record)

    def _run_with_retry(self, handler: Handler, envelope: Envelope, payload: dict[str, Any]) -> None:
        for attempt in Retrying(
            retry=retry_if_exception_type(TRANSIENT_ERRORS),
            wait=wait_exponential_jitter(multiplier=0.2, max=30),
            stop=stop_when_event_set(self._stop),  # type: ignore[arg-type]  # duck-typed Event
            sleep=self._stop.wait,  # a stop signal cuts the backoff short
            before_sleep=lambda state: log.warning("transient failure, retrying: %s", state.outcome.exception()),
            reraise=True,
        ):
            with attempt:
                self._liveness.touch()
                handler(envelope, payload)

    def _dead_letter(self, record: ConsumerRecord, error: Exception) -> None:
        log.error("poison message at %s[%s]@%s: %s", record.topic, record.partition, record.offset, error)
        HANDLED.labels(record.topic, "dead_lettered").inc()
        sent = self._dlq.send(
            dlq_topic(record.topic),
            key=record.key,
            value=record.value if record.value is not None else b"",
            headers=[
                ("dlq.origin.topic", record.topic.encode()),
                ("dlq.origin.partition", str(record.partition).encode()),
                ("dlq.origin.offset", str(record.offset).encode()),
                ("dlq.error", str(error)[:1000].encode()),
            ],
        )
        # The record counts as done only once its dead letter is durable; a failure here propagates
        # before _mark_done, so the offset is never committed and the message is read again.
        sent.get(timeout=DLQ_ACK_TIMEOUT_SECONDS)
        self._outcomes.append(False)
        failures = self._outcomes.count(False)
        if len(self._outcomes) == self._outcomes.maxlen and failures / len(self._outcomes) > self._max_poison_ratio:
            self._mark_done(record)
            raise PoisonFlood(f"{failures} of the last {len(self._outcomes)} messages were poison; stopping")

    def _mark_done(self, record: ConsumerRecord) -> None:
        tp = TopicPartition(record.topic, record.partition)
        self._pending_offsets[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
