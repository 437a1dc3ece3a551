"""Encoding and checking JWT bearer tokens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from shared.auth.principal import NATIONAL, Principal, Role
from shared.bg.geography import geography
from shared.config import Settings


class AuthError(Exception):
    """The token is missing, expired, forged or malformed."""


class TokenCodec:
    """Signs development tokens with a shared secret; checks tokens with that secret or an issuer's JWKS.

    With ``jwks_url`` (production, an OpenID Connect provider) tokens are checked against the
    provider's published public keys, chosen by the token's ``kid``, and nothing can be signed here.
    """

    def __init__(
        self, secret: str, algorithm: str = "HS256", issuer: str = "", audience: str = "", jwks_url: str = ""
    ) -> None:
        self._secret = secret
        self._algorithm = algorithm
        self._issuer = issuer
        self._audience = audience
        self._jwks = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300) if jwks_url else None

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCodec:
        return cls(
            settings.jwt_secret,
            settings.jwt_algorithm,
            settings.jwt_issuer,
            settings.jwt_audience,
            settings.jwt_jwks_url,
        )

    def encode(self, principal: Principal, ttl: timedelta = timedelta(hours=12)) -> str:
        if self._jwks is not None:
            raise AuthError("tokens are issued by the identity provider, not signed here")
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": principal.subject,
            "roles": sorted(principal.roles),
            "name": principal.name,
            "email": principal.email,
            "email_verified": principal.email_verified,
            "iat": now,
            "exp": now + ttl,
            "jti": str(uuid.uuid4()),
        }
        if self._issuer:
            claims["iss"] = self._issuer
        if self._audience:
            claims["aud"] = self._audience
        if principal.enterprise_id:
            claims["enterprise_id"] = principal.enterprise_id
        if principal.centre:
            claims["centre"] = principal.centre
        return jwt.encode(claims, self._secret, algorithm=self._algorithm)

    def decode(self, token: str) -> Principal:
        try:
            key: Any = self._jwks.get_signing_key_from_jwt(token).key if self._jwks else self._secret
            claims = jwt.decode(
                token,
                key,
                algorithms=[self._algorithm],
                issuer=self._issuer or None,
                audience=self._audience or None,
                options={"require": ["sub", "exp"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(str(exc)) from exc
        try:
            roles = frozenset(Role(r) for r in claims.get("roles", []))
        except ValueError as exc:
            raise AuthError(f"unknown role in token: {exc}") from exc
        centre = claims.get("centre")
        if centre is not None and (not isinstance(centre, str) or centre not in known_centres()):
            raise AuthError(f"unknown centre in token: {centre!r}")
        enterprise_id = claims.get("enterprise_id")
        if enterprise_id is not None and not isinstance(enterprise_id, str):
            raise AuthError("enterprise_id in token must be a string")
        return Principal(
            subject=str(claims["sub"]),
            roles=roles,
            name=str(claims.get("name", "")),
            email=str(claims.get("email", "")),
            enterprise_id=enterprise_id,
            centre=centre,
            email_verified=claims.get("email_verified") is True,
        )


def known_centres() -> frozenset[str]:
    """The ``centre`` claims a token may carry: the regional centres, and ``national`` said explicitly."""
    return frozenset({*geography().centres, NATIONAL})
