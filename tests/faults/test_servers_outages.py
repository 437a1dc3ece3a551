"""Servers going away under a stream of writes: Kafka, the database, the mail server, a webhook receiver.

The services run as separate processes (gunicorn web, relays, consumers, the notifications sender) on a
Kafka and a FerretDB of this module's own (``tests/faults/servers.py``), which the scenarios stop and start
again on the same port with the same files. Representatives apply to the register through the registry's
API (create, submit, approve); each registration must reach, exactly once, the marketplace's sellers and
training's enterprises (compared with the versions the registry published), the applicant's inbox and
mailbox (an SMTP server in this process: every e-mail the notifications service decided on, once, by
``Message-ID``, and one for each approval and each order), and a webhook receiver subscribed to the
register. During the Kafka outage buyers also order from an enterprise registered before it.

Knobs (environment; the defaults are what ``make test`` runs):

- ``FAULTS_KAFKA_OUTAGE_S`` (30): how long Kafka stays stopped;
- ``FAULTS_DATABASE_OUTAGE_S`` (12): how long the database stays stopped;
- ``FAULTS_SMTP_OUTAGE_S`` (30): how long the mail server stays down (a webhook receiver hangs meanwhile);
- ``FAULTS_APPLICATIONS`` (6): registrations written during each outage.

Duplicates suppressed are counted from the consumers' own ``consumer_events_total`` counters: the events
they read during the scenario minus the distinct events published on their topics (read back from Kafka).
The sender's retries, and the e-mails it would have sent again, are not counted there.
"""

from __future__ import annotations

import itertools
import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from pymongo import MongoClient

from shared.auth import Role
from shared.bg.identifiers import is_valid_eik
from tests.faults.figures import FaultFigures, record
from tests.faults.servers import Platform, PrivateServers, Tally, published
from tests.faults.streams import Mailbox
from tests.integration.marketplace_api import LISTING, representative_of
from tests.integration.notifications_api import LOCALHOST
from tests.integration.registry_api import CLERK_PLOVDIV, application, token
from tests.polling import wait_until
from tests.webhook_receiver import http_receiver

pytestmark = pytest.mark.e2e

KAFKA_OUTAGE_S = float(os.environ.get("FAULTS_KAFKA_OUTAGE_S", "30"))
DATABASE_OUTAGE_S = float(os.environ.get("FAULTS_DATABASE_OUTAGE_S", "12"))
SMTP_OUTAGE_S = float(os.environ.get("FAULTS_SMTP_OUTAGE_S", "30"))
APPLICATIONS = int(os.environ.get("FAULTS_APPLICATIONS", "6"))
EFFECTS_TIMEOUT_S = 90.0
"""How long a scenario waits for the effects after the fault ends before it counts what is missing."""
RECOVERY_S = 20.0
"""Every effect is there this soon after the server is back (its own start-up not counted)."""
ORDER = {"order_number": "РД-01-77", "order_date": "2026-11-23"}
REGISTERED = "registry.EnterpriseRegistered"
MAILED = ("registry.ApplicationApproved", "marketplace.OrderPlaced")
"""Events that must cause an e-mail: a register decision (a legal notice) and an order (to its seller)."""

# The sender's waits, shortened in proportion so that a minute's outage is what an hour is in production
# (the attempts are raised to match: with the production waits a minute's outage costs 2 or 3 of them).
QUICK_SENDER = {
    "SMTP_TIMEOUT_SECONDS": "3",
    "SMTP_RETRY_BASE_SECONDS": "1",
    "SMTP_RETRY_MAX_SECONDS": "4",
    "SMTP_MAX_ATTEMPTS": "200",
    "WEBHOOKS_ALLOW_LOOPBACK": "true",
    "WEBHOOK_TIMEOUT_SECONDS": "2",
    "WEBHOOK_RETRY_BASE_SECONDS": "2",
    "WEBHOOK_RETRY_MAX_SECONDS": "4",
    "WEBHOOK_DISABLE_AFTER": "1000",
    "NOTIFICATIONS_SENDER_BREAKER_FAILURES": "2",
    "NOTIFICATIONS_SENDER_BREAKER_COOLDOWN_SECONDS": "2",
}
_EIKS = itertools.count(30_000_000 + os.getpid() % 1000 * 10_000)


