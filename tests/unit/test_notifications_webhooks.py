"""Webhooks' pure rules: the signature, the backoff, disabling, and which URLs and addresses are refused."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path

import pytest

from services.notifications.adapters.webhooks import AddressGuard
from services.notifications.domain.webhook_rules import (
    WEBHOOK_RULES,
    Audience,
    Subscriber,
    entitled,
    may_subscribe_to,
    webhook_body,
)
from services.notifications.domain.webhooks import (
    WebhookPolicy,
    address_problem,
    sign,
    url_problem,
    verify,
)
from shared.auth import Principal, Role

SECRET = "whsec_test"
BODY = '{"event_id":"e-1","payload":{"name":"Добро утро"}}'.encode()
T = 1_780_000_000


def test_the_signature_is_an_hmac_sha256_over_timestamp_dot_body() -> None:
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()

    assert sign(SECRET, T, BODY) == f"t={T},v1={expected}"
    assert sign(SECRET, T, BODY.decode()) == sign(SECRET, T, BODY)


def test_a_signature_verifies_with_the_secret_within_the_tolerance() -> None:
    header = sign(SECRET, T, BODY)

    assert verify(SECRET, header, BODY, now=T)
    assert verify(SECRET, header, BODY, now=T + 299)
    assert not verify(SECRET, header, BODY, now=T + 301), "an old signature is a replay"
    assert not verify("whsec_other", header, BODY, now=T)
    assert not verify(SECRET, header, BODY + b" ", now=T), "a changed body"
    assert not verify(SECRET, header.replace(f"t={T}", f"t={T + 1}"), BODY, now=T), "a changed timestamp"


@pytest.mark.parametrize("header", ["", "t=abc,v1=00", "v1=00", f"t={T}", f"t={T},v0=00"])
def test_malformed_signatures_do_not_verify(header: str) -> None:
    assert not verify(SECRET, header, BODY, now=T)


def test_a_header_with_several_v1_signatures_verifies_if_one_matches() -> None:
    good = sign(SECRET, T, BODY)
    assert verify(SECRET, f"{good},v1=deadbeef", BODY, now=T)


def test_the_backoff_doubles_up_to_the_cap() -> None:
    policy = WebhookPolicy(max_attempts=8, base_delay=timedelta(minutes=1), max_delay=timedelta(minutes=10))

    assert [d.total_seconds() / 60 for d in policy.schedule()] == [1, 2, 4, 8, 10, 10, 10]
    assert policy.delay(1) == timedelta(minutes=1)


def test_a_subscription_is_disabled_after_n_failures_in_a_row_with_the_reason() -> None:
    policy = WebhookPolicy(disable_after=3)

    assert not policy.disables(2)
    assert policy.disables(3)
    reason = policy.disabled_reason(3, "HTTP 500")
    assert "3 failed deliveries in a row" in reason
    assert "HTTP 500" in reason


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.bg/hook",
        "javascript:alert(1)",
        "example.bg/hook",
        "https://",
        "https://user:pass@example.bg/hook",
        "http://example.bg:99999/",
        "https://example.bg/a b",
        "https://example.bg/" + "a" * 2001,
    ],
)
def test_urls_that_are_not_plain_http_or_https_are_refused(url: str) -> None:
    assert url_problem(url) is not None


@pytest.mark.parametrize("url", ["https://erp.example.bg/hooks/sh?x=1", "http://example.bg:8080/"])
def test_http_and_https_urls_with_a_host_pass(url: str) -> None:
    assert url_problem(url) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "127.3.2.1", "::1", "::ffff:127.0.0.1"])
def test_loopback_is_refused_unless_allowed(address: str) -> None:
    assert address_problem(address, allow_loopback=False) is not None
    assert address_problem(address, allow_loopback=True) is None


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.1",
        "169.254.169.254",
        "fe80::1",
        "fc00::1",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
        "::ffff:10.1.2.3",
    ],
)
def test_private_link_local_and_other_non_public_addresses_are_always_refused(address: str) -> None:
    assert address_problem(address, allow_loopback=False) is not None
    assert address_problem(address, allow_loopback=True) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(address, allow_loopback=False) is None


def test_the_guard_refuses_a_host_when_any_of_its_addresses_is_not_public() -> None:
    answers = {"public.example.bg": ["93.184.216.34"], "mixed.example.bg": ["93.184.216.34", "10.0.0.1"]}
    guard = AddressGuard(allow_loopback=False, resolver=lambda host, port: answers[host])

    assert guard.problem("https://public.example.bg/hook") is None
    assert "10.0.0.1" in (guard.problem("https://mixed.example.bg/hook") or "")
    assert guard.problem("http://127.0.0.1:8080/hook") is not None
    assert guard.problem("http://169.254.169.254/latest/meta-data") is not None


def test_the_guard_lets_loopback_through_only_when_allowed() -> None:
    assert AddressGuard(allow_loopback=True).problem("http://127.0.0.1:8080/hook") is None
    assert AddressGuard(allow_loopback=True).problem("http://10.1.2.3/hook") is not None


def test_a_host_that_does_not_resolve_is_refused() -> None:
    def fail(host: str, port: int) -> list[str]:
        raise OSError("no such host")

    assert "does not resolve" in (AddressGuard(allow_loopback=True, resolver=fail).problem("https://x.invalid/") or "")


# ---------------------------------------------------------------------- who may hear of what (the table)
EXAMPLE_FILES = sorted(Path(__file__).resolve().parents[2].glob("services/*/events/examples/*.json"))
EXAMPLES = {path.name.removesuffix(".v1.json"): json.loads(path.read_text(encoding="utf-8")) for path in EXAMPLE_FILES}
PERSONAL = {
    "applicant_email",
    "contact_email",
    "public_contacts",
    "seller_email",
    "buyer_email",
    "buyer_name",
    "learner",
    "learner_name",
    "learners",
    "trainer_name",
    "online_link",
    "message",
    "text",
    "note",
    "reason",
    "reasons",
    "description",
    "terms",
    "total_cents",
    "unit_price_cents",
    "vulnerable_staff",
}


def subscriber(*roles: Role, subject: str = "someone", enterprise_id: str | None = None) -> Subscriber:
    return Subscriber.of(Principal(subject, frozenset(roles), enterprise_id=enterprise_id))


@pytest.mark.parametrize("event_type", sorted(WEBHOOK_RULES))
def test_every_webhook_event_is_published_and_its_body_carries_no_personal_data(event_type: str) -> None:
    assert event_type in EXAMPLES, f"no producer publishes {event_type}"
    rule = WEBHOOK_RULES[event_type]
    example = EXAMPLES[event_type]
    if Audience.ENTERPRISE in rule.audiences:
        assert rule.enterprise_field in example["payload"]
    if Audience.BUYER in rule.audiences:
        assert "buyer_id" in example["payload"]

    body = webhook_body(event_type, example)

    assert set(body["payload"]) <= set(rule.fields)
    assert not set(body["payload"]) & PERSONAL
    assert "@" not in json.dumps(body, ensure_ascii=False), "no e-mail address anywhere"
    assert body["event_id"] == example["event_id"] and body["aggregate_id"] == example["aggregate_id"]
    assert "correlation_id" not in body


def test_people_who_are_not_subscribers_may_subscribe_to_nothing() -> None:
    for roles in [(Role.LEARNER,), (Role.TRAINER,), (Role.CLERK,), (Role.PUBLIC,), ()]:
        nobody = subscriber(*roles)
        assert not nobody.may_subscribe
        assert not any(may_subscribe_to(nobody, event_type) for event_type in WEBHOOK_RULES)


def test_an_integrator_hears_of_public_events_only() -> None:
    integrator = subscriber(Role.INTEGRATOR)
    open_to_it = {event_type for event_type in WEBHOOK_RULES if may_subscribe_to(integrator, event_type)}

    assert "registry.EnterpriseRegistered" in open_to_it and "marketplace.ListingPublished" in open_to_it
    assert "training.SessionScheduled" in open_to_it
    assert not open_to_it & {"marketplace.OrderPlaced", "registry.ApplicationSubmitted", "marketplace.NeedMatched"}
    assert all(Audience.PUBLIC in WEBHOOK_RULES[event_type].audiences for event_type in open_to_it)


def test_an_order_goes_to_its_seller_and_its_buyer_only() -> None:
    order = EXAMPLES["marketplace.OrderPlaced"]["payload"]
    seller = subscriber(Role.REPRESENTATIVE, enterprise_id=order["seller_id"])
    other_seller = subscriber(Role.REPRESENTATIVE, enterprise_id="another-enterprise")
    buyer = subscriber(Role.BUYER, subject=order["buyer_id"])
    other_buyer = subscriber(Role.BUYER, subject="another-buyer")

    assert [entitled(s, "marketplace.OrderPlaced", order) for s in (seller, other_seller, buyer, other_buyer)] == [
        True,
        False,
        True,
        False,
    ]
    assert not entitled(subscriber(Role.INTEGRATOR), "marketplace.OrderPlaced", order)
    assert not entitled(subscriber(Role.REPRESENTATIVE), "marketplace.OrderPlaced", order), "no enterprise, no order"


def test_event_types_outside_the_table_go_to_nobody() -> None:
    enrolment = EXAMPLES["training.EnrolmentConfirmed"]["payload"]
    worker_enterprise = subscriber(Role.REPRESENTATIVE, enterprise_id=enrolment["enterprise_id"])
    assert "training.EnrolmentConfirmed" not in WEBHOOK_RULES
    assert not may_subscribe_to(worker_enterprise, "training.EnrolmentConfirmed")
    assert not entitled(worker_enterprise, "training.EnrolmentConfirmed", enrolment)
