"""The marketplace's scheduler process (``marketplace-scheduler``).

Every pass: quotes past their date expire; needs past their deadline ask the buyer whether a deal
happened; listings a crash left behind the search index are indexed again; every seller's
listings and open quotes are brought in line with the register once more (in case the consumer
died between taking a seller's new standing and applying it). Each step is state-based, so
running it often, or twice, changes nothing more.
"""

from __future__ import annotations

import argparse
import logging

from services.marketplace.config import SERVICE
from services.marketplace.entrypoints.wiring import Marketplace, build
from shared.config import Settings, env_int
from shared.logs import configure_logging, correlation_scope
from shared.mongo import connect
from shared.runtime import LivenessFile, StopSignal

log = logging.getLogger(__name__)


def run_pass(marketplace: Marketplace) -> dict[str, int]:
    with correlation_scope(None):
        done = {
            "quotes_expired": marketplace.deals.expire_due(),
            "needs_closed": marketplace.needs.close_due(),
            "listings_reindexed": marketplace.listings.repair_index(),
            "listings_realigned": 0,
            "quotes_realigned": 0,
        }
        for seller in marketplace.sellers.all():
            done["listings_realigned"] += marketplace.listings.follow_seller(seller)
            done["quotes_realigned"] += marketplace.deals.follow_seller(seller)
    return done


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the marketplace's scheduled steps.")
    parser.add_argument("--once", action="store_true", help="run one pass and exit")
    args = parser.parse_args(argv)
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-scheduler", settings.log_level)
    marketplace = build(connect(settings.mongodb_uri, app_name=f"{SERVICE}-scheduler")[settings.mongodb_database])
    interval = env_int("MARKETPLACE_SCHEDULER_INTERVAL_SECONDS", 300)
    stop = StopSignal()
    liveness = LivenessFile(settings.liveness_file)
    while not stop.is_set():
        liveness.touch()
        log.info("scheduled pass done: %s", run_pass(marketplace))
        if args.once:
            return
        stop.wait(interval)


if __name__ == "__main__":
    main()
