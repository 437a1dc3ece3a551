"""The notifications consumer records a poll's messages in bulk, against real Kafka, FerretDB and SMTP.

A partition's records reach ``Notifier.apply_batch`` together: their inbox messages and e-mail intents are
written with a few insert commands (not three and two per approval), keyed by event and recipient, so that
whatever happens to the batch — a duplicate event in it, a poison event, the database going away in the
middle, the process dying before the offsets are committed — each person gets each message once, in the
inbox and by e-mail. Every test has its own topic, consumer group and database.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from kafka import KafkaProducer
from pymongo import MongoClient, monitoring
from pymongo.database import Database
from pymongo.errors import AutoReconnect

from services.notifications.adapters.deliveries import DELIVERIES
from services.notifications.adapters.inbox import INBOX
from services.notifications.entrypoints.consumer import Notifier
from services.notifications.entrypoints.wiring import Notifications, build
from services.notifications.events.consumed import AnyPayload
from services.notifications.service_layer.delivering import Delivery
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.consumer import ConsumerRunner
from shared.events import Envelope, EventCatalog, EventType
from shared.kafka import dlq_topic, make_producer
from shared.localinfra import Infrastructure
from shared.runtime import StopSignal
from tests.integration.counters import read_topic
from tests.integration.notifications_api import SmtpServer
from tests.polling import DEADLINE_S

pytestmark = pytest.mark.integration

APPROVED = "registry.ApplicationApproved"
CO_REPRESENTATIVE = "user:rep-maritsa-2"
"""Named by every approval below without an address: an inbox message per approval, no e-mail."""
FAST_GROUP = {"session_timeout_ms": 6000, "heartbeat_interval_ms": 1000}


class Inserts(monitoring.CommandListener):
    """Counts the insert commands sent to each collection."""

    def __init__(self) -> None:
        self.into: Counter[str] = Counter()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "insert":
            self.into[event.command["insert"]] += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def inserts() -> Inserts:
    return Inserts()


@pytest.fixture
def service(
    infra: Infrastructure, notifications_db_name: str, smtp_server: SmtpServer, inserts: Inserts
) -> Iterator[Notifications]:
    """The service wired as the consumer and the sender run it, sending to this test's SMTP server."""
    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[inserts])
    try:
        yield build(client[notifications_db_name])
    finally:
        client.close()


@pytest.fixture
def producer(infra: Infrastructure) -> Iterator[KafkaProducer]:
    p = make_producer(infra.kafka_bootstrap, "test-notifications-batches")
    try:
        yield p
    finally:
        p.close(timeout=10)


def approval(i: int) -> Envelope:
    """An approval for another applicant: her inbox and address, the contact address, the co-representative."""
    example = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get(APPROVED, 1))
    applicant = {"subject": f"rep-{i}", "name": f"Представител {i}", "email": f"rep{i}@batch.example.bg"}
    payload = example.payload | {
        "applicant": applicant,
        "representatives": [applicant, example.payload["representatives"][1]],
        "applicant_email": f"office{i}@batch.example.bg",
    }
    return dataclasses.replace(example, event_id=str(uuid.uuid4()), payload=payload)


def poison() -> Envelope:
    """An approval the schema lets through but no message can be made of (no contact address)."""
    event = approval(999)
    return dataclasses.replace(event, payload={k: v for k, v in event.payload.items() if k != "applicant_email"})


def _runner(infra: Infrastructure, topic: str, handler: Any, producer: KafkaProducer, group: str) -> ConsumerRunner:
    return ConsumerRunner(
        bootstrap_servers=infra.kafka_bootstrap,
        group_id=group,
        catalog=EventCatalog([EventType(APPROVED, 1, topic, AnyPayload)]),
        handlers={APPROVED: handler},
        dlq_producer=producer,
        stop=StopSignal(install_handlers=False),
        consumer_overrides=FAST_GROUP,
    )


def _produce(producer: KafkaProducer, topic: str, events: Sequence[Envelope]) -> None:
    for event in events:
        producer.send(topic, key=b"one-partition", value=event.to_json())  # one partition, in this order
    producer.flush(timeout=30)


def _handle(runner: ConsumerRunner, records: int, done: Callable[[], bool] = lambda: True) -> None:
    """Poll until ``records`` more records are done (handled or dead-lettered) and ``done()``."""
    deadline = time.monotonic() + DEADLINE_S
    handled = 0
    while handled < records or not done():
        assert time.monotonic() < deadline, f"timed out: {handled} of {records} records handled"
        handled += runner.poll_once(timeout_ms=200)


def _emails(smtp_server: SmtpServer) -> Counter[str]:
    return Counter(address for received in smtp_server.handler.received for address in received.rcpt_tos)


