"""A service's scheduler process: one pass of state-based steps, again every few minutes until SIGTERM."""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Callable
from typing import Any

from pymongo.database import Database

from shared.config import Settings, declare
from shared.logs import configure_logging, correlation_scope
from shared.mongo import connect
from shared.runtime import LivenessFile, StopSignal
from shared.worker_metrics import serve_worker_metrics

log = logging.getLogger(__name__)

INTERVAL_SECONDS = declare(
    "<SERVICE>_SCHEDULER_INTERVAL_SECONDS", 300, "Seconds between a scheduler's passes (every step is idempotent)."
)
LIVENESS_TOUCH_SECONDS = 10.0
"""How often a waiting scheduler touches its liveness file, so the probe never sees a long wait as a hang."""


def run_scheduler(
    service: str, make_pass: Callable[[Database], Callable[[], dict[str, Any]]], argv: list[str] | None
) -> None:
    """Run ``make_pass(db)()`` every ``<SERVICE>_SCHEDULER_INTERVAL_SECONDS`` (300), or once with ``--once``."""
    parser = argparse.ArgumentParser(description=f"Run the {service} service's scheduled steps.")
    parser.add_argument("--once", action="store_true", help="run one pass and exit")
    args = parser.parse_args(argv)
    settings = Settings.from_env(service)
    configure_logging(f"{service}-scheduler", settings.log_level)
    serve_worker_metrics()
    one_pass = make_pass(connect(settings.mongodb_uri, app_name=f"{service}-scheduler")[settings.mongodb_database])
    interval = INTERVAL_SECONDS.integer(service)
    stop = StopSignal()
    liveness = LivenessFile(settings.liveness_file)
    while not stop.is_set():
        liveness.touch()
        with correlation_scope(None):
            log.info("scheduled pass done: %s", one_pass())
        if args.once:
            return
        wait_touching(stop, liveness, interval)


def wait_touching(stop: StopSignal, liveness: LivenessFile, seconds: float) -> None:
    """Wait ``seconds`` (or until the stop signal), touching the liveness file as the time passes."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        if stop.wait(min(left, LIVENESS_TOUCH_SECONDS)):
            return
        liveness.touch()
