"""The consumer loop every service runs for the topics it listens to.

- auto-commit is off; an offset is committed only after its record's effect is durable;
- offsets are committed on partition revoke and on SIGTERM;
- before it joins its group the consumer makes sure its topics exist (creating them where
  ``CREATE_TOPICS`` allows) and waits for their partitions, so it never joins with nothing to read;
- a transient failure (database unreachable) holds the record, not the loop: the partition is sought
  back to the failed record and paused, the rest of its batch is dropped, and the loop keeps polling
  (so the member stays in its group, other partitions keep flowing and offsets keep being committed)
  until a backoff (exponential, capped) resumes it; such a record is never dead-lettered;
- poison messages (not an event, unknown version, invalid payload, a handler's ValueError) go to
  ``<topic>.dlq`` with their origin, the consumer group, the exception and the original headers; the
  loop moves on once Kafka acknowledged the dead letter (if it cannot, the consumer stops with the
  error rather than skip the message);
- when most recent messages are poison, the consumer stops (something is badly wrong upstream); the
  guard's memory travels with the committed offsets, so a restart does not start counting afresh
  (``shared.consumer.guard``). A replayed dead letter that fails again goes back to the DLQ without
  counting, and a record replayed for another group is skipped;
- the liveness file is touched only while the consumer holds partitions, or has nothing to read, and
  reads what it holds (``shared.consumer.health``); gauges show its partitions, lag and held partitions.

A handler may take a partition's records as one batch (``BatchHandler``): the runner decodes and validates
the consecutive records it handles, hands them over in order, and marks them done once the batch returns
(the handler writes each collection's effects in bulk, ``shared.consumer.idempotency.apply_many``). If the
batch raises anything, its records are handled again one by one by the same handler's per-record call,
which is idempotent: a poison record is then dead-lettered alone, a transient failure holds the partition at
the first record not applied, and nothing applied by the batch is applied twice. A poison record that
fails to decode, a record replayed for another group and one with a per-record handler end a batch and are
handled as above; the records after them start the next.

Still possible: a handler that itself blocks for longer than ``max.poll.interval.ms`` still makes the
member leave its group; handlers must bound their own calls.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer, OffsetAndMetadata, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError
from prometheus_client import Counter, Gauge
from pymongo.errors import ConnectionFailure, ExecutionTimeout, PyMongoError, WTimeoutError
from tenacity import RetryCallState, wait_exponential_jitter
from tenacity.wait import wait_base

from shared.consumer.guard import PoisonGuard
from shared.consumer.health import ConsumerHealth, Observation
from shared.consumer.rebalance import finish_interrupted_rebalances
from shared.events.catalog import EventCatalog
from shared.events.envelope import Envelope, InvalidEvent
from shared.kafka import (
    CONSUMER_STALL_GRACE_SECONDS,
    REPLAY_GROUP_HEADER,
    REPLAYED_HEADER,
    client_security,
    consumer_settings,
    dlq_topic,
    ensure_own_topics,
)
from shared.logs import correlation_scope
from shared.runtime import LivenessFile, StopSignal

log = logging.getLogger(__name__)

Handler = Callable[[Envelope, dict[str, Any]], None]


@runtime_checkable
class BatchHandler(Protocol):
    """A handler that also applies a partition's consecutive records as one batch (in order)."""

    def __call__(self, envelope: Envelope, payload: dict[str, Any]) -> None: ...

    def apply_batch(self, events: Sequence[tuple[Envelope, dict[str, Any]]]) -> None: ...


BATCH_FALLBACKS = Counter("consumer_batch_fallbacks_total", "Batches handled again record by record", ["topic"])

DLQ_ACK_TIMEOUT_SECONDS = 30.0
HEALTH_INTERVAL_SECONDS = 1.0
TOPIC_WAIT_SECONDS = 1.0

