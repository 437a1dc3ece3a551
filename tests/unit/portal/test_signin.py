"""Signing in: the development choice of demo people, and an OpenID Connect provider in production."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from services.portal.config import OidcSettings, PortalConfig
from services.portal.entrypoints.app import create_app
from services.portal.redirects import is_safe_target
from tests.identity_provider import CLIENT_ID, IdentityProvider, running_identity_provider
from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import fake_services

HOSTILE_TARGETS = [
    "/%09/evil.example",  # browsers drop the tab: //evil.example
    "/\t/evil.example",
    "/%0a/evil.example",
    "/\n/evil.example",
    "/%0d%0a/evil.example",
    "/%2509/evil.example",  # encoded twice
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/%2F/evil.example",
    "/%2f%2fevil.example",
    "/ /evil.example",
    "/%20/evil.example",
    "/\u3000/evil.example",
    "/\u202e/lpmaxe.live",  # right-to-left override
    "/%E2%80%AE/lpmaxe.live",
    "/\u200b/evil.example",
    "/%00/evil.example",
    "/%ff/evil.example",
    " /evil.example",
    "https://evil.example/",
    "http:evil.example",
    "//evil.example/%2e%2e",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "evil.example",
    "",
]
SAFE_TARGETS = [
    "/",
    "/clerk/applications",
    "/marketplace?q=%D0%BC%D0%B5%D0%B4+%D0%BC%D0%B0%D1%81%D0%BB%D0%BE",
    "/inbox#top",
]


def claims_in_session(client: FlaskClient) -> dict[str, Any]:
    with client.session_transaction() as session:
        return jwt.decode(session["person"]["token"], options={"verify_signature": False})


def test_a_demo_person_signs_in_and_returns_to_the_page_they_wanted(portal: FlaskClient) -> None:
    response = portal.post("/sign-in/demo", data={"person": "clerk-plovdiv", "next": "/clerk/applications"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/clerk/applications"
    claims = claims_in_session(portal)
    assert claims["roles"] == ["clerk"]
    assert claims["centre"] == "plovdiv"
    assert "Георги Атанасов" in portal.get("/").get_data(as_text=True)


def test_sign_in_never_sends_people_to_another_site(portal: FlaskClient) -> None:
    response = portal.post("/sign-in/demo", data={"person": "buyer", "next": "//evil.example/steal"})
    assert response.headers["Location"] == "/"


def test_a_representative_acts_for_the_enterprise_of_their_latest_application(
    portal: FlaskClient, services: Any
) -> None:
    services.registry.answer(
        "GET",
        "/api/v1/applications",
        {"total": 2, "items": [{"enterprise_id": "old", "created_at": "2026-01-01T10:00:00Z"},
                               {"enterprise_id": "new", "created_at": "2026-11-01T10:00:00Z"}]},
    )  # fmt: skip
    portal.post("/sign-in/demo", data={"person": "custom", "role": "representative", "name": "Анна", "email": "a@b.bg"})
    assert claims_in_session(portal)["enterprise_id"] == "new"


def test_the_same_e_mail_is_the_same_person_on_every_sign_in(portal: FlaskClient) -> None:
    form = {"person": "custom", "role": "buyer", "name": "Анна", "email": "Anna@Example.bg"}
    portal.post("/sign-in/demo", data=form)
    first = claims_in_session(portal)["sub"]
    portal.post("/sign-out")
    portal.post("/sign-in/demo", data={**form, "email": "anna@example.bg"})
    assert claims_in_session(portal)["sub"] == first


def test_an_incomplete_custom_person_is_asked_again(portal: FlaskClient) -> None:
    response = portal.post("/sign-in/demo", data={"person": "custom", "role": "buyer", "name": "", "email": "x"})
    assert response.status_code == 302
    page = portal.get(response.headers["Location"]).get_data(as_text=True)
    assert "Изберете роля и въведете име и имейл адрес." in page


def test_signing_out_forgets_the_person_but_keeps_the_language(portal: FlaskClient) -> None:
    portal.get("/?lang=en")
    portal.post("/sign-in/demo", data={"person": "buyer"})
    portal.post("/sign-out")
    page = portal.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Sign in" in page


def test_without_development_sign_in_the_demo_people_are_not_offered(services: Any) -> None:
    config = PortalConfig(**{**PortalConfig.from_env().__dict__, "dev_sign_in": False, "secure_cookies": False})
    app = create_app(config, TESTING=True, WTF_CSRF_ENABLED=False)
    app.extensions["services"] = services
    client = app.test_client()
    assert client.post("/sign-in/demo", data={"person": "admin"}).status_code == 404
    assert "Демонстрационни потребители" not in client.get("/sign-in").get_data(as_text=True)


def test_an_openid_connect_provider_signs_people_in_with_its_token() -> None:
    with running_identity_provider() as provider:
        provider.person = {"sub": "oidc-1", "name": "Ваня Петкова", "roles": ["clerk"], "centre": "varna"}
        base = PortalConfig.from_env()
        config = PortalConfig(
            **{**base.__dict__, "dev_sign_in": False, "secure_cookies": False,
               "oidc": OidcSettings(provider.issuer, CLIENT_ID, "client-secret", "openid profile")}
        )  # fmt: skip
        app = create_app(config, TESTING=True, WTF_CSRF_ENABLED=False)
        services = fake_services()
        services.notifications.answer("GET", "/api/v1/inbox/unread-count", {"unread": 0})
        app.extensions["services"] = services
        client = app.test_client()

        assert "Вход с вашия профил" in client.get("/sign-in").get_data(as_text=True)
        to_provider = client.get("/sign-in/oidc?next=/inbox")
        assert to_provider.headers["Location"].startswith(provider.issuer + "/authorize")
        back = requests.get(to_provider.headers["Location"], allow_redirects=False, timeout=10)
        callback = urlparse(back.headers["Location"])
        assert parse_qs(callback.query)["code"]

        signed_in = client.get(f"{callback.path}?{callback.query}")
        assert signed_in.headers["Location"] == "/inbox"
        claims = claims_in_session(client)
        assert claims["iss"] == provider.issuer
        assert claims["centre"] == "varna"
        assert "Ваня Петкова" in client.get("/").get_data(as_text=True)


def test_the_safe_target_rule_refuses_every_hostile_form_and_keeps_plain_paths() -> None:
    assert [t for t in HOSTILE_TARGETS if is_safe_target(t)] == []
    assert [t for t in SAFE_TARGETS if not is_safe_target(t)] == []


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_the_demo_sign_in_never_redirects_to_a_hostile_target(portal: FlaskClient, target: str) -> None:
    response = portal.post("/sign-in/demo", data={"person": "buyer", "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_a_form_never_sends_people_back_to_a_hostile_target(portal: FlaskClient, services: Any, target: str) -> None:
    services.marketplace.answer("PUT", "/api/v1/favourites/listings/listing-1", None)
    sign_in(portal, "buyer")
    response = portal.post("/marketplace/listings/listing-1/favourite", data={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/marketplace/listings/listing-1"


def test_a_form_sends_people_back_to_a_page_of_the_site(portal: FlaskClient, services: Any) -> None:
    services.marketplace.answer("PUT", "/api/v1/favourites/listings/listing-1", None)
    sign_in(portal, "buyer")
    response = portal.post("/marketplace/listings/listing-1/favourite", data={"next": "/my/favourites"})
    assert response.headers["Location"] == "/my/favourites"


@pytest.fixture(scope="module")
def provider() -> Iterator[IdentityProvider]:
    with running_identity_provider() as provider:
        yield provider


def oidc_portal(provider: IdentityProvider) -> Flask:
    base = PortalConfig.from_env()
    config = PortalConfig(
        **{**base.__dict__, "dev_sign_in": False, "secure_cookies": False,
           "oidc": OidcSettings(provider.issuer, CLIENT_ID, "client-secret", "openid profile")}
    )  # fmt: skip
    app = create_app(config, TESTING=True, WTF_CSRF_ENABLED=False)
    services = fake_services()
    services.notifications.answer("GET", "/api/v1/inbox/unread-count", {"unread": 0})
    app.extensions["services"] = services
    return app


def sign_in_at_provider(client: FlaskClient, target: str) -> str:
    """The round trip through the provider; returns where the portal sends the person afterwards."""
    to_provider = client.get("/sign-in/oidc", query_string={"next": target})
    back = requests.get(to_provider.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlparse(back.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}").headers["Location"]


@pytest.mark.parametrize("target", HOSTILE_TARGETS)
def test_the_provider_sign_in_never_redirects_to_a_hostile_target(provider: IdentityProvider, target: str) -> None:
    provider.person = {"sub": "oidc-2", "name": "Ива Колева", "roles": ["buyer"]}
    assert sign_in_at_provider(oidc_portal(provider).test_client(), target) == "/"


def test_the_provider_sign_in_returns_to_a_page_of_the_site(provider: IdentityProvider) -> None:
    provider.person = {"sub": "oidc-2", "name": "Ива Колева", "roles": ["buyer"]}
    assert sign_in_at_provider(oidc_portal(provider).test_client(), "/my/orders?state=open") == "/my/orders?state=open"


def test_the_demo_people_sign_in_with_a_verified_e_mail(portal: FlaskClient) -> None:
    portal.post("/sign-in/demo", data={"person": "buyer"})
    assert claims_in_session(portal)["email_verified"] is True


def test_the_provider_s_word_on_the_e_mail_is_carried_into_the_session(provider: IdentityProvider) -> None:
    client = oidc_portal(provider).test_client()
    provider.person = {"sub": "oidc-3", "name": "Ива", "roles": ["learner"], "email": "iva@example.bg"}
    sign_in_at_provider(client, "/")
    with client.session_transaction() as session:
        assert session["person"]["email_verified"] is False
    provider.person = {**provider.person, "email_verified": True}
    sign_in_at_provider(client, "/")
    with client.session_transaction() as session:
        assert session["person"]["email_verified"] is True
    assert claims_in_session(client)["email_verified"] is True


def test_signing_in_too_often_from_one_address_is_refused_for_a_while(
    services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATE_LIMIT_SIGN_IN", "2/minute")
    config = PortalConfig(**{**PortalConfig.from_env().__dict__, "dev_sign_in": True, "secure_cookies": False})
    app = create_app(config, TESTING=True, WTF_CSRF_ENABLED=False)
    app.extensions["services"] = services
    client = app.test_client()
    attempt = {"person": "buyer"}
    for _ in range(2):
        assert (
            client.post("/sign-in/demo", data=attempt, environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 302
        )
    refused = client.post("/sign-in/demo", data=attempt, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "Твърде много опити" in refused.get_data(as_text=True)
    other = app.test_client().post("/sign-in/demo", data=attempt, environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code == 302
    assert client.get("/", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 200  # pages go on
