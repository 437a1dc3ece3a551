"""End to end: an application approved in the registry reaches the applicant as exactly one Bulgarian e-mail
and one inbox message, and still exactly one after the notifications consumer is killed, restarted, and
the topics are read again from the beginning (a mail server that hangs: tests/faults/test_servers_smtp_hang.py).

The registry and the notifications service (web, consumer, sender) run as separate processes; the SMTP
server is a real one (aiosmtpd) on 127.0.0.1 in this test's process.
"""

from __future__ import annotations

import signal
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from shared.auth import Role
from tests.e2e.services import BIN, caught_up, post, running_service, service_env
from tests.integration.notifications_api import person
from tests.integration.registry_api import CLERK_PLOVDIV, REP, application
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

APPLICANT = "priemna@zhiten-klas.example.bg"
TOPIC = "registry.application.v1"


@pytest.fixture(scope="module")
def notifications(infra: Any, mailbox: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    logs = tmp_path_factory.mktemp("notifications-processes")
    env = {**service_env(infra, "notifications", logs), "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mailbox[1])}
    sender = {"sender": [str(BIN / "notifications-sender")]}
    with running_service("notifications", logs, env, sender, alive=["sender-alive"]) as url:
        yield {"api": f"{url}/api/v1", "env": env, "logs": logs}


def start_consumer(env: dict[str, str], logs: Path, group: str) -> subprocess.Popen[bytes]:
    out = (logs / f"consumer-{group}.log").open("w")
    return subprocess.Popen([str(BIN / "notifications-consumer")], env={**env, "NOTIFICATIONS_CONSUMER_GROUP": group},
                            stdout=out, stderr=subprocess.STDOUT)  # fmt: skip


def test_one_approval_one_email_one_inbox_message_even_after_a_crash_and_a_replay(
    registry_api: str, notifications: dict[str, Any], mailbox: Any, infra: Any
) -> None:
    handler, _ = mailbox
    first_group = f"notifications-e2e-{uuid.uuid4().hex[:6]}"
    consumer = start_consumer(notifications["env"], notifications["logs"], first_group)
    try:
        body = application(details__eik="204285933", details__name="Социална пекарна „Житен клас“",
                           details__contacts__email=APPLICANT)  # fmt: skip
        app_id = post(f"{registry_api}/applications", REP, body)["id"]
        post(f"{registry_api}/applications/{app_id}/submit", REP)
        post(f"{registry_api}/applications/{app_id}/approve", CLERK_PLOVDIV,
             {"order_number": "РД-01-91", "order_date": "2026-11-23"})  # fmt: skip

        def approvals() -> list[Any]:
            return [r for r in handler.to(APPLICANT) if "одобрено" in str(r.message["Subject"])]

        approval = wait_until(approvals, "the approval e-mail")[0].message
        assert "Житен клас" in str(approval["Subject"])
        assert "одобрено" in approval.get_body(("plain",)).get_content().lower()
        assert approval.get_body(("html",)) is not None
        wait_until(
            lambda: caught_up(infra.kafka_bootstrap, first_group, [TOPIC]), "the consumer to commit what it read"
        )
    finally:
        consumer.send_signal(signal.SIGKILL)  # a crash: no goodbye, no last commit
        consumer.wait(timeout=20)

    replay_group = f"notifications-replay-{uuid.uuid4().hex[:6]}"
    replay = start_consumer(notifications["env"], notifications["logs"], replay_group)
    try:
        wait_until(
            lambda: caught_up(infra.kafka_bootstrap, replay_group, [TOPIC]),
            "the restarted consumer to read the topic again",
            timeout=60,
        )
    finally:
        replay.send_signal(signal.SIGTERM)
        replay.wait(timeout=20)

    subjects = sorted(str(r.message["Subject"]) for r in handler.to(APPLICANT))
    assert len(subjects) == 2 and sum("одобрено" in s for s in subjects) == 1  # received + approved, once each
    me = person("applicant", Role.REPRESENTATIVE, email=APPLICANT)
    inbox = requests.get(f"{notifications['api']}/inbox", headers=me, timeout=10).json()["items"]
    assert len(inbox) == 2 and sum("одобрено" in item["subject"] for item in inbox) == 1
