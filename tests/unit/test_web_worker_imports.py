"""What a web worker loads: every gunicorn worker imports its service's application, and whatever that pulls
in stays resident in each of them. The web processes never produce to or consume from Kafka, so Kafka's
client (about 8 MiB a worker) must not come with the outbox entries they write or the read models they keep."""

from __future__ import annotations

import json
import subprocess
import sys

WEB_APPS = [
    "services.registry.entrypoints.app",
    "services.marketplace.entrypoints.app",
    "services.training.entrypoints.app",
    "services.grants.entrypoints.app",
    "services.events.entrypoints.app",
    "services.notifications.entrypoints.app",
    "services.portal.entrypoints.app",
]
NOT_FOR_THE_WEB = ("kafka",)


def test_no_web_application_loads_kafkas_client() -> None:
    script = (
        "import importlib, json, sys\n"
        f"for name in {WEB_APPS!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({NOT_FOR_THE_WEB!r}))))\n"
    )
    found = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert json.loads(found.stdout.strip().splitlines()[-1]) == []


def test_the_relay_and_the_consumer_runner_are_still_where_their_processes_import_them() -> None:
    from shared.consumer import ConsumerRunner, PoisonFlood, TransientError
    from shared.consumer.runner import ConsumerRunner as Runner
    from shared.outbox import OutboxRelay
    from shared.outbox.relay import OutboxRelay as Relay

    assert (ConsumerRunner, OutboxRelay) == (Runner, Relay)
    assert issubclass(PoisonFlood, Exception) and issubclass(TransientError, Exception)
