"""Abuse limits: a client past its budget of public requests gets the platform's 429 with Retry-After; other
clients, and the endpoints that are not public, go on. Against the services' real applications and
database, with a low limit set the way operators set it (RATE_LIMIT_PUBLIC, TRUSTED_PROXIES)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.marketplace.entrypoints.app import create_app as marketplace_app
from services.registry.config import RegistryConfig
from services.registry.entrypoints.app import create_app as registry_app
from services.training.entrypoints.app import create_app as training_app

CLIENT, OTHER, INGRESS = "198.51.100.7", "203.0.113.9", "10.0.0.2"


def from_(address: str) -> dict[str, Any]:
    return {"environ_base": {"REMOTE_ADDR": address}}


@pytest.fixture
def low_limit(monkeypatch: pytest.MonkeyPatch) -> Callable[[], Flask]:
    monkeypatch.setenv("RATE_LIMIT_PUBLIC", "4/minute")
    return lambda: registry_app(RegistryConfig.from_env())


def assert_too_many(response: Any) -> None:
    assert response.status_code == 429
    assert response.json["code"] == "too_many_requests"
    assert response.json["message"]["bg"].startswith("Твърде много заявки")
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_a_client_past_the_public_limit_is_told_to_wait_and_others_are_not(
    registry_db_name: str, low_limit: Callable[[], Flask]
) -> None:
    client = low_limit().test_client()
    # search, entries, exports and the eligibility check share one budget per client
    assert client.get("/api/v1/register", **from_(CLIENT)).status_code == 200
    assert client.get("/api/v1/register/export.json", **from_(CLIENT)).status_code == 200
    assert client.get("/api/v1/register/no-such-entry", **from_(CLIENT)).status_code == 404
    assert client.post("/api/v1/eligibility", json={}, **from_(CLIENT)).status_code == 422
    assert_too_many(client.get("/api/v1/register/export.csv", **from_(CLIENT)))
    assert_too_many(client.post("/api/v1/eligibility", json={}, **from_(CLIENT)))

    assert client.get("/api/v1/register", **from_(OTHER)).status_code == 200
    assert client.get("/api/v1/applications", **from_(CLIENT)).status_code == 401  # not a public endpoint
    assert client.get("/healthz", **from_(CLIENT)).status_code == 200


def test_behind_the_ingress_each_forwarded_client_has_its_own_budget_and_cannot_forge_another(
    registry_db_name: str, low_limit: Callable[[], Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TRUSTED_PROXIES", "1")
    client = low_limit().test_client()
    for n in range(4):  # the client writes a different address of its own each time; the Ingress appends the real one
        forged = {"X-Forwarded-For": f"192.0.2.{n}, {CLIENT}"}
        assert client.get("/api/v1/register", headers=forged, **from_(INGRESS)).status_code == 200
    assert_too_many(client.get("/api/v1/register", headers={"X-Forwarded-For": CLIENT}, **from_(INGRESS)))
    assert client.get("/api/v1/register", headers={"X-Forwarded-For": OTHER}, **from_(INGRESS)).status_code == 200


def test_without_trusted_proxies_a_forwarded_address_changes_nothing(
    registry_db_name: str, low_limit: Callable[[], Flask]
) -> None:
    client = low_limit().test_client()
    for n in range(4):
        headers = {"X-Forwarded-For": f"192.0.2.{n}"}
        assert client.get("/api/v1/register", headers=headers, **from_(CLIENT)).status_code == 200
    assert_too_many(client.get("/api/v1/register", headers={"X-Forwarded-For": "192.0.2.99"}, **from_(CLIENT)))


def exhaust(client: FlaskClient, paths: list[str]) -> Any:
    for path in paths:
        assert client.get(path, **from_(CLIENT)).status_code < 429, path
    return client.get(paths[0], **from_(CLIENT))


def test_the_marketplace_search_is_limited(market_db_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RATE_LIMIT_PUBLIC", "2/minute")
    client = marketplace_app().test_client()
    assert_too_many(exhaust(client, ["/api/v1/listings?q=med", "/api/v1/listings"]))


def test_training_sessions_and_certificate_checks_are_limited(
    training_db_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_PUBLIC", "3/minute")
    client = training_app().test_client()
    paths = ["/api/v1/sessions", "/api/v1/certificates/NO-1?code=x", "/api/v1/certificates/NO-1.html?code=x"]
    assert_too_many(exhaust(client, paths))


def test_a_budget_of_several_limits_refuses_once_any_of_them_is_spent(
    registry_db_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_PUBLIC", "2/second;3/minute")
    client = registry_app(RegistryConfig.from_env()).test_client()
    assert [client.get("/api/v1/register", **from_(CLIENT)).status_code for _ in range(2)] == [200, 200]
    time.sleep(1.1)  # the second's budget is whole again, the minute's has one left
    assert client.get("/api/v1/register", **from_(CLIENT)).status_code == 200
    refused = client.get("/api/v1/register", **from_(CLIENT))  # the second's budget has room, the minute's none
    assert_too_many(refused)
    assert int(refused.headers["Retry-After"]) > 50  # the minute's wait, not the second's
