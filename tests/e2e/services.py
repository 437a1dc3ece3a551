"""Starting a service's processes (gunicorn web, relay, consumer...) for end-to-end tests, and always stopping them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from tests.polling import wait_until

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_env(infra: Any, service: str, logs: Path) -> dict[str, str]:
    """The environment of one service's processes: the test servers, its own database, liveness files."""
    upper = service.upper()
    return {
        **os.environ,
        "MONGODB_URI": infra.mongodb_uri,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
        f"{upper}_MONGODB_DATABASE": f"{service}_e2e_{uuid.uuid4().hex[:8]}",
        f"{upper}_LIVENESS_FILE": str(logs / "consumer-alive"),
        "RELAY_LIVENESS_FILE": str(logs / "relay-alive"),
        "NOTIFICATIONS_SENDER_LIVENESS_FILE": str(logs / "sender-alive"),
    }


@contextmanager
def running_service(
    service: str, logs: Path, env: dict[str, str], extra: dict[str, list[str]], *, alive: list[str]
) -> Iterator[str]:
    """gunicorn with the service's app plus the ``extra`` processes; yields the web base URL once ready.

    ``alive`` names the liveness files (in ``logs``) the extra processes must have touched.
    """
    port = free_port()
    web = [str(BIN / "gunicorn"), "--config", "python:shared.web.gunicorn_conf"]
    web_env = {  # as the images run it: gunicorn's shared config, workers summing their metrics in one folder
        "WSGI_APP": f"services.{service}.entrypoints.app:create_app()",
        "WEB_BIND": f"127.0.0.1:{port}",
        "PROMETHEUS_MULTIPROC_DIR": str(logs / "web-metrics"),
    }
    commands = {"web": web, **extra}
    processes = {
        name: subprocess.Popen(
            command,
            env={**env, **web_env} if name == "web" else env,
            stdout=(logs / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for name, command in commands.items()
    }
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        for name, process in processes.items():
            if process.poll() is not None:
                pytest.fail(f"{service} {name} exited: {(logs / f'{name}.log').read_text()[-2000:]}")
        try:
            return requests.get(f"{base}/readyz", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or still connecting to Kafka
            return False

    try:
        wait_until(ready, f"the {service} web process to be ready", timeout=60)
        for name in alive:
            wait_until((logs / name).exists, f"the {service} {name.removesuffix('-alive')} to start")
        yield base
    finally:  # also when start-up failed: never leave processes behind
        for process in processes.values():
            process.send_signal(signal.SIGTERM)
        stubborn = []
        for name, process in processes.items():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                stubborn.append(name)
    assert not stubborn, f"{service} processes did not stop on SIGTERM: {stubborn}"


@contextmanager
def services_with_notifications(
    infra: Any, tmp_path_factory: pytest.TempPathFactory, services: Iterable[str], *, smtp_port: int, name: str
) -> Iterator[dict[str, str]]:
    """Each of ``services`` as web, relay and consumer, and notifications as web, consumer and sender e-mailing
    through the SMTP server on ``smtp_port``; every consumer in a group of its own.

    Yields ``{service: API URL, f"{service}_db": its database}`` for each, notifications included, with
    ``notifications_group`` (its consumer group), ``mongodb_uri`` and ``kafka``.
    """
    run = uuid.uuid4().hex[:6]
    found = {"mongodb_uri": infra.mongodb_uri, "kafka": infra.kafka_bootstrap}
    with ExitStack() as stack:
        for service in [*services, "notifications"]:
            logs = tmp_path_factory.mktemp(f"{name}-{service}")
            group = f"{service}-{name}-{run}"
            env = {**service_env(infra, service, logs), f"{service.upper()}_CONSUMER_GROUP": group}
            processes = ("relay", "consumer")
            if service == "notifications":
                env |= {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port)}
                processes = ("consumer", "sender")
                found["notifications_group"] = group
            commands = {process: [str(BIN / f"{service}-{process}")] for process in processes}
            alive = [f"{process}-alive" for process in processes]
            base = stack.enter_context(running_service(service, logs, env, commands, alive=alive))
            found[service] = f"{base}/api/v1"
            found[f"{service}_db"] = env[f"{service.upper()}_MONGODB_DATABASE"]
        yield found


def caught_up(bootstrap: str, group: str, topics: Iterable[str]) -> bool:
    """The consumer ``group`` has committed the end of every partition of ``topics``."""
    reader = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(t, p) for t in topics for p in reader.partitions_for_topic(t) or ()]
        ends = reader.end_offsets(partitions)
        return bool(partitions) and all((reader.committed(tp) or 0) >= ends[tp] for tp in partitions)
    finally:
        reader.close(autocommit=False)


def post(url: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = requests.post(url, json=body, headers=headers, timeout=10)
    assert response.ok, response.text
    return response.json()
