"""The marketplace's scheduler process (``marketplace-scheduler``).

Every pass: quotes past their date expire; needs past their deadline ask the buyer whether a deal
happened; listings a crash left behind the search index are indexed again (and every listing, once,
after a release that indexes more terms); every seller's
listings and open quotes are brought in line with the register once more (in case the consumer
died between taking a seller's new standing and applying it); the files of photos a crash left behind
an upload or a deletion are swept. Each step is state-based, so
running it often, or twice, changes nothing more.
"""

from __future__ import annotations

from functools import partial

from services.marketplace.config import SERVICE
from services.marketplace.entrypoints.wiring import Marketplace, build
from shared.scheduling import run_scheduler


def run_pass(marketplace: Marketplace) -> dict[str, int]:
    done = {
        "quotes_expired": marketplace.deals.expire_due(),
        "needs_closed": marketplace.needs.close_due(),
        "listings_reindexed": marketplace.listings.repair_index(),
        "listings_upgraded": marketplace.listings.upgrade_index(),
        "photos_swept": marketplace.photos.sweep(),
        "listings_realigned": 0,
        "quotes_realigned": 0,
    }
    for seller in marketplace.sellers.all():
        done["listings_realigned"] += marketplace.listings.follow_seller(seller)
        done["quotes_realigned"] += marketplace.deals.follow_seller(seller)
    return done


def main(argv: list[str] | None = None) -> None:
    run_scheduler(SERVICE, lambda db: partial(run_pass, build(db)), argv)


if __name__ == "__main__":
    main()
