"""Realistic streams through the public APIs, the processes that carry them, and counting their effects.

- ``RegistryStream``: enterprises applied for, submitted, approved, changed and (every third) deleted
  through the registry's HTTP API, at once or in a background thread while a fault is injected;
- ``Topics``: the events Kafka holds since a mark (``Topics.mark`` before the stream), by event id;
- ``read_model_effects``: a read model (marketplace sellers, training enterprises) against what the
  registry published: each enterprise at the newest version, its event applied once, and the documents
  that hold an older version than the registry's newest event (rolled back);
- ``Mailbox``: a real SMTP server counting e-mails by ``Message-ID`` (one per event and recipient);
  ``expected_emails`` names the e-mails the registry's events must cause;
- ``Process``: one process of a service, started, SIGKILLed and started again (the test is its supervisor);
- ``start_at_end``: a fresh consumer group begins at the topics' current ends, so it reads only this
  test's stream, not everything earlier tests left on the shared topics.
- ``MarketplaceStream`` (buyers ordering from ``open_shops``' listings and asking for quotes, answered
  every other time) and ``TrainingStream`` (learners enrolling in ``open_sessions``, waitlisted once full,
  some cancelling so the first waiting is promoted), through those services' own APIs (``service_api``);
  ``expected_notified_emails`` names the e-mails the notifications service's rules send for their events.

Effect keys are plain tuples, ready for ``tests.faults.figures.record``.
"""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from aiosmtpd.controller import Controller
from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition
from pymongo.collection import Collection

from services.notifications.domain.mapping import RULES
from shared.auth import Role
from shared.bg.identifiers import is_valid_eik
from shared.events.envelope import Envelope, InvalidEvent
from shared.kafka import ensure_topics
from tests.e2e.services import BIN, running_service, service_env
from tests.integration.marketplace_api import LISTING, representative_of, seed_seller
from tests.integration.notifications_api import CollectingHandler, start_smtp
from tests.integration.registry_api import CLERK_PLOVDIV, REP, application, token
from tests.integration.training_api import learner_token
from tests.polling import wait_until

ENTERPRISE_TOPIC = "registry.enterprise.v1"
APPLICATION_TOPIC = "registry.application.v1"
REGISTRY_TOPICS = (APPLICATION_TOPIC, ENTERPRISE_TOPIC)
MAIL_EVENTS = ("registry.ApplicationSubmitted", "registry.ApplicationApproved", "registry.EnterpriseDeleted")
"""Registry events that send their enterprise's contact an e-mail (received, approved, deleted)."""

_RNG = random.Random()


def valid_eik() -> str:
    """A fresh 9-digit ЕИК with a correct check digit."""
    while True:
        stem = f"{_RNG.randrange(10_000_000, 100_000_000)}"
        for last in "0123456789":
            if is_valid_eik(stem + last):
                return stem + last


