"""The registry service's index job (``registry-indexes``; ``--check`` only looks): see shared.index_job."""

from __future__ import annotations

from services.registry.adapters.repository import INDEXES
from services.registry.config import SERVICE
from shared.index_job import main_for


def main() -> None:
    main_for(SERVICE, INDEXES)


if __name__ == "__main__":
    main()
