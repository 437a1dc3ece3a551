"""Webhooks against real FerretDB, real Kafka and a real HTTP server on 127.0.0.1: signed, once each, retried,
disabled; only for those who may subscribe, each event only to subscribers entitled to it, with a small body."""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo import MongoClient
from pymongo.database import Database

from services.notifications.domain.webhooks import verify
from services.notifications.entrypoints.app import create_app
from services.notifications.entrypoints.consumer import build_runner
from services.notifications.entrypoints.wiring import build
from services.notifications.events.consumed import AnyPayload
from services.notifications.service_layer.webhooks import WebhookService
from shared.auth import Role
from shared.clock import FixedClock
from shared.config import Settings
from shared.events import Envelope, EventCatalog, EventType
from shared.kafka import ensure_topics, make_producer
from shared.runtime import StopSignal
from tests.integration.notifications_api import fake_render, person
from tests.polling import wait_until

pytestmark = pytest.mark.integration

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
EVENT_TYPE = "marketplace.OrderPlaced"
ENTERPRISE = "ent-rodopska-pchela"
OTHER_ENTERPRISE = "ent-pleteni-mechti"
BUYER_ID = "buyer-petrova"
MARIA = person("rep-maria", Role.REPRESENTATIVE, enterprise_id=ENTERPRISE)
PETAR = person("rep-petar", Role.REPRESENTATIVE, enterprise_id=OTHER_ENTERPRISE)
PETROVA = person(BUYER_ID, Role.BUYER, email="m.petrova@smolyan.example.bg")
INTEGRATOR = person("integrator-erp", Role.INTEGRATOR)
ADMIN = person("admin-1", Role.ADMIN)
BUYER_NAME, BUYER_EMAIL = "Мария Петрова", "m.petrova@smolyan.example.bg"
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


EXAMPLES = Path(__file__).resolve().parents[2] / "services" / "marketplace" / "events" / "examples"


def envelope(event_type: str = EVENT_TYPE, seller_id: str = ENTERPRISE, buyer_id: str = BUYER_ID) -> Envelope:
    """A deal event as the marketplace publishes it (its golden example): with the buyer's name, e-mail, price."""
    example = json.loads((EXAMPLES / f"{event_type}.v1.json").read_text(encoding="utf-8"))
    deal_id = str(uuid.uuid4())
    payload = {
        **example["payload"],
        "deal_id": deal_id,
        "listing_id": "listing-1",
        "seller_id": seller_id,
        "buyer_id": buyer_id,
        "buyer_name": BUYER_NAME,
        "buyer_email": BUYER_EMAIL,
    }
    return Envelope(
        event_id=str(uuid.uuid4()),
        event_type=event_type,
        schema_version=1,
        occurred_at=NOW.isoformat(),
        producer="marketplace",
        aggregate_type="deal",
        aggregate_id=deal_id,
        correlation_id=str(uuid.uuid4()),
        payload=payload,
    )


