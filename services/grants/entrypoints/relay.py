"""The grants service's outbox relay process (``grants-relay``)."""

from __future__ import annotations

from services.grants.adapters.repository import APPLICATIONS, CALLS
from services.grants.config import SERVICE, TOPICS
from shared.config import Settings
from shared.outbox.process import run_relay

OUTBOX_COLLECTIONS: list[str] = [CALLS, APPLICATIONS]


def main() -> None:
    run_relay(SERVICE, Settings.from_env(SERVICE), OUTBOX_COLLECTIONS, TOPICS)


if __name__ == "__main__":
    main()