HANDLED = Counter("consumer_events_total", "Events read by a consumer, by outcome", ["topic", "outcome"])
ASSIGNED = Gauge("consumer_assigned_partitions", "Partitions the consumer holds", ["group"])
LAG = Gauge("consumer_lag", "Records waiting on the partitions the consumer holds", ["group", "topic"])
HELD = Gauge("consumer_held_partitions", "Partitions paused until a transient failure passes", ["group"])
STALLED = Gauge(
    "consumer_stalled", "1 while the consumer holds nothing or reads nothing although records wait", ["group"]
)

DEAD_LETTER_HEADERS = frozenset(
    {"dlq.origin.topic", "dlq.origin.partition", "dlq.origin.offset", "dlq.error", "dlq.group", "dlq.exception"}
)


class TransientError(Exception):
    """Raised by a handler for a failure that will pass (retry, never dead-letter)."""


TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (ConnectionFailure, ExecutionTimeout, WTimeoutError, TransientError)


def is_transient(error: BaseException) -> bool:
    """A failure that will pass: the database unreachable or timing out, or a write MongoDB says to retry."""
    if isinstance(error, TRANSIENT_ERRORS):
        return True
    return isinstance(error, PyMongoError) and error.has_error_label("RetryableWriteError")


class PoisonFlood(RuntimeError):
    """Most recent messages were poison: stop rather than dead-letter a whole topic."""


class Backoff:
    """Per-partition exponential backoff with jitter and a cap (tenacity's wait strategy), reset by a success."""

    def __init__(self, wait: wait_base | None = None) -> None:
        self._wait = wait or wait_exponential_jitter(multiplier=0.2, max=30, jitter=0.5)
        self._failures: dict[TopicPartition, int] = {}

    def next(self, tp: TopicPartition) -> float:
        self._failures[tp] = self._failures.get(tp, 0) + 1
        state = RetryCallState(None, None, (), {})
        state.attempt_number = self._failures[tp]
        return float(self._wait(state))

    def reset(self, tp: TopicPartition) -> None:
        self._failures.pop(tp, None)


class _Rebalance(ConsumerRebalanceListener):
    def __init__(self, runner: ConsumerRunner) -> None:
        self._runner = runner

    def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self._runner._release(revoked)
        self._runner._forget(revoked)

    def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info("partitions assigned: %s", sorted(f"{tp.topic}-{tp.partition}" for tp in assigned))
        self._runner._recall_pending = bool(assigned)


def _drop_parked_fetches(consumer: KafkaConsumer, tp: TopicPartition) -> None:
    """Forget what kafka-python fetched for ``tp`` while it was paused (we seek back to the held record anyway).

    kafka-python 3.0 parks such data and restores it only when its in-line slot is None; a drained slot
    is falsy but not None, so the parked data stays and the partition is never fetched again.
    """
    fetcher = getattr(consumer, "_fetcher", None)
    for name in ("_paused_completed_fetches", "_paused_partition_records"):
        parked = getattr(fetcher, name, None)
        if isinstance(parked, dict):
            parked.pop(tp, None)


