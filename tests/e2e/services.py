"""Starting a service's processes (gunicorn web, relay, consumer...) for end-to-end tests, and always stopping them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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


@dataclass
class Service:
    """One service's processes to start: its gunicorn web process plus the ``extra`` ones.

    ``alive`` names the liveness files (in ``logs``) the extra processes must have touched.
    """

    name: str
    logs: Path
    env: dict[str, str]
    extra: dict[str, list[str]] = field(default_factory=dict)
    alive: list[str] = field(default_factory=list)


@dataclass
class _Started:
    service: Service
    base: str
    processes: dict[str, subprocess.Popen[bytes]]

    def ready(self) -> bool:
        for name, process in self.processes.items():
            if process.poll() is not None:
                log = (self.service.logs / f"{name}.log").read_text()[-2000:]
                pytest.fail(f"{self.service.name} {name} exited: {log}")
        try:
            return requests.get(f"{self.base}/readyz", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or still connecting to Kafka
            return False


def _start(service: Service) -> _Started:
    port = free_port()
    web = [str(BIN / "gunicorn"), "--config", "python:shared.web.gunicorn_conf"]
    web_env = {  # as the images run it: gunicorn's shared config, workers summing their metrics in one folder
        "WSGI_APP": f"services.{service.name}.entrypoints.app:create_app()",
        "WEB_BIND": f"127.0.0.1:{port}",
        "PROMETHEUS_MULTIPROC_DIR": str(service.logs / "web-metrics"),
    }
    processes = {
        name: subprocess.Popen(
            command,
            env={**service.env, **web_env} if name == "web" else service.env,
            stdout=(service.logs / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for name, command in {"web": web, **service.extra}.items()
    }
    return _Started(service, f"http://127.0.0.1:{port}", processes)


def _stop(started: list[_Started]) -> list[str]:
    """SIGTERM to every process at once, then wait for each; the names of those that needed a SIGKILL."""
    processes = [(f"{s.service.name} {name}", p) for s in started for name, p in s.processes.items()]
    for _, process in processes:
        process.send_signal(signal.SIGTERM)
    stubborn = []
    for name, process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            stubborn.append(name)
    return stubborn


@contextmanager
def running_services(services: Iterable[Service]) -> Iterator[list[str]]:
    """Every service's processes started at once; yields their web base URLs, in order, once all are ready."""
    started: list[_Started] = []
    try:
        started.extend(_start(service) for service in services)
        for each in started:
            wait_until(each.ready, f"the {each.service.name} web process to be ready", timeout=60)
            for name in each.service.alive:
                wait_until(
                    (each.service.logs / name).exists,
                    f"the {each.service.name} {name.removesuffix('-alive')} to start",
                )
        yield [each.base for each in started]
    finally:  # also when start-up failed: never leave processes behind
        stubborn = _stop(started)
    assert not stubborn, f"processes did not stop on SIGTERM: {stubborn}"


@contextmanager
def running_service(
    service: str, logs: Path, env: dict[str, str], extra: dict[str, list[str]], *, alive: list[str]
) -> Iterator[str]:
    """gunicorn with the service's app plus the ``extra`` processes; yields the web base URL once ready."""
    with running_services([Service(service, logs, env, extra, alive)]) as (base,):
        yield base


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
    started: list[Service] = []
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
        started.append(Service(service, logs, env, commands, [f"{process}-alive" for process in processes]))
        found[f"{service}_db"] = env[f"{service.upper()}_MONGODB_DATABASE"]
    with running_services(started) as bases:
        found |= {service.name: f"{base}/api/v1" for service, base in zip(started, bases, strict=True)}
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
