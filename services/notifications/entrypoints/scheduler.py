"""The notifications service's scheduler process (``notifications-scheduler``): records the reminders that are
due (the sender, ``notifications-sender``, sends them; it also retries what failed, on its own backoff)."""

from __future__ import annotations

from functools import partial

from services.notifications.config import SERVICE
from services.notifications.entrypoints.wiring import Notifications, build
from shared.scheduling import run_scheduler


def run_pass(notifications: Notifications) -> dict[str, int]:
    return {"reminders_sent": notifications.reminders.send_due() if notifications.reminders else 0}


def main(argv: list[str] | None = None) -> None:
    run_scheduler(SERVICE, lambda db: partial(run_pass, build(db)), argv)


if __name__ == "__main__":
    main()
