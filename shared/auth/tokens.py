"""Encoding and checking JWT bearer tokens."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt

from shared.auth.principal import NATIONAL, Principal, Role
from shared.bg.geography import geography
from shared.config import Settings

logger = logging.getLogger(__name__)

JWKS_FETCH_TIMEOUT_SECONDS = 3.0
"""How long one fetch of the provider's keys may take: far below gunicorn's worker timeout and the probes'."""
JWKS_LIFESPAN_SECONDS = 300
"""How long the fetched key set is kept; a key seen once stays cached (by ``kid``) while the provider is away."""
JWKS_RETRY_AFTER_SECONDS = 10.0
"""After a failed fetch, requests needing a key not yet cached are answered 503 at once for this long."""


class AuthError(Exception):
    """The token is missing, expired, forged or malformed."""


class IdentityProviderUnavailable(Exception):
    """The identity provider's keys (JWKS) could not be fetched: the token can be neither accepted nor refused.

    Web processes answer 503 (the client may retry), never 401 (the token may be good) nor 500."""


class _ProviderKeys:
    """The provider's public keys: fetched with a short timeout, cached, and not asked for again for a few
    seconds after a failure, so an unreachable provider costs each request nothing instead of a timeout."""

    def __init__(self, jwks_url: str) -> None:
        self._url = jwks_url
        self._client = jwt.PyJWKClient(
            jwks_url, cache_keys=True, lifespan=JWKS_LIFESPAN_SECONDS, timeout=JWKS_FETCH_TIMEOUT_SECONDS
        )
        self._lock = threading.Lock()
        self._failed_until = 0.0
        self._failure = ""

    def key_for(self, token: str) -> Any:
        if time.monotonic() < self._failed_until:
            raise IdentityProviderUnavailable(self._failure)
        try:
            return self._client.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError as exc:
            with self._lock:
                first = time.monotonic() >= self._failed_until
                self._failure = f"the identity provider's keys at {self._url} cannot be fetched: {exc}"
                self._failed_until = time.monotonic() + JWKS_RETRY_AFTER_SECONDS
            if first:
                logger.error(
                    "%s; signed-in requests are answered 503 for %.0f s, then the keys are asked for again",
                    self._failure,
                    JWKS_RETRY_AFTER_SECONDS,
                )
            raise IdentityProviderUnavailable(self._failure) from exc


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
        self._jwks = _ProviderKeys(jwks_url) if jwks_url else None

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
            key: Any = self._jwks.key_for(token) if self._jwks else self._secret
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
