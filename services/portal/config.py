"""The portal's configuration: where the services answer, how people sign in."""

from __future__ import annotations

import os
from dataclasses import dataclass

from shared.config import Settings, env_int, env_str

SERVICE = "portal"


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    return raw in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class OidcSettings:
    """An OpenID Connect provider: the portal sends people there and keeps the access token it returns.

    The provider's access tokens must carry the platform's claims (``roles``, and ``enterprise_id`` or
    ``centre`` where they apply); the services validate them with ``JWT_JWKS_URL``.
    """

    issuer_url: str
    client_id: str
    client_secret: str
    scope: str

    @property
    def metadata_url(self) -> str:
        return self.issuer_url.rstrip("/") + "/.well-known/openid-configuration"


@dataclass(frozen=True)
class PortalConfig:
    settings: Settings
    secret_key: str
    registry_url: str
    marketplace_url: str
    training_url: str
    notifications_url: str
    public_registry_url: str
    public_training_url: str
    dev_sign_in: bool
    oidc: OidcSettings | None
    secure_cookies: bool
    request_timeout_seconds: int

    @classmethod
    def from_env(cls) -> PortalConfig:
        issuer = env_str("PORTAL_OIDC_ISSUER_URL", "")
        oidc = (
            OidcSettings(
                issuer_url=issuer,
                client_id=env_str("PORTAL_OIDC_CLIENT_ID", "solidarity-portal"),
                client_secret=env_str("PORTAL_OIDC_CLIENT_SECRET", ""),
                scope=env_str("PORTAL_OIDC_SCOPE", "openid profile email"),
            )
            if issuer
            else None
        )
        registry_url = env_str("PORTAL_REGISTRY_URL", "http://127.0.0.1:8101")
        training_url = env_str("PORTAL_TRAINING_URL", "http://127.0.0.1:8103")
        return cls(
            settings=Settings.from_env(SERVICE),
            secret_key=env_str("PORTAL_SECRET_KEY", "development-only-portal-secret"),
            registry_url=registry_url,
            marketplace_url=env_str("PORTAL_MARKETPLACE_URL", "http://127.0.0.1:8102"),
            training_url=training_url,
            notifications_url=env_str("PORTAL_NOTIFICATIONS_URL", "http://127.0.0.1:8104"),
            public_registry_url=env_str("PORTAL_PUBLIC_REGISTRY_URL", registry_url),
            public_training_url=env_str("PORTAL_PUBLIC_TRAINING_URL", training_url),
            dev_sign_in=env_bool("PORTAL_DEV_SIGN_IN", False),
            oidc=oidc,
            secure_cookies=env_bool("PORTAL_SECURE_COOKIES", True),
            request_timeout_seconds=env_int("PORTAL_REQUEST_TIMEOUT_SECONDS", 10),
        )
