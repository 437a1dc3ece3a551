"""Signing in: the development choice of demo people, and an OpenID Connect provider in production."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import requests
from flask.testing import FlaskClient

from services.portal.config import OidcSettings, PortalConfig
from services.portal.entrypoints.app import create_app
from tests.identity_provider import CLIENT_ID, running_identity_provider
from tests.unit.portal.fakes import fake_services


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
