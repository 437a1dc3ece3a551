"""A service's scheduler process: one pass of state-based steps, again every few minutes until SIGTERM."""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable
from typing import Any

from pymongo.database import Database

from shared.config import Settings, env_int
from shared.logs import configure_logging, correlation_scope
from shared.mongo import connect
from shared.runtime import LivenessFile, StopSignal

log = logging.getLogger(__name__)


def run_scheduler(
    service: str, make_pass: Callable[[Database], Callable[[], dict[str, Any]]], argv: list[str] | None
) -> None:
    """Run ``make_pass(db)()`` every ``<SERVICE>_SCHEDULER_INTERVAL_SECONDS`` (300), or once with ``--once``."""
    parser = argparse.ArgumentParser(description=f"Run the {service} service's scheduled steps.")
    parser.add_argument("--once", action="store_true", help="run one pass and exit")
    args = parser.parse_args(argv)
    settings = Settings.from_env(service)
    configure_logging(f"{service}-scheduler", settings.log_level)
    one_pass = make_pass(connect(settings.mongodb_uri, app_name=f"{service}-scheduler")[settings.mongodb_database])
    interval = env_int(f"{service.upper()}_SCHEDULER_INTERVAL_SECONDS", 300)
    stop = StopSignal()
    liveness = LivenessFile(settings.liveness_file)
    while not stop.is_set():
        liveness.touch()
        with correlation_scope(None):
            log.info("scheduled pass done: %s", one_pass())
        if args.once:
            return
        stop.wait(interval)
