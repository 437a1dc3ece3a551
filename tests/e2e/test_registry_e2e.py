"""End to end: the registry as real processes (gunicorn web + outbox relay) over real Kafka and FerretDB."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from kafka import KafkaConsumer

from tests.integration.registry_api import CLERK_PLOVDIV, REP, application
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def registry(infra: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("registry-processes")
    port = free_port()
    env = {
        **os.environ,
        "MONGODB_URI": infra.mongodb_uri,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
        "REGISTRY_MONGODB_DATABASE": f"registry_e2e_{uuid.uuid4().hex[:8]}",
        "RELAY_LIVENESS_FILE": str(logs / "relay-alive"),
    }
    commands = {
        "web": [
            str(BIN / "gunicorn"),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "services.registry.entrypoints.app:create_app()",
        ],
        "relay": [str(BIN / "registry-relay")],
    }
    processes = {
        name: subprocess.Popen(command, env=env, stdout=(logs / f"{name}.log").open("w"), stderr=subprocess.STDOUT)
        for name, command in commands.items()
    }
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        for name, process in processes.items():
            if process.poll() is not None:
                pytest.fail(f"registry {name} exited: {(logs / f'{name}.log').read_text()[-2000:]}")
        try:
            return requests.get(f"{base}/readyz", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or still connecting to Kafka
            return False

    try:
        wait_until(ready, "the registry web process to be ready", timeout=60)
        wait_until((logs / "relay-alive").exists, "the relay to start")
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
    assert not stubborn, f"registry processes did not stop on SIGTERM: {stubborn}"


def post(url: str, headers: dict[str, str], body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = requests.post(url, json=body, headers=headers, timeout=10)
    assert response.ok, response.text
    return response.json()


def test_application_to_register_to_kafka(registry: str, infra: Any) -> None:
    api = f"{registry}/api/v1"
    body = application(details__eik="020469788", details__name="Кооперация „Сръчни ръце“")
    app_id = post(f"{api}/applications", REP, body)["id"]
    post(f"{api}/applications/{app_id}/submit", REP)
    post(f"{api}/applications/{app_id}/request-information", CLERK_PLOVDIV, {"message": "Липсва уставът."})
    post(f"{api}/applications/{app_id}/submit", REP)
    approved = post(
        f"{api}/applications/{app_id}/approve", CLERK_PLOVDIV, {"order_number": "РД-01-77", "order_date": "2026-11-23"}
    )
    enterprise_id, number = approved["enterprise_id"], approved["registration_number"]

    found = requests.get(f"{api}/register", params={"q": "srachni ratse"}, timeout=10).json()
    assert [item["registration_number"] for item in found["items"]] == [number]
    rows = list(
        csv.DictReader(io.StringIO(requests.get(f"{api}/register/export.csv", timeout=10).text.lstrip("\ufeff")))
    )
    assert [row["eik"] for row in rows] == ["020469788"]

    consumer = KafkaConsumer(
        "registry.enterprise.v1",
        "registry.application.v1",
        bootstrap_servers=infra.kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=1000,
    )
    received: list[dict[str, Any]] = []

    def read() -> list[dict[str, Any]]:
        for message in consumer.poll(timeout_ms=500).values():
            received.extend(json.loads(record.value) for record in message)
        mine = [e for e in received if e["aggregate_id"] == enterprise_id]
        return mine if any(e["event_type"] == "registry.ApplicationApproved" for e in mine) else []

    try:
        wait_until(read, "the approval events on Kafka")
        deadline = time.monotonic() + 3  # keep reading a little: a duplicate would show up now
        while time.monotonic() < deadline:
            read()
    finally:
        consumer.close()
    mine = [e for e in received if e["aggregate_id"] == enterprise_id]
    registered = [e for e in mine if e["event_type"] == "registry.EnterpriseRegistered"]
    assert len(registered) == 1
    assert registered[0]["payload"]["registration_number"] == number
    assert [e["event_type"] for e in mine if e is not registered[0]] == [
        "registry.ApplicationSubmitted",
        "registry.InformationRequested",
        "registry.ApplicationSubmitted",
        "registry.ApplicationApproved",
    ]  # one partition per aggregate and topic: the application's events arrive in the order they happened
