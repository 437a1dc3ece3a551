"""Sessions end: when idle, at their maximum age, and — for a copy of the cookie — after signing out.

The portal's clock is moved on instead of sleeping; tokens are renewed at the provider (or re-minted
by the developer sign-in) as a person keeps using the portal.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from services.portal.auth import CLOCK
from services.portal.config import OidcSettings, PortalConfig
from services.portal.entrypoints.app import create_app
from tests.identity_provider import CLIENT_ID, IdentityProvider, running_identity_provider
from tests.unit.portal.fakes import fake_services

MINUTE = 60.0
HOUR = 60 * MINUTE
ENDED = "Сесията ви изтече. Моля, влезте отново."


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(portal_app: Flask) -> Clock:
    clock = Clock()
    portal_app.extensions[CLOCK] = clock
    return clock


def signed_in_as(client: FlaskClient, name: str) -> bool:
    page = client.get("/").get_data(as_text=True)
    return name in page and 'action="/sign-out"' in page


def session_token(client: FlaskClient) -> str:
    with client.session_transaction() as session:
        return session["person"]["token"]


def test_an_idle_session_ends(portal: FlaskClient, clock: Clock) -> None:
    portal.post("/sign-in/demo", data={"person": "clerk-plovdiv"})
    clock.advance(29 * MINUTE)
    assert signed_in_as(portal, "Георги Атанасов")
    clock.advance(31 * MINUTE)
    page = portal.get("/").get_data(as_text=True)
    assert "Георги Атанасов" not in page
    assert ENDED in page


def test_a_session_in_use_renews_its_short_token_and_ends_at_its_maximum_age(portal: FlaskClient, clock: Clock) -> None:
    portal.post("/sign-in/demo", data={"person": "clerk-plovdiv"})
    first = session_token(portal)
    claims = jwt.decode(first, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] <= 6 * MINUTE
    for _ in range(35):  # a page every 20 minutes for 11 hours 40 minutes
        clock.advance(20 * MINUTE)
        assert signed_in_as(portal, "Георги Атанасов")
    assert session_token(portal) != first
    clock.advance(21 * MINUTE)  # 12 hours and a minute after signing in
    assert not signed_in_as(portal, "Георги Атанасов")


def test_a_copy_of_a_developer_session_ends_once_idle(portal_app: Flask, portal: FlaskClient, clock: Clock) -> None:
    portal.post("/sign-in/demo", data={"person": "clerk-plovdiv"})
    copied = portal.get_cookie("portal_session")
    assert copied is not None
    portal.post("/sign-out")
    clock.advance(31 * MINUTE)
    thief = portal_app.test_client()
    thief.set_cookie("portal_session", copied.value)
    assert not signed_in_as(thief, "Георги Атанасов")


@pytest.fixture(scope="module")
def provider() -> Iterator[IdentityProvider]:
    with running_identity_provider() as provider:
        yield provider


@pytest.fixture
def oidc_app(provider: IdentityProvider) -> Flask:
    base = PortalConfig.from_env()
    config = PortalConfig(
        **{**base.__dict__, "dev_sign_in": False, "secure_cookies": False,
           "oidc": OidcSettings(provider.issuer, CLIENT_ID, "client-secret", "openid profile")}
    )  # fmt: skip
    app = create_app(config, TESTING=True, WTF_CSRF_ENABLED=False)
    services = fake_services()
    services.notifications.answer("GET", "/api/v1/inbox/unread-count", {"unread": 0})
    app.extensions["services"] = services
    app.extensions[CLOCK] = Clock()
    provider.person = {"sub": "oidc-9", "name": "Ваня Петкова", "roles": ["buyer"], "email": "vanya@example.bg"}
    return app


def sign_in_at_provider(client: FlaskClient) -> None:
    to_provider = client.get("/sign-in/oidc")
    back = requests.get(to_provider.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlparse(back.headers["Location"])
    assert client.get(f"{callback.path}?{callback.query}").status_code == 302


def sign_in_state(client: FlaskClient) -> dict[str, Any]:
    with client.session_transaction() as session:
        return dict(session["sign_in"])


def test_a_provider_session_in_use_is_refreshed_at_the_provider(oidc_app: Flask) -> None:
    client = oidc_app.test_client()
    sign_in_at_provider(client)
    first = session_token(client)
    oidc_app.extensions[CLOCK].advance(6 * MINUTE)
    assert signed_in_as(client, "Ваня Петкова")
    assert session_token(client) != first


def test_signing_out_revokes_the_refresh_token_and_a_copied_cookie_stops_working(
    oidc_app: Flask, provider: IdentityProvider
) -> None:
    client = oidc_app.test_client()
    sign_in_at_provider(client)
    refresh_token = sign_in_state(client)["refresh_token"]
    copied = client.get_cookie("portal_session")
    assert copied is not None

    out = client.post("/sign-out")
    assert refresh_token in provider.revoked
    assert requests.post(
        f"{provider.issuer}/token", data={"grant_type": "refresh_token", "refresh_token": refresh_token}, timeout=10
    ).json() == {"error": "invalid_grant"}
    logout = urlparse(out.headers["Location"])
    assert f"{logout.scheme}://{logout.netloc}{logout.path}" == f"{provider.issuer}/logout"
    assert parse_qs(logout.query)["post_logout_redirect_uri"] == ["http://localhost/"]
    assert parse_qs(logout.query)["id_token_hint"]
    assert not signed_in_as(client, "Ваня Петкова")

    thief = oidc_app.test_client()
    thief.set_cookie("portal_session", copied.value)
    assert signed_in_as(thief, "Ваня Петкова")  # the residual window: until the token's renewal is due
    oidc_app.extensions[CLOCK].advance(6 * MINUTE)
    page = thief.get("/").get_data(as_text=True)
    assert "Ваня Петкова" not in page
    assert ENDED in page