def _post(url: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = requests.post(url, json=body, headers=headers, timeout=30)
    assert response.ok, f"POST {url}: {response.status_code} {response.text[:500]}"
    return response.json()


@dataclass
class Enterprise:
    eik: str
    name: str
    email: str
    enterprise_id: str = ""
    deleted: bool = False


@dataclass
class Gate:
    """Holds a stream before its ``at``-th item until ``open`` is called, so a fault a test injects once the
    stream's first events are out lands while the stream still has writes to make, however fast it runs."""

    at: int | None = None
    opened: threading.Event = field(default_factory=threading.Event)

    def passing(self, index: int, timeout: float = 60) -> None:
        if index == self.at:
            assert self.opened.wait(timeout), f"the stream was held at item {index} for {timeout:.0f} s"

    def open(self) -> None:
        self.opened.set()


@dataclass
class RegistryStream:
    """Enterprises through the registry's API: apply, submit, approve, change details, delete every third.

    Each enterprise has its own contact address (the applicant's e-mail). ``writes`` counts the API
    calls that changed something. ``start`` runs the stream in a thread; ``join`` waits and re-raises.
    """

    registry_api: str
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    enterprises: list[Enterprise] = field(default_factory=list)
    writes: int = 0
    gate: Gate = field(default_factory=Gate)
    _thread: threading.Thread | None = None
    _error: BaseException | None = None

    def run(self, count: int, *, delete_every: int = 3) -> RegistryStream:
        for index in range(count):
            self.gate.passing(index)
            self._one(index, deleted=delete_every > 0 and index % delete_every == delete_every - 1)
        return self

    def start(self, count: int, *, delete_every: int = 3) -> RegistryStream:
        def work() -> None:
            try:
                self.run(count, delete_every=delete_every)
            except BaseException as error:  # re-raised by join
                self._error = error

        self._thread = threading.Thread(target=work, name=f"stream-{self.tag}", daemon=True)
        self._thread.start()
        return self

    def join(self, timeout: float = 120) -> RegistryStream:
        assert self._thread is not None, "the stream was not started"
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"the stream did not finish within {timeout:.0f} s"
        if self._error is not None:
            raise self._error
        return self

    @property
    def ids(self) -> set[str]:
        return {e.enterprise_id for e in self.enterprises if e.enterprise_id}

    def _one(self, index: int, *, deleted: bool) -> None:
        api = self.registry_api
        enterprise = Enterprise(valid_eik(), f"Социално предприятие „Устойчивост {self.tag}-{index}“",
                                f"faults-{self.tag}-{index}@ustoichivost.example.bg")  # fmt: skip
        body = application(details__eik=enterprise.eik, details__name=enterprise.name,
                           details__contacts__email=enterprise.email)  # fmt: skip
        app_id = _post(f"{api}/applications", REP, body)["id"]
        _post(f"{api}/applications/{app_id}/submit", REP)
        order = {"order_number": f"РД-01-{index + 100}", "order_date": "2026-11-23"}
        approved = _post(f"{api}/applications/{app_id}/approve", CLERK_PLOVDIV, order)
        enterprise.enterprise_id = approved["enterprise_id"]
        self.enterprises.append(enterprise)
        self.writes += 3
        details = {**body["details"], "description": f"Обновено описание {self.tag}-{index}: пекарна и кетъринг."}
        response = requests.patch(f"{api}/enterprises/{enterprise.enterprise_id}", json={"details": details},
                                  headers=CLERK_PLOVDIV, timeout=30)  # fmt: skip
        assert response.ok, f"PATCH enterprise: {response.status_code} {response.text[:500]}"
        self.writes += 1
        if deleted:
            deletion = {**order, "reason_code": "own_request", "note": "По искане на предприятието"}
            _post(f"{api}/enterprises/{enterprise.enterprise_id}/deletion", CLERK_PLOVDIV, deletion)
            enterprise.deleted = True
            self.writes += 1


# ------------------------------------------------------------------------------------------------
# Kafka
# ------------------------------------------------------------------------------------------------


def _partitions(consumer: KafkaConsumer, topics: Iterable[str]) -> list[TopicPartition]:
    found: list[TopicPartition] = []
    for topic in topics:
        parts = wait_until(lambda t=topic: consumer.partitions_for_topic(t), f"the partitions of {topic}")
        found.extend(TopicPartition(topic, p) for p in sorted(parts))
    return found


@dataclass
class Topics:
    """Records on ``topics`` after the offsets ``mark`` found (the topics' ends when it ran)."""

    bootstrap: str
    since: dict[TopicPartition, int]

    @classmethod
    def mark(cls, bootstrap: str, topics: Iterable[str]) -> Topics:
        topics = list(topics)
        ensure_topics(bootstrap, topics)
        consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
        try:
            return cls(bootstrap, dict(consumer.end_offsets(_partitions(consumer, topics))))
        finally:
            consumer.close()

    def records(self) -> list[Any]:
        """Every record written since the mark, in partition order (up to the ends seen now)."""
        consumer = KafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False, group_id=None)
        try:
            tps = list(self.since)
            consumer.assign(tps)
            for tp, offset in self.since.items():
                consumer.seek(tp, offset)
            ends = consumer.end_offsets(tps)
            records: list[Any] = []
            deadline = time.monotonic() + 30
            while any(consumer.position(tp) < ends[tp] for tp in tps):
                assert time.monotonic() < deadline, "could not read the topics to their ends"
                for batch in consumer.poll(timeout_ms=500).values():
                    records.extend(r for r in batch if r.offset < ends[TopicPartition(r.topic, r.partition)])
            return sorted(records, key=lambda r: (r.topic, r.partition, r.offset))
        finally:
            consumer.close()

    def envelopes(self, aggregate_ids: Iterable[str] | None = None) -> tuple[dict[str, Envelope], int]:
        """``({event id: envelope}, copies)``: the distinct events (of ``aggregate_ids``), records holding them."""
        wanted = None if aggregate_ids is None else set(aggregate_ids)
        events: dict[str, Envelope] = {}
        copies = 0
        for record in self.records():
            try:
                envelope = Envelope.from_json(record.value)
            except InvalidEvent:
                continue  # poison a test put there itself
            if wanted is None or envelope.aggregate_id in wanted:
                events[envelope.event_id] = envelope
                copies += 1
        return events, copies


