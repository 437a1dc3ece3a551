"""The training service's outbox relay process (``training-relay``)."""

from __future__ import annotations

from services.training.adapters.assessments import ASSESSMENTS
from services.training.adapters.catalogue import SESSIONS
from services.training.adapters.enrolments import ENROLMENTS
from services.training.config import SERVICE, TOPICS
from shared.config import Settings
from shared.outbox.process import run_relay

OUTBOX_COLLECTIONS: list[str] = [SESSIONS, ASSESSMENTS, ENROLMENTS]


def main() -> None:
    run_relay(SERVICE, Settings.from_env(SERVICE), OUTBOX_COLLECTIONS, TOPICS)


if __name__ == "__main__":
    main()
