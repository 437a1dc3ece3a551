"""The training service's index job (``training-indexes``; ``--check`` only looks): see shared.index_job."""

from __future__ import annotations

from services.training.config import SERVICE
from services.training.entrypoints.wiring import INDEXES
from shared.index_job import main_for


def main() -> None:
    main_for(SERVICE, INDEXES)


if __name__ == "__main__":
    main()