def start_at_end(bootstrap: str, group: str, topics: Iterable[str]) -> None:
    """Commit the topics' current ends for ``group``, which then reads only what is written from now on."""
    topics = list(topics)
    ensure_topics(bootstrap, topics)
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        ends = consumer.end_offsets(_partitions(consumer, topics))
        consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in ends.items()})
    finally:
        consumer.close(autocommit=False)


def committed_all(bootstrap: str, group: str, topics: Iterable[str]) -> bool:
    """``group`` has committed the end of every partition of ``topics``: it has read everything."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        tps = _partitions(consumer, topics)
        ends = consumer.end_offsets(tps)
        return all((consumer.committed(tp) or 0) >= ends[tp] for tp in tps)
    finally:
        consumer.close(autocommit=False)


# ------------------------------------------------------------------------------------------------
# Effects
# ------------------------------------------------------------------------------------------------


def enterprise_events(events: dict[str, Envelope]) -> dict[str, Envelope]:
    return {eid: e for eid, e in events.items() if e.event_type.startswith("registry.Enterprise")}


def read_model_effects(
    collection: Collection[dict[str, Any]], events: dict[str, Envelope]
) -> tuple[set[tuple[str, int, str]], list[tuple[str, int, str]], int]:
    """``(expected, found, rolled_back)`` for a read model that mirrors the registry's enterprises.

    A read model keeps one document per enterprise, with the version it holds and the ids of the events
    applied at that version. Expected: each enterprise at the registry's newest event, keyed
    ``(enterprise id, version, event id)``; found: one key per event id a document lists (repeats
    included); rolled back: documents at an older version than the registry's newest event.
    """
    newest: dict[str, Envelope] = {}
    for envelope in enterprise_events(events).values():
        held = newest.get(envelope.aggregate_id)
        if held is None or envelope.aggregate_version > held.aggregate_version:
            newest[envelope.aggregate_id] = envelope
    expected = {(e.aggregate_id, e.aggregate_version, e.event_id) for e in newest.values()}
    found: list[tuple[str, int, str]] = []
    rolled_back = 0
    for doc in collection.find({"_id": {"$in": sorted(newest)}}):
        version = doc.get("aggregate_version", 0)
        found.extend((doc["_id"], version, eid) for eid in doc.get("applied_event_ids", []))
        rolled_back += version < newest[doc["_id"]].aggregate_version
    return expected, found, rolled_back


def versions(collection: Collection[dict[str, Any]]) -> dict[str, int]:
    """The version each document of a read model holds."""
    return {doc["_id"]: doc.get("aggregate_version", 0) for doc in collection.find({}, {"aggregate_version": 1})}


def expected_emails(events: dict[str, Envelope]) -> set[tuple[str, str]]:
    """``(address, Message-ID digest)`` of each e-mail the registry's events must cause, one per event."""
    expected = set()
    for event_id, envelope in events.items():
        if envelope.event_type not in MAIL_EVENTS:
            continue
        address = (envelope.payload.get("applicant_email") or envelope.payload.get("contact_email") or "").lower()
        expected.add((address, _digest(f"{event_id}:email:{address}:email")))
    return expected


