"""Webhooks' pure rules: the signature, the backoff, disabling, and which URLs and addresses are refused."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

import pytest

from services.notifications.adapters.webhooks import AddressGuard
from services.notifications.domain.webhooks import (
    WebhookPolicy,
    address_problem,
    sign,
    url_problem,
    verify,
)

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
