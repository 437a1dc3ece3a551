"""A mail server that hangs (accepts the connection, never greets), then comes back: it holds neither the
notifications consumer's offsets nor the inbox, and gets the e-mail once when it is back.

The registry (web, relay) and the notifications service (web, consumer, sender) run as separate processes on
the session's Kafka and database; the hanging server is a listening socket nobody answers, then aiosmtpd.
"""

from __future__ import annotations

import socket
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller
from pymongo import MongoClient

from shared.auth import Role
from tests.e2e.registry_flow import registry_api  # noqa: F401 - a fixture
from tests.e2e.services import BIN, caught_up, post, running_service, service_env
from tests.e2e.test_notifications_e2e import TOPIC
from tests.faults.figures import record
from tests.integration.notifications_api import LOCALHOST, CollectingHandler, free_port, person
from tests.integration.registry_api import REP, application
from tests.polling import wait_until

pytestmark = pytest.mark.e2e


def test_a_mail_server_that_hangs_holds_neither_the_consumer_nor_the_inbox_and_gets_the_email_once_back(
    registry_api: str,  # noqa: F811 - the fixture imported above
    infra: Any,
    tmp_path: Path,
) -> None:
    """The SMTP port accepts connections and says nothing (a hanging server), then a real server takes it."""
    port = free_port()
    silent = socket.create_server((LOCALHOST, port))  # connections wait in its backlog: no greeting, ever
    env = {**service_env(infra, "notifications", tmp_path), "SMTP_HOST": LOCALHOST, "SMTP_PORT": str(port)}
    group = f"notifications-hang-{uuid.uuid4().hex[:6]}"
    env |= {
        "NOTIFICATIONS_CONSUMER_GROUP": group,
        "SMTP_TIMEOUT_SECONDS": "3",
        "SMTP_RETRY_BASE_SECONDS": "1",
        "SMTP_RETRY_MAX_SECONDS": "2",
        "NOTIFICATIONS_SENDER_BREAKER_COOLDOWN_SECONDS": "1",
    }
    handler = CollectingHandler()
    applicant = f"hang-{uuid.uuid4().hex[:6]}@zhiten-klas.example.bg"
    processes = {"consumer": [str(BIN / "notifications-consumer")], "sender": [str(BIN / "notifications-sender")]}
    controller: Controller | None = None
    with running_service("notifications", tmp_path, env, processes, alive=["consumer-alive", "sender-alive"]) as url:
        body = application(details__eik="200000015", details__contacts__email=applicant)
        app_id = post(f"{registry_api}/applications", REP, body)["id"]
        started = time.monotonic()
        post(f"{registry_api}/applications/{app_id}/submit", REP)
        me = person("applicant", Role.REPRESENTATIVE, email=applicant)

        def inbox() -> list[Any]:
            return requests.get(f"{url}/api/v1/inbox", headers=me, timeout=10).json()["items"]

        wait_until(inbox, "the inbox message while the mail server hangs", timeout=20)
        wait_until(
            lambda: caught_up(infra.kafka_bootstrap, group, [TOPIC]),
            "the consumer to commit while the mail server hangs",
            timeout=20,
        )
        held_for = time.monotonic() - started
        assert handler.received == []
        assert held_for < 15, f"the inbox and the consumer waited {held_for:.0f} s for the mail server"

        silent.close()
        controller = Controller(handler, hostname=LOCALHOST, port=port)
        controller.start()  # the server is back
        back = time.monotonic()
        try:
            wait_until(lambda: handler.to(applicant), "the e-mail once the server is back", timeout=30)
            recovered = time.monotonic() - back
            database = env["NOTIFICATIONS_MONGODB_DATABASE"]
            deliveries = MongoClient(infra.mongodb_uri)[database]["deliveries"]
            mine = {"to": applicant, "status": "sent"}
            wait_until(lambda: deliveries.count_documents(mine) == 1, "the e-mail marked sent")
        finally:
            controller.stop()
    record(
        f"SMTP server hangs (consumer and inbox done in {held_for:.1f} s meanwhile), then back",
        events_written=1,
        expected={("e-mail", applicant)},
        found=[("e-mail", applicant)] * len(handler.to(applicant)),
        seconds_to_recover=recovered,
    ).assert_exactly_once()
