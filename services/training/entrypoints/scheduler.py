"""The training service's scheduler process (``training-scheduler``).

Every pass: bookings left by a crash between claiming a trainer's or room's time and saving the
session are released; every session not yet ended has its seat ledger and enrolments brought in
line (a crash between an enrolment's steps leaves them apart). Both steps are state-based, so
running them often, or twice, changes nothing more.
"""

from __future__ import annotations

from functools import partial

from services.training.config import SERVICE
from services.training.entrypoints.wiring import Training, build
from shared.scheduling import run_scheduler

RECONCILED_SESSIONS = 500
"""The soonest sessions each pass looks at (a pass runs every few minutes)."""


def run_pass(training: Training) -> dict[str, int]:
    done = {"bookings_released": training.sessions.release_orphans(), "enrolments_repaired": 0}
    for session in training.sessions.upcoming(limit=RECONCILED_SESSIONS):
        done["enrolments_repaired"] += sum(training.enrolments.reconcile(session.id).values())
    return done


def main(argv: list[str] | None = None) -> None:
    run_scheduler(SERVICE, lambda db: partial(run_pass, build(db)), argv)


if __name__ == "__main__":
    main()
