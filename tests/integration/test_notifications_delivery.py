"""Delivering notices against real FerretDB and a real SMTP server: once per (event, recipient, channel)."""

from __future__ import annotations

import hashlib
import ssl
import subprocess
import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from services.notifications.adapters.deliveries import DELIVERIES, MongoDeliveries
from services.notifications.adapters.inbox import INBOX
from services.notifications.adapters.smtp import SmtpSender
from services.notifications.config import SmtpSettings
from services.notifications.domain.notice import Notice
from services.notifications.entrypoints.wiring import Notifications, build
from services.notifications.service_layer.delivering import (
    Delivery,
    DeliveryService,
    DeliveryStatus,
    RetryPolicy,
    TransientSendError,
)
from shared.clock import FixedClock
from tests.integration.notifications_api import (
    LOCALHOST,
    CollectingHandler,
    SmtpServer,
    fake_render,
    free_port,
    notice,
    start_smtp,
)

pytestmark = pytest.mark.integration

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
ELENA = "elena@dobroutro.example.bg"
SUBJECT_BG = "Заявлението на „Добро утро“ е одобрено"


class Crash(BaseException):
    """The process dies here: nothing after this point runs, nothing catches it."""


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def service(notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock) -> Notifications:
    return build(notifications_db, clock=clock, renderer=fake_render)


def delivery_of(service: Notifications, sent: Notice, channel: str = "email") -> Delivery:
    delivery = service.deliveries.deliveries.get(f"{sent.delivery_key}:{channel}")
    assert delivery is not None
    return delivery


def statuses(delivery: Delivery) -> list[str]:
    return [change.status.value for change in delivery.history]


def test_a_notice_becomes_one_email_and_one_inbox_message(
    service: Notifications, smtp_server: SmtpServer, notifications_db: Database
) -> None:
    sent = notice()

    assert service.deliveries.deliver([sent]) == {"inbox_delivered": 1, "email_pending": 1}
    assert smtp_server.handler.received == [], "the consumer only records: the sender sends"
    assert service.deliveries.send_due() == 1

    [received] = smtp_server.handler.received
    message = received.message
    assert received.rcpt_tos == [ELENA]
    assert received.mail_from == "no-reply@solidarityhub.example.bg"
    assert message["Subject"] == SUBJECT_BG
    assert message["To"].addresses[0].display_name == "Елена Георгиева"
    assert message["To"].addresses[0].addr_spec == ELENA
    assert message["From"].addresses[0].display_name == "Солидарна платформа"
    received.raw.decode("ascii")  # 7-bit clean: the Cyrillic travels encoded
    assert b"=?utf-8?" in received.raw
    assert message.get_content_type() == "multipart/alternative"
    plain_part, html_part = message.get_body(("plain",)), message.get_body(("html",))
    assert plain_part is not None and html_part is not None
    assert SUBJECT_BG in plain_part.get_content()
    assert f"<strong>{SUBJECT_BG}</strong>" in html_part.get_content()
    delivery_id = f"{sent.event_id}:email:{ELENA}:email"
    digest = hashlib.sha256(delivery_id.encode()).hexdigest()[:32]
    assert message["Message-ID"] == f"<{digest}@solidarityhub.example.bg>"
    assert ELENA not in message["Message-ID"]

    delivery = delivery_of(service, sent)
    assert delivery.status is DeliveryStatus.SENT
    assert statuses(delivery) == ["pending", "sending", "sent"]
    assert delivery.attempts == 1 and delivery.sent_at == NOW and delivery.claim_id is None

    [inbox_message] = list(notifications_db[INBOX].find())
    assert inbox_message["_id"] == f"{sent.delivery_key}:inbox"
    assert inbox_message["owner"] == f"email:{ELENA}"
    assert inbox_message["subject"] == SUBJECT_BG
    assert inbox_message["message"] == "application_approved"
    assert inbox_message["event_type"] == "registry.ApplicationApproved"
    assert inbox_message["read_at"] is None


def test_the_recipients_language_and_an_inbox_only_recipient(
    service: Notifications, smtp_server: SmtpServer, notifications_db: Database
) -> None:
    in_english = notice("user:ivan", "ivan@example.bg", language="en")
    clerks = notice("centre:varna", None)

    counts = service.deliveries.deliver([in_english, clerks])

    assert counts == {"inbox_delivered": 2, "email_pending": 1}
    assert service.deliveries.send_due() == 1
    [received] = smtp_server.handler.received
    assert received.message["Subject"] == "The application of “Добро утро” is approved"
    assert notifications_db[INBOX].count_documents({"owner": "centre:varna"}) == 1
    assert notifications_db[DELIVERIES].count_documents({}) == 1


