"""Services accept tokens of the configured OpenID Connect provider, checked against its published keys."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from shared.auth import AuthError, Principal, Role, TokenCodec
from tests.identity_provider import AUDIENCE, IdentityProvider, running_identity_provider


@pytest.fixture(scope="module")
def provider() -> Iterator[IdentityProvider]:
    with running_identity_provider() as running:
        yield running


def codec_for(provider: IdentityProvider) -> TokenCodec:
    return TokenCodec("", "RS256", provider.issuer, AUDIENCE, jwks_url=provider.jwks_url)


def test_a_provider_token_carries_the_person_and_their_platform_claims(provider: IdentityProvider) -> None:
    token = provider.token(
        {"sub": "u-1", "name": "Петя Василева", "email": "p@example.bg", "roles": ["clerk"], "centre": "varna"}
    )
    principal = codec_for(provider).decode(token)
    assert principal.subject == "u-1"
    assert principal.roles == frozenset({Role.CLERK})
    assert principal.centre == "varna"


def test_a_token_signed_with_another_key_is_refused(provider: IdentityProvider) -> None:
    forged = provider.token({"sub": "u-1", "roles": ["admin"]}, key=rsa.generate_private_key(65537, 2048))
    with pytest.raises(AuthError):
        codec_for(provider).decode(forged)


def test_a_token_for_another_audience_is_refused(provider: IdentityProvider) -> None:
    with pytest.raises(AuthError):
        codec_for(provider).decode(provider.token({"sub": "u-1"}, audience="another-app"))


def test_with_a_provider_nothing_is_signed_locally(provider: IdentityProvider) -> None:
    with pytest.raises(AuthError):
        codec_for(provider).encode(Principal("u-1", frozenset({Role.ADMIN})))