def _digest(delivery_id: str) -> str:
    return hashlib.sha256(delivery_id.encode()).hexdigest()[:32]


class Mailbox:
    """A real SMTP server on 127.0.0.1 that keeps every message it accepts; it can go down (connections
    refused) and come back on the same port."""

    def __init__(self) -> None:
        self.handler = CollectingHandler()
        self._controller: Controller | None = start_smtp(self.handler)
        self.port: int = self._controller.port

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def up(self) -> None:
        self._controller = start_smtp(self.handler, self.port)

    def emails(self, addresses: Iterable[str] | None = None) -> list[tuple[str, str]]:
        """``(address, Message-ID digest)`` of each message received (for ``addresses``), repeats included."""
        wanted = None if addresses is None else {a.lower() for a in addresses}
        found = []
        for received in list(self.handler.received):
            digest = str(received.message["Message-ID"]).strip("<>").partition("@")[0]
            for address in received.rcpt_tos:
                if wanted is None or address.lower() in wanted:
                    found.append((address.lower(), digest))
        return found

    def close(self) -> None:
        self.down()


# ------------------------------------------------------------------------------------------------
# Processes
# ------------------------------------------------------------------------------------------------


class Process:
    """One process of a service (a consumer, a relay, a sender) that the test starts, kills and starts again."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], logs: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.logs = logs
        self.starts = 0
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        assert not self.running, f"{self.name} is already running"
        self.starts += 1
        out = (self.logs / f"{self.name}-{self.starts}.log").open("w")
        self.popen = subprocess.Popen(self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        return self

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no goodbye to the group, no last commit, no mark of what was published."""
        assert self.popen is not None and self.running, f"{self.name} is not running: {self.log()[-2000:]}"
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=20)

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGTERM)
        try:
            self.popen.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise AssertionError(f"{self.name} did not stop on SIGTERM") from None

    def log(self) -> str:
        return "\n".join((self.logs / f"{self.name}-{n}.log").read_text() for n in range(1, self.starts + 1))


@contextmanager
def registry_api(infra: Any, logs: Path, *, relay: bool = True) -> Iterator[tuple[str, dict[str, str]]]:
    """The registry's web process (gunicorn), with its relay unless the test runs relays itself: (API URL, env)."""
    env = service_env(infra, "registry", logs)
    extra = {"relay": [str(BIN / "registry-relay")]} if relay else {}
    with running_service("registry", logs, env, extra, alive=["relay-alive"] if relay else []) as url:
        yield f"{url}/api/v1", env


def consumer_topics(service: str) -> list[str]:
    """The topics a service's consumer reads, as its entrypoint subscribes them."""
    if service == "marketplace":
        from services.marketplace.entrypoints.consumer import consumed_events

        return sorted(consumed_events().topics())
    if service == "training":
        from services.training.events.registry import CONSUMED

        return sorted(CONSUMED.topics())
    from services.notifications.entrypoints.consumer import subscribed_event_types
    from services.notifications.events.consumed import consumed

    return sorted(consumed(subscribed_event_types()).topics())


