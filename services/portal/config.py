"""The portal's configuration: where the services answer, how people sign in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from shared.config import InsecureSecret, Settings, declare, require_strong_secret

SERVICE = "portal"

SECRET_KEY = declare(
    "PORTAL_SECRET_KEY", "development-only-portal-secret", "Signs the portal's session cookies and forms. Secret."
)
REGISTRY_URL = declare("PORTAL_REGISTRY_URL", "http://127.0.0.1:8101", "The registry's API, as the portal calls it.")
MARKETPLACE_URL = declare("PORTAL_MARKETPLACE_URL", "http://127.0.0.1:8102", "The marketplace's API.")
TRAINING_URL = declare("PORTAL_TRAINING_URL", "http://127.0.0.1:8103", "The training service's API.")
NOTIFICATIONS_URL = declare("PORTAL_NOTIFICATIONS_URL", "http://127.0.0.1:8104", "The notifications service's API.")
GRANTS_URL = declare("PORTAL_GRANTS_URL", "http://127.0.0.1:8105", "The grants service's API.")
EVENTS_URL = declare("PORTAL_EVENTS_URL", "http://127.0.0.1:8106", "The events service's API (fairs, forums).")
PUBLIC_REGISTRY_URL = declare(
    "PORTAL_PUBLIC_REGISTRY_URL", "", "The registry's public address, for links people follow (empty: as called)."
)
PUBLIC_TRAINING_URL = declare(
    "PORTAL_PUBLIC_TRAINING_URL", "", "The training service's public address (certificates, calendar feeds)."
)
DEV_SIGN_IN = declare(
    "PORTAL_DEV_SIGN_IN", False, "Sign in as anyone, with tokens signed by JWT_SECRET. Local and dev clusters only."
)
SECURE_COOKIES = declare("PORTAL_SECURE_COOKIES", True, "Cookies only over HTTPS; false for plain-HTTP laptops.")
REQUEST_TIMEOUT_SECONDS = declare("PORTAL_REQUEST_TIMEOUT_SECONDS", 10, "How long the portal waits for a service.")
OIDC_ISSUER_URL = declare(
    "PORTAL_OIDC_ISSUER_URL", "", "OpenID Connect provider people sign in with (empty: no provider sign-in)."
)
OIDC_CLIENT_ID = declare("PORTAL_OIDC_CLIENT_ID", "solidarity-portal", "The portal's client id at the provider.")
OIDC_CLIENT_SECRET = declare("PORTAL_OIDC_CLIENT_SECRET", "", "The portal's client secret at the provider. Secret.")
OIDC_SCOPE = declare("PORTAL_OIDC_SCOPE", "openid profile email", "Scopes the portal asks the provider for.")
SESSION_IDLE_MINUTES = declare(
    "PORTAL_SESSION_IDLE_MINUTES", 30, "A signed-in session ends after this many minutes without a page."
)
SESSION_MAX_HOURS = declare(
    "PORTAL_SESSION_MAX_HOURS", 12, "A signed-in session ends this many hours after signing in, however used."
)
TOKEN_RENEW_MINUTES = declare(
    "PORTAL_TOKEN_RENEW_MINUTES",
    5,
    "A session's access token is renewed this often (refreshed at the provider, or re-minted by the developer"
    " sign-in); a session whose token cannot be renewed, e.g. after signing out elsewhere, ends.",
)


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
    session_idle: timedelta = timedelta(minutes=30)
    session_lifetime: timedelta = timedelta(hours=12)
    token_renewal: timedelta = timedelta(minutes=5)
    grants_url: str = "http://127.0.0.1:8105"
    events_url: str = "http://127.0.0.1:8106"

    def check_secrets(self) -> None:
        """Raise `InsecureSecret` outside development mode for a weak cookie key or the developer sign-in."""
        development = self.settings.development_mode
        require_strong_secret(SECRET_KEY, self.secret_key, development_mode=development)
        if self.dev_sign_in and not development:
            raise InsecureSecret("PORTAL_DEV_SIGN_IN lets anyone sign in as anyone: only with DEVELOPMENT_MODE=true")

    @classmethod
    def from_env(cls) -> PortalConfig:
        issuer = OIDC_ISSUER_URL.text()
        oidc = (
            OidcSettings(
                issuer_url=issuer,
                client_id=OIDC_CLIENT_ID.text(),
                client_secret=OIDC_CLIENT_SECRET.text(),
                scope=OIDC_SCOPE.text(),
            )
            if issuer
            else None
        )
        registry_url = REGISTRY_URL.text()
        training_url = TRAINING_URL.text()
        return cls(
            settings=Settings.from_env(SERVICE),
            secret_key=SECRET_KEY.text(),
            registry_url=registry_url,
            marketplace_url=MARKETPLACE_URL.text(),
            training_url=training_url,
            notifications_url=NOTIFICATIONS_URL.text(),
            public_registry_url=PUBLIC_REGISTRY_URL.text(default=registry_url),
            public_training_url=PUBLIC_TRAINING_URL.text(default=training_url),
            dev_sign_in=DEV_SIGN_IN.flag(),
            oidc=oidc,
            secure_cookies=SECURE_COOKIES.flag(),
            request_timeout_seconds=REQUEST_TIMEOUT_SECONDS.integer(),
            session_idle=timedelta(minutes=SESSION_IDLE_MINUTES.integer()),
            session_lifetime=timedelta(hours=SESSION_MAX_HOURS.integer()),
            token_renewal=timedelta(minutes=TOKEN_RENEW_MINUTES.integer()),
            grants_url=GRANTS_URL.text(),
            events_url=EVENTS_URL.text(),
        )
