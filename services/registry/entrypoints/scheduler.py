"""The registry's scheduler process (``registry-scheduler``): daily expiry and yearly-report checks,
and a resync of public-register lines that a crash may have left one change behind.

Every check is idempotent (notices given are recorded in the entry), so running it often, or
after a restart, never repeats a notice or skips one.
"""

from __future__ import annotations

import argparse
import logging

from services.registry.adapters.repository import INDEXES, MongoEnterpriseRepository
from services.registry.config import SERVICE, RegistryConfig
from services.registry.events.schemas import REGISTRY_EVENTS
from services.registry.service_layer.use_cases import RegistryService
from shared.clock import SystemClock
from shared.logs import configure_logging, correlation_scope
from shared.mongo import MongoNumberSeries, connect, ensure_indexes
from shared.runtime import LivenessFile, StopSignal

log = logging.getLogger(__name__)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the register's scheduled checks.")
    parser.add_argument("--once", action="store_true", help="run the checks once and exit")
    args = parser.parse_args(argv)
    config = RegistryConfig.from_env()
    configure_logging(f"{SERVICE}-scheduler", config.settings.log_level)
    db = connect(config.settings.mongodb_uri, app_name=f"{SERVICE}-scheduler")[config.settings.mongodb_database]
    ensure_indexes(db, INDEXES)
    repository = MongoEnterpriseRepository(db)
    service = RegistryService(
        repository=repository,
        numbers=MongoNumberSeries(db),
        catalog=REGISTRY_EVENTS,
        policy=config.policy,
        clock=SystemClock(),
    )
    stop = StopSignal()
    liveness = LivenessFile(config.settings.liveness_file)
    while not stop.is_set():
        liveness.touch()
        with correlation_scope(None):
            changed = service.run_daily_checks()
            resynced = repository.resync_register()
        log.info("scheduled checks done: %d entries changed, %d register lines resynced", changed, resynced)
        if args.once:
            return
        stop.wait(config.scheduler_interval_seconds)


if __name__ == "__main__":
    main()
