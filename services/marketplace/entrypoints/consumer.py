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
from shared.consumer.idempotency import DocumentMoved, Folded, Held
from shared.consumer.process import service_runner
from shared.events import Envelope, EventCatalog
from shared.kafka import ensure_own_topics
from shared.logs import configure_logging
from shared.mongo import connect
from shared.runtime import StopSignal
from shared.worker_metrics import serve_worker_metrics

REVIEW_POSTED = "marketplace.ReviewPosted"


MAX_POLL_RECORDS = 500
"""Records a poll hands over (200 elsewhere): a batch writes each seller once, so a larger one writes fewer times
when an enterprise's events come together (a backlog after an outage, a replay); 500 take well under a second."""
KNOWN_SELLERS = 10_000
"""Sellers whose stored version and picture a consumer keeps between batches (the oldest forgotten first)."""


class RegisterFollower:
    """Applies a registry event to the seller once, then brings the seller's listings and open quotes in line.

    The second step is state-based (it compares with the seller as now stored). It runs when the
    seller's picture changed, and on every repeated or older delivery (which the seller refuses, so
    the listings follow the newest picture, never the replayed one): a crash between the two steps is
    repaired by the replay (and by the scheduler's pass).

    A batch (``apply_batch``, a partition's records in order) writes each seller once: its events are applied
    in memory, in order, to the seller as it was read, exactly as one by one (a duplicate, an older event
    refused), and the result is written with one update conditional on the seller still holding that version
    and those event ids (``shared.consumer.idempotency.fold``). The listings and open quotes then follow every
    picture that applying the events one by one would have had them follow, in the same order (a seller
    that leaves and returns within a batch pauses and republishes its listings, as before). The consumer keeps
    the version and picture of the sellers it wrote or read (at most ``KNOWN_SELLERS``), so a seller it
    already knows is not read again: if the seller was written meanwhile (another consumer after a
    rebalance, a rebuild), the conditional write misses and the batch is applied again one record at a
    time. An event the kept version would refuse is decided on the seller read afresh.
    """

    def __init__(self, sellers: MongoSellers, listings: ListingService, *, deals: DealService) -> None:
        self._sellers = sellers
        self._listings = listings
        self._deals = deals
        self._known: dict[str, tuple[Held, Seller | None]] = {}

    def __call__(self, envelope: Envelope, payload: dict[str, Any]) -> None:
        enterprise_id = payload["enterprise_id"]
        self._known.pop(enterprise_id, None)  # written here: a batch reads it again
        before = self._sellers.get(enterprise_id)
        applied = self._sellers.apply_registry_event(envelope, payload)
        seller = self._sellers.get(enterprise_id)
        if seller is not None and (seller != before or not applied):
            self._follow(seller)

    def apply_batch(self, events: Sequence[tuple[Envelope, dict[str, Any]]]) -> None:
        by_seller: dict[str, list[tuple[Envelope, dict[str, Any]]]] = {}
        for envelope, payload in events:
            by_seller.setdefault(payload["enterprise_id"], []).append((envelope, payload))
        # Forgotten until written: a failure leaves nothing stale.
        kept = {enterprise_id: self._known.pop(enterprise_id, None) for enterprise_id in by_seller}
        read = self._sellers.held_many([enterprise_id for enterprise_id, known in kept.items() if known is None])
        plans: dict[str, tuple[Seller | None, Folded]] = {}
        for enterprise_id, its in by_seller.items():
            held, before = kept[enterprise_id] or read[enterprise_id]
            folded = self._sellers.fold(enterprise_id, its, held)
            if kept[enterprise_id] is not None and not all(folded.applied):
                held, before = self._sellers.held(enterprise_id)  # refused by what was kept: ask the stored seller
                folded = self._sellers.fold(enterprise_id, its, held)
            plans[enterprise_id] = (before, folded)
        try:
            self._sellers.write([folded for _, folded in plans.values()])
        except DocumentMoved:
            # The sellers written follow their pictures now; the runner applies the batch again record by
            # record, which refuses what was written and applies the rest to the sellers as they are.
            now = self._sellers.held_many(list(plans))
            for enterprise_id, (before, folded) in plans.items():
                if now[enterprise_id][0] == folded.now:
                    self._follow_in_order(before, by_seller[enterprise_id], folded)
            raise
        for enterprise_id, (before, folded) in plans.items():
            self._keep(enterprise_id, folded.now, self._follow_in_order(before, by_seller[enterprise_id], folded))

    def _follow_in_order(
        self, before: Seller | None, events: Sequence[tuple[Envelope, dict[str, Any]]], folded: Folded
    ) -> Seller | None:
        """Follow each picture the events one by one would have, in order; returns the seller's last picture.

        One by one, the listings follow after an event that changed the seller's picture, and after a refused
        one (the picture as stored); following the same picture twice in a row changes nothing the second time.
        """
        current, followed = before, None
        for (_, payload), applied in zip(events, folded.applied, strict=True):
            if applied:
                picture = Seller.from_registry(payload)
                changed, current = picture != current, picture
            else:
                changed = current is not None
            if changed and current is not None and current != followed:
                self._follow(current)
                followed = current
        return current

    def _keep(self, enterprise_id: str, held: Held, seller: Seller | None) -> None:
        self._known[enterprise_id] = (held, seller)
        if len(self._known) > KNOWN_SELLERS:
            del self._known[next(iter(self._known))]

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
        SERVICE,
        settings,
        stop,
        group_id=group_id,
        catalog=catalog or consumed_events(),
        handlers=handlers,
        consumer_overrides={"max_poll_records": MAX_POLL_RECORDS},
    )


def main() -> None:
    settings = Settings.from_env(SERVICE)
    configure_logging(f"{SERVICE}-consumer", settings.log_level)
    serve_worker_metrics()
    ensure_own_topics(settings.kafka_bootstrap_servers, TOPICS)  # it also reads its own order topic
    build_runner(settings, StopSignal()).run()


if __name__ == "__main__":
    main()