class Consumer(Process):
    """``<service>-consumer`` on its own database, in a fresh group that starts at its topics' current ends."""

    def __init__(self, service: str, infra: Any, logs: Path, **settings: str) -> None:
        self.service = service
        self.group = f"{service}-faults-{uuid.uuid4().hex[:6]}"
        self.topics = consumer_topics(service)
        self.bootstrap = infra.kafka_bootstrap
        env = {**service_env(infra, service, logs), f"{service.upper()}_CONSUMER_GROUP": self.group, **settings}
        self.database = env[f"{service.upper()}_MONGODB_DATABASE"]
        super().__init__(f"{service}-consumer", [str(BIN / f"{service}-consumer")], env, logs)
        start_at_end(self.bootstrap, self.group, self.topics)

    def caught_up(self) -> bool:
        return committed_all(self.bootstrap, self.group, self.topics)

    def uncommitted(self, written: Topics) -> list[Envelope]:
        """Events of ``written``'s records at or after the group's committed offsets: read again after a crash."""
        reader = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=self.group, enable_auto_commit=False)
        try:
            committed = {tp: reader.committed(tp) or 0 for tp in written.since}
        finally:
            reader.close(autocommit=False)
        again = []
        for record in written.records():
            tp = TopicPartition(record.topic, record.partition)
            if tp in committed and record.offset >= committed[tp]:
                try:
                    again.append(Envelope.from_json(record.value))
                except InvalidEvent:
                    continue
        return again


@contextmanager
def processes(*started: Process) -> Iterator[tuple[Process, ...]]:
    """Stop every process on the way out (also when the test failed)."""
    try:
        yield started
    finally:
        for process in started:
            process.stop()


# ------------------------------------------------------------------------------------------------
# The marketplace's and training's own streams
# ------------------------------------------------------------------------------------------------


@dataclass
class _Background:
    """``run(count)`` at once, or ``start(count)`` in a thread and ``join`` (which re-raises its error)."""

    def run(self, count: int) -> Any:
        raise NotImplementedError

    def start(self, count: int) -> Any:
        def work() -> None:
            try:
                self.run(count)
            except BaseException as error:  # re-raised by join
                self._error = error

        self._error: BaseException | None = None
        self._thread = threading.Thread(target=work, name=f"stream-{type(self).__name__}", daemon=True)
        self._thread.start()
        return self

    def join(self, timeout: float = 120) -> Any:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"the stream did not finish within {timeout:.0f} s"
        if self._error is not None:
            raise self._error
        return self


@dataclass
class Shop:
    """A registered enterprise selling one published listing: its contact address and its representative."""

    seller_id: str
    email: str
    listing_id: str
    headers: dict[str, str]


def open_shops(api: str, market_db: Any, count: int, tag: str) -> list[Shop]:
    """``count`` sellers the marketplace knows from the register (as its consumer records them), each with a
    listing published through the API."""
    shops = []
    for index in range(count):
        email = f"seller-{tag}-{index}@pazar.example.bg"
        seller_id = seed_seller(market_db, contact_email=email, name=f"Кооперация „Пазар {tag}-{index}“")
        headers = representative_of(seller_id, f"rep-{tag}-{index}")
        listing = _post(f"{api}/listings", headers, LISTING)["id"]
        _post(f"{api}/listings/{listing}/publish", headers)
        shops.append(Shop(seller_id, email, listing, headers))
    return shops


@dataclass
class MarketplaceStream(_Background):
    """Buyers through the marketplace's API: each orders from one shop and asks another for a quote, which
    its seller answers with a price every other time (order placed, quote requested, quote offered)."""

    api: str
    shops: list[Shop]
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    buyers: list[str] = field(default_factory=list)
    deals: list[str] = field(default_factory=list)
    writes: int = 0
    gate: Gate = field(default_factory=Gate)

    def run(self, count: int) -> MarketplaceStream:
        for index in range(count):
            self.gate.passing(index)
            email = f"buyer-{self.tag}-{index}@kupuvach.example.bg"
            buyer = token(f"buyer-{self.tag}-{index}", Role.BUYER, name="Десислава Колева", email=email)
            self.buyers.append(email)
            shop, other = self.shops[index % len(self.shops)], self.shops[(index + 1) % len(self.shops)]
            order = {"listing_id": shop.listing_id, "quantity": 2 + index % 3, "message": "За благотворителен базар"}
            self.deals.append(_post(f"{self.api}/orders", buyer, order)["id"])
            quote = {"listing_id": other.listing_id, "quantity": 40, "message": "Цена за 40 бурканa?"}
            deal = _post(f"{self.api}/quotes", buyer, quote)["id"]
            self.deals.append(deal)
            self.writes += 2
            if index % 2 == 0:
                offer = {"unit_price_cents": 1100, "valid_until": "2099-12-31", "terms": "Доставка до 5 дни"}
                _post(f"{self.api}/quotes/{deal}/offer", other.headers, offer)
                self.writes += 1
        return self

    @property
    def addresses(self) -> list[str]:
        return [*self.buyers, *(shop.email for shop in self.shops)]


