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


def test_email_verified_is_read_and_only_a_verified_address_identifies(provider: IdentityProvider) -> None:
    codec = codec_for(provider)
    unverified = codec.decode(provider.token({"sub": "u-1", "email": "victim@example.bg", "roles": ["learner"]}))
    verified = codec.decode(
        provider.token({"sub": "u-1", "email": "me@example.bg", "email_verified": True, "roles": ["learner"]})
    )
    assert (unverified.email, unverified.verified_email) == ("victim@example.bg", "")
    assert verified.verified_email == "me@example.bg"


@pytest.mark.parametrize("centre", ["sofia", "", "NATIONAL", 7, ["varna"]])
def test_a_token_naming_an_unknown_centre_is_refused(provider: IdentityProvider, centre: object) -> None:
    with pytest.raises(AuthError, match="centre"):
        codec_for(provider).decode(provider.token({"sub": "u-1", "roles": ["clerk"], "centre": centre}))


def test_a_clerk_without_a_centre_may_act_in_no_centre_and_national_must_be_said() -> None:
    no_centre = Principal("c-0", frozenset({Role.CLERK}))
    varna = Principal("c-1", frozenset({Role.CLERK}), centre="varna")
    national = Principal("c-2", frozenset({Role.CLERK}), centre="national")
    assert not any(no_centre.may_work_in_centre(c) for c in ("varna", "plovdiv", "national", ""))
    assert no_centre.clerk_scope() is None
    assert varna.may_work_in_centre("varna") and not varna.may_work_in_centre("plovdiv")
    assert varna.clerk_scope() == "varna"
    assert national.may_work_in_centre("plovdiv") and national.clerk_scope() == "national"
    assert Principal("a", frozenset({Role.ADMIN})).clerk_scope() == "national"
    assert Principal("r", frozenset({Role.REPRESENTATIVE}), centre="national").clerk_scope() is None
