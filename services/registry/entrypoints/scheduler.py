"""The registry's scheduler process (``registry-scheduler``): daily expiry and yearly-report checks, the
expiry of drafts left untouched (``REGISTRY_DRAFT_EXPIRY_DAYS``), and a resync of public-register lines
that a crash may have left one change behind; it prunes the audit of personal-data reads older than
``REGISTRY_AUDIT_RETENTION_DAYS``.

Every check is idempotent (notices given are recorded in the entry), so running it often, or
after a restart, never repeats a notice or skips one.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from pymongo.database import Database

from services.registry.adapters.audit import MongoReadAudit
from services.registry.adapters.repository import MongoEnterpriseRepository, prepare_database
from services.registry.config import SERVICE, RegistryConfig
from services.registry.events.schemas import REGISTRY_EVENTS
from services.registry.service_layer.use_cases import RegistryService
from shared.clock import SystemClock
from shared.mongo import MongoNumberSeries
from shared.scheduling import run_scheduler


def checks(db: Database) -> Callable[[], dict[str, int]]:
    prepare_database(db)
    repository = MongoEnterpriseRepository(db)
    config = RegistryConfig.from_env()
    clock = SystemClock()
    service = RegistryService(
        repository=repository,
        numbers=MongoNumberSeries(db),
        catalog=REGISTRY_EVENTS,
        policy=config.policy,
        clock=clock,
    )
    reads = MongoReadAudit(db)
    retention = timedelta(days=config.audit_retention_days)

    def run_pass() -> dict[str, int]:
        return {
            "entries_changed": service.run_daily_checks(),
            "drafts_expired": service.expire_drafts(),
            "register_lines_resynced": repository.resync_register(),
            "audit_reads_pruned": reads.prune(clock.now() - retention),
        }

    return run_pass


def main(argv: list[str] | None = None) -> None:
    run_scheduler(SERVICE, checks, argv)


if __name__ == "__main__":
    main()
