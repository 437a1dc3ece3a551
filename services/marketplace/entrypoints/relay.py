"""The marketplace's outbox relay process (``marketplace-relay``)."""

from __future__ import annotations

from services.marketplace.adapters.deals import DEALS
from services.marketplace.adapters.listings import LISTINGS
from services.marketplace.adapters.needs import NEEDS
from services.marketplace.config import SERVICE
from services.marketplace.events.catalog import TOPICS
from shared.config import Settings
from shared.outbox.process import run_relay

OUTBOX_COLLECTIONS = [LISTINGS, NEEDS, DEALS]


def main() -> None:
    run_relay(SERVICE, Settings.from_env(SERVICE), OUTBOX_COLLECTIONS, TOPICS)


if __name__ == "__main__":
    main()
