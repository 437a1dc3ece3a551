"""End to end: the registry as real processes (gunicorn web + outbox relay) over real Kafka and FerretDB."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from kafka import KafkaConsumer

from tests.e2e.services import BIN, post, running_service, service_env
from tests.integration.registry_api import CLERK_PLOVDIV, REP, application
from tests.polling import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def registry(infra: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    logs = tmp_path_factory.mktemp("registry-processes")
    env = service_env(infra, "registry", logs)
    with running_service(
        "registry", logs, env, {"relay": [str(BIN / "registry-relay")]}, alive=["relay-alive"]
    ) as base:
        yield base


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
