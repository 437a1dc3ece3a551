"""The registry service's index job (``registry-indexes``; ``--check`` only looks): see shared.index_job.

Before creating the indexes it brings an older database up to date (``prepare_database``) and builds the
register search's postings for the register documents written before there were postings (once; they are
kept up to date by every save after that).
"""

from __future__ import annotations

import sys

from services.registry.adapters.register_index import RegisterIndex
from services.registry.adapters.repository import INDEXES, REGISTER, prepare_database
from services.registry.config import SERVICE
from shared.config import Settings
from shared.index_job import main_for
from shared.mongo import connect


def main() -> None:
    if "--check" not in sys.argv[1:]:
        settings = Settings.from_env(SERVICE)
        db = connect(settings.mongodb_uri, app_name=f"{SERVICE}-indexes")[settings.mongodb_database]
        prepare_database(db)
        RegisterIndex(db).build_once(db[REGISTER])
    main_for(SERVICE, INDEXES)


if __name__ == "__main__":
    main()
