"""The notifications service's index job (``notifications-indexes``; ``--check`` only looks): see shared.index_job.

Before creating the indexes it gives the inbox messages written before the inbox's postings their postings
(once; every write keeps them after that).
"""

from __future__ import annotations

import sys

from services.notifications.adapters.inbox import prepare_inbox
from services.notifications.config import SERVICE
from services.notifications.entrypoints.wiring import INDEXES
from shared.config import Settings
from shared.index_job import main_for
from shared.mongo import connect


def main() -> None:
    if "--check" not in sys.argv[1:]:
        settings = Settings.from_env(SERVICE)
        db = connect(settings.mongodb_uri, app_name=f"{SERVICE}-indexes")[settings.mongodb_database]
        prepare_inbox(db)
    main_for(SERVICE, INDEXES)


if __name__ == "__main__":
    main()
