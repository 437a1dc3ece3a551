"""A batch of registry events ends exactly where applying them one by one ends, over real FerretDB.

``RegisterFollower.apply_batch`` writes each seller once per batch (its events folded in memory, the write
conditional on the seller still holding what was read or kept) and has the listings follow every picture the
events one by one would. The oracle: the same deliveries applied one by one (``__call__``) to a twin seller
with a twin listing. Deliveries hold duplicates, older events after newer ones (a replay, a redelivery after a
crash between batches), a seller leaving and returning within a batch, one seller's events split across
batches (polls, or a poison record between them), and another consumer applying a record just before the
batch (a rebalance): then the kept version is stale, the write misses, and the runner's one-by-one fallback
takes over. Both twins must hold the same seller, the same listing (status, pause reason, version, seller's
picture) and the same events in the listing's outbox.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from pymongo.database import Database

from services.marketplace.adapters.listings import LISTINGS
from services.marketplace.adapters.sellers import MongoSellers
from services.marketplace.entrypoints.consumer import RegisterFollower
from services.registry.events.schemas import REGISTRY_EVENTS
from shared.consumer.idempotency import DocumentMoved
from shared.events import Envelope
from tests.integration.marketplace_api import published_listing

pytestmark = pytest.mark.integration

CHAIN = 5
"""Events per seller, versions 2 to 6 (the seeded seller holds version 1)."""
STATUSES = ("active", "active", "expired", "deleted")
NAMES = ("Кооперация „Игла“", "Шивашка кооперация „Игла“")
STILL = ("active", NAMES[0])

# One event of the chain: its status and name. A delivery: (seller, event of its chain). A batch: its deliveries,
# and whether another consumer applied its first record just before.
chains = st.lists(st.tuples(st.sampled_from(STATUSES), st.sampled_from(NAMES)), min_size=CHAIN, max_size=CHAIN)
deliveries = st.lists(st.tuples(st.integers(0, 1), st.integers(0, CHAIN - 1)), min_size=1, max_size=8)
batches = st.lists(st.tuples(deliveries, st.booleans()), min_size=1, max_size=3)

Chain = list[tuple[str, str]]
Batch = tuple[list[tuple[int, int]], bool]


def _event(enterprise_id: str, version: int, status: str, name: str, event_id: str) -> Envelope:
    base = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get("registry.EnterpriseUpdated", 1))
    payload = base.payload | {"enterprise_id": enterprise_id, "status": status, "name": name}
    return dataclasses.replace(
        base, event_id=event_id, aggregate_id=enterprise_id, aggregate_version=version, payload=payload
    )


def _registered(enterprise_id: str, event_id: str) -> tuple[Envelope, dict[str, Any]]:
    event = _event(enterprise_id, 1, "active", NAMES[0], event_id)
    return event, event.payload


def _picture(db: Database, seller_id: str, listing_id: str | None) -> dict[str, Any]:
    seller = db.sellers.find_one({"_id": seller_id}, {"_id": 0, "listing_ids": 0})
    assert seller is not None
    if listing_id is None:
        return {"seller": seller}
    listing = db[LISTINGS].find_one({"_id": listing_id})
    assert listing is not None
    return {
        "seller": seller,
        "listing": {k: listing.get(k) for k in ("status", "pause_reason", "version")},
        "listing's seller": {k: v for k, v in listing["seller"].items() if k != "enterprise_id"},
        "outbox": [entry["envelope"]["event_type"] for entry in listing["outbox"]],
    }


@pytest.mark.timeout(300)
@settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.generate),  # no shrinking: each example writes to the database
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(chain_a=chains, chain_b=chains, plan=batches)
@example(  # leaves and returns within one batch, a duplicate in it, an older event after it, the rest split,
    # then the whole topic again (a replay, or a crash before the commit)
    chain_a=[("deleted", NAMES[0]), ("active", NAMES[1]), ("expired", NAMES[1]), ("active", NAMES[0]), STILL],
    chain_b=[("active", NAMES[1])] * CHAIN,
    plan=[
        ([(0, 0), (1, 0), (0, 1), (0, 1), (1, 1)], False),
        ([(0, 0), (0, 2), (1, 4)], False),
        ([(0, 3)], False),
        ([(0, 0), (1, 0), (0, 1), (1, 1), (0, 2), (0, 3), (1, 4)], False),
    ],
)
@example(  # another consumer applied the batch's first record: the kept version is stale, the write misses
    chain_a=[("active", NAMES[1]), ("deleted", NAMES[1]), ("active", NAMES[0]), STILL, ("expired", NAMES[0])],
    chain_b=[("expired", NAMES[1])] * CHAIN,
    plan=[([(0, 0), (1, 0)], False), ([(0, 1), (0, 2), (1, 1), (1, 2)], True), ([(0, 3), (0, 4)], False)],
)
def test_a_batch_ends_where_the_events_one_by_one_end(
    market: FlaskClient, market_db: Database, chain_a: Chain, chain_b: Chain, plan: list[Batch]
) -> None:
    context = market.application.extensions["marketplace"]
    sellers = MongoSellers(market_db)

    def follower() -> RegisterFollower:
        return RegisterFollower(sellers, context.listings, deals=context.deals)

    batched, other_consumer, one_by_one = follower(), follower(), follower()
    twins, listings = [], {}
    for seller in range(2):
        pair = (str(uuid.uuid4()), str(uuid.uuid4()))  # (batched, one by one), registered by one event at version 1
        registered = str(uuid.uuid4())
        for seller_id in pair:
            sellers.apply_registry_event(*_registered(seller_id, registered))
            if seller == 0:  # the second seller's twins have no listing: they share its batches, cheaply
                listings[seller_id] = published_listing(market, seller_id)["id"]
        twins.append(pair)
    ids = [[str(uuid.uuid4()) for _ in range(CHAIN)] for _ in twins]

    def event(delivery: tuple[int, int], twin: int) -> tuple[Envelope, dict[str, Any]]:
        seller, index = delivery
        status, name = (chain_a, chain_b)[seller][index]
        envelope = _event(twins[seller][twin], index + 2, status, name, ids[seller][index])
        return envelope, envelope.payload

    for records, rebalanced in plan:
        if rebalanced:  # another consumer applied the first record just before this one got the batch
            other_consumer(*event(records[0], 0))
            one_by_one(*event(records[0], 1))
        _as_the_runner(batched, [event(delivery, 0) for delivery in records])
        for delivery in records:
            one_by_one(*event(delivery, 1))

    for batched_id, single_id in twins:
        batched_end, single_end = (_picture(market_db, s, listings.get(s)) for s in (batched_id, single_id))
        assert batched_end == single_end


def _as_the_runner(follower: RegisterFollower, events: Sequence[tuple[Envelope, dict[str, Any]]]) -> None:
    """A poll's run of records, as ``ConsumerRunner`` hands it over: alone, or as a batch taken again one by
    one when it fails."""
    if len(events) < 2:
        follower(*events[0])
        return
    try:
        follower.apply_batch(events)
    except DocumentMoved:
        for envelope, payload in events:
            follower(envelope, payload)