TRAINER = "trainer-faults"


def open_sessions(api: str, count: int, capacity: int) -> list[str]:
    """A course and ``count`` sessions of it, open to anyone, each with ``capacity`` seats, meeting next month."""
    admin = token("admin-faults", Role.ADMIN)
    trainer = token(TRAINER, Role.TRAINER, name="Петя Стоянова")
    course = {"title_bg": "Онлайн продажби за социални предприятия", "description_bg": "Практически курс.",
              "dimensions": ["digital_readiness"], "level": "beginner", "hours": 8, "format": "in_person"}  # fmt: skip
    course_id = _post(f"{api}/courses", admin, course)["id"]
    sessions = []
    for index in range(count):
        start = (datetime.now(UTC) + timedelta(days=30 + index)).replace(microsecond=0)
        meeting = {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=3)).isoformat()}
        body = {"course_id": course_id, "centre": "plovdiv", "room": f"Зала {index + 1}", "capacity": capacity,
                "meetings": [meeting], "funded": False}  # fmt: skip
        sessions.append(_post(f"{api}/sessions", trainer, body)["id"])
    return sessions


@dataclass
class TrainingStream(_Background):
    """Learners through the training service's API: each enrols themself in a session (confirmed while seats
    last, then waitlisted); after every third enrolment, the session's longest-confirmed learner cancels,
    which promotes the first waiting (enrolment confirmed, waitlisted, cancelled, promoted)."""

    api: str
    sessions: list[str]
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:6])
    learners: list[str] = field(default_factory=list)
    writes: int = 0
    gate: Gate = field(default_factory=Gate)

    def run(self, count: int) -> TrainingStream:
        seated: dict[str, list[tuple[str, dict[str, str]]]] = {session: [] for session in self.sessions}
        for index in range(count):
            self.gate.passing(index)
            email = f"learner-{self.tag}-{index}@uchenik.example.bg"
            headers = learner_token(email, None, f"Курсист {index + 1}")
            self.learners.append(email)
            session = self.sessions[index % len(self.sessions)]
            enrolment = _post(f"{self.api}/sessions/{session}/enrolments", headers, {})
            seated[session].append((enrolment["id"], headers))
            self.writes += 1
            if index % 3 == 2:
                leaving, theirs = seated[session].pop(0)
                _post(f"{self.api}/enrolments/{leaving}/cancel", theirs, {"reason": "болничен"})
                self.writes += 1
        return self


def expected_notified_emails(events: dict[str, Envelope]) -> set[tuple[str, str]]:
    """``(address, Message-ID digest)`` of each e-mail the notifications service's rules send for ``events``
    (once per event and recipient with an address): for the marketplace's and training's events."""
    expected = set()
    for event_id, envelope in events.items():
        for rule in RULES.get(envelope.event_type, []):
            for recipient in rule.recipients(envelope.payload):
                if recipient.email:
                    expected.add((recipient.email.lower(), _digest(f"{event_id}:{recipient.key}:email")))
    return expected


@contextmanager
def service_api(infra: Any, service: str, logs: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A service's web process (gunicorn) alone, its relays and consumer left to the test: (API URL, env)."""
    folder = logs / service
    folder.mkdir(exist_ok=True)
    env = service_env(infra, service, folder)
    with running_service(service, folder, env, {}, alive=[]) as url:
        yield f"{url}/api/v1", env
