"""The sender claims due e-mails in bulk and finds them through their due hints, against real FerretDB and a
real SMTP server (aiosmtpd): two senders racing over one batch send each e-mail once and every one; a sender
killed after claiming a batch leaves it to another once the claims time out (the one accepted but not recorded
goes again with its Message-ID); and the hints stay right after a crash between any two of their writes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from pymongo import MongoClient, monitoring
from pymongo.database import Database

from services.notifications.adapters import attempts
from services.notifications.adapters.deliveries import DELIVERIES
from services.notifications.adapters.smtp import SmtpSender
from services.notifications.entrypoints.wiring import Notifications, build, build_sender
from services.notifications.service_layer.delivering import Delivery, DeliveryService
from services.notifications.service_layer.sending import SenderSettings
from shared.clock import FixedClock
from tests.integration.notifications_api import (
    Crash,
    SmtpServer,
    deliver_dying_after_the_hints,
    fake_render,
    free_port,
    notice,
)
from tests.polling import wait_until

pytestmark = pytest.mark.integration

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
HINTS = f"{DELIVERIES}_due"


class ClaimWrites(monitoring.CommandListener):
    """Counts the write commands that claim deliveries (bulk updates and one-by-one claims)."""

    def __init__(self) -> None:
        self.commands = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        command = event.command
        if event.command_name == "findAndModify" and command.get("findAndModify") == DELIVERIES:
            self.commands += 1
        if event.command_name == "update" and command.get("update") == DELIVERIES:
            self.commands += any("attempts" in u["q"] for u in command.get("updates", []))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def test_two_senders_racing_over_one_batch_send_each_email_once_and_every_one(
    infra: Any, notifications_db: Database, smtp_server: SmtpServer
) -> None:
    count = 60
    writes = [ClaimWrites(), ClaimWrites()]
    clients = [MongoClient(infra.mongodb_uri, tz_aware=True, event_listeners=[w]) for w in writes]
    replicas = [build(client[notifications_db.name], renderer=fake_render) for client in clients]
    notices = [notice(f"email:racer{i}@example.bg", f"racer{i}@example.bg") for i in range(count)]
    replicas[0].deliveries.deliver(notices)
    try:
        looks = [replica.deliveries.due(limit=count) for replica in replicas]
        assert looks[0] == looks[1] and len(looks[0]) == count, "both senders found the same batch"
        start = threading.Barrier(2)
        won: list[list[tuple[Delivery, str]]] = [[], []]

        def race(i: int) -> None:
            start.wait()
            won[i], rest = replicas[i].deliveries.claim_due(looks[i])
            assert rest == []
            for delivery, claim_id in won[i]:
                assert replicas[i].deliveries.attempt_claimed(delivery, claim_id) == "sent"

        threads = [threading.Thread(target=race, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert [replica.deliveries.due() for replica in replicas] == [[], []], "nothing left due"
    finally:
        for client in clients:
            client.close()

    mine = [{d.id for d, _ in w} for w in won]
    assert not mine[0] & mine[1], "an e-mail won by both senders"
    recipients = sorted(r.rcpt_tos[0] for r in smtp_server.handler.received)
    assert recipients == sorted(n.recipient.email or "" for n in notices), "each e-mail once: none lost, none doubled"
    assert notifications_db[DELIVERIES].count_documents({"status": "sent"}) == count
    assert notifications_db[HINTS].count_documents({"due_at": {"$exists": True}}) == 0, "a hint left behind"
    assert all(w.commands <= 2 for w in writes), f"claim commands per sender: {[w.commands for w in writes]}"
    print(
        f"\ntwo senders, one batch: written {count}, expected {count}, found {len(recipients)}, won "
        f"{len(mine[0])} + {len(mine[1])}, doubled 0, lost 0, claim commands {[w.commands for w in writes]}"
    )


class DiesAfterAcceptance:
    """Sends through the real SMTP sender; after ``sent`` e-mails the process dies once the server accepted."""

    def __init__(self, real: SmtpSender, sent: int) -> None:
        self._real = real
        self._left = sent

    def send(self, *args: Any, on_accepted: Callable[[], None] | None = None, **kwargs: Any) -> None:
        self._left -= 1
        dying = self._left < 0

        def accepted() -> None:
            if dying:
                raise Crash
            assert on_accepted is not None
            on_accepted()

        self._real.send(*args, on_accepted=accepted, **kwargs)


def fixed(db: Database, clock: FixedClock, sender: Any = None) -> Notifications:
    return build(db, clock=clock, renderer=fake_render, sender=sender)


def test_a_sender_killed_after_claiming_a_batch_leaves_it_to_another_once_the_claims_time_out(
    notifications_db: Database, smtp_server: SmtpServer
) -> None:
    clock = FixedClock(NOW)
    count = 10
    notices = [notice(f"email:batch{i}@example.bg", f"batch{i}@example.bg") for i in range(count)]
    killed = fixed(notifications_db, clock, DiesAfterAcceptance(SmtpSender(smtp_server.settings()), sent=2))
    killed.deliveries.deliver(notices)
    won, _ = killed.deliveries.claim_due(killed.deliveries.due())
    assert len(won) == count
    with pytest.raises(Crash):  # two sent and recorded, the third accepted by the server, then the process dies
        for delivery, claim_id in won:
            killed.deliveries.attempt_claimed(delivery, claim_id)
    assert len(smtp_server.handler.received) == 3

    other = fixed(notifications_db, clock)
    sender = build_sender(other, SenderSettings(concurrency=4, poll_seconds=1))
    clock.advance(minutes=9)
    sender.drain(timeout=10)
    assert len(smtp_server.handler.received) == 3, "claims still live were taken"
    clock.advance(minutes=1)
    sender.drain(timeout=30)
    sender.close()

    received = smtp_server.handler.received
    by_recipient: dict[str, list[str]] = {}
    for message in received:
        by_recipient.setdefault(message.rcpt_tos[0], []).append(message.message["Message-ID"])
    assert sorted(by_recipient) == sorted(n.recipient.email or "" for n in notices), "every e-mail, none lost"
    twice = {to: ids for to, ids in by_recipient.items() if len(ids) > 1}
    assert list(twice) == [won[2][0].to], "only the one accepted but never recorded went twice"
    assert twice[won[2][0].to] == [won[2][0].message_id] * 2, "with the same Message-ID"
    assert notifications_db[DELIVERIES].count_documents({"status": "sent"}) == count
    print(
        f"\nsender killed after claiming {count}: expected {count}, found {len(by_recipient)}, doubled 1 "
        "(accepted, not recorded: the documented window, same Message-ID), lost 0, recovered after the claim timeout"
    )


def test_the_due_hints_stay_right_after_a_crash_between_any_two_of_their_writes(
    notifications_db: Database, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FixedClock(NOW)
    service = fixed(notifications_db, clock)
    deliveries: DeliveryService = service.deliveries
    hints, sent = notifications_db[HINTS], smtp_server.handler.received

    # 1. Between the intent's hint and the intent (the consumer dies): the hint waits, the replay sends it once.
    first = notice("email:first@example.bg", "first@example.bg")
    deliver_dying_after_the_hints(deliveries, [first], monkeypatch)
    assert hints.count_documents({"_id": f"{first.delivery_key}:email"}) == 1
    assert deliveries.claim_due(deliveries.due()) == ([], []), "a hint without its delivery claims nothing"
    assert deliveries.due() == [], "and is checked again later, not at every look"
    assert deliveries.deliver([first])["email_pending"] == 1  # the consumer's replay
    clock.advance(seconds=5)
    won, _ = deliveries.claim_due(deliveries.due())
    assert [deliveries.attempt_claimed(*claim) for claim in won] == ["sent"]
    assert deliveries.deliver([first])["email_duplicates"] == 1  # replayed once more, after it was sent
    assert deliveries.due() == [], "the replay took back the hint it wrote for a delivery made already"

    # 2. Between a retry's hint and its ``retrying`` (the sender dies): sent once, after the claim times out.
    second = notice("email:second@example.bg", "second@example.bg")
    deliveries.deliver([second])
    ((delivery, claim_id),), _ = deliveries.claim_due(deliveries.due())
    real_command = attempts.AttemptLog._command

    def hint_then_die(self: Any, name: str, collection: Any, body: dict[str, Any]) -> int:
        if collection.name == DELIVERIES and any("finished_claim" in str(u["u"]) for u in body.get("updates", [])):
            raise Crash
        return real_command(self, name, collection, body)

    monkeypatch.setattr(attempts.AttemptLog, "_command", hint_then_die)
    with pytest.raises(Crash):
        deliveries.deliveries.mark_retrying(delivery.id, claim_id, clock.now(), clock.now(), "421 try later")
    monkeypatch.setattr(attempts.AttemptLog, "_command", real_command)
    assert hints.count_documents({"_id": delivery.id}) == 1, "the retry's hint was written first"
    assert deliveries.claim_due(deliveries.due()) == ([], []), "being sent: not claimed again"
    assert hints.count_documents({"_id": delivery.id}) == 0, "its hint checked and dropped"
    clock.advance(minutes=10)
    assert deliveries.send_due() == 1, "the abandoned claim is found and sent"

    # 3. A database written before the hints: its due e-mails get hints at the first look.
    third = notice("email:third@example.bg", "third@example.bg")
    deliveries.deliver([third])
    hints.delete_many({})
    later = fixed(notifications_db, clock)
    won, _ = later.deliveries.claim_due(later.deliveries.due())
    assert [later.deliveries.attempt_claimed(*claim) for claim in won] == ["sent"]

    # 4. A hint whose intent never came is dropped an hour after it was written.
    deliver_dying_after_the_hints(deliveries, [notice("email:never@example.bg", "never@example.bg")], monkeypatch)
    for _ in range(2):
        deliveries.claim_due(deliveries.due())
        clock.advance(hours=1)
    assert hints.count_documents({"due_at": {"$exists": True}}) == 0, "no hint left"

    assert sorted(r.rcpt_tos[0] for r in sent) == ["first@example.bg", "second@example.bg", "third@example.bg"]
    assert notifications_db[DELIVERIES].count_documents({"status": "sent"}) == 3


def test_a_sender_stopped_with_claims_it_never_attempted_gives_them_back_due_at_once(
    notifications_db: Database, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = build(notifications_db, renderer=fake_render)
    count = 12
    notices = [notice(f"email:held{i}@example.bg", f"held{i}@example.bg") for i in range(count)]
    service.deliveries.deliver(notices)
    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # this sender's mail server is not there
    down = build(notifications_db, renderer=fake_render)
    settings = SenderSettings(concurrency=2, breaker_failures=1, breaker_cooldown=600, poll_seconds=1)
    stopping = build_sender(down, settings)
    stopping.fill()
    wait_until(lambda: stopping.open_circuits() != [], "the circuit to open")
    wait_until(lambda: stopping.in_flight() == 0, "the calls in flight to fail")
    stopping.close()  # the process stops: the claims it holds are given back
    tried = notifications_db[DELIVERIES].count_documents({"status": "retrying"})
    assert notifications_db[DELIVERIES].count_documents({"status": "sending"}) == 0, "no claim left to time out"

    other = build_sender(service, settings)
    other.drain(timeout=30)  # another sender, with a mail server: at once
    other.close()
    recipients = sorted(r.rcpt_tos[0] for r in smtp_server.handler.received)
    assert len(recipients) == count - tried, "the given-back e-mails went out at once, each once"
    attempts = {d["to"]: d["attempts"] for d in notifications_db[DELIVERIES].find({"status": "sent"})}
    assert attempts == dict.fromkeys(recipients, 1), "a given-back claim spent no attempt"
    print(
        f"\nsender stopped holding claims: written {count}, tried while the server was away {tried}, given back "
        f"{count - tried} and sent at once {len(recipients)}, doubled 0, lost 0"
    )
