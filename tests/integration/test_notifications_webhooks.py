"""Webhooks against real FerretDB and a real HTTP server on 127.0.0.1: signed, once each, retried, disabled."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.notifications.domain.webhooks import verify
from services.notifications.entrypoints.app import create_app
from services.notifications.entrypoints.wiring import build
from services.notifications.service_layer.webhooks import WebhookService
from shared.auth import Role
from shared.clock import FixedClock
from shared.events import Envelope
from tests.integration.notifications_api import fake_render
from tests.integration.registry_api import token

pytestmark = pytest.mark.integration

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
EVENT_TYPE = "marketplace.OrderPlaced"
MARIA = token("integrator-maria", Role.BUYER)
PETAR = token("integrator-petar", Role.REPRESENTATIVE)
ADMIN = token("admin-1", Role.ADMIN)
DISABLE_AFTER = 3


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the integrator's server got; ``statuses`` are answered first, one per request, then 200."""

    url: str
    hits: list[Hit] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture(autouse=True)
def webhook_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEBHOOKS_ALLOW_LOOPBACK", "true")
    monkeypatch.setenv("WEBHOOK_DISABLE_AFTER", str(DISABLE_AFTER))
    monkeypatch.setenv("WEBHOOK_MAX_ATTEMPTS", "5")
    monkeypatch.setenv("WEBHOOK_RETRY_BASE_SECONDS", "60")
    monkeypatch.setenv("WEBHOOK_TIMEOUT_SECONDS", "5")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with state.lock:
                state.hits.append(Hit(self.path, dict(self.headers.items()), body))
                status = state.statuses.pop(0) if state.statuses else 200
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/solidarity"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def service(notifications_db: Database, clock: FixedClock) -> WebhookService:
    return build(notifications_db, clock=clock, renderer=fake_render).webhooks


def envelope(event_type: str = EVENT_TYPE) -> Envelope:
    return Envelope(
        event_id=str(uuid.uuid4()),
        event_type=event_type,
        schema_version=1,
        occurred_at=NOW.isoformat(),
        producer="marketplace",
        aggregate_type="order",
        aggregate_id="order-1",
        correlation_id=str(uuid.uuid4()),
        payload={"order_id": "order-1", "seller_name": "Добро утро", "total_cents": 4600},
    )


def subscribe(client: FlaskClient, url: str, headers: dict[str, str] = MARIA, *types: str) -> dict:
    response = client.post(
        "/api/v1/webhooks", json={"url": url, "event_types": list(types or [EVENT_TYPE])}, headers=headers
    )
    assert response.status_code == 201, response.json
    return response.json