def new_eik() -> str:
    while True:
        stem = str(next(_EIKS))
        for last in "0123456789":
            if is_valid_eik(stem + last):
                return stem + last


# ------------------------------------------------------------------------------------------------ servers
@dataclass
class HangingReceiver:
    url: str = ""
    connections: list[socket.socket] = field(default_factory=list)


@contextmanager
def hanging_receiver() -> Iterator[HangingReceiver]:
    """Accepts every connection and never answers (nor reads): the caller's timeout is all that helps."""
    listener = socket.create_server((LOCALHOST, 0))
    state = HangingReceiver(url=f"http://{LOCALHOST}:{listener.getsockname()[1]}/hooks")
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            state.connections.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in state.connections:
            connection.close()
        listener.close()


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateServers]:
    with PrivateServers.running(tmp_path_factory.mktemp("fault-servers")) as private:
        yield private


@pytest.fixture(scope="module")
def platform(servers: PrivateServers, mailbox: Mailbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    running = Platform(servers, tmp_path_factory.mktemp("fault-platform"))
    registry = running.env("registry")
    running.add("registry", "web", registry, workers=2)  # as production runs it: probes must not starve requests
    running.add("registry", "relay", registry)
    marketplace = running.env("marketplace")
    for role in ("web", "relay", "consumer"):
        running.add("marketplace", role, marketplace)
    running.add("training", "consumer", running.env("training"))
    notifications = running.env("notifications", SMTP_HOST=LOCALHOST, SMTP_PORT=str(mailbox.port), **QUICK_SENDER)
    for role in ("web", "consumer", "sender"):
        running.add("notifications", role, notifications)
    try:
        running.start()
        yield running
    finally:
        running.stop()


# ------------------------------------------------------------------------------------------------ the stream
STEPS = ("create", "submit", "approve", "done")


@dataclass
class Applicant:
    """One representative's way into the register, a step at a time; what each answer was."""

    email: str
    headers: dict[str, str]
    eik: str = field(default_factory=new_eik)
    step: str = "create"
    application_id: str = ""
    enterprise_id: str = ""
    statuses: list[int] = field(default_factory=list)
    approved_at: float = 0.0

    @classmethod
    def new(cls, scenario: str) -> Applicant:
        subject = f"{scenario}-{uuid.uuid4().hex[:8]}"
        email = f"{subject}@faults.example.bg"  # the applicant's own, verified, and the enterprise's contact
        return cls(email, token(subject, Role.REPRESENTATIVE, email=email))

    def advance(self, api: str) -> requests.Response:
        """Try the next step once; move on if it was done."""
        if self.step == "create":
            body = application(details__eik=self.eik, details__name=f"Кооперация {self.eik}",
                               details__contacts__email=self.email)  # fmt: skip
            response = requests.post(f"{api}/applications", json=body, headers=self.headers, timeout=30)
        elif self.step == "submit":
            url = f"{api}/applications/{self.application_id}/submit"
            response = requests.post(url, headers=self.headers, timeout=30)
        else:
            url = f"{api}/applications/{self.application_id}/approve"
            response = requests.post(url, json=ORDER, headers=CLERK_PLOVDIV, timeout=30)
        self.statuses.append(response.status_code)
        if response.ok:
            if self.step == "create":
                self.application_id = response.json()["id"]
            elif self.step == "approve":
                self.enterprise_id = response.json()["enterprise_id"]
                self.approved_at = time.monotonic()
            self.step = STEPS[STEPS.index(self.step) + 1]
        return response

    def finish(self, api: str) -> None:
        while self.step != "done":
            response = self.advance(api)
            assert response.ok, (self.step, response.status_code, response.text)


# ------------------------------------------------------------------------------------------------ effects
@dataclass
class Shop:
    """A registered enterprise selling one published listing on the marketplace; the orders placed with it."""

    seller: Applicant
    listing_id: str
    orders: list[str] = field(default_factory=list)
    """Their order numbers."""

    @classmethod
    def open(cls, platform: Platform, mailbox: Mailbox) -> Shop:
        seller = Applicant.new("seller")
        seller.finish(platform.api["registry"])
        # its own registration's e-mails first (all the notifications service decided on): the scenario's come after
        deliveries = MongoClient(platform.servers.mongodb_uri)[platform.databases["notifications"]]["deliveries"]

        def mailed() -> bool:
            decided = list(deliveries.find({"to": seller.email}, {"status": 1, "event_type": 1}))
            approved = any(d["event_type"] == "registry.ApplicationApproved" for d in decided)
            return approved and len(mailbox.handler.to(seller.email)) == len(decided)

        wait_until(mailed, "the seller's registration e-mails")
        market = platform.api["marketplace"]
        known = f"{market}/sellers/{seller.enterprise_id}"
        wait_until(lambda: requests.get(known, timeout=10).ok, "the marketplace to know the new seller")
        headers = representative_of(seller.enterprise_id, seller.email)
        created = requests.post(f"{market}/listings", json=LISTING, headers=headers, timeout=10)
        assert created.status_code == 201, created.text
        listing = created.json()["id"]
        published = requests.post(f"{market}/listings/{listing}/publish", headers=headers, timeout=10)
        assert published.status_code == 200, published.text
        return cls(seller, listing)

    def order(self, platform: Platform) -> requests.Response:
        subject = f"buyer-{uuid.uuid4().hex[:8]}"
        headers = token(subject, Role.BUYER, name="Десислава Колева", email=f"{subject}@faults.example.bg")
        body = {"listing_id": self.listing_id, "quantity": 3}
        response = requests.post(f"{platform.api['marketplace']}/orders", json=body, headers=headers, timeout=30)
        if response.status_code == 201:
            self.orders.append(response.json()["order_number"])
        return response


@dataclass
class Effects:
    expected: set[tuple[str, ...]]
    found: list[tuple[str, ...]]
    rolled_back: int


def effects(platform: Platform, mailbox: Mailbox, applicants: list[Applicant], events: list[dict[str, Any]],
            since: int) -> Effects:  # fmt: skip
    """What users see of the scenario's events (e-mails from the ``since``-th on), against what was published.

    E-mails: every one the notifications service decided on for these events (its delivery records), once
    at the mail server (by ``Message-ID``), and one decided on for each approval (a legal notice) and each
    order. Inbox: each applicant's approval. Read models: each registered enterprise, at the version the
    registry published last, each of its events applied once.
    """
    latest: dict[str, int] = {}
    applied_ids: dict[str, set[str]] = {}
    for event in events:
        if event["topic"] == "registry.enterprise.v1":
            enterprise = event["aggregate_id"]
            latest[enterprise] = max(latest.get(enterprise, 0), int(event.get("aggregate_version") or 0))
            applied_ids.setdefault(enterprise, set()).add(event["event_id"])
    mailed = {event["event_id"] for event in events if event["event_type"] in MAILED}
    expected: set[tuple[str, ...]] = {("e-mail decided", event_id) for event_id in mailed}
    found: list[tuple[str, ...]] = [("e-mail", str(r.message["Message-ID"])) for r in mailbox.handler.received[since:]]
    rolled_back = 0
    for applicant in applicants:
        expected |= {("inbox", applicant.email, "application_approved")}
        expected |= {("seller", applicant.enterprise_id), ("training enterprise", applicant.enterprise_id)}
        inbox = requests.get(f"{platform.api['notifications']}/inbox", headers=applicant.headers, timeout=10)
        assert inbox.status_code == 200, inbox.text
        approved = {item["message"] for item in inbox.json()["items"]} & {"application_approved"}
        found += [("inbox", applicant.email, message) for message in approved]
    client: MongoClient[dict[str, Any]] = MongoClient(platform.servers.mongodb_uri, serverSelectionTimeoutMS=5000)
    try:
        applied_events = {e["event_id"] for e in events}
        decided = client[platform.databases["notifications"]]["deliveries"].find(
            {"channel": "email", "event_id": {"$in": sorted(applied_events)}},
            {"message_id": 1, "event_id": 1},
        )
        for delivery in decided:
            expected.add(("e-mail", delivery["message_id"]))
            if delivery["event_id"] in mailed:
                found.append(("e-mail decided", delivery["event_id"]))
        # An earlier scenario's e-mail that reached the server in this one's window belongs to that scenario;
        # that none reached it twice is checked over the whole module (test_no_email_reached_the_server_twice).
        arrived = [key[1] for key in found if key[0] == "e-mail"]
        earlier = {
            delivery["message_id"]
            for delivery in client[platform.databases["notifications"]]["deliveries"].find(
                {"channel": "email", "message_id": {"$in": arrived}, "event_id": {"$nin": sorted(applied_events)}},
                {"message_id": 1},
            )
        }
        found = [key for key in found if not (key[0] == "e-mail" and key[1] in earlier)]
        for label, service, collection in (("seller", "marketplace", "sellers"),
                                           ("training enterprise", "training", "enterprises")):  # fmt: skip
            ids = [a.enterprise_id for a in applicants]
            for document in client[platform.databases[service]][collection].find({"_id": {"$in": ids}}):
                enterprise = document["_id"]
                if int(document.get("aggregate_version") or 0) < latest.get(enterprise, 0):
                    rolled_back += 1
                    continue  # not the registry's latest: counted as rolled back, not as found
                mine = [i for i in document.get("applied_event_ids", []) if i in applied_ids.get(enterprise, ())]
                # one effect per registry event applied: an event id listed twice would be applied twice
                found += [(label, enterprise)] * max(1, len(mine) - len(set(mine)) + 1)
    finally:
        client.close()
    # an approval or an order with e-mails to several people is decided once per event here
    decided_once = {key for key in found if key[0] == "e-mail decided"}
    found = [key for key in found if key[0] != "e-mail decided"] + sorted(decided_once)
    return Effects(expected, found, rolled_back)


def await_effects(platform: Platform, mailbox: Mailbox, applicants: list[Applicant], tally: Tally,
                  since: int, reads: dict[tuple[str, str], float]) -> tuple[Effects, list[dict[str, Any]]]:  # fmt: skip
    """Poll until the consumers have read every event published since ``tally`` began (``reads``: their counts
    then) and every expected effect is there, or the time is up; the effects and the events published."""
    state: dict[str, Any] = {}

    def complete() -> bool:
        platform.assert_running()
        state["events"] = tally.records()
        distinct = {topic: len(events) for topic, events in published(state["events"])[2].items()}
        now = consumer_reads(platform)
        for name in platform.processes:
            for topic in platform.subscriptions(name):
                if now.get((name, topic), 0.0) - reads.get((name, topic), 0.0) < distinct.get(topic, 0):
                    return False  # until then, what it will decide is not known (e-mails, for one)
        state["effects"] = effects(platform, mailbox, applicants, state["events"], since)
        return state["effects"].expected <= set(state["effects"].found)

    deadline = time.monotonic() + EFFECTS_TIMEOUT_S
    while not complete() and time.monotonic() < deadline:
        time.sleep(0.5)
    if "effects" not in state:
        state["effects"] = effects(platform, mailbox, applicants, state["events"], since)
    return state["effects"], state["events"]


def consumer_reads(platform: Platform) -> dict[tuple[str, str], float]:
    """Events each consumer read so far, by (process, topic), from its own counters."""
    reads: dict[tuple[str, str], float] = {}
    for name in platform.processes:
        if name.endswith("-consumer"):
            for outcome in ("handled", "ignored", "dead_lettered", "replay_for_another_group"):
                for topic, value in platform.process_counter(name, "consumer_events_total", outcome=outcome).items():
                    reads[name, topic] = reads.get((name, topic), 0.0) + value
    return reads


def suppressed(before: dict[tuple[str, str], float], after: dict[tuple[str, str], float],
               events: list[dict[str, Any]]) -> int:  # fmt: skip
    """Reads beyond the distinct events published on each consumer's topics: duplicates the consumers ignored."""
    distinct = {topic: len(by_topic) for topic, by_topic in published(events)[2].items()}
    extra = 0.0
    for (name, topic), value in after.items():
        extra += max(0.0, value - before.get((name, topic), 0.0) - distinct.get(topic, 0))
    return int(extra)


def report(fault: str, applicants: list[Applicant], found: Effects, events: list[dict[str, Any]], *,
           duplicates: int, recovered_in: float) -> FaultFigures:  # fmt: skip
    figures = record(
        fault,
        events_written=published(events)[1],
        expected=found.expected,
        found=found.found,
        duplicates_suppressed=duplicates,
        rolled_back=found.rolled_back,
        seconds_to_recover=recovered_in,
    )
    figures.assert_exactly_once()
    return figures


def timed(url: str) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = requests.get(url, timeout=30)
    return response, time.monotonic() - started


def ready(base: str) -> int:
    try:
        return requests.get(f"{base.removesuffix('/api/v1')}/readyz", timeout=5).status_code
    except requests.RequestException:
        return 0


# ------------------------------------------------------------------------------------------------ scenarios
def test_kafka_stopped_for_30_s_during_writes_then_every_event_arrives_once(
    platform: Platform, servers: PrivateServers, mailbox: Mailbox
) -> None:
    api = platform.api["registry"]
    pids = platform.pids()
    shop = Shop.open(platform, mailbox)
    tally, since = Tally.begin(servers.kafka_bootstrap), len(mailbox.handler.received)
    reads = consumer_reads(platform)
    applicants = [Applicant.new("kafka") for _ in range(APPLICATIONS)]

    with servers.kafka_away():
        stopped = time.monotonic()
        for applicant in applicants:  # the APIs take every write while Kafka is away: registrations, orders
            applicant.finish(api)
            placed = shop.order(platform)
            assert placed.status_code == 201, placed.text
        assert all(code in (200, 201) for a in applicants for code in a.statuses)
        for base in (api, platform.api["notifications"]):  # web processes never produce to Kafka: they serve on
            readiness = requests.get(f"{base.removesuffix('/api/v1')}/readyz", timeout=5)
            assert readiness.status_code == 200 and readiness.json()["checks"] == {"mongodb": "ok"}, readiness.text
        wrote_in = time.monotonic() - stopped
        assert wrote_in < KAFKA_OUTAGE_S, f"the writes took {wrote_in:.0f} s with Kafka away"
        time.sleep(max(0.0, KAFKA_OUTAGE_S - (time.monotonic() - stopped)))
        platform.assert_running()
        assert mailbox.handler.to(applicants[0].email) == [], "nothing can have reached the mailbox without Kafka"

    back = time.monotonic()
    found, events = await_effects(platform, mailbox, applicants, tally, since, reads)
    recovered_in = time.monotonic() - back
    platform.assert_running()
    assert platform.pids() == pids, "a process was replaced"
    report(f"Kafka stopped {KAFKA_OUTAGE_S:.0f} s during writes", applicants, found, events,
           duplicates=suppressed(reads, consumer_reads(platform), events), recovered_in=recovered_in)  # fmt: skip
    assert recovered_in < RECOVERY_S, f"the effects arrived {recovered_in:.0f} s after Kafka was back"


def test_database_stopped_then_503_with_retry_after_no_half_write_and_every_process_recovers(
    platform: Platform, servers: PrivateServers, mailbox: Mailbox
) -> None:
    api = platform.api["registry"]
    pids = platform.pids()
    tally, since = Tally.begin(servers.kafka_bootstrap), len(mailbox.handler.received)
    reads = consumer_reads(platform)
    applicants = [Applicant.new("database") for _ in range(APPLICATIONS)]
    for applicant in applicants[: APPLICATIONS // 2]:  # half of them are under way when the database goes
        applicant.advance(api)

    with servers.database_away():
        stopped = time.monotonic()
        refused: list[requests.Response] = []
        while time.monotonic() - stopped < DATABASE_OUTAGE_S:
            for applicant in applicants:
                if applicant.step != "done":
                    started = time.monotonic()
                    response = applicant.advance(api)
                    assert response.status_code == 503, (applicant.step, response.status_code, response.text)
                    took = time.monotonic() - started
                    assert took < 3.5, f"the 503 took {took:.1f} s: longer than the database's short timeout"
                    refused.append(response)
        assert refused, "no write was tried during the outage"
        for url, headers in ((f"{api}/register?q=kooperacia", {}), (f"{api}/applications", applicants[0].headers)):
            started = time.monotonic()
            read = requests.get(url, headers=headers, timeout=30)  # reads too: a fast 503, never a 500
            assert read.status_code == 503 and read.headers.get("Retry-After") == "5", read.text
            assert time.monotonic() - started < 3.5
        web = api.removesuffix("/api/v1")
        with ThreadPoolExecutor(6) as pool:  # probes answer at once, never hold both workers nor make others wait
            probes = [pool.submit(timed, f"{web}/readyz") for _ in range(4)]
            live = pool.submit(timed, f"{web}/healthz")
            for probe in probes:
                response, seconds = probe.result()
                assert response.status_code == 503 and seconds < 1.5, (response.status_code, f"{seconds:.1f} s")
                assert response.json()["checks"]["mongodb"].startswith("unavailable")
            response, seconds = live.result()
            assert response.status_code == 200 and seconds < 1.5, f"/healthz waited {seconds:.1f} s behind the probes"
        assert servers.database.alive() is False
        assert all(r.headers.get("Retry-After") == "5" and r.json()["code"] == "service_unavailable" for r in refused)
        assert all(r.json()["message"]["bg"] and r.json()["message"]["en"] for r in refused)

    back = time.monotonic()
    wait_until(lambda: ready(api) == 200, "the registry's web process to be ready again")
    for applicant in applicants:  # the people try again, as Retry-After told them
        applicant.finish(api)
    found, events = await_effects(platform, mailbox, applicants, tally, since, reads)
    recovered_in = time.monotonic() - back
    platform.assert_running()
    assert platform.pids() == pids, "a process was replaced"

    for applicant in applicants:  # the refused writes left nothing: one application each, approved once
        mine = requests.get(f"{api}/applications", headers=applicant.headers, timeout=10)
        assert mine.status_code == 200, mine.text
        assert [item["id"] for item in mine.json()["items"]] == [applicant.application_id]
        assert applicant.statuses.count(201) + applicant.statuses.count(200) == 3
    logs = platform.logs_text()
    assert "internal_error" not in logs, logs[-3000:]
    web_log = platform.processes["registry-web"].log.read_text()
    assert "Traceback" not in web_log, web_log[-3000:]
    assert "dependency unavailable, answered 503: ServerSelectionTimeoutError" in web_log
    report(f"database stopped {DATABASE_OUTAGE_S:.0f} s ({len(refused)} writes refused with 503)", applicants,
           found, events, duplicates=suppressed(reads, consumer_reads(platform), events),
           recovered_in=recovered_in)  # fmt: skip
    # the people's own retries, one request after another, are part of it here
    assert recovered_in < 1.5 * RECOVERY_S, f"the effects arrived {recovered_in:.0f} s after the database was back"


def test_mail_server_down_and_a_hanging_webhook_receiver_delay_nothing_else_and_all_arrives_once(
    platform: Platform, servers: PrivateServers, mailbox: Mailbox
) -> None:
    api, notifications = platform.api["registry"], platform.api["notifications"]
    pids = platform.pids()
    integrator = token(f"integrator-{uuid.uuid4().hex[:6]}", Role.INTEGRATOR)
    with http_receiver() as healthy, hanging_receiver() as hanging:
        subscriptions = []
        for receiver in (healthy, hanging):
            body = {"url": receiver.url, "event_types": [REGISTERED]}
            created = requests.post(f"{notifications}/webhooks", json=body, headers=integrator, timeout=10)
            assert created.status_code == 201, created.text
            subscriptions.append(created.json()["id"])
        tally, since = Tally.begin(servers.kafka_bootstrap), len(mailbox.handler.received)
        reads = consumer_reads(platform)
        applicants = [Applicant.new("smtp") for _ in range(APPLICATIONS)]

        mailbox.down()
        stopped = time.monotonic()
        inbox_late, hook_late = 0.0, 0.0
        for applicant in applicants:
            applicant.finish(api)

            def arrived(me: dict[str, str] = applicant.headers) -> bool:
                items = requests.get(f"{notifications}/inbox", headers=me, timeout=10).json()["items"]
                return any(item["message"] == "application_approved" for item in items)

            wait_until(arrived, "the inbox messages while the mail server is down", timeout=30)
            inbox_late = max(inbox_late, time.monotonic() - applicant.approved_at)
        events_so_far = tally.records()
        registered = {e["event_id"] for e in events_so_far if e["event_type"] == REGISTERED}
        wait_until(lambda: registered <= set(healthy.event_ids()), "the healthy receiver's calls", timeout=30)
        arrivals = {call.event_id: call.at for call in reversed(healthy.hits)}
        by_enterprise = {e["aggregate_id"]: e["event_id"] for e in events_so_far if e["event_type"] == REGISTERED}
        hook_late = max(arrivals[by_enterprise[a.enterprise_id]] - a.approved_at for a in applicants)
        assert inbox_late < 15, f"the inbox waited {inbox_late:.1f} s behind the mail server"
        assert hook_late < 15, f"the healthy receiver waited {hook_late:.1f} s behind the hanging one"
        assert hanging.connections, "the hanging receiver was never called"
        assert mailbox.handler.to(applicants[0].email) == []

        time.sleep(max(0.0, SMTP_OUTAGE_S - (time.monotonic() - stopped)))
        mailbox.up()
        back = time.monotonic()
        found, events = await_effects(platform, mailbox, applicants, tally, since, reads)
        recovered_in = time.monotonic() - back
        hook_calls = len(hanging.connections)
        detail = requests.get(f"{notifications}/webhooks/{subscriptions[1]}", headers=integrator, timeout=10)
        assert detail.status_code == 200, detail.text
        held = detail.json()["recent_deliveries"]

    platform.assert_running()
    assert platform.pids() == pids, "a process was replaced"
    duplicates = suppressed(reads, consumer_reads(platform), events)
    report(f"SMTP down {SMTP_OUTAGE_S:.0f} s (inbox {inbox_late:.1f} s behind at most)", applicants, found, events,
           duplicates=duplicates, recovered_in=recovered_in)  # fmt: skip
    assert recovered_in < RECOVERY_S, f"the e-mails arrived {recovered_in:.0f} s after the mail server was back"

    record(
        f"webhook receiver hangs ({hook_calls} calls timed out or skipped), another healthy "
        f"(on time: {hook_late:.1f} s at most)",
        events_written=len(registered),
        expected={("webhook", event_id) for event_id in registered},
        found=[("webhook", event_id) for event_id in healthy.event_ids()],
        seconds_to_recover=hook_late,
    ).assert_exactly_once()
    # the hanging receiver's calls wait for a later try (timed out, or skipped while its circuit is open)
    assert held and all(d["status"] != "sent" and d["attempts"] >= 1 for d in held if d["attempts"]), held
    assert sum(d["attempts"] for d in held) >= 1 and all(d["status"] != "sent" for d in held), held
    hanging_host = hanging.url.removeprefix("http://").removesuffix("/hooks")
    assert (
        f"webhook:{hanging_host} failed repeatedly: skipped for"
        in platform.processes["notifications-sender"].log.read_text()
    )


def test_no_email_reached_the_server_twice(platform: Platform, mailbox: Mailbox) -> None:
    """Over every outage of this module: an e-mail delivered late, after its scenario looked, is no second copy."""
    copies = Counter(str(received.message["Message-ID"]) for received in mailbox.handler.received)
    assert copies, "no e-mail reached the mail server"
    doubled = {message_id: count for message_id, count in copies.items() if count > 1}
    assert not doubled, f"e-mails received more than once: {doubled}"
