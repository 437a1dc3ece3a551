"""The marketplace service's index job (``marketplace-indexes``; ``--check`` only looks): see shared.index_job."""

from __future__ import annotations

from services.marketplace.config import SERVICE
from services.marketplace.entrypoints.wiring import INDEXES
from shared.index_job import main_for


def main() -> None:
    main_for(SERVICE, INDEXES)


if __name__ == "__main__":
    main()
