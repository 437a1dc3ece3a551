"""Benchmark 9: events from Kafka to e-mails accepted by an SMTP server.

``ApplicationApproved`` events (the registry's golden example, each deciding another application of another
applicant, e-mailed to the applicant and to the representative with an address: two e-mails an event) go to a topic
of the run; the real notifications consumer (``build_runner``: read a poll, map and render its events, record their
intents and inbox messages with bulk inserts, drop their reminders with bulk upserts) and the real sender
(``notifications-sender``, a process of its own: find the due e-mails through their hints, claim them 40 a command,
send on its pool of threads with its SMTP sessions kept open between e-mails, record the outcomes finishing together
in one command) turn them into e-mails accepted by an aiosmtpd server on 127.0.0.1 in this process. Side by side, two
bare loops sending the same rendered messages with smtplib to the same server, each ``BARE_RUNS`` times, the fastest
run counted: a connection per message (the ratio's baseline, as before the sender kept its sessions), and one session
for all of them (the cheapest a single sender can be). ``consumer`` is when the consumer had recorded every event,
measured in the same run while the sender sends: what is left of the service's time is the sender's.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import smtplib
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from bench.procs import Processes
from bench.topics import renamed
from services.notifications.config import SERVICE
from services.notifications.domain.mapping import RULES, notices_for
from services.notifications.domain.rendering import render
from services.notifications.entrypoints.consumer import build_runner
from services.notifications.events.consumed import consumed
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.config import Settings
from shared.kafka import ensure_topics, make_producer
from shared.localinfra import Infrastructure, claim_port
from shared.mongo import connect
from shared.runtime import StopSignal

log = logging.getLogger("bench")
BARE_RUNS = 3
"""Each bare loop runs this many times and its fastest run counts: the same 1 000 e-mails took from 6 to 9 s
within minutes (the loop's client shares this process, and its interpreter, with the SMTP server)."""


class Counting:
    def __init__(self) -> None:
        self.accepted = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.accepted += 1
        return "250 OK"


def _events(count: int) -> list[Any]:
    example = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get("registry.ApplicationApproved", 1))
    events = []
    for i in range(count):
        application = str(uuid.uuid4())  # each approval decides another application (its clerks' reminder goes)
        address = f"applicant{i}@bench.example.bg"
        payload = example.payload | {"application_id": application, "applicant_email": address}
        event_id = str(uuid.uuid4())
        events.append(dataclasses.replace(example, event_id=event_id, aggregate_id=application, payload=payload))
    return events


@contextmanager
def sending(processes: Processes, work_dir: Path) -> Iterator[None]:
    """The notifications sender in a process of its own, as ``notifications-sender`` runs (with ``os.environ``)."""
    sender = processes.start(
        "notifications-sender",
        [sys.executable, "-m", "services.notifications.entrypoints.sender"],
        env={"NOTIFICATIONS_SENDER_LIVENESS_FILE": str(work_dir / "notifications-sender-alive")},
    )
    try:
        yield
    finally:
        processes.stop(sender)


def run(
    infra: Infrastructure, processes: Processes, work_dir: Path, database: str, prefix: str, count: int
) -> dict[str, Any]:
    counter = Counting()
    controller = Controller(counter, hostname="127.0.0.1", port=claim_port(None, "bench SMTP server"))
    controller.start()
    try:
        events = _events(count)
        # Each approval is e-mailed to the applicant and to each representative with an address (two here).
        notices = [notice for envelope in events for notice in notices_for(envelope) if notice.recipient.email]
        emails = len(notices)
        catalog = renamed(consumed(RULES), prefix)
        ensure_topics(infra.kafka_bootstrap, sorted(catalog.topics()), partitions=3)
        producer = make_producer(infra.kafka_bootstrap, "bench-registry")
        for envelope in events:
            producer.send(f"{prefix}registry.application.v1", key=envelope.aggregate_id, value=envelope.to_dict())
        producer.flush()
        producer.close()

        os.environ.update({"MONGODB_URI": infra.mongodb_uri, "NOTIFICATIONS_MONGODB_DATABASE": database,
                           "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap, "SMTP_HOST": "127.0.0.1",
                           "SMTP_PORT": str(controller.port), "NOTIFICATIONS_CONSUMER_GROUP": f"{prefix}notifications",
                           "LOG_LEVEL": "WARNING"})  # fmt: skip
        runner = build_runner(Settings.from_env(SERVICE), StopSignal(install_handlers=False), catalog=catalog)
        first = recorded = None
        handled = 0
        deadline = time.monotonic() + 600
        with sending(processes, work_dir):
            while counter.accepted < emails and time.monotonic() < deadline:
                before = time.perf_counter()  # the first poll that returns records counts from its start
                done = runner.poll_once(timeout_ms=200)
                if done and first is None:
                    first = before
                handled += done
                if recorded is None and handled >= count:
                    recorded = time.perf_counter()
            service_seconds = time.perf_counter() - (first or time.perf_counter())
        consumer_seconds = (recorded or time.perf_counter()) - (first or time.perf_counter())
        runner.close()
        if counter.accepted != emails:
            raise RuntimeError(f"the SMTP server accepted {counter.accepted} e-mails of {emails}")

        bare_runs, one_session_runs = _bare(notices, controller.port)
        bare_seconds, one_session_seconds = min(bare_runs), min(one_session_runs)
    finally:
        controller.stop()
    client = connect(infra.mongodb_uri, app_name="bench-cleanup")
    client.drop_database(database)
    client.close()
    if counter.accepted != (1 + 2 * BARE_RUNS) * emails:
        bare = counter.accepted - emails
        raise RuntimeError(f"the bare loops' e-mails were not all accepted ({bare} of {2 * BARE_RUNS * emails})")
    return {
        "events": count,
        "emails": emails,
        "service": {"seconds": service_seconds, "events_per_second": count / max(1e-9, service_seconds)},
        "consumer": {"seconds": consumer_seconds, "events_per_second": count / max(1e-9, consumer_seconds)},
        "bare": {
            "seconds": bare_seconds,
            "events_per_second": count / max(1e-9, bare_seconds),
            "runs_seconds": bare_runs,
        },
        "bare_one_session": {
            "seconds": one_session_seconds,
            "events_per_second": count / max(1e-9, one_session_seconds),
        },
        "ratio": bare_seconds / max(1e-9, service_seconds),
        "ratio_one_session": one_session_seconds / max(1e-9, service_seconds),
    }


def _bare(notices: list[Any], port: int) -> tuple[list[float], list[float]]:
    """The bare loops' seconds, ``BARE_RUNS`` of each: a connection per message, then one session for them all."""
    messages = []
    for notice in notices:
        rendered = render(notice.message, "bg", notice.context)
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = (
            "bench@example.bg",
            notice.recipient.email,
            rendered.subject,
        )
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        messages.append(message)
    each, one = [], []
    for _ in range(BARE_RUNS):
        started = time.perf_counter()
        for message in messages:
            with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
                smtp.send_message(message)
        each.append(time.perf_counter() - started)
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            for message in messages:
                smtp.send_message(message)
        one.append(time.perf_counter() - started)
    return each, one
