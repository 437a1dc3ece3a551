"""Settings read from the environment.

Every environment variable the platform reads is declared once, at module level, as a `Variable` with
its default and meaning; ``python -m shared.config_reference`` lists them all for the operators'
runbook, so the reference is generated from these declarations and cannot drift from the code.
A name may hold ``<SERVICE>``, read with the service's name in capitals (``REGISTRY_MONGODB_DATABASE``).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

SERVICE_PLACEHOLDER = "<SERVICE>"
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


@dataclass(frozen=True)
class Variable:
    name: str
    default: str | int | bool
    """Used when the variable is unset or empty; ``<service>`` in a text default becomes the service's name."""
    meaning: str
    declared_in: str = field(default="", compare=False)
    """The module that declared it (filled in by `declare`): the reference groups variables by it."""

    def name_for(self, service: str = "") -> str:
        return self.name.replace(SERVICE_PLACEHOLDER, service.upper())

    def _raw(self, service: str) -> str | None:
        raw = os.environ.get(self.name_for(service))
        return None if raw is None or raw.strip() == "" else raw.strip()

    def text(self, service: str = "", *, default: str | None = None) -> str:
        """The value; unset, ``default`` when given (a caller's own fallback), else the declared default."""
        raw = self._raw(service)
        if raw is not None:
            return raw
        return default if default is not None else str(self.default).replace("<service>", service)

    def integer(self, service: str = "") -> int:
        raw = self._raw(service)
        if raw is None:
            return int(self.default)
        try:
            return int(raw)
        except ValueError as exc:
            raise ValueError(f"environment variable {self.name_for(service)} must be an integer, got {raw!r}") from exc

    def flag(self, service: str = "") -> bool:
        raw = self._raw(service)
        if raw is None:
            return bool(self.default)
        if raw.lower() in TRUE_WORDS | FALSE_WORDS:
            return raw.lower() in TRUE_WORDS
        raise ValueError(f"environment variable {self.name_for(service)} must be true or false, got {raw!r}")


def declare(name: str, default: str | int | bool, meaning: str) -> Variable:
    """A `Variable` that remembers the module declaring it; declare at module level only."""
    return Variable(name, default, meaning, declared_in=sys._getframe(1).f_globals.get("__name__", ""))


MONGODB_URI = declare(
    "MONGODB_URI",
    "mongodb://127.0.0.1:27017/",
    "MongoDB connection string (on Kubernetes built from the service's own user; see Secrets).",
)
MONGODB_DATABASE = declare(
    "<SERVICE>_MONGODB_DATABASE", "<service>", "The service's own database, e.g. `REGISTRY_MONGODB_DATABASE`."
)
KAFKA_BOOTSTRAP_SERVERS = declare("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092", "Kafka brokers, comma-separated.")
JWT_SECRET = declare(
    "JWT_SECRET",
    "development-only-secret-never-use-in-production",
    "HS256 key shared by the portal's developer sign-in and the services. Development only. Secret.",
)
JWT_ALGORITHM = declare("JWT_ALGORITHM", "HS256", "`HS256` with JWT_SECRET (development), `RS256` with JWT_JWKS_URL.")
JWT_ISSUER = declare("JWT_ISSUER", "solidarity-hub", "Required `iss` claim of access tokens.")
JWT_AUDIENCE = declare("JWT_AUDIENCE", "solidarity-hub", "Required `aud` claim of access tokens.")
JWT_JWKS_URL = declare(
    "JWT_JWKS_URL", "", "The identity provider's JWKS address; set, tokens are checked against its public keys."
)
LOG_LEVEL = declare("LOG_LEVEL", "INFO", "`DEBUG`, `INFO`, `WARNING` or `ERROR`; logs are JSON lines on stdout.")
LIVENESS_FILE = declare(
    "<SERVICE>_LIVENESS_FILE",
    "/tmp/<service>-alive",  # noqa: S108 - a probe's file, not a secret
    "File a consumer or scheduler touches from its loop; the liveness probe checks it is fresh.",
)
DEVELOPMENT_MODE = declare(
    "DEVELOPMENT_MODE",
    False,
    "Allows the built-in development secrets and the portal's developer sign-in (`make run`, tests, the dev "
    "overlay). Never in production: without it, nothing starts with a default, empty or short secret.",
)
MAX_REQUEST_BYTES = declare("MAX_REQUEST_BYTES", 256 * 1024, "Largest request body a web process accepts (413 above).")


