"""Demo marketplace data (``marketplace-demo-data``), through the real use cases, for ``make run``.

It waits until the consumer has taken the demo enterprises from the register, then gives each active
one the published listings of its trade from the demo catalogue (some with a photo drawn at load time and
uploaded as a seller would), and has a demo municipality ask for a quote,
order, receive and review, and post a need that a clerk validates. Running it again adds nothing to
sellers that already have listings. At the end it prints development tokens for a buyer and a seller.
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from services.marketplace.config import SERVICE
from services.marketplace.domain.listing import ListingContent, Price
from services.marketplace.domain.parties import BuyerKind
from services.marketplace.domain.seller import Seller
from services.marketplace.entrypoints.demo_catalogue import Product, products_for
from services.marketplace.entrypoints.demo_pictures import picture
from services.marketplace.entrypoints.wiring import Marketplace, build
from services.marketplace.service_layer.needs import NeedRequest
from shared.auth import Principal, Role, TokenCodec
from shared.clock import SOFIA
from shared.config import Settings
from shared.mongo import connect
from shared.settle import settled

ADMIN = Principal(subject="demo-admin", roles=frozenset({Role.ADMIN}), name="Демо администратор")
BUYER = Principal(
    subject="demo-buyer",
    roles=frozenset({Role.BUYER}),
    name="Мария Петкова",
    email="porachki@gabrovo.example.bg",
    email_verified=True,
)
LISTINGS_PER_SELLER = 3


def content(product: Product, seller: Seller) -> ListingContent:
    return ListingContent(
        kind=product.kind,
        title_bg=product.title_bg,
        title_en=product.title_en,
        description_bg=product.description_bg,
        category=product.category,
        price=Price(product.price_cents, product.unit, product.minimum_quantity),
        districts_served=(seller.district,),
        tags=product.tags,
    )


def load(marketplace: Marketplace) -> dict[str, int]:
    done = {"listings": 0, "photos": 0, "deals": 0, "needs": 0}
    for seller in settled(lambda: [s for s in marketplace.sellers.all() if s.in_good_standing], 180, settle=5.0):
        products = products_for(seller.name, seller.activities)[:LISTINGS_PER_SELLER]
        if not products or marketplace.listings.of_seller(ADMIN, seller.enterprise_id):
            continue
        for product in products:
            listing = marketplace.listings.create(ADMIN, seller.enterprise_id, content(product, seller))
            if product.photo is not None:
                motif, alt = product.photo
                marketplace.photos.add(ADMIN, listing.id, picture(motif), alt)
                done["photos"] += 1
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
    asked = listings[0]
    quantity = max(40, asked.content.price.minimum_quantity)
    marketplace.deals.request_quote(BUYER, listing_id=asked.id, quantity=quantity, message="За общински празник", **who)
    priced = next((item for item in listings if not item.content.price.on_request), None)
    if priced is None:
        return 1
    quantity = max(5, priced.content.price.minimum_quantity)
    order = marketplace.deals.order(BUYER, listing_id=priced.id, quantity=quantity, **who)
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
        lines = [
            f"Marketplace demo data: listings {done['listings']}, deals {done['deals']}, needs {done['needs']}, "
            f"photos {done['photos']}."
        ]
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