def dispatch(service: WebhookService, event: Envelope) -> dict[str, int]:
    """What the consumer records for the event, then what the sender's next round does with it."""
    counts = Counter({k: v for k, v in service.dispatch(event).items() if k != "pending"})
    for delivery_id, _ in service.due():
        counts[service.attempt(delivery_id)] += 1
    return dict(counts)


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

    assert dispatch(service, event) == {"sent": 1}
    assert dispatch(service, event) == {"duplicates": 1}, "a replayed event"
    assert dispatch(service, envelope("marketplace.QuoteRequested")) == {}, "a type nobody subscribed to"

    assert len(receiver.hits) == 1
    hit = receiver.hits[0]
    assert hit.path == "/hooks/solidarity"
    assert json.loads(hit.body) == {
        "event_id": event.event_id,
        "event_type": EVENT_TYPE,
        "schema_version": 1,
        "occurred_at": NOW.isoformat(),
        "producer": "marketplace",
        "aggregate_type": "deal",
        "aggregate_id": event.aggregate_id,
        "payload": {
            "deal_id": event.payload["deal_id"],
            "listing_id": "listing-1",
            "seller_id": ENTERPRISE,
            "state": "placed",
            "order_number": "2026-000123",
        },
    }, "the ids and public fields only: the receiver fetches the rest with its own token"
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

    assert dispatch(service, envelope()) == {"retrying": 1}
    assert service.send_due() == 0, "not due before the backoff"
    clock.advance(seconds=61)
    assert service.send_due() == 0  # 503: retrying again, now two minutes later
    clock.advance(seconds=61)
    assert service.send_due() == 0, "the second wait is twice as long"
    clock.advance(seconds=60)
    assert service.send_due() == 1

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

    dispatch(service, envelope())
    for _ in range(DISABLE_AFTER - 1):
        clock.advance(hours=1)
        service.send_due()

    shown = detail(notifications, created["id"])
    assert shown["active"] is False
    assert f"{DISABLE_AFTER} failed deliveries in a row" in shown["disabled_reason"]
    assert "HTTP 500" in shown["disabled_reason"]
    assert shown["recent_deliveries"][0]["status"] == "failed"
    assert dispatch(service, envelope()) == {}, "a disabled subscription gets nothing"

    enabled = notifications.post(f"/api/v1/webhooks/{created['id']}/enable", headers=MARIA)
    assert enabled.status_code == 200, enabled.json
    assert enabled.json["active"] is True
    assert enabled.json["disabled_reason"] is None
    assert dispatch(service, envelope()) == {"sent": 1}
    assert len(receiver.hits) == DISABLE_AFTER + 1


def test_gone_disables_and_a_client_error_fails_without_retrying(
    notifications: FlaskClient, service: WebhookService, receiver: Receiver, clock: FixedClock
) -> None:
    created = subscribe(notifications, receiver.url)
    receiver.statuses = [400]
    assert dispatch(service, envelope()) == {"failed": 1}
    clock.advance(hours=2)
    assert service.send_due() == 0
    shown = detail(notifications, created["id"])
    assert shown["active"] is True
    assert shown["recent_deliveries"][0]["last_error"].startswith("HTTP 400")

    receiver.statuses = [410]
    assert dispatch(service, envelope()) == {"failed": 1}
    shown = detail(notifications, created["id"])
    assert shown["active"] is False
    assert "410 Gone" in shown["disabled_reason"]
    assert len(receiver.hits) == 2


def test_no_connection_is_a_transient_failure(notifications: FlaskClient, service: WebhookService) -> None:
    closed = subscribe(notifications, "http://127.0.0.1:9/nothing-listens")

    assert dispatch(service, envelope()) == {"retrying": 1}
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


# ---------------------------------------------------------------------- who may subscribe, who receives what
def refused(client: FlaskClient, headers: dict[str, str], url: str, *types: str) -> tuple[int, dict]:
    response = client.post("/api/v1/webhooks", json={"url": url, "event_types": list(types)}, headers=headers)
    return response.status_code, response.json


@pytest.mark.parametrize(
    "headers",
    [
        person("learner-lili", Role.LEARNER, email="lili@example.bg"),
        person("trainer-maria", Role.TRAINER),
        person("clerk-varna", Role.CLERK, centre="varna"),
        person("rep-without-enterprise", Role.REPRESENTATIVE),
    ],
    ids=["learner", "trainer", "clerk", "representative-without-enterprise"],
)
def test_people_who_are_no_subscribers_of_orders_get_403_and_receive_nothing(
    notifications: FlaskClient, service: WebhookService, receiver: Receiver, headers: dict[str, str]
) -> None:
    status, body = refused(notifications, headers, receiver.url, EVENT_TYPE, "registry.ApplicationSubmitted")

    assert status == 403, body
    assert body["message"]["bg"] and body["message"]["en"]
    assert service.subscriptions.owned_by(None) == [], "nothing half-written"
    assert dispatch(service, envelope()) == {}
    assert receiver.hits == []


def test_learners_may_not_even_list_webhooks(notifications: FlaskClient) -> None:
    learner = person("learner-lili", Role.LEARNER, email="lili@example.bg")
    assert notifications.get("/api/v1/webhooks", headers=learner).status_code == 403
    assert notifications.get("/api/v1/webhooks").status_code == 401


