"""A service's index job: create its MongoDB indexes before a new version starts, or check they exist.

Kubernetes runs ``<service>-indexes`` as a Job at each release; the new version's pods wait in an init
container running ``<service>-indexes --check`` until every index they need exists, so a slow index
build never happens under live traffic and no pod serves queries its indexes are not ready for.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from shared.config import Settings
from shared.logs import configure_logging
from shared.mongo import IndexSpec, conflicting_indexes, connect, ensure_indexes, missing_indexes

log = logging.getLogger(__name__)


def run_index_job(service: str, specs: Sequence[IndexSpec], argv: list[str] | None = None) -> int:
    """Create (or with ``--check`` only look for) the indexes; the exit code says whether they all exist."""
    parser = argparse.ArgumentParser(description=f"Create the {service} service's MongoDB indexes.")
    parser.add_argument("--check", action="store_true", help="create nothing; exit 1 while an index is missing")
    args = parser.parse_args(argv)
    settings = Settings.from_env(service)
    db = connect(settings.mongodb_uri, app_name=f"{service}-indexes")[settings.mongodb_database]
    conflicts = conflicting_indexes(db, specs)
    for spec, difference in conflicts:
        log.error(
            "index %s of %s exists but %s: drop it (db.%s.dropIndex(%r)) and run %s-indexes again; a unique index "
            "is refused while duplicates exist",
            spec.name,
            spec.collection,
            difference,
            spec.collection,
            spec.name,
            service,
        )
    if not args.check and not conflicts:
        ensure_indexes(db, specs)
    missing = missing_indexes(db, specs)
    for spec in missing:
        log.warning("index %s of %s is missing", spec.name, spec.collection)
    log.info("%d of %d indexes of %s present", len(specs) - len(missing), len(specs), settings.mongodb_database)
    return 1 if missing else 0


def main_for(service: str, specs: Sequence[IndexSpec]) -> None:
    configure_logging(f"{service}-indexes", Settings.from_env(service).log_level)
    sys.exit(run_index_job(service, specs))