def _inbox(db: Database[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter((doc["owner"], doc["event_id"]) for doc in db[INBOX].find())


def _expected_inbox(events: Sequence[Envelope], numbers: Sequence[int]) -> Counter[tuple[str, str]]:
    return Counter(
        (owner, event.event_id)
        for event, i in zip(events, numbers, strict=True)
        for owner in (f"user:rep-{i}", CO_REPRESENTATIVE, f"email:office{i}@batch.example.bg")
    )


def _expected_emails(numbers: Sequence[int]) -> Counter[str]:
    return Counter(address for i in numbers for address in (f"rep{i}@batch.example.bg", f"office{i}@batch.example.bg"))


def test_a_poll_with_a_duplicate_and_then_a_poison_approval_reaches_each_person_once(
    infra: Infrastructure,
    topic: str,
    service: Notifications,
    notifications_db: Database[dict[str, Any]],
    smtp_server: SmtpServer,
    producer: KafkaProducer,
    inserts: Inserts,
) -> None:
    events = [approval(i) for i in range(8)]
    bad = poison()
    first = [*events[:5], events[2], events[5]]  # the third approval delivered twice in one poll
    _produce(producer, topic, first)
    runner = _runner(infra, topic, Notifier(service), producer, f"{topic}-batches")
    try:
        _handle(runner, len(first))
        bulk = dict(inserts.into)
        _produce(producer, topic, [events[6], bad, events[7]])
        _handle(runner, 3)
    finally:
        runner.close()

    # the poll's 21 inbox messages and 14 e-mails were written with a command or two each (three should Kafka
    # hand the records over in more polls), where an approval at a time takes seven of each
    assert bulk[INBOX] <= 3 and bulk[DELIVERIES] <= 3, bulk
    assert service.deliveries.send_due() == 16
    numbers = range(8)
    assert _emails(smtp_server) == _expected_emails(numbers), "each applicant and contact address e-mailed once"
    assert _inbox(notifications_db) == _expected_inbox(events, numbers), "each inbox message once"
    assert [r.value for r in read_topic(infra.kafka_bootstrap, dlq_topic(topic))] == [bad.to_json()]


class FailingIntents:
    """The database goes away after the first ``written`` intents of the first bulk insert."""

    def __init__(self, service: Notifications, written: int) -> None:
        self._deliveries = service.deliveries.deliveries
        self._real = self._deliveries.add_intents
        self._written = written
        self.failed = 0
        self._deliveries.add_intents = self._add_intents  # type: ignore[method-assign]

    def _add_intents(self, deliveries: list[Delivery]) -> list[bool]:
        if self.failed == 0 and len(deliveries) > self._written:
            self.failed += 1
            self._real(deliveries[: self._written])
            raise AutoReconnect("connection reset in the middle of the bulk insert")
        return self._real(deliveries)


def test_a_database_failure_in_the_middle_of_a_batch_loses_and_doubles_no_message(
    infra: Infrastructure,
    topic: str,
    service: Notifications,
    notifications_db: Database[dict[str, Any]],
    smtp_server: SmtpServer,
    producer: KafkaProducer,
) -> None:
    events = [approval(i) for i in range(6)]
    _produce(producer, topic, events)
    failing = FailingIntents(service, written=5)  # the inbox messages written, five of the twelve intents
    runner = _runner(infra, topic, Notifier(service), producer, f"{topic}-outage")
    try:
        _handle(runner, len(events), lambda: failing.failed == 1)
    finally:
        runner.close()

    assert failing.failed == 1
    assert service.deliveries.send_due() == 12
    numbers = range(6)
    assert _emails(smtp_server) == _expected_emails(numbers), "each e-mail once: none lost, none doubled"
    assert _inbox(notifications_db) == _expected_inbox(events, numbers)
    assert read_topic(infra.kafka_bootstrap, dlq_topic(topic)) == [], "a transient failure was dead-lettered"


class Crash(BaseException):
    """The process dies: nothing after it runs, not even the commit."""


class DiesAfterWriting(Notifier):
    def apply_batch(self, events: Sequence[tuple[Envelope, dict[str, Any]]]) -> None:
        super().apply_batch(events)
        raise Crash()


def test_approvals_redelivered_after_a_crash_before_the_commit_are_not_sent_again(
    infra: Infrastructure,
    topic: str,
    service: Notifications,
    notifications_db: Database[dict[str, Any]],
    smtp_server: SmtpServer,
    producer: KafkaProducer,
) -> None:
    events = [approval(i) for i in range(5)]
    _produce(producer, topic, events)
    group = f"{topic}-crash"
    runner = _runner(infra, topic, DiesAfterWriting(service), producer, group)
    with pytest.raises(Crash):
        _handle(runner, len(events) + 1)
    runner._consumer.close(autocommit=False)  # the process is gone: no commit on the way out
    assert service.deliveries.send_due() == 10, "the sender sent what the batch had recorded"

    runner = _runner(infra, topic, Notifier(service), producer, group)
    try:
        _handle(runner, len(events))  # the same five approvals again
    finally:
        runner.close()

    assert service.deliveries.send_due() == 0, "nothing recorded twice"
    numbers = range(5)
    assert _emails(smtp_server) == _expected_emails(numbers)
    assert _inbox(notifications_db) == _expected_inbox(events, numbers)