def test_an_enterprise_receives_only_its_own_orders_without_the_buyers_name_or_email(
    notifications: FlaskClient, service: WebhookService, receiver: Receiver
) -> None:
    marias = subscribe(notifications, receiver.url + "/maria", MARIA)
    petars = subscribe(notifications, receiver.url + "/petar", PETAR)
    own, others = envelope(seller_id=ENTERPRISE), envelope(seller_id=OTHER_ENTERPRISE, buyer_id="buyer-other")

    assert dispatch(service, own) == {"sent": 1, "not_entitled": 1}
    assert dispatch(service, others) == {"sent": 1, "not_entitled": 1}

    got = {hit.path: json.loads(hit.body) for hit in receiver.hits}
    assert got["/hooks/solidarity/maria"]["aggregate_id"] == own.aggregate_id
    assert got["/hooks/solidarity/petar"]["aggregate_id"] == others.aggregate_id
    assert len(receiver.hits) == 2, "each enterprise got its own order and nobody else's"
    for hit in receiver.hits:
        text = hit.body.decode()
        for private in (BUYER_NAME, BUYER_EMAIL, "buyer_email", "buyer_name", "total_cents", "seller_email"):
            assert private not in text
    assert [d["event_id"] for d in detail(notifications, marias["id"])["recent_deliveries"]] == [own.event_id]
    assert [d["event_id"] for d in detail(notifications, petars["id"], PETAR)["recent_deliveries"]] == [others.event_id]


def test_a_buyer_receives_only_its_own_deals(
    notifications: FlaskClient, service: WebhookService, receiver: Receiver
) -> None:
    subscribe(notifications, receiver.url, PETROVA, EVENT_TYPE, "marketplace.QuoteOffered")

    assert dispatch(service, envelope(buyer_id="buyer-someone-else")) == {"not_entitled": 1}
    mine = envelope("marketplace.QuoteOffered", seller_id=OTHER_ENTERPRISE)
    assert dispatch(service, mine) == {"sent": 1}

    assert [json.loads(hit.body)["event_id"] for hit in receiver.hits] == [mine.event_id]


def test_an_integrator_subscribes_to_public_events_only(
    notifications: FlaskClient, service: WebhookService, receiver: Receiver
) -> None:
    for private in (EVENT_TYPE, "registry.ApplicationSubmitted", "marketplace.NeedMatched"):
        status, body = refused(notifications, INTEGRATOR, receiver.url, "registry.EnterpriseRegistered", private)
        assert status == 403, body
        assert private in body["message"]["en"] and "registry.EnterpriseRegistered" not in body["message"]["en"]
        assert "event_types" in body["fields"]

    created = subscribe(notifications, receiver.url, INTEGRATOR, "registry.EnterpriseRegistered")
    assert created["event_types"] == ["registry.EnterpriseRegistered"]
    registered = Envelope(
        event_id=str(uuid.uuid4()),
        event_type="registry.EnterpriseRegistered",
        schema_version=1,
        occurred_at=NOW.isoformat(),
        producer="registry",
        aggregate_type="enterprise",
        aggregate_id=OTHER_ENTERPRISE,
        correlation_id=str(uuid.uuid4()),
        payload={
            "enterprise_id": OTHER_ENTERPRISE,
            "name": "Плетени мечти ЕООД",
            "eik": "175074752",
            "contact_email": "office@pleteni-mechti.example.bg",
            "vulnerable_staff": {"refugees": 1},
        },
    )
    assert dispatch(service, registered) == {"sent": 1}
    assert json.loads(receiver.hits[0].body)["payload"] == {
        "enterprise_id": OTHER_ENTERPRISE,
        "name": "Плетени мечти ЕООД",
        "eik": "175074752",
    }


