"""The sender delivers what the consumer recorded, against real FerretDB, a real SMTP server (aiosmtpd) and
real HTTP receivers on 127.0.0.1: a receiver that hangs delays neither e-mails nor other webhooks, and an
SMTP server that is down for a while gets every e-mail exactly once when it returns, with two senders."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, Session
from aiosmtpd.smtp import Envelope as SmtpEnvelope
from flask.testing import FlaskClient
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from services.notifications.adapters.deliveries import DELIVERIES
from services.notifications.adapters.webhooks import SUBSCRIPTIONS, WEBHOOK_DELIVERIES
from services.notifications.entrypoints.wiring import Notifications, build, build_sender
from services.notifications.service_layer.sending import Breaker, CircuitState, DeliverySender, SenderSettings
from tests.integration.notifications_api import (
    LOCALHOST,
    CollectingHandler,
    SmtpServer,
    fake_render,
    free_port,
    notice,
    start_smtp,
)
from tests.integration.test_notifications_webhooks import envelope, subscribe
from tests.polling import wait_until
from tests.webhook_receiver import http_receiver

pytestmark = pytest.mark.integration


@contextmanager
def running(sender: DeliverySender) -> Iterator[DeliverySender]:
    """The sender's loop in a thread, as the ``notifications-sender`` process runs it; stopped at the end."""
    stop = threading.Event()
    thread = threading.Thread(target=sender.run, args=(stop.is_set,), daemon=True)
    thread.start()
    try:
        yield sender
    finally:
        stop.set()
        sender.wake.set()
        thread.join(timeout=30)
        assert not thread.is_alive(), "the sender did not stop"


