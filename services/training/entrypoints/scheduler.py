"""The training service's scheduler process (``training-scheduler``).

Every pass: bookings left by a crash between claiming a trainer's or room's time and saving the
session are released; every session not yet ended has its seat ledger and enrolments brought in
line (a crash between an enrolment's steps leaves them apart). Both steps are state-based, so
running them often, or twice, changes nothing more.
"""

from __future__ import annotations

import argparse
import logging

from services.training.config import SERVICE
from services.training.entrypoints.wiring import Training, build
from shared.config import Settings, env_int
from shared.logs import configure_logging, correlation_scope
from shared.mongo import connect
from shared.runtime import LivenessFile, StopSignal

log = logging.getLogger(__name__)
RECONCILED_SESSIONS = 500
"""The soonest sessions each pass looks at (a pass runs every few minutes)."""


def run_pass(training: Training) -> dict[str, int]:
    with correlation_scope(None):
        done = {"bookings_released": training.sessions.release_orphans(), "enrolments_repaired": 0}
        for session in training.sessions.upcoming(limit=RECONCILED_SESSIONS):
            done["enrolments_repaired"] += sum(training.enrolments.reconcile(session.id).values())
    return done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the training service's scheduled steps.")
    parser.add_argument("--once", action="store_true", help="run one pass and exit")
    args = parser.parse_args(argv)
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-scheduler", settings.log_level)
    training = build(connect(settings.mongodb_uri, app_name=f"{SERVICE}-scheduler")[settings.mongodb_database])
    interval = env_int("TRAINING_SCHEDULER_INTERVAL_SECONDS", 300)
    stop = StopSignal()
    liveness = LivenessFile(settings.liveness_file)
    while not stop.is_set():
        liveness.touch()
        log.info("scheduled pass done: %s", run_pass(training))
        if args.once:
            return
        stop.wait(interval)


if __name__ == "__main__":
    main()
