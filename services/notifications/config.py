"""The notifications service's configuration."""

from __future__ import annotations

from dataclasses import dataclass

from shared.config import env_int, env_str

SERVICE = "notifications"
CONSUMER_GROUP = "notifications"
CONSUMED_TOPICS = (
    "registry.enterprise.v1",
    "registry.application.v1",
    "marketplace.listing.v1",
    "marketplace.order.v1",
    "marketplace.need.v1",
    "training.session.v1",
    "training.enrolment.v1",
    "training.assessment.v1",
)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    username: str
    password: str
    sender: str
    """The From address, e.g. ``Solidarity Hub <no-reply@solidarityhub.bg>``."""

    @classmethod
    def from_env(cls) -> SmtpSettings:
        return cls(
            host=env_str("SMTP_HOST", "127.0.0.1"),
            port=env_int("SMTP_PORT", 1025),
            starttls=env_str("SMTP_STARTTLS", "false").lower() == "true",
            username=env_str("SMTP_USERNAME", ""),
            password=env_str("SMTP_PASSWORD", ""),
            sender=env_str("SMTP_SENDER", "Солидарна платформа <no-reply@solidarityhub.example.bg>"),
        )