def test_subscriptions_per_owner_are_limited(
    notifications_db_name: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEBHOOK_MAX_SUBSCRIPTIONS", "2")
    client = create_app().test_client()
    first = subscribe(client, receiver.url + "/1")
    subscribe(client, receiver.url + "/2")

    status, body = refused(client, MARIA, receiver.url + "/3", EVENT_TYPE)

    assert status == 409, body
    assert "2" in body["message"]["bg"]
    assert len(client.get("/api/v1/webhooks", headers=MARIA).json["items"]) == 2
    subscribe(client, receiver.url + "/other-owner", PETAR)  # the limit is per owner
    assert client.delete(f"/api/v1/webhooks/{first['id']}", headers=MARIA).status_code == 204
    subscribe(client, receiver.url + "/3")


def test_a_subscription_made_before_entitlements_were_recorded_receives_nothing(
    notifications: FlaskClient, notifications_db: Database, service: WebhookService, receiver: Receiver
) -> None:
    created = subscribe(notifications, receiver.url)
    notifications_db.webhook_subscriptions.update_one(
        {"_id": created["id"]}, {"$unset": {"roles": "", "enterprise_id": ""}}
    )

    assert dispatch(service, envelope()) == {"not_entitled": 1}
    assert receiver.hits == []


def test_orders_from_kafka_reach_only_the_enterprise_they_concern(
    notifications_db_name: str, infra: Any, receiver: Receiver, smtp_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real consumer reads a real topic: its enterprise's order reaches a subscription, another's not."""
    topic = f"test-webhooks-orders-{uuid.uuid4().hex[:8]}"
    ensure_topics(infra.kafka_bootstrap, [topic])
    monkeypatch.setenv("NOTIFICATIONS_CONSUMER_GROUP", f"notifications-webhooks-{uuid.uuid4().hex[:6]}")
    client = create_app().test_client()
    subscribe(client, receiver.url, MARIA)
    own, others = envelope(seller_id=ENTERPRISE), envelope(seller_id=OTHER_ENTERPRISE, buyer_id="buyer-other")
    producer = make_producer(infra.kafka_bootstrap, "test-webhooks")
    for event in (others, own):
        producer.send(topic, key=event.aggregate_id, value=event.to_dict())
    producer.flush()
    producer.close()

    catalog = EventCatalog([EventType(EVENT_TYPE, 1, topic, AnyPayload)])
    runner = build_runner(Settings.from_env("notifications"), StopSignal(install_handlers=False), catalog=catalog)
    handled = [0]

    def both_handled() -> bool:
        handled[0] += runner.poll_once(timeout_ms=300)
        return handled[0] >= 2

    try:
        wait_until(both_handled, "both orders handled", timeout=60)
    finally:
        runner.close()
    assert receiver.hits == [], "the consumer only records the calls"
    sender = build(MongoClient(infra.mongodb_uri, tz_aware=True)[notifications_db_name]).webhooks
    assert sender.send_due() == 1

    assert [json.loads(hit.body)["event_id"] for hit in receiver.hits] == [own.event_id]
    assert BUYER_EMAIL.encode() not in receiver.hits[0].body


def test_an_admin_disables_anyones_subscription_and_only_an_admin_enables_it_again(
    notifications: FlaskClient, service: WebhookService, receiver: Receiver
) -> None:
    marias = subscribe(notifications, receiver.url)
    path = f"/api/v1/webhooks/{marias['id']}"
    assert notifications.post(f"{path}/disable", headers=PETAR).status_code == 404, "not his"

    disabled = notifications.post(f"{path}/disable", headers=ADMIN)

    assert disabled.status_code == 200, disabled.json
    assert disabled.json["active"] is False and disabled.json["disabled_by_admin"] is True
    assert disabled.json["disabled_reason"] == "disabled by an administrator"
    assert dispatch(service, envelope()) == {}
    refused_enable = notifications.post(f"{path}/enable", headers=MARIA)
    assert refused_enable.status_code == 403, refused_enable.json
    assert "администратор" in refused_enable.json["message"]["bg"]
    assert notifications.post(f"{path}/enable", headers=ADMIN).json["active"] is True

    assert notifications.post(f"{path}/disable", headers=MARIA).json["disabled_by_admin"] is False
    assert notifications.post(f"{path}/enable", headers=MARIA).json["active"] is True
    assert dispatch(service, envelope()) == {"sent": 1}