@pytest.fixture(autouse=True)
def quick_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short timeouts and waits, so the faults take seconds."""
    monkeypatch.setenv("WEBHOOKS_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("WEBHOOK_TIMEOUT_SECONDS", "1")
    monkeypatch.setenv("WEBHOOK_DISABLE_AFTER", "100")
    monkeypatch.setenv("WEBHOOK_RETRY_BASE_SECONDS", "60")
    monkeypatch.setenv("SMTP_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("SMTP_RETRY_BASE_SECONDS", "1")
    monkeypatch.setenv("SMTP_RETRY_MAX_SECONDS", "2")
    monkeypatch.setenv("SMTP_MAX_ATTEMPTS", "50")


def test_a_hanging_webhook_receiver_delays_neither_emails_nor_other_webhooks(
    notifications: FlaskClient, notifications_db: Database, smtp_server: SmtpServer
) -> None:
    service = build(notifications_db, renderer=fake_render)
    count = 8
    with http_receiver(hang=30) as hanging, http_receiver() as fast:
        hanging_id = subscribe(notifications, hanging.url)["id"]
        subscribe(notifications, fast.url)

        started = time.monotonic()
        for i in range(count):  # what the consumer does for each event: record, never call
            service.webhooks.dispatch(envelope())
            service.deliveries.deliver([notice(f"email:person{i}@example.bg", f"person{i}@example.bg")])
        recorded_in = time.monotonic() - started
        assert recorded_in < 3, f"recording {count} events took {recorded_in:.1f} s: the consumer waited for calls"
        assert hanging.hits == [] and fast.hits == [] and smtp_server.handler.received == []

        settings = SenderSettings(concurrency=4, per_destination=2, breaker_failures=2, breaker_cooldown=60)
        with running(build_sender(service, settings)) as sender:
            started = time.monotonic()
            wait_until(lambda: len(smtp_server.handler.received) == count and len(fast.hits) == count,
                       "every e-mail and every call to the receiver that answers", timeout=15)  # fmt: skip
            took = time.monotonic() - started
            hung_destination = f"webhook:{LOCALHOST}:{hanging.url.split(':')[2].split('/')[0]}"
            wait_until(lambda: sender.breaker(hung_destination).state is CircuitState.OPEN, "the circuit to open")

        assert took < 6, f"the others waited {took:.1f} s behind the hanging receiver"
        assert len(hanging.hits) <= 3, "skipped once its circuit opened: at most the calls that were in flight"
        held = list(notifications_db[WEBHOOK_DELIVERIES].find({"subscription_id": hanging_id}))
        assert len(held) == count
        assert {d["status"] for d in held} <= {"pending", "retrying"}, "kept for later, not given up"
        assert notifications_db[DELIVERIES].count_documents({"status": "sent"}) == count
        print(  # the figures of the fault (pytest -s shows them)
            f"\nhanging receiver: events {count}, e-mails and fast calls expected {2 * count}, found "
            f"{len(smtp_server.handler.received) + len(fast.hits)} in {took:.1f} s (recorded in {recorded_in:.2f} s), "
            f"calls to the hanging host {len(hanging.hits)} then skipped, {len(held)} kept for later, doubled 0, lost 0"
        )


def test_an_smtp_server_down_for_a_while_gets_every_email_once_when_it_returns_with_two_senders(
    infra: Any, notifications_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("SMTP_HOST", LOCALHOST)
    monkeypatch.setenv("SMTP_PORT", str(port))  # nobody listens yet
    clients = [MongoClient(infra.mongodb_uri, tz_aware=True) for _ in range(2)]
    replicas: list[Notifications] = [build(c[notifications_db.name], renderer=fake_render) for c in clients]
    count = 20
    notices = [notice(f"email:person{i}@example.bg", f"person{i}@example.bg") for i in range(count)]
    assert replicas[0].deliveries.deliver(notices) == {"inbox_delivered": count, "email_pending": count}

    settings = SenderSettings(concurrency=4, breaker_failures=3, breaker_cooldown=1, poll_seconds=0.2)
    senders = [build_sender(replica, settings) for replica in replicas]
    handler = CollectingHandler()
    try:
        with running(senders[0]), running(senders[1]):
            wait_until(lambda: all(s.open_circuits() for s in senders), "both senders to stop trying the server")
            tried = notifications_db[DELIVERIES].count_documents({"status": "retrying"})
            assert 0 < tried < count, "the circuit stops the senders before every e-mail has spent an attempt"

            controller = start_smtp(handler, port)  # the server is back
            back = time.monotonic()
            wait_until(lambda: len(handler.received) == count, "every e-mail after the server came back", timeout=30)
            recovered = time.monotonic() - back
            wait_until(lambda: all(s.in_flight() == 0 for s in senders), "the senders to finish")
            wait_until(
                lambda: notifications_db[DELIVERIES].count_documents({"status": "sent"}) == count, "all marked sent"
            )
        controller.stop()
    finally:
        for client in clients:
            client.close()

    recipients = sorted(r.rcpt_tos[0] for r in handler.received)
    assert recipients == sorted(n.recipient.email for n in notices), "each e-mail once: none lost, none doubled"
    assert len({r.message["Message-ID"] for r in handler.received}) == count
    assert handler.data_commands == count
    attempts = sum(d["attempts"] for d in notifications_db[DELIVERIES].find())
    print(  # the figures of the fault (pytest -s shows them)
        f"\nSMTP down then up: e-mails written {count}, expected {count}, found {len(handler.received)}, "
        f"doubled 0, lost 0, attempts {attempts}, seconds to recover {recovered:.1f}"
    )
    assert recovered < 10


def test_the_breaker_skips_a_failing_destination_and_probes_it_after_the_cool_down() -> None:
    now = [100.0]
    breaker = Breaker(failures=2, cooldown=30, monotonic=lambda: now[0])
    assert breaker.allowed(4) == 4
    assert not breaker.failed()
    assert breaker.failed(), "the second failure in a row opens it"
    assert breaker.allowed(4) == 0
    now[0] += 30
    assert breaker.state is CircuitState.HALF_OPEN and breaker.allowed(4) == 1, "one probe"
    assert breaker.failed(), "a failed probe opens it again"
    assert breaker.allowed(4) == 0
    now[0] += 30
    breaker.succeeded()
    assert breaker.state is CircuitState.CLOSED and breaker.allowed(4) == 4


@dataclass
class SessionsCounting(CollectingHandler):
    """Also notes each SMTP session (by the client's address) that carried a message."""

    sessions: set[tuple[str, int]] = field(default_factory=set)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: SmtpEnvelope) -> str:
        self.sessions.add(tuple(session.peer))
        return await super().handle_DATA(server, session, envelope)