MIN_SECRET_LENGTH = 32
"""Characters a shared secret needs outside development mode (32 random characters ≈ 190 bits)."""


class InsecureSecret(RuntimeError):
    """A secret is at its public default, empty or short, outside development mode: the process must not start."""


def require_strong_secret(variable: Variable, value: str, *, development_mode: bool) -> None:
    """Refuse ``value`` for ``variable`` unless it is long and not the published default (or in development mode)."""
    if development_mode:
        return
    if not value or value == str(variable.default):
        problem = "is not set" if not value or not os.environ.get(variable.name, "").strip() else "is the default"
        raise InsecureSecret(
            f"{variable.name} {problem}: set it to a random value of at least {MIN_SECRET_LENGTH} characters "
            f"(or DEVELOPMENT_MODE=true on a developer's machine)"
        )
    if len(value) < MIN_SECRET_LENGTH:
        raise InsecureSecret(f"{variable.name} is too short: at least {MIN_SECRET_LENGTH} characters are required")


@dataclass(frozen=True)
class Settings:
    """Connection and security settings common to every service.

    Each service passes its own name; the database name defaults to that name so that
    no two services ever share a database by accident.
    """

    service: str
    mongodb_uri: str = str(MONGODB_URI.default)
    mongodb_database: str = ""
    kafka_bootstrap_servers: str = str(KAFKA_BOOTSTRAP_SERVERS.default)
    jwt_secret: str = str(JWT_SECRET.default)
    jwt_algorithm: str = str(JWT_ALGORITHM.default)
    jwt_issuer: str = str(JWT_ISSUER.default)
    jwt_audience: str = str(JWT_AUDIENCE.default)
    jwt_jwks_url: str = ""
    log_level: str = str(LOG_LEVEL.default)
    liveness_file: str = ""
    max_request_bytes: int = int(MAX_REQUEST_BYTES.default)
    development_mode: bool = False

    def check_secrets(self) -> None:
        """Raise `InsecureSecret` when tokens could be minted by anyone who read the code.

        With an identity provider (JWT_JWKS_URL) tokens are checked against its public keys, so the
        algorithm must be an asymmetric one; without it, JWT_SECRET must be a real secret.
        """
        if self.development_mode:
            return
        if self.jwt_jwks_url:
            if self.jwt_algorithm.upper().startswith("HS"):
                raise InsecureSecret(
                    f"JWT_ALGORITHM={self.jwt_algorithm} with JWT_JWKS_URL: use the provider's algorithm (RS256, ES256)"
                )
            return
        require_strong_secret(JWT_SECRET, self.jwt_secret, development_mode=False)

    @classmethod
    def from_env(cls, service: str) -> Settings:
        return cls(
            service=service,
            mongodb_uri=MONGODB_URI.text(),
            mongodb_database=MONGODB_DATABASE.text(service),
            kafka_bootstrap_servers=KAFKA_BOOTSTRAP_SERVERS.text(),
            jwt_secret=JWT_SECRET.text(),
            jwt_algorithm=JWT_ALGORITHM.text(),
            jwt_issuer=JWT_ISSUER.text(),
            jwt_audience=JWT_AUDIENCE.text(),
            jwt_jwks_url=JWT_JWKS_URL.text(),
            log_level=LOG_LEVEL.text(),
            liveness_file=LIVENESS_FILE.text(service),
            max_request_bytes=MAX_REQUEST_BYTES.integer(),
            development_mode=DEVELOPMENT_MODE.flag(),
        )
