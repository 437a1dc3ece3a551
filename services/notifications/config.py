"""The notifications service's configuration."""

from __future__ import annotations

from dataclasses import dataclass

from shared.config import declare

SERVICE = "notifications"
CONSUMER_GROUP = "notifications"


PORTAL_URL = declare(
    "NOTIFICATIONS_PORTAL_URL",
    "http://127.0.0.1:8100",
    "The portal's address as people open it (e.g. `https://solidarityhub.example.bg`): messages link to its pages.",
)
SMTP_HOST = declare("SMTP_HOST", "127.0.0.1", "Mail server that sends the e-mails.")
SMTP_PORT = declare("SMTP_PORT", 1025, "Its port (587 with STARTTLS in production).")
SMTP_STARTTLS = declare("SMTP_STARTTLS", False, "Upgrade the connection with STARTTLS.")
SMTP_USERNAME = declare("SMTP_USERNAME", "", "Mail server user, if it asks for one.")
SMTP_PASSWORD = declare("SMTP_PASSWORD", "", "Its password. Secret.")
SMTP_SENDER = declare(
    "SMTP_SENDER", "Солидарна платформа <no-reply@solidarityhub.example.bg>", "The From address of every e-mail."
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
            host=SMTP_HOST.text(),
            port=SMTP_PORT.integer(),
            starttls=SMTP_STARTTLS.flag(),
            username=SMTP_USERNAME.text(),
            password=SMTP_PASSWORD.text(),
            sender=SMTP_SENDER.text(),
        )
