"""SIGKILL of a service's outbox relay while it publishes a stream; a standby relay process takes over.

For each of the registry, the marketplace and training: the service's web process and two relay
processes (the lease holder and a standby) run against the same database, and the notifications consumer
and sender (e-mails at a real SMTP server) read what they publish; for the registry also the training
consumer (its enterprises). While a stream goes through the service's own API, the holder is SIGKILLed
right after Kafka got the stream's first events (no mark of what it published last):

- registry: enterprises applied for, submitted, approved, changed and (every third) deleted;
- marketplace: buyers order from sellers' published listings and ask for quotes, every other one answered
  with a price (the sellers are known to the marketplace as its consumer records them from the register);
- training: learners enrol themselves in sessions (confirmed, then waitlisted), every third confirmed one
  cancels and the first waiting is promoted.

Checked: the standby takes the lease within seconds; every event the service recorded is on Kafka at least
once (each document's outbox empty, versions 1..outbox_seq on the topics); downstream, every effect exactly
once (e-mails by ``Message-ID``, the training's enterprises at the registry's newest version). Duplicates
suppressed: records on the topics beyond one per event (republished after the kill), which the consumers skip.

``FAULTS_EVENTS`` (default 8) sets how many enterprises, buyers and learners each stream has.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.database import Database

from services.marketplace.entrypoints.relay import OUTBOX_COLLECTIONS as MARKETPLACE_OUTBOXES
from services.marketplace.events.catalog import TOPICS as MARKETPLACE_TOPICS
from services.training.config import TOPICS as TRAINING_TOPICS
from services.training.entrypoints.relay import OUTBOX_COLLECTIONS as TRAINING_OUTBOXES
from shared.events.envelope import Envelope
from tests.e2e.services import BIN
from tests.faults.figures import record
from tests.faults.streams import (
    REGISTRY_TOPICS,
    Consumer,
    Mailbox,
    MarketplaceStream,
    Process,
    RegistryStream,
    Topics,
    TrainingStream,
    expected_emails,
    expected_notified_emails,
    open_sessions,
    open_shops,
    processes,
    read_model_effects,
    registry_api,
    service_api,
)
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

EVENTS = int(os.environ.get("FAULTS_EVENTS", "8"))
TAKEOVER_S = 15.0
"""The standby holds the lease this soon after the holder was killed (the lease lasts 10 s)."""
Setup = Callable[[str, Database[dict[str, Any]]], tuple[Any, Callable[[], list[str]]]]
"""``(API URL, the service's database) -> (stream, the addresses it mails)``: a scenario's preparation."""


@dataclass
class Takeover:
    """What happened around the kill: when, how soon the standby held the lease, which events were recorded."""

    killed_at: float = 0.0
    took_over: float = 0.0
    recovered: float = 0.0

    def recovered_now(self) -> None:
        self.recovered = time.monotonic() - self.killed_at


@dataclass
class Relays:
    """Two relay processes of one service on its database: ``holder`` holds the lease, ``standby`` waits."""

    service: str
    db: Database[dict[str, Any]]
    holder: Process
    standby: Process

    def holding(self) -> str:
        lease = self.db["leases"].find_one({}) or {}
        return str(lease.get("holder", ""))

    def holds(self, relay: Process) -> bool:
        return relay.popen is not None and self.holding().endswith(f"-{relay.popen.pid}")

    def kill_holder_once_kafka_has(self, topics: Iterable[str], stream: Any, count: int) -> Takeover:
        """Start ``stream`` (``count`` items), SIGKILL the holder once the stream's first events are on
        ``topics``, wait for the standby to take the lease and for the stream to end. The stream is held
        halfway until the kill, so the holder dies while the stream is still writing."""
        during = Topics.mark(self.holder.env["KAFKA_BOOTSTRAP_SERVERS"], topics)
        stream.gate.at = count // 2
        stream.start(count)
        wait_until(lambda: len(during.records()) >= 2, f"the {self.service} relay to publish the stream's first events")
        self.holder.kill()
        takeover = Takeover(killed_at=time.monotonic())
        writes_at_kill = stream.writes
        stream.gate.open()
        wait_until(lambda: self.holds(self.standby), f"the standby {self.service} relay to take the lease", 30)
        takeover.took_over = time.monotonic() - takeover.killed_at
        stream.join()
        assert writes_at_kill < stream.writes, "the holder was killed only after the stream had ended"
        return takeover

    def published_everything(self, collections: Iterable[str]) -> bool:
        return all(self.db[name].count_documents({"outbox.0": {"$exists": True}}) == 0 for name in collections)


@contextmanager
def relays(service: str, env: dict[str, str], logs: Path, *others: Process) -> Iterator[Relays]:
    """``others`` started, then the holder (until it holds the lease), then the standby; all stopped after."""
    client = MongoClient(env["MONGODB_URI"], tz_aware=True)
    command = [str(BIN / f"{service}-relay")]
    pair = Relays(
        service,
        client[env[f"{service.upper()}_MONGODB_DATABASE"]],
        Process(f"{service}-relay-a", command, env, logs),
        Process(f"{service}-relay-b", command, env, logs),
    )
    with processes(pair.holder, pair.standby, *others):
        for process in (*others, pair.holder):
            process.start()
        wait_until(lambda: pair.holds(pair.holder), f"the first {service} relay to hold the lease", 60)
        pair.standby.start()
        yield pair


def recorded_events(db: Database[dict[str, Any]], collections: Iterable[str]) -> set[tuple[str, int]]:
    """``(aggregate id, version)`` of every event the service recorded: versions 1..outbox_seq of each document."""
    return {
        (doc["_id"], seq)
        for name in collections
        for doc in db[name].find({"outbox_seq": {"$gt": 0}}, {"outbox_seq": 1})
        for seq in range(1, doc["outbox_seq"] + 1)
    }


def assert_all_on_kafka(recorded: set[tuple[str, int]], events: dict[str, Envelope], takeover: Takeover) -> None:
    on_topics = Counter((e.aggregate_id, e.aggregate_version) for e in events.values())
    assert recorded and set(on_topics) == recorded, f"unpublished: {sorted(recorded - set(on_topics))[:5]}"
    assert takeover.took_over < TAKEOVER_S, f"the standby took {takeover.took_over:.1f} s to take the lease"


@pytest.fixture(scope="module")
def notifications(infra: Any, mailbox: Mailbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Consumer]:
    """The notifications consumer (in a fresh group at its topics' ends) and sender, mailing ``mailbox``, for
    every scenario of the module (each counts only the e-mails of its own addresses)."""
    logs = tmp_path_factory.mktemp("notifications")
    consumer = Consumer("notifications", infra, logs, SMTP_HOST="127.0.0.1", SMTP_PORT=str(mailbox.port))
    sender = Process("notifications-sender", [str(BIN / "notifications-sender")], consumer.env, logs)
    with processes(consumer, sender):
        consumer.start()
        sender.start()
        yield consumer


def test_the_registry_relay_killed_while_publishing_a_standby_takes_over_and_every_effect_is_once(
    infra: Any, mailbox: Mailbox, notifications: Consumer, tmp_path: Path
) -> None:
    client = MongoClient(infra.mongodb_uri, tz_aware=True)
    training = Consumer("training", infra, tmp_path)
    written = Topics.mark(infra.kafka_bootstrap, REGISTRY_TOPICS)

    with registry_api(infra, tmp_path, relay=False) as (api, env):
        with relays("registry", env, tmp_path, training) as pair:
            stream = RegistryStream(api)
            takeover = pair.kill_holder_once_kafka_has(REGISTRY_TOPICS, stream, EVENTS)
            wait_until(lambda: pair.published_everything(["enterprises"]), "every recorded event published", 60)
            events, copies = written.envelopes(stream.ids)
            addresses = [e.email for e in stream.enterprises]

            def arrived() -> bool:
                expected, found, _ = read_model_effects(client[training.database]["enterprises"], events)
                return expected <= set(found) and expected_emails(events) <= set(mailbox.emails(addresses))

            wait_until(arrived, "every effect downstream", timeout=60, interval=0.2)
            takeover.recovered_now()
            for consumer in (training, notifications):
                wait_until(consumer.caught_up, f"the {consumer.service} consumer to commit everything")
        recorded = {key for key in recorded_events(pair.db, ["enterprises"]) if key[0] in stream.ids}

    assert_all_on_kafka(recorded, events, takeover)
    republished = copies - len(events)
    expected, found, rolled_back = read_model_effects(client[training.database]["enterprises"], events)
    record(
        f"SIGKILL registry-relay while publishing, standby took the lease in {takeover.took_over:.1f} s: training",
        events_written=len(events),
        expected=expected,
        found=found,
        duplicates_suppressed=republished,
        rolled_back=rolled_back,
        seconds_to_recover=takeover.recovered,
    ).assert_exactly_once()
    record(
        "SIGKILL registry-relay while publishing, standby took over: e-mails at SMTP",
        events_written=len(events),
        expected=expected_emails(events),
        found=mailbox.emails(addresses),
        duplicates_suppressed=republished,
        seconds_to_recover=takeover.recovered,
    ).assert_exactly_once()


def _killed_while_publishing_every_email_once(
    service: str,
    infra: Any,
    mailbox: Mailbox,
    notifications: Consumer,
    logs: Path,
    topics: list[str],
    outboxes: list[str],
    setup: Setup,
) -> None:
    """The marketplace's or training's scenario: ``setup(api, db)`` returns the stream and the addresses it
    mails; the effects are the e-mails the notifications service's rules send for every event recorded."""
    written = Topics.mark(infra.kafka_bootstrap, topics)

    with service_api(infra, service, logs) as (api, env), relays(service, env, logs) as pair:
        stream, addresses = setup(api, pair.db)
        wait_until(lambda: pair.published_everything(outboxes), "the setup's events published", 30)
        takeover = pair.kill_holder_once_kafka_has(topics, stream, EVENTS)
        wait_until(lambda: pair.published_everything(outboxes), "every recorded event published", 60)
        recorded = recorded_events(pair.db, outboxes)
        events, copies = written.envelopes({aggregate for aggregate, _ in recorded})
        mails = expected_notified_emails(events)
        wait_until(lambda: mails <= set(mailbox.emails(addresses())), "every e-mail", timeout=60, interval=0.2)
        takeover.recovered_now()
        wait_until(notifications.caught_up, "the notifications consumer to commit everything")

    assert_all_on_kafka(recorded, events, takeover)
    record(
        f"SIGKILL {service}-relay while publishing, standby took the lease in {takeover.took_over:.1f} s: "
        "e-mails at SMTP",
        events_written=len(events),
        expected=mails,
        found=mailbox.emails(addresses()),
        duplicates_suppressed=copies - len(events),
        seconds_to_recover=takeover.recovered,
    ).assert_exactly_once()


def test_the_marketplace_relay_killed_while_buyers_order_a_standby_takes_over_and_every_email_is_once(
    infra: Any, mailbox: Mailbox, notifications: Consumer, tmp_path: Path
) -> None:
    def setup(api: str, db: Database[dict[str, Any]]) -> tuple[MarketplaceStream, Callable[[], list[str]]]:
        stream = MarketplaceStream(api, [])
        stream.shops = open_shops(api, db, 2, stream.tag)
        return stream, lambda: stream.addresses

    _killed_while_publishing_every_email_once(
        "marketplace", infra, mailbox, notifications, tmp_path, sorted(MARKETPLACE_TOPICS), MARKETPLACE_OUTBOXES, setup
    )


def test_the_training_relay_killed_while_learners_enrol_a_standby_takes_over_and_every_email_is_once(
    infra: Any, mailbox: Mailbox, notifications: Consumer, tmp_path: Path
) -> None:
    def setup(api: str, db: Database[dict[str, Any]]) -> tuple[TrainingStream, Callable[[], list[str]]]:
        stream = TrainingStream(api, open_sessions(api, 2, capacity=1))
        return stream, lambda: stream.learners

    _killed_while_publishing_every_email_once(
        "training", infra, mailbox, notifications, tmp_path, sorted(TRAINING_TOPICS), TRAINING_OUTBOXES, setup
    )