def test_a_replayed_topic_delivers_nothing_twice(
    service: Notifications, smtp_server: SmtpServer, notifications_db: Database
) -> None:
    notices = [notice(), notice("enterprise:dobroutro", None), notice("user:ivan", "Ivan@Example.bg")]
    service.deliveries.deliver(notices)
    assert service.deliveries.send_due() == 2

    again = service.deliveries.deliver(notices)
    assert service.deliveries.send_due() == 0

    assert again == {"inbox_duplicates": 3, "email_duplicates": 2}
    assert len(smtp_server.handler.received) == 2
    assert notifications_db[INBOX].count_documents({}) == 3
    assert notifications_db[INBOX].count_documents({"owner": "email:ivan@example.bg"}) == 0
    assert notifications_db[INBOX].count_documents({"owner": "user:ivan"}) == 1


def test_two_replicas_delivering_the_same_notices_at_once_send_each_once(
    infra: Any, notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    notices = [notice(f"email:person{i}@example.bg", f"person{i}@example.bg") for i in range(6)]
    clients = [MongoClient(infra.mongodb_uri, tz_aware=True) for _ in range(2)]
    replicas = [build(c[notifications_db.name], clock=clock, renderer=fake_render) for c in clients]
    start = threading.Barrier(2)
    results: list[dict[str, int]] = []
    errors: list[BaseException] = []

    def run(replica: Notifications) -> None:
        try:
            start.wait(timeout=10)
            results.append(replica.deliveries.deliver(notices))
            start.wait(timeout=10)
            results.append({"email_sent": replica.deliveries.send_due()})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for client in clients:
        client.close()

    assert not errors
    total = sum((Counter(r) for r in results), Counter())
    assert total == {"inbox_delivered": 6, "inbox_duplicates": 6, "email_pending": 6, "email_duplicates": 6,
                     "email_sent": 6}  # fmt: skip
    received = smtp_server.handler.received
    assert sorted(r.rcpt_tos[0] for r in received) == sorted(n.recipient.email for n in notices)
    assert len({r.message["Message-ID"] for r in received}) == 6
    assert notifications_db[INBOX].count_documents({}) == 6
    assert notifications_db[DELIVERIES].count_documents({"status": "sent"}) == 6


def test_a_4xx_answer_is_retried_with_backoff_and_then_sent(
    service: Notifications, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    smtp_server.handler.replies.append("451 4.7.1 Greylisted, please try again later")
    sent = notice()

    assert service.deliveries.deliver([sent]) == {"inbox_delivered": 1, "email_pending": 1}
    assert service.deliveries.send_due() == 0

    delivery = delivery_of(service, sent)
    assert delivery.status is DeliveryStatus.RETRYING
    assert delivery.history[-1].reason is not None and "451 4.7.1 Greylisted" in delivery.history[-1].reason
    assert delivery.next_attempt_at is not None
    assert NOW + timedelta(seconds=7) <= delivery.next_attempt_at <= NOW + timedelta(seconds=15)  # seconds, not minutes
    assert service.deliveries.send_due(NOW + timedelta(seconds=7)) == 0  # not due yet
    assert smtp_server.handler.received == []

    clock.advance(seconds=15)
    assert service.deliveries.send_due(clock.now()) == 1

    [received] = smtp_server.handler.received
    assert received.message["Subject"] == SUBJECT_BG
    delivery = delivery_of(service, sent)
    assert delivery.status is DeliveryStatus.SENT and delivery.attempts == 2
    assert statuses(delivery) == ["pending", "sending", "retrying", "sending", "sent"]
    assert service.deliveries.send_due(clock.now() + timedelta(days=1)) == 0
    assert len(smtp_server.handler.received) == 1


def test_a_5xx_answer_fails_for_good_with_the_reason(service: Notifications, smtp_server: SmtpServer) -> None:
    smtp_server.handler.replies.append("550 5.7.1 Message rejected as spam")
    sent = notice()

    service.deliveries.deliver([sent])
    assert service.deliveries.attempt(f"{sent.delivery_key}:email") == "failed"

    delivery = delivery_of(service, sent)
    assert delivery.status is DeliveryStatus.FAILED
    assert statuses(delivery) == ["pending", "sending", "failed"]
    assert delivery.history[-1].reason == "message refused: 550 5.7.1 Message rejected as spam"
    assert service.deliveries.send_due(NOW + timedelta(days=1)) == 0
    assert smtp_server.handler.data_commands == 1


def test_a_malformed_address_fails_without_reaching_the_server(service: Notifications, smtp_server: SmtpServer) -> None:
    sent = notice("user:typo", "elena.dobroutro.example.bg")

    service.deliveries.deliver([sent])
    assert service.deliveries.attempt(f"{sent.delivery_key}:email") == "failed"

    reason = delivery_of(service, sent).history[-1].reason
    assert reason is not None and "not a valid e-mail address" in reason
    assert smtp_server.handler.data_commands == 0


def test_transient_errors_give_up_after_the_configured_attempts(
    notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_MAX_ATTEMPTS", "2")
    service = build(notifications_db, clock=clock, renderer=fake_render)
    smtp_server.handler.replies.extend(["421 4.3.2 Shutting down", "452 4.3.1 Insufficient system storage"])
    sent = notice()

    service.deliveries.deliver([sent])
    assert service.deliveries.send_due() == 0
    clock.advance(hours=1)
    assert service.deliveries.send_due(clock.now()) == 0

    delivery = delivery_of(service, sent)
    assert delivery.status is DeliveryStatus.FAILED
    assert statuses(delivery) == ["pending", "sending", "retrying", "sending", "failed"]
    assert (
        delivery.history[-1].reason
        == "message refused: 452 4.3.1 Insufficient system storage (gave up after 2 attempts)"
    )
    assert smtp_server.handler.received == []


def test_a_server_that_is_down_is_a_transient_error(
    notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    nobody_listens = SmtpSender(smtp_server.settings(port=free_port()), timeout=5)
    service = build(notifications_db, clock=clock, sender=nobody_listens, renderer=fake_render)
    sent = notice()

    service.deliveries.deliver([sent])
    assert service.deliveries.attempt(f"{sent.delivery_key}:email") == "retrying"

    reason = delivery_of(service, sent).history[-1].reason
    assert reason is not None and "ConnectionRefusedError" in reason


class CrashBeforeClaim(MongoDeliveries):
    def claim(self, *args: Any) -> Delivery | None:
        raise Crash


def service_with(db: Database, clock: FixedClock, settings: SmtpSettings, **parts: Any) -> DeliveryService:
    """A delivery service like the wired one, with some of its parts replaced."""
    real = build(db, clock=clock, renderer=fake_render).deliveries
    return DeliveryService(
        parts.get("deliveries", real.deliveries),
        real.inbox,
        parts.get("sender", SmtpSender(settings)),
        fake_render,
        clock,
        policy=parts.get("policy"),
    )


class CrashingSender:
    """Dies before the SMTP conversation, or (``after_accept``) after the server accepted the message."""

    def __init__(self, real: SmtpSender, *, after_accept: bool) -> None:
        self._real = real
        self._after_accept = after_accept

    def send(self, *args: Any, on_accepted: Callable[[], None] | None = None, **kwargs: Any) -> None:
        if not self._after_accept:
            raise Crash

        def die() -> None:
            raise Crash

        self._real.send(*args, on_accepted=die, **kwargs)


def test_a_crash_after_the_intent_and_before_sending_is_sent_once_by_the_retry_pass(
    service: Notifications, notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    sent = notice()
    crashing = service_with(
        notifications_db, clock, smtp_server.settings(), deliveries=CrashBeforeClaim(notifications_db)
    )
    crashing.deliver([sent])
    with pytest.raises(Crash):
        crashing.send_due()
    assert delivery_of(service, sent).status is DeliveryStatus.PENDING
    assert smtp_server.handler.received == []

    assert service.deliveries.deliver([sent]) == {"inbox_duplicates": 1, "email_duplicates": 1}  # the replay
    assert service.deliveries.send_due(clock.now()) == 1
    assert service.deliveries.send_due(clock.now() + timedelta(days=1)) == 0

    assert len(smtp_server.handler.received) == 1
    assert statuses(delivery_of(service, sent)) == ["pending", "sending", "sent"]


def test_a_crash_between_claim_and_smtp_is_sent_once_after_the_claim_times_out(
    service: Notifications, notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    sent = notice()
    settings = smtp_server.settings()
    crashing = service_with(
        notifications_db, clock, settings, sender=CrashingSender(SmtpSender(settings), after_accept=False)
    )
    crashing.deliver([sent])
    with pytest.raises(Crash):
        crashing.send_due()
    assert delivery_of(service, sent).status is DeliveryStatus.SENDING

    assert service.deliveries.send_due(clock.now() + timedelta(minutes=9)) == 0  # the claim is still live
    assert smtp_server.handler.received == []
    assert service.deliveries.send_due(clock.now() + timedelta(minutes=10)) == 1

    assert len(smtp_server.handler.received) == 1
    delivery = delivery_of(service, sent)
    assert statuses(delivery) == ["pending", "sending", "sending", "sent"] and delivery.attempts == 2


def test_the_documented_window_a_crash_after_the_server_accepted_sends_it_again_with_the_same_message_id(
    service: Notifications, notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    sent = notice()
    settings = smtp_server.settings()
    crashing = service_with(
        notifications_db, clock, settings, sender=CrashingSender(SmtpSender(settings), after_accept=True)
    )
    crashing.deliver([sent])
    with pytest.raises(Crash):
        crashing.send_due()
    assert len(smtp_server.handler.received) == 1
    assert delivery_of(service, sent).status is DeliveryStatus.SENDING

    assert service.deliveries.send_due(clock.now() + timedelta(minutes=10)) == 1

    first, second = smtp_server.handler.received
    assert first.message["Message-ID"] == second.message["Message-ID"]
    assert first.message.get_body(("plain",)).get_content() == second.message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert delivery_of(service, sent).status is DeliveryStatus.SENT


def test_an_abandoned_last_attempt_is_failed_without_sending_again(
    service: Notifications, notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    sent = notice()
    settings = smtp_server.settings()
    crashing = service_with(
        notifications_db,
        clock,
        settings,
        sender=CrashingSender(SmtpSender(settings), after_accept=False),
        policy=RetryPolicy(max_attempts=1),
    )
    crashing.deliver([sent])
    with pytest.raises(Crash):
        crashing.send_due()

    last_pass = service_with(notifications_db, clock, settings, policy=RetryPolicy(max_attempts=1))
    assert last_pass.send_due(clock.now() + timedelta(minutes=10)) == 0

    delivery = delivery_of(service, sent)
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.history[-1].reason == "attempt 1 never finished; the e-mail may or may not have been sent"
    assert smtp_server.handler.data_commands == 0


def test_abandoned_claims_are_looked_for_once_per_tenth_of_the_claim_timeout_and_still_resent(
    infra: Any, service: Notifications, notifications_db: Database, smtp_server: SmtpServer, clock: FixedClock
) -> None:
    """The sender looks for due e-mails every second; the query for claims abandoned by a dead sender (a read of
    every delivery ever made, on FerretDB) ran with each look, though a claim counts as abandoned only ten
    minutes after it was made. It now runs once per minute, and the abandoned e-mail still goes out."""
    looks: list[datetime] = []

    class AbandonedLooks(monitoring.CommandListener):
        def started(self, event: monitoring.CommandStartedEvent) -> None:
            query = event.command.get("filter", {})
            if event.command.get("find") == DELIVERIES and query.get("status") == DeliveryStatus.SENDING.value:
                looks.append(clock.now())

        def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
            pass

        def failed(self, event: monitoring.CommandFailedEvent) -> None:
            pass

    sent = notice()
    settings = smtp_server.settings()
    crashing = service_with(
        notifications_db, clock, settings, sender=CrashingSender(SmtpSender(settings), after_accept=False)
    )
    crashing.deliver([sent])
    with pytest.raises(Crash):
        crashing.send_due()  # the claim is left behind, as by a sender killed mid-attempt

    client: MongoClient[dict[str, Any]] = MongoClient(
        infra.mongodb_uri, tz_aware=True, event_listeners=[AbandonedLooks()]
    )
    try:
        sender = service_with(client[notifications_db.name], clock, settings)
        for _ in range(30):  # the sender's looks, a second apart
            clock.advance(seconds=1)
            assert sender.due() == []
        assert len(looks) == 1, f"{len(looks)} looks for abandoned claims in 30 s"
        clock.advance(minutes=10)
        assert sender.send_due() == 1
    finally:
        client.close()
    assert len(looks) == 2
    assert [r.rcpt_tos for r in smtp_server.handler.received] == [[sent.recipient.email]]
    assert delivery_of(service, sent).status is DeliveryStatus.SENT


# ---------------------------------------------------------------------- STARTTLS and login
def self_signed(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={LOCALHOST}",
         "-addext", f"subjectAltName=IP:{LOCALHOST}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


def test_starttls_and_login_from_the_configuration(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
        assert isinstance(data, LoginPassword)
        logins.append((data.login, data.password))
        return AuthResult(success=data.password == b"s3cret-key", handled=False)  # aiosmtpd answers 535

    handler = CollectingHandler()
    controller = start_smtp(
        handler, tls_context=server_tls, require_starttls=True, authenticator=authenticate, auth_required=True
    )
    try:
        server = SmtpServer(handler, LOCALHOST, controller.port)
        client_tls = ssl.create_default_context(cafile=str(cert))
        settings = server.settings(starttls=True, username="notifications", password="s3cret-key")
        SmtpSender(settings, ssl_context=client_tls).send(
            ELENA, SUBJECT_BG, "текст", "<p>текст</p>", "<a.1@example.bg>"
        )

        wrong = server.settings(starttls=True, username="notifications", password="wrong-key")
        with pytest.raises(TransientSendError, match="535"):
            SmtpSender(wrong, ssl_context=client_tls).send(ELENA, SUBJECT_BG, "текст", "<p>текст</p>", "<a.2@x.bg>")
    finally:
        controller.stop()

    [received] = handler.received
    assert received.message["Subject"] == SUBJECT_BG
    assert logins[0] == (b"notifications", b"s3cret-key")
