"""The grants service's index job (``grants-indexes``; ``--check`` only looks): see shared.index_job."""

from __future__ import annotations

from services.grants.config import SERVICE
from services.grants.entrypoints.wiring import INDEXES
from shared.index_job import main_for


def main() -> None:
    main_for(SERVICE, INDEXES)


if __name__ == "__main__":
    main()
