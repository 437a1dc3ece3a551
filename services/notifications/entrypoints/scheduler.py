"""The notifications service's scheduler process (``notifications-scheduler``): records the reminders that are
due (the sender, ``notifications-sender``, sends them; it also retries what failed, on its own backoff)."""

from __future__ import annotations

from functools import partial

from services.notifications.config import SERVICE
from services.notifications.entrypoints.wiring import Notifications, build
from shared.scheduling import run_scheduler


def run_pass(notifications: Notifications) -> dict[str, int]:
    reminders = notifications.reminders
    if reminders is None:
        return {"reminders_sent": 0, "reminders_forgotten": 0}
    return {"reminders_sent": reminders.send_due(), "reminders_forgotten": reminders.forget_past()}


def main(argv: list[str] | None = None) -> None:
    run_scheduler(SERVICE, lambda db: partial(run_pass, build(db)), argv)


if __name__ == "__main__":
    main()
