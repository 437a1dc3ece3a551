"""When the identity provider's keys cannot be fetched, a signed-in request gets a fast 503, not a hang or a 500.

Two providers that fail as networks do: one whose port is closed (refused at once), one that accepts the
connection and never answers (as a NetworkPolicy dropping the packets, or a stuck provider, looks). The web
process must answer within a few seconds (gunicorn's worker timeout is 30 s), say so once in its log, and not
ask the provider again for every request while it is away. A key fetched before the outage keeps working.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from flask import Flask

from shared.auth import IdentityProviderUnavailable, TokenCodec
from shared.auth.tokens import JWKS_FETCH_TIMEOUT_SECONDS
from shared.config import Settings
from shared.web.app_factory import create_service_app
from tests.identity_provider import AUDIENCE, IdentityProvider, running_identity_provider

FAST = JWKS_FETCH_TIMEOUT_SECONDS + 2
"""An answer later than this would be the old 30 s wait."""


@contextmanager
def silent_provider() -> Iterator[tuple[str, list[socket.socket]]]:
    """A port that accepts connections (the kernel's backlog does) and never sends a byte."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted: list[socket.socket] = []
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/jwks", accepted
    finally:
        listener.close()


def closed_port_url() -> str:
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now: connections are refused
    return f"http://127.0.0.1:{port}/jwks"


@pytest.fixture(scope="module")
def provider() -> Iterator[IdentityProvider]:
    with running_identity_provider() as running:
        yield running


def web_app(jwks_url: str, issuer: str) -> Flask:
    settings = Settings(
        service="registry", jwt_algorithm="RS256", jwt_issuer=issuer, jwt_audience=AUDIENCE, jwt_jwks_url=jwks_url
    )
    return create_service_app(
        settings=settings, title="t", version="1", description="", blueprints=[], readiness={}, policies={}
    )


def test_a_provider_that_never_answers_costs_a_request_a_few_seconds_then_nothing(
    provider: IdentityProvider, caplog: pytest.LogCaptureFixture
) -> None:
    token = provider.token({"sub": "u-1", "roles": ["clerk"], "centre": "varna"})
    with silent_provider() as (url, _):
        client = web_app(url, provider.issuer).test_client()
        with caplog.at_level(logging.ERROR, logger="shared.auth.tokens"):
            started = time.monotonic()
            first = client.get("/healthz", headers={"Authorization": f"Bearer {token}"})
            first_seconds = time.monotonic() - started
            started = time.monotonic()
            second = client.get("/healthz", headers={"Authorization": f"Bearer {token}"})
            second_seconds = time.monotonic() - started
    assert first.status_code == 503, first.get_data(as_text=True)
    assert first.get_json()["code"] == "service_unavailable"
    assert first.headers["Retry-After"]
    assert first_seconds < FAST, f"the first request waited {first_seconds:.1f} s for the provider"
    assert second.status_code == 503
    assert second_seconds < 0.5, f"the next request asked the silent provider again ({second_seconds:.1f} s)"
    lines = [r.getMessage() for r in caplog.records if "identity provider" in r.getMessage()]
    assert len(lines) == 1, lines
    assert url in lines[0] and "503" in lines[0]


def test_a_provider_whose_port_is_closed_answers_503_at_once(provider: IdentityProvider) -> None:
    token = provider.token({"sub": "u-1", "roles": ["learner"]})
    client = web_app(closed_port_url(), provider.issuer).test_client()
    started = time.monotonic()
    answer = client.get("/healthz", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.get_json()["code"] == "service_unavailable"
    assert time.monotonic() - started < FAST


def test_keys_fetched_before_the_outage_keep_signed_in_requests_working(provider: IdentityProvider) -> None:
    codec = TokenCodec("", "RS256", provider.issuer, AUDIENCE, jwks_url=provider.jwks_url)
    token = provider.token({"sub": "u-1", "roles": ["learner"]})
    assert codec.decode(token).subject == "u-1"
    codec._jwks._client.uri = closed_port_url()  # type: ignore[union-attr]  # the provider goes away
    assert codec.decode(provider.token({"sub": "u-2", "roles": ["learner"]})).subject == "u-2"


def test_the_codec_says_unavailable_not_invalid_when_the_keys_cannot_be_fetched(provider: IdentityProvider) -> None:
    codec = TokenCodec("", "RS256", provider.issuer, AUDIENCE, jwks_url=closed_port_url())
    with pytest.raises(IdentityProviderUnavailable, match="cannot be fetched"):
        codec.decode(provider.token({"sub": "u-1"}))