def detail(client: FlaskClient, subscription_id: str, headers: dict[str, str] = MARIA) -> dict:
    response = client.get(f"/api/v1/webhooks/{subscription_id}", headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_a_delivery_is_signed_and_a_replayed_event_is_delivered_once(
    notifications: FlaskClient, service: WebhookService, receiver: Receiver
) -> None:
    created = subscribe(notifications, receiver.url)
    assert created["secret"].startswith("whsec_")
    event = envelope()

    assert service.dispatch(event) == {"sent": 1}
    assert service.dispatch(event) == {"duplicates": 1}, "a replayed event"
    assert service.dispatch(envelope("training.Waitlisted")) == {}, "a type nobody subscribed to"

    assert len(receiver.hits) == 1
    hit = receiver.hits[0]
    assert hit.path == "/hooks/solidarity"
    assert hit.body == event.to_json()
    assert hit.headers["X-Solidarity-Event"] == EVENT_TYPE
    assert hit.headers["X-Solidarity-Delivery"] == f"{event.event_id}:webhook:{created['id']}"
    assert hit.headers["Content-Type"].startswith("application/json")
    signature = hit.headers["X-Solidarity-Signature"]
    assert signature.startswith(f"t={int(NOW.timestamp())},v1=")
    assert verify(created["secret"], signature, hit.body, now=int(NOW.timestamp()))
    assert not verify("whsec_wrong", signature, hit.body, now=int(NOW.timestamp()))

    shown = detail(notifications, created["id"])
    assert "secret" not in shown, "the secret is shown once"
    assert [(d["status"], d["response_status"]) for d in shown["recent_deliveries"]] == [("sent", 200)]


def test_a_server_error_is_retried_with_backoff_until_it_succeeds(
    notifications: FlaskClient, service: WebhookService, receiver: Receiver, clock: FixedClock
) -> None:
    created = subscribe(notifications, receiver.url)
    receiver.statuses = [500, 503]

    assert service.dispatch(envelope()) == {"retrying": 1}
    assert service.retry_due() == 0, "not due before the backoff"
    clock.advance(seconds=61)
    assert service.retry_due() == 0  # 503: retrying again, now two minutes later
    clock.advance(seconds=61)
    assert service.retry_due() == 0, "the second wait is twice as long"
    clock.advance(seconds=60)
    assert service.retry_due() == 1

    assert len(receiver.hits) == 3
    assert len({hit.headers["X-Solidarity-Delivery"] for hit in receiver.hits}) == 1
    shown = detail(notifications, created["id"])
    assert shown["active"] is True
    assert shown["consecutive_failures"] == 0, "a success resets the count"
    delivery = shown["recent_deliveries"][0]
    assert delivery["status"] == "sent"
    assert delivery["attempts"] == 3
    assert [c["status"] for c in delivery["history"]] == [
        "pending",
        "sending",
        "retrying",
        "sending",
        "retrying",
        "sending",
        "sent",
    ]


def test_repeated_failures_disable_the_subscription_with_the_reason_visible(
    notifications: FlaskClient, service: WebhookService, receiver: Receiver, clock: FixedClock
) -> None:
    created = subscribe(notifications, receiver.url)
    receiver.statuses = [500] * DISABLE_AFTER

    service.dispatch(envelope())
    for _ in range(DISABLE_AFTER - 1):
        clock.advance(hours=1)
        service.retry_due()

    shown = detail(notifications, created["id"])
    assert shown["active"] is False
    assert f"{DISABLE_AFTER} failed deliveries in a row" in shown["disabled_reason"]
    assert "HTTP 500" in shown["disabled_reason"]
    assert shown["recent_deliveries"][0]["status"] == "failed"
    assert service.dispatch(envelope()) == {}, "a disabled subscription gets nothing"

    enabled = notifications.post(f"/api/v1/webhooks/{created['id']}/enable", headers=MARIA)
    assert enabled.status_code == 200, enabled.json
    assert enabled.json["active"] is True
    assert enabled.json["disabled_reason"] is None
    assert service.dispatch(envelope()) == {"sent": 1}
    assert len(receiver.hits) == DISABLE_AFTER + 1


def test_gone_disables_and_a_client_error_fails_without_retrying(
    notifications: FlaskClient, service: WebhookService, receiver: Receiver, clock: FixedClock
) -> None:
    created = subscribe(notifications, receiver.url)
    receiver.statuses = [400]
    assert service.dispatch(envelope()) == {"failed": 1}
    clock.advance(hours=2)
    assert service.retry_due() == 0
    shown = detail(notifications, created["id"])
    assert shown["active"] is True
    assert shown["recent_deliveries"][0]["last_error"].startswith("HTTP 400")

    receiver.statuses = [410]
    assert service.dispatch(envelope()) == {"failed": 1}
    shown = detail(notifications, created["id"])
    assert shown["active"] is False
    assert "410 Gone" in shown["disabled_reason"]
    assert len(receiver.hits) == 2


def test_no_connection_is_a_transient_failure(notifications: FlaskClient, service: WebhookService) -> None:
    closed = subscribe(notifications, "http://127.0.0.1:9/nothing-listens")

    assert service.dispatch(envelope()) == {"retrying": 1}
    delivery = detail(notifications, closed["id"])["recent_deliveries"][0]
    assert delivery["status"] == "retrying"
    assert delivery["next_attempt_at"] is not None


@pytest.mark.parametrize(
    ("body", "field_name"),
    [
        ({"url": "ftp://erp.example.bg/hook", "event_types": [EVENT_TYPE]}, "url"),
        ({"url": "http://10.0.0.7/hook", "event_types": [EVENT_TYPE]}, "url"),
        ({"url": "http://169.254.169.254/latest", "event_types": [EVENT_TYPE]}, "url"),
        ({"url": "https://user:pw@erp.example.bg/", "event_types": [EVENT_TYPE]}, "url"),
        ({"url": "http://127.0.0.1:8080/hook", "event_types": ["registry.Nope"]}, "event_types"),
        ({"url": "http://127.0.0.1:8080/hook", "event_types": []}, "event_types"),
        ({"url": "http://127.0.0.1:8080/hook"}, "event_types"),
        ({"url": "http://127.0.0.1:8080/hook", "event_types": [EVENT_TYPE], "extra": 1}, "extra"),
    ],
)
def test_bad_subscriptions_are_refused_naming_the_field(
    notifications: FlaskClient, body: dict, field_name: str
) -> None:
    response = notifications.post("/api/v1/webhooks", json=body, headers=MARIA)

    assert response.status_code == 422, response.json
    assert any(name.split(".")[0] == field_name for name in response.json["fields"]), response.json


def test_loopback_is_refused_in_the_production_configuration(
    notifications_db_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOKS_ALLOW_LOOPBACK", "false")
    client = create_app().test_client()
    response = client.post(
        "/api/v1/webhooks", json={"url": "http://127.0.0.1:8080/hook", "event_types": [EVENT_TYPE]}, headers=MARIA
    )
    assert response.status_code == 422
    assert "url" in response.json["fields"]


def test_a_subscription_belongs_to_its_owner(notifications: FlaskClient, receiver: Receiver) -> None:
    assert (
        notifications.post("/api/v1/webhooks", json={"url": receiver.url, "event_types": [EVENT_TYPE]}).status_code
        == 401
    )
    marias = subscribe(notifications, receiver.url)
    petars = subscribe(notifications, receiver.url, PETAR)
    path = f"/api/v1/webhooks/{marias['id']}"

    assert notifications.get(path, headers=PETAR).status_code == 404
    assert notifications.post(f"{path}/enable", headers=PETAR).status_code == 404
    assert notifications.delete(path, headers=PETAR).status_code == 404
    assert [s["id"] for s in notifications.get("/api/v1/webhooks", headers=PETAR).json["items"]] == [petars["id"]]
    everyone = {s["id"] for s in notifications.get("/api/v1/webhooks", headers=ADMIN).json["items"]}
    assert everyone == {marias["id"], petars["id"]}
    assert notifications.get(path, headers=ADMIN).status_code == 200

    assert notifications.delete(path, headers=MARIA).status_code == 204
    assert notifications.get(path, headers=MARIA).status_code == 404
