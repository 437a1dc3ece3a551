"""The marketplace's consumer process (``marketplace-consumer``).

- ``registry.enterprise.v1``: keeps the sellers in step with the register and brings their listings
  (and open quotes) along: paused when the enterprise leaves good standing, back when it returns;
- ``marketplace.order.v1`` ``ReviewPosted``: the average rating of the listing and the seller.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.marketplace.adapters.sellers import MongoSellers
from services.marketplace.config import CONSUMER_GROUP, SERVICE
from services.marketplace.domain.seller import Seller
from services.marketplace.entrypoints.wiring import build
from services.marketplace.events.catalog import MARKETPLACE_EVENTS, TOPICS
from services.marketplace.events.registry import CONSUMED
from services.marketplace.service_layer.deals import DealService
from services.marketplace.service_layer.listings import ListingService
from shared.config import Settings
from shared.consumer import ConsumerRunner
from shared.consumer.process import service_runner
from shared.events import Envelope, EventCatalog
from shared.kafka import ensure_own_topics
from shared.logs import configure_logging
from shared.mongo import connect
from shared.runtime import StopSignal
from shared.worker_metrics import serve_worker_metrics

REVIEW_POSTED = "marketplace.ReviewPosted"


class RegisterFollower:
    """Applies a registry event to the seller once, then brings the seller's listings and open quotes in line.

    The second step is state-based (it compares with the seller as now stored). It runs when the
    seller's picture changed, and on every repeated or older delivery (which the seller refuses, so
    the listings follow the newest picture, never the replayed one): a crash between the two steps is
    repaired by the replay (and by the scheduler's pass).

    A batch (``apply_batch``, a partition's records in order) reads each seller once before, writes the
    sellers in bulk, and brings along the listings of each seller whose picture the batch changed, with
    its newest picture (the one the batch wrote: it needs no reading back), or of a seller one of whose
    events was refused, with the picture as stored.
    """

    def __init__(self, sellers: MongoSellers, listings: ListingService, *, deals: DealService) -> None:
        self._sellers = sellers
        self._listings = listings
        self._deals = deals

    def __call__(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        enterprise_id = payload["enterprise_id"]
        before = self._sellers.get(enterprise_id)
        applied = self._sellers.apply_registry_event(envelope, payload)
        seller = self._sellers.get(enterprise_id)
        if seller is not None and (seller != before or not applied):
            self._follow(seller)

    def apply_batch(self, events: Sequence[tuple[Envelope, dict[str, Any]]]) -> None:
        befores: dict[str, Seller | None] = {}
        for _, payload in events:
            if payload["enterprise_id"] not in befores:
                befores[payload["enterprise_id"]] = self._sellers.get(payload["enterprise_id"])
        written: dict[str, Seller] = {}
        refused: set[str] = set()
        for (_, payload), applied in zip(events, self._sellers.apply_registry_events(events), strict=True):
            if applied:
                written[payload["enterprise_id"]] = Seller.from_registry(payload)
            else:
                refused.add(payload["enterprise_id"])
        for enterprise_id, before in befores.items():
            seller = self._sellers.get(enterprise_id) if enterprise_id in refused else written[enterprise_id]
            if seller is not None and (seller != before or enterprise_id in refused):
                self._follow(seller)

    def _follow(self, seller: Seller) -> None:
        self._listings.follow_seller(seller)
        self._deals.follow_seller(seller)


def consumed_events() -> EventCatalog:
    return EventCatalog([*CONSUMED, MARKETPLACE_EVENTS.get(REVIEW_POSTED, 1)])


def build_runner(
    settings: Settings, stop: StopSignal, *, group_id: str = CONSUMER_GROUP, catalog: EventCatalog | None = None
) -> ConsumerRunner:
    """The consumer as it runs in production; ``group_id`` and ``catalog`` (its topics) differ only in benchmarks."""
    db = connect(settings.mongodb_uri, app_name=f"{SERVICE}-consumer")[settings.mongodb_database]
    marketplace = build(db)
    follower = RegisterFollower(marketplace.sellers, marketplace.listings, deals=marketplace.deals)
    handlers = {event_type.name: follower for event_type in CONSUMED}
    handlers[REVIEW_POSTED] = marketplace.ratings.apply_review
    return service_runner(
        SERVICE, settings, stop, group_id=group_id, catalog=catalog or consumed_events(), handlers=handlers
    )


def main() -> None:
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-consumer", settings.log_level)
    serve_worker_metrics()
    ensure_own_topics(settings.kafka_bootstrap_servers, TOPICS)  # it also reads its own order topic
    build_runner(settings, StopSignal()).run()


if __name__ == "__main__":
    main()
