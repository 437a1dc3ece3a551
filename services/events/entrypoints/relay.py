"""The events service's outbox relay process (``events-relay``)."""

from __future__ import annotations

from services.events.adapters.repository import EVENTS, EXHIBITORS, REGISTRATIONS
from services.events.config import SERVICE, TOPICS
from shared.config import Settings
from shared.outbox.process import run_relay

OUTBOX_COLLECTIONS: list[str] = [EVENTS, EXHIBITORS, REGISTRATIONS]


def main() -> None:
    run_relay(SERVICE, Settings.from_env(SERVICE), OUTBOX_COLLECTIONS, TOPICS)


if __name__ == "__main__":
    main()
