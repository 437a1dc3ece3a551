"""The notifications service's scheduler process (``notifications-scheduler``): e-mails that failed for a
reason that passes (a busy server) or were left mid-send by a crash are sent again when due."""

from __future__ import annotations

from functools import partial

from services.notifications.config import SERVICE
from services.notifications.entrypoints.wiring import Notifications, build
from shared.scheduling import run_scheduler


def run_pass(notifications: Notifications) -> dict[str, int]:
    return {
        "emails_retried": notifications.deliveries.retry_due(),
        "webhooks_retried": notifications.webhooks.retry_due(),
        "reminders_sent": notifications.reminders.send_due() if notifications.reminders else 0,
    }


def main(argv: list[str] | None = None) -> None:
    run_scheduler(SERVICE, lambda db: partial(run_pass, build(db)), argv)


if __name__ == "__main__":
    main()
