"""The events service's index job (``events-indexes``; ``--check`` only looks): see shared.index_job."""

from __future__ import annotations

from services.events.config import SERVICE
from services.events.entrypoints.wiring import INDEXES
from shared.index_job import main_for


def main() -> None:
    main_for(SERVICE, INDEXES)


if __name__ == "__main__":
    main()
