"""Realistic marketplace data: sellers from the register and their published listings, built through the
real domain model (``Listing.publish``), the real ``to_document`` and the real search terms and keys.

Seeded, so every run has the same catalogue. About one seller per 25 listings; titles, descriptions
and tags are drawn from a vocabulary per category, in Bulgarian with English titles on some.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from bench.seed import ADJECTIVES, FORMS, NOUNS, PLACES
from services.marketplace.adapters.listings import LISTINGS
from services.marketplace.adapters.search_index import MongoSearchIndex
from services.marketplace.adapters.sellers import SELLERS
from services.marketplace.domain.listing import Listing, ListingContent, Price
from services.marketplace.domain.search import TERMS_VERSION, listing_keys, listing_terms
from services.marketplace.domain.seller import Seller
from services.marketplace.entrypoints.demo_catalogue import PROMISES, TAGS, VOCABULARY, qualities
from shared.bg.geography import geography
from shared.documents import to_document

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LISTINGS_PER_SELLER = 25


def _seller(rng: random.Random, index: int) -> Seller:
    district = rng.choice(sorted(geography().districts))
    place = geography().place(district)
    core = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}" if rng.random() < 0.7 else rng.choice(PLACES)
    staff = rng.randint(3, 40)
    return Seller(
        enterprise_id=str(uuid.UUID(int=rng.getrandbits(128))),
        registration_number=f"СП-{index + 1:05d}",
        name=rng.choice(list(FORMS.values())).format(core),
        enterprise_class="A+" if rng.random() < 0.3 else "A",
        register_status="active",
        district=district,
        region=place.region.code,
        centre=place.centre.id,
        valid_until="2029-06-30",
        staff_count=staff,
        vulnerable_staff_total=rng.randint(max(1, staff // 3), staff),
        contact_email=f"office{index}@enterprise.example",
    )


def _listing(rng: random.Random, index: int, seller: Seller) -> Listing:
    category = rng.choice(sorted(VOCABULARY))
    products, unit, (low, high), kind = VOCABULARY[category]
    product_bg, product_en = rng.choice(products)
    quality = rng.choice(qualities(category))
    place = rng.choice(PLACES)
    districts = sorted({seller.district, *rng.sample(sorted(geography().districts), rng.choice([0, 1, 2, 5]))})
    content = ListingContent(
        kind=kind,
        title_bg=f"{product_bg.capitalize()} – {quality}, {place}",
        title_en=f"{product_en.capitalize()}, {place}" if rng.random() < 0.4 else "",
        description_bg=f"{product_bg.capitalize()} от {seller.name}. {rng.choice(PROMISES)} {rng.choice(PROMISES)}",
        category=category,
        price=Price(None if rng.random() < 0.1 else rng.randint(low, high), unit, rng.choice([1, 1, 1, 5, 10])),
        districts_served=tuple(districts),
        tags=tuple(rng.sample(TAGS, rng.randint(0, 3))),
    )
    created = NOW - timedelta(minutes=index * 7 + rng.randint(0, 6))
    listing = Listing(id=str(uuid.UUID(int=rng.getrandbits(128))), seller=seller, content=content, created_at=created)
    listing.publish(created)
    listing.pull_events()
    listing.version = 2
    return listing


def catalogue(count: int, seed: int = 2026) -> Iterator[Listing]:
    """``count`` published listings of ``count / 25`` sellers; the first n of a larger run are a smaller run."""
    rng = random.Random(seed)
    sellers: list[Seller] = []
    for index in range(count):
        if index % LISTINGS_PER_SELLER == 0:
            sellers.append(_seller(rng, len(sellers)))
        yield _listing(rng, index, rng.choice(sellers))


def indexed(listing: Listing) -> dict[str, Any]:
    """The listing's record of what the index holds, as ``MongoListings.mark_indexed`` writes it."""
    terms = sorted(f"{term}|{weight}" for term, weight in listing_terms(listing).items())
    return {"version": listing.version, "terms": terms, "keys": listing_keys(listing).encode()}


def load(db: Database, count: int) -> dict[str, Any]:
    """Store ``count`` listings, their sellers and their search index, as the services would have."""
    listings = list(catalogue(count))
    sellers: dict[str, dict[str, Any]] = {}
    for listing in listings:
        entry = sellers.setdefault(listing.seller_id, {**asdict(listing.seller), "listing_ids": []})
        entry["listing_ids"].append(listing.id)
    documents = [{**to_document(listing), "search_dirty": False, "indexed": indexed(listing)} for listing in listings]
    for start in range(0, len(documents), 1000):
        db[LISTINGS].insert_many(documents[start : start + 1000], ordered=False)
    seller_documents = [{"_id": s.pop("enterprise_id"), **s} for s in sellers.values()]
    db[SELLERS].insert_many(seller_documents, ordered=False)
    index = MongoSearchIndex(db)
    index.load((item.id, listing_keys(item), listing_terms(item)) for item in listings)
    index.set_terms_version(TERMS_VERSION)  # indexed by today's terms: no scheduler upgrades them at its first pass
    return {"listings": len(listings), "sellers": len(seller_documents)}