def _headers(record: ConsumerRecord) -> dict[str, str]:
    return {name: value.decode(errors="replace") for name, value in record.headers or [] if value is not None}


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
        backoff: Backoff | None = None,
        stall_grace_seconds: float | None = None,
    ) -> None:
        self._catalog = catalog
        self._handlers = dict(handlers)
        # Which handlers take batches, asked once: a runtime-checkable protocol's isinstance costs tens of µs.
        self._batch_handlers = {name: h for name, h in self._handlers.items() if isinstance(h, BatchHandler)}
        self._dlq = dlq_producer
        self._stop = stop
        self._group_id = group_id
        self._liveness = liveness or LivenessFile(None)
        self._guard = PoisonGuard(poison_window, max_poison_ratio)
        self._backoff = backoff or Backoff()
        self._pending_offsets: dict[TopicPartition, int] = {}
        self._resume_at: dict[TopicPartition, float] = {}
        self._retry_from: dict[TopicPartition, int] = {}
        self._recall_pending = False
        self._kafka_away_since: float | None = None
        grace = CONSUMER_STALL_GRACE_SECONDS.integer() if stall_grace_seconds is None else stall_grace_seconds
        self._health = ConsumerHealth(grace)
        self._alive = True
        self._next_health_check = 0.0
        self._topics = sorted(catalog.topics())
        config: dict[str, Any] = {
            "bootstrap_servers": bootstrap_servers,
            "group_id": group_id,
            "client_id": group_id,
            "enable_auto_commit": False,
            "auto_offset_reset": "earliest",
            "max_poll_records": 200,
            **consumer_settings(),
            **client_security(),
        }
        config.update(consumer_overrides or {})
        self._batch_budget_seconds = config["max_poll_interval_ms"] / 2000
        ensure_own_topics(bootstrap_servers, self._topics)  # and their dead-letter topics
        self._consumer = KafkaConsumer(**config)
        finish_interrupted_rebalances(self._consumer)
        self._wait_for_topics()
        self._consumer.subscribe(topics=self._topics, listener=_Rebalance(self))

    def assignment(self) -> set[TopicPartition]:
        """The partitions the consumer holds now."""
        return set(self._consumer.assignment())

    @property
    def alive(self) -> bool:
        """False once the consumer stalled (see ``shared.consumer.health``); its liveness file then goes stale."""
        return self._alive

    def run(self) -> None:
        """Poll and handle until the stop signal; commits what was handled before returning."""
        log.info("consumer started for %s", self._topics)
        try:
            while not self._stop.is_set():
                self.poll_once()
                if self._alive:
                    self._liveness.touch()
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
        """One turn of the loop: resume what is due, poll, handle, commit; returns how many records were done."""
        self._resume_due()
        batches = self._poll(timeout_ms)
        if self._recall_pending:
            self._recall_guard()
        started = time.monotonic()
        count = 0
        for tp, records in batches.items():
            self._health.progressed()
            index = 0
            while index < len(records):
                record = records[index]
                if self._stop.is_set():
                    break  # closing: the uncommitted rest is read again by whoever gets the partition
                if time.monotonic() - started > self._batch_budget_seconds:
                    self._consumer.seek(tp, record.offset)  # hand the rest back before the poll interval runs out
                    break
                run = self._batch_run(records, index)
                done = self._handle_run(run) if run else int(self._handle(record))
                count += done
                index += done
                if done < max(1, len(run)):
                    break  # held for a retry: the rest of this partition's batch waits with it
            else:
                self._backoff.reset(tp)
        self.commit()
        self._check_health()
        return count

    def _poll(self, timeout_ms: int) -> dict[TopicPartition, list[ConsumerRecord]]:
        """The next records; none while Kafka is away (one line in the log when it goes, one when it is back).

        kafka-python 3.0 lets a refused connection out of its coordinator lookup while Kafka is away; that
        and any other retriable error only means polling again.
        """
        try:
            batches = self._consumer.poll(timeout_ms=timeout_ms)
        except KafkaError as exc:
            if not exc.retriable:
                raise
            if self._kafka_away_since is None:
                self._kafka_away_since = time.monotonic()
                log.warning("Kafka did not answer the poll, polling again until it does: %r", exc)
            self._stop.wait(timeout_ms / 1000)
            return {}
        if self._kafka_away_since is not None:
            log.info("Kafka answers the poll again, after %.0f s", time.monotonic() - self._kafka_away_since)
            self._kafka_away_since = None
        return batches

    def commit(self) -> None:
        """Commit what was handled; when Kafka cannot take it now, keep it for the next turn of the loop.

        The effects are durable already and apply once, so a late commit only means a record may be
        read again after a crash; it never stops the consumer.
        """
        if not self._pending_offsets:
            return
        self._dlq.flush()  # a dead letter must be durable before its offset is committed
        try:
            self._consumer.commit(self._offsets(self._pending_offsets))
        except KafkaError as exc:
            log.warning("could not commit the offsets now, keeping them for the next try: %r", exc)
            return
        self._pending_offsets.clear()

    def _offsets(self, pending: Mapping[TopicPartition, int]) -> dict[TopicPartition, OffsetAndMetadata]:
        memory = self._guard.memory()  # the flood guard's memory travels with the offsets
        return {tp: OffsetAndMetadata(offset, memory, -1) for tp, offset in pending.items()}

    def _release(self, revoked: set[TopicPartition]) -> None:
        """Send what was handled of partitions taken away, without waiting for Kafka's answer.

        kafka-python 3 calls rebalance listeners on its IO thread, where a blocking commit fails. A commit
        that does not land only makes the next owner read those records again, and their effects apply once.
        """
        given_up = {tp: self._pending_offsets.pop(tp) for tp in revoked if tp in self._pending_offsets}
        if not given_up:
            return

        def unsent(_offsets: object, result: object) -> None:
            if isinstance(result, Exception):
                log.warning("offsets of revoked partitions not committed, the next owner reads them again: %r", result)

        self._consumer.commit_async(self._offsets(given_up), callback=unsent)

    # ----------------------------------------------------------------------------------------------
    # A batch
    # ----------------------------------------------------------------------------------------------

    def _batch_run(
        self, records: list[ConsumerRecord], start: int
    ) -> list[tuple[ConsumerRecord, Envelope, dict[str, Any], BatchHandler]]:
        """The valid records from ``start`` on with one batch handler (fewer than two: none, handle it alone)."""
        run: list[tuple[ConsumerRecord, Envelope, dict[str, Any], BatchHandler]] = []
        for record in records[start:]:
            decoded = self._decoded_for_batch(record)
            if decoded is None or (run and decoded[2] is not run[0][3]):
                break
            run.append((record, *decoded))
        return run if len(run) > 1 else []

    def _decoded_for_batch(self, record: ConsumerRecord) -> tuple[Envelope, dict[str, Any], BatchHandler] | None:
        """The record's event and its batch handler, or None when the record must be handled alone."""
        if any(name == REPLAY_GROUP_HEADER for name, _ in record.headers or []):
            return None
        try:
            envelope = Envelope.from_json(record.value)
            handler = self._batch_handlers.get(envelope.event_type)
            if handler is None:
                return None
            return envelope, self._catalog.validate(envelope), handler
        except (InvalidEvent, ValueError):
            return None

    def _handle_run(self, run: list[tuple[ConsumerRecord, Envelope, dict[str, Any], BatchHandler]]) -> int:
        """Apply ``run`` as one batch and mark it done; if it fails, handle it record by record. How many are done."""
        try:
            run[0][3].apply_batch([(envelope, payload) for _, envelope, payload, _ in run])
        except Exception as exc:
            topic = run[0][0].topic
            BATCH_FALLBACKS.labels(topic).inc()
            log.info("a batch of %s records of %s failed (%r); handling them one by one", len(run), topic, exc)
            done = 0
            for record, *_ in run:
                if not self._handle(record):
                    break
                done += 1
            return done
        for record, *_ in run:
            HANDLED.labels(record.topic, "handled").inc()
            self._guard.handled()
            self._mark_done(record)
        return len(run)

    # ----------------------------------------------------------------------------------------------
    # One record
    # ----------------------------------------------------------------------------------------------

    def _handle(self, record: ConsumerRecord) -> bool:
        """Handle or dead-letter ``record`` and mark it done; False when it is held back for a retry."""
        headers = _headers(record)
        replayed_for = headers.get(REPLAY_GROUP_HEADER)
        if replayed_for and replayed_for != self._group_id:
            HANDLED.labels(record.topic, "replay_for_another_group").inc()
            self._mark_done(record)
            return True
        try:
            envelope = Envelope.from_json(record.value)
            handler = self._handlers.get(envelope.event_type)
            if handler is None:
                HANDLED.labels(record.topic, "ignored").inc()
            else:
                payload = self._catalog.validate(envelope)
                with correlation_scope(envelope.correlation_id):
                    handler(envelope, payload)
                HANDLED.labels(record.topic, "handled").inc()
            self._guard.handled()
        except (InvalidEvent, ValueError) as exc:
            self._dead_letter(record, exc, replayed=REPLAYED_HEADER in headers)
        except Exception as exc:
            if not is_transient(exc):
                raise
            self._hold(record, exc)
            return False
        self._mark_done(record)
        return True

    def _hold(self, record: ConsumerRecord, error: BaseException) -> None:
        """Read ``record`` again after a backoff, polling meanwhile so the member stays in its group."""
        tp = TopicPartition(record.topic, record.partition)
        self._consumer.pause(tp)
        delay = self._backoff.next(tp)
        self._resume_at[tp] = time.monotonic() + delay
        self._retry_from[tp] = record.offset
        HELD.labels(self._group_id).set(len(self._resume_at))
        HANDLED.labels(record.topic, "retried").inc()
        log.warning("transient failure at %s[%s]@%s, retrying in %.1f s: %s", *tp, record.offset, delay, error)

    def _resume_due(self) -> None:
        now = time.monotonic()
        due = [tp for tp, at in self._resume_at.items() if at <= now]
        if due:
            assigned = self._consumer.assignment()
            for tp in due:
                del self._resume_at[tp]
                offset = self._retry_from.pop(tp)
                if tp in assigned:
                    self._consumer.seek(tp, offset)  # read the held record again, whatever was fetched meanwhile
                    _drop_parked_fetches(self._consumer, tp)
                    self._consumer.resume(tp)
            HELD.labels(self._group_id).set(len(self._resume_at))

    def _forget(self, revoked: set[TopicPartition]) -> None:
        """Partitions taken away: whoever gets them reads from the committed offset, held records included."""
        for tp in revoked:
            self._resume_at.pop(tp, None)
            offset = self._retry_from.pop(tp, None)
            if offset is not None:
                # Given back at the held record, unpaused: kafka-python may keep a partition's state when the
                # new assignment hands it back to this member, and its position is past the held record.
                self._consumer.seek(tp, offset)
                _drop_parked_fetches(self._consumer, tp)
                self._consumer.resume(tp)
            self._backoff.reset(tp)
        HELD.labels(self._group_id).set(len(self._resume_at))

    def _dead_letter(self, record: ConsumerRecord, error: Exception, *, replayed: bool) -> None:
        log.error("poison message at %s[%s]@%s: %s", record.topic, record.partition, record.offset, error)
        HANDLED.labels(record.topic, "dead_lettered").inc()
        original = [(name, value) for name, value in record.headers or [] if name not in DEAD_LETTER_HEADERS]
        kind = type(error)
        sent = self._dlq.send(
            dlq_topic(record.topic),
            key=record.key,
            value=record.value or None,  # a tombstone or an empty value stays one: never "" or "null"
            headers=[
                *original,
                ("dlq.origin.topic", record.topic.encode()),
                ("dlq.origin.partition", str(record.partition).encode()),
                ("dlq.origin.offset", str(record.offset).encode()),
                ("dlq.group", self._group_id.encode()),
                ("dlq.exception", f"{kind.__module__}.{kind.__qualname__}".encode()),
                ("dlq.error", str(error)[:1000].encode()),
            ],
        )
        # The record counts as done only once its dead letter is durable; a failure here propagates
        # before _mark_done, so the offset is never committed and the message is read again.
        sent.get(timeout=DLQ_ACK_TIMEOUT_SECONDS)
        if replayed:
            return  # an operator's replay that failed again: back to the DLQ once, never counted as a flood
        self._guard.poisoned()
        if self._guard.flooded():
            self._mark_done(record)
            raise PoisonFlood(
                f"{self._guard.poison_count()} of the last {self._guard.window} messages were poison; stopping"
            )
        self._mark_done(record)

    def _mark_done(self, record: ConsumerRecord) -> None:
        self._pending_offsets[TopicPartition(record.topic, record.partition)] = record.offset + 1

    # ----------------------------------------------------------------------------------------------
    # Start-up, the guard's memory, health
    # ----------------------------------------------------------------------------------------------

    def _wait_for_topics(self) -> None:
        """Join the group only once every topic has partitions: a member that joins earlier gets none."""
        waited_since = time.monotonic()
        while not self._stop.is_set():
            try:
                missing = [topic for topic in self._topics if not self._consumer.partitions_for_topic(topic)]
            except KafkaError as exc:  # Kafka went away while the consumer starts: wait for it as for a topic
                log.warning("could not read the topics' metadata, waiting: %r", exc)
                missing = list(self._topics)
            if not missing:
                return
            ASSIGNED.labels(self._group_id).set(0)
            self._alive = self._health.observe(Observation(assigned=0, lag=0, group_lag=None))
            STALLED.labels(self._group_id).set(0 if self._alive else 1)
            if self._alive:
                self._liveness.touch()
            if int(time.monotonic() - waited_since) % 30 == 0:
                log.warning("waiting for the partitions of %s before joining group %s", missing, self._group_id)
            self._stop.wait(TOPIC_WAIT_SECONDS)

    def _recall_guard(self) -> None:
        self._recall_pending = False
        memories = []
        for tp in self._consumer.assignment():
            try:
                committed = self._consumer.committed(tp, metadata=True)
            except KafkaError as exc:
                log.warning("could not read the committed offset of %s: %s", tp, exc)
                continue
            if committed is not None:
                memories.append(committed.metadata)
        if self._guard.recall(memories):
            log.info("flood guard continues from its memory: %s poison in its window", self._guard.poison_count())

    def _check_health(self) -> None:
        now = time.monotonic()
        if now < self._next_health_check:
            return
        self._next_health_check = now + HEALTH_INTERVAL_SECONDS
        try:
            seen = self._observe()
        except KafkaError as exc:
            log.warning("could not measure the consumer's lag: %s", exc)
            return
        alive = self._health.observe(seen)
        if alive != self._alive:
            if alive:
                log.info("consumer reads again")
            else:
                log.error("consumer stalled: %s; its liveness file is no longer touched", self._health.reason)
        self._alive = alive
        STALLED.labels(self._group_id).set(0 if alive else 1)

    def _observe(self) -> Observation:
        assigned = self._consumer.assignment()
        ASSIGNED.labels(self._group_id).set(len(assigned))
        lags: dict[str, int] = dict.fromkeys(self._topics, 0)
        for tp in assigned:
            if tp in self._resume_at:
                continue  # held back on purpose
            highwater = self._consumer.highwater(tp)
            position = self._consumer.position(tp, timeout_ms=200) if highwater is not None else None
            if highwater is not None and position is not None:
                lags[tp.topic] = lags.get(tp.topic, 0) + max(0, highwater - position)
        for topic, lag in lags.items():
            LAG.labels(self._group_id, topic).set(lag)
        group_lag = self._group_lag() if not assigned and self._health.needs_group_lag() else None
        return Observation(assigned=len(assigned), lag=sum(lags.values()), group_lag=group_lag)

    def _group_lag(self) -> int:
        """Records the whole group has yet to read on every partition of the topics (committed to end)."""
        tps = [TopicPartition(t, p) for t in self._topics for p in self._consumer.partitions_for_topic(t) or ()]
        ends = self._consumer.end_offsets(tps)
        beginnings = self._consumer.beginning_offsets(tps)
        total = 0
        for tp in tps:
            committed = self._consumer.committed(tp)
            total += max(0, ends[tp] - (committed if committed is not None else beginnings[tp]))
        return total
