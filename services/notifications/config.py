"""The notifications service's configuration."""

from __future__ import annotations

from dataclasses import dataclass

from shared.config import declare
from shared.web.public_links import PUBLIC_PORTAL_URL

SERVICE = "notifications"
CONSUMER_GROUP = "notifications"


PORTAL_URL = declare(
    "NOTIFICATIONS_PORTAL_URL",
    "",
    "The portal's address as people open it, for the links in messages (empty: `PUBLIC_PORTAL_URL`, the one "
    "address every service prints and sends).",
)


def portal_url() -> str:
    """Where messages' links point: ``NOTIFICATIONS_PORTAL_URL`` if set, else the platform's ``PUBLIC_PORTAL_URL``."""
    return PORTAL_URL.text(default=PUBLIC_PORTAL_URL.text())


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