def test_a_burst_of_emails_goes_through_a_few_kept_sessions_and_few_looks_each_once(
    infra: Any, notifications_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sender keeps its SMTP sessions open for the next e-mails (a connection, greeting and goodbye per
    e-mail cost more than the e-mail) and refills its pool from one look at the due e-mails; when the server
    closed the kept sessions meanwhile, the next e-mails go through new ones at their first attempt."""
    handler = SessionsCounting()
    controller = start_smtp(handler)
    monkeypatch.setenv("SMTP_HOST", LOCALHOST)
    monkeypatch.setenv("SMTP_PORT", str(controller.port))
    looks: list[str] = []

    class Looks(monitoring.CommandListener):
        def started(self, event: monitoring.CommandStartedEvent) -> None:
            if event.command_name == "find" and event.command.get("find") == DELIVERIES:
                looks.append(event.command_name)

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
            pass

        def failed(self, event: monitoring.CommandFailedEvent) -> None:
            pass

    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[Looks()])
    service = build(client[notifications_db.name], renderer=fake_render)
    count = 30
    first = [notice(f"email:first{i}@example.bg", f"first{i}@example.bg") for i in range(count)]
    second = [notice(f"email:second{i}@example.bg", f"second{i}@example.bg") for i in range(10)]
    settings = SenderSettings(concurrency=4, poll_seconds=2)
    sender = build_sender(service, settings)
    try:
        with running(sender):
            service.deliveries.deliver(first)
            wait_until(lambda: len(handler.received) == count, "the burst of e-mails")
            looked = len(looks)
            controller.stop()  # the server goes away and comes back: the sessions kept open are closed
            controller = start_smtp(handler, controller.port)
            service.deliveries.deliver(second)
            wait_until(lambda: len(handler.received) == count + len(second), "the e-mails after the restart")
            wait_until(lambda: sender.in_flight() == 0, "the sender to finish")
    finally:
        controller.stop()
        client.close()

    recipients = sorted(r.rcpt_tos[0] for r in handler.received)
    assert recipients == sorted(n.recipient.email or "" for n in first + second), "each e-mail once"
    assert len({r.message["Message-ID"] for r in handler.received}) == count + len(second)
    assert len(handler.sessions) <= 2 * settings.destination_limit, f"{len(handler.sessions)} SMTP sessions"
    assert looked < count / 3, f"{looked} looks for due e-mails to send {count}"
    attempts = [d["attempts"] for d in notifications_db[DELIVERIES].find({}, {"attempts": 1})]
    assert attempts == [1] * (count + len(second)), "an e-mail failed on a session the server had closed"
    total = count + len(second)
    print(f"\n{total} e-mails: {len(handler.sessions)} SMTP sessions, {looked} looks for the first {count}")


def test_a_burst_of_emails_costs_looks_for_webhook_calls_by_the_second_not_by_the_email(
    infra: Any, notifications_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each finished call wakes the sender to refill its pool; it used to look for due webhook calls on every
    wake (the subscriptions and two queries of the webhook deliveries: three reads of whole collections on
    FerretDB for every e-mail sent). It now looks at most once per ``poll_seconds`` unless a webhook call
    finished or the last look was full, and an e-mail recorded after the burst still goes out."""
    controller = start_smtp(handler := CollectingHandler())
    monkeypatch.setenv("SMTP_HOST", LOCALHOST)
    monkeypatch.setenv("SMTP_PORT", str(controller.port))
    reads: list[str] = []

    class Reads(monitoring.CommandListener):
        def started(self, event: monitoring.CommandStartedEvent) -> None:
            collection = event.command.get(event.command_name)
            if event.command_name in ("find", "aggregate") and collection in (SUBSCRIPTIONS, WEBHOOK_DELIVERIES):
                reads.append(collection)

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
            pass

        def failed(self, event: monitoring.CommandFailedEvent) -> None:
            pass

    client: MongoClient[dict[str, Any]] = MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[Reads()])
    service = build(client[notifications_db.name], renderer=fake_render)
    count = 30
    burst = [notice(f"email:burst{i}@example.bg", f"burst{i}@example.bg") for i in range(count)]
    late = notice("email:late@example.bg", "late@example.bg")
    settings = SenderSettings(concurrency=4, poll_seconds=2)
    sender = build_sender(service, settings)
    service.deliveries.deliver(burst)
    started = time.monotonic()
    try:
        with running(sender):
            wait_until(lambda: len(handler.received) == count, "the burst of e-mails")
            service.deliveries.deliver([late])
            wait_until(lambda: len(handler.received) == count + 1, "the e-mail recorded after the burst")
            elapsed = time.monotonic() - started
    finally:
        controller.stop()
        client.close()

    recipients = sorted(r.rcpt_tos[0] for r in handler.received)
    assert recipients == sorted(n.recipient.email or "" for n in [*burst, late]), "each e-mail once"
    allowed = 3 * (elapsed / settings.poll_seconds + 2)
    assert len(reads) <= allowed, f"{len(reads)} reads for webhook calls in {elapsed:.1f} s ({count + 1} e-mails)"
    print(f"\n{count + 1} e-mails in {elapsed:.1f} s: {len(reads)} reads for due webhook calls")
