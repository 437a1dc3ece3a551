"""Demo marketplace data (``marketplace-demo-data``), through the real use cases, for ``make run``.

It waits until the consumer has taken the demo enterprises from the register, then gives each active
one a few published listings from the demo catalogue, and has a demo municipality ask for a quote,
order, receive and review, and post a need that a clerk validates. Running it again adds nothing to
sellers that already have listings. At the end it prints development tokens for a buyer and a seller.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import timedelta

from services.marketplace.config import SERVICE
from services.marketplace.domain.listing import ListingContent, Price
from services.marketplace.domain.parties import BuyerKind
from services.marketplace.domain.seller import Seller
from services.marketplace.entrypoints.demo_catalogue import PROMISES, QUALITIES, TAGS, VOCABULARY
from services.marketplace.entrypoints.wiring import Marketplace, build
from services.marketplace.service_layer.needs import NeedRequest
from shared.auth import Principal, Role, TokenCodec
from shared.clock import SOFIA
from shared.config import Settings
from shared.mongo import connect

ADMIN = Principal(subject="demo-admin", roles=frozenset({Role.ADMIN}), name="Демо администратор")
BUYER = Principal(
    subject="demo-buyer",
    roles=frozenset({Role.BUYER}),
    name="Мария Петкова",
    email="porachki@gabrovo.example.bg",
    email_verified=True,
)
LISTINGS_PER_SELLER = 3


def wait_for_sellers(marketplace: Marketplace, seconds: float, settle: float = 5.0) -> list[Seller]:
    """The active sellers, once the consumer has brought the register's demo enterprises over: some are
    active and no new one has arrived for ``settle`` seconds (or ``seconds`` have passed)."""
    deadline = time.monotonic() + seconds
    seen: set[str] = set()
    steady_since = time.monotonic()
    while True:
        active = [seller for seller in marketplace.sellers.all() if seller.in_good_standing]
        now = time.monotonic()
        if {seller.enterprise_id for seller in active} != seen:
            seen, steady_since = {seller.enterprise_id for seller in active}, now
        if (active and now - steady_since >= settle) or now > deadline:
            return active
        time.sleep(1)


def content(rng: random.Random, seller: Seller) -> ListingContent:
    category = rng.choice(sorted(VOCABULARY))
    products, unit, (low, high), kind = VOCABULARY[category]
    product_bg, product_en = rng.choice(products)
    return ListingContent(
        kind=kind,
        title_bg=f"{product_bg.capitalize()} – {rng.choice(QUALITIES)}",
        title_en=product_en.capitalize(),
        description_bg=f"{product_bg.capitalize()} от {seller.name}. {rng.choice(PROMISES)}",
        category=category,
        price=Price(None if rng.random() < 0.15 else rng.randint(low, high) // 10 * 10, unit),
        districts_served=(seller.district,),
        tags=tuple(rng.sample(TAGS, 2)),
    )


def load(marketplace: Marketplace) -> dict[str, int]:
    rng = random.Random(2026)  # noqa: S311 - made-up demo data, nothing secret
    done = {"listings": 0, "deals": 0, "needs": 0}
    for seller in wait_for_sellers(marketplace, 180):
        if marketplace.listings.of_seller(ADMIN, seller.enterprise_id):
            continue
        for _ in range(LISTINGS_PER_SELLER):
            listing = marketplace.listings.create(ADMIN, seller.enterprise_id, content(rng, seller))
            marketplace.listings.publish(ADMIN, listing.id)
            done["listings"] += 1
        if done["deals"] == 0:
            done["deals"] += demo_deals(marketplace, seller)
            done["needs"] += demo_need(marketplace, seller)
    return done


def demo_deals(marketplace: Marketplace, seller: Seller) -> int:
    """A quote waiting for an offer, and an order at the listed price that was received and reviewed."""
    listings = marketplace.listings.of_seller(ADMIN, seller.enterprise_id)
    who = {"organisation": "Община Габрово", "buyer_kind": BuyerKind.MUNICIPALITY}
    marketplace.deals.request_quote(BUYER, listing_id=listings[0].id, quantity=40, message="За общински празник", **who)
    priced = next((item for item in listings if not item.content.price.on_request), None)
    if priced is None:
        return 1
    order = marketplace.deals.order(BUYER, listing_id=priced.id, quantity=5, **who)
    marketplace.deals.fulfil(ADMIN, order.id, note="Доставено до кметството")
    marketplace.deals.confirm_receipt(BUYER, order.id)
    marketplace.deals.review(BUYER, order.id, rating=5, text="Качествено и навреме.")
    return 2


def demo_need(marketplace: Marketplace, seller: Seller) -> int:
    listing = marketplace.listings.of_seller(ADMIN, seller.enterprise_id)[0]
    deadline = (marketplace.clock.now().astimezone(SOFIA) + timedelta(days=21)).date()
    request = NeedRequest(
        title=f"Търсим: {listing.content.title_bg.lower()}",
        description="За коледния базар на общината, с доставка до центъра на града.",
        category=listing.content.category,
        districts=[seller.district],
        quantity=100,
        unit=listing.content.price.unit,
        budget_min_cents=None,
        budget_max_cents=250_000,
        deadline=deadline,
        organisation="Община Габрово",
        kind=BuyerKind.MUNICIPALITY,
    )
    need = marketplace.needs.post(BUYER, request)
    marketplace.needs.validate(ADMIN, need.id)
    return 1


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Load demo listings, deals and a need into the marketplace.")
    parser.add_argument("--token-hours", type=float, default=12.0, help="validity of the printed tokens")
    args = parser.parse_args(argv)
    settings = Settings.from_env(SERVICE)
    client = connect(settings.mongodb_uri, app_name=f"{SERVICE}-demo-data")
    try:
        marketplace = build(client[settings.mongodb_database])
        done = load(marketplace)
        sellers = [s for s in marketplace.sellers.all() if s.in_good_standing]
        codec, ttl = TokenCodec.from_settings(settings), timedelta(hours=args.token_hours)
        lines = [f"Marketplace demo data: listings {done['listings']}, deals {done['deals']}, needs {done['needs']}."]
        lines.append(f"# buyer {BUYER.subject}: {BUYER.name}, Община Габрово")
        lines.append(f"BUYER_TOKEN={codec.encode(BUYER, ttl)}")
        if sellers:
            seller = Principal(
                subject="demo-seller",
                roles=frozenset({Role.REPRESENTATIVE}),
                name="Демо продавач",
                email=sellers[0].contact_email,
                enterprise_id=sellers[0].enterprise_id,
            )
            lines.append(f"# seller for {sellers[0].name}")
            lines.append(f"SELLER_TOKEN={codec.encode(seller, ttl)}")
        print("\n".join(lines))
    finally:
        client.close()


if __name__ == "__main__":
    main()
