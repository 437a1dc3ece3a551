"""Settings read from the environment, shared by every service process."""

from __future__ import annotations

import os
from dataclasses import dataclass


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name} must be an integer, got {raw!r}") from exc


@dataclass(frozen=True)
class Settings:
    """Connection and security settings common to every service.

    Each service passes its own name; the database name defaults to that name so that
    no two services ever share a database by accident.
    """

    service: str
    mongodb_uri: str = "mongodb://127.0.0.1:27017/"
    mongodb_database: str = ""
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    jwt_secret: str = "development-only-secret-never-use-in-production"  # noqa: S105  # production sets JWT_SECRET
    jwt_algorithm: str = "HS256"
    jwt_issuer: str = "solidarity-hub"
    jwt_audience: str = "solidarity-hub"
    jwt_jwks_url: str = ""
    log_level: str = "INFO"
    liveness_file: str = ""
    max_request_bytes: int = 256 * 1024

    @classmethod
    def from_env(cls, service: str) -> Settings:
        prefix = service.upper()
        return cls(
            service=service,
            mongodb_uri=env_str("MONGODB_URI", cls.mongodb_uri),
            mongodb_database=env_str(f"{prefix}_MONGODB_DATABASE", service),
            kafka_bootstrap_servers=env_str("KAFKA_BOOTSTRAP_SERVERS", cls.kafka_bootstrap_servers),
            jwt_secret=env_str("JWT_SECRET", cls.jwt_secret),
            jwt_algorithm=env_str("JWT_ALGORITHM", cls.jwt_algorithm),
            jwt_issuer=env_str("JWT_ISSUER", cls.jwt_issuer),
            jwt_audience=env_str("JWT_AUDIENCE", cls.jwt_audience),
            jwt_jwks_url=env_str("JWT_JWKS_URL", cls.jwt_jwks_url),
            log_level=env_str("LOG_LEVEL", cls.log_level),
            liveness_file=env_str(f"{prefix}_LIVENESS_FILE", f"/tmp/{service}-alive"),  # noqa: S108
            max_request_bytes=env_int("MAX_REQUEST_BYTES", cls.max_request_bytes),
        )
