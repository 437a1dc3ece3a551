"""The marketplace's use cases wired to MongoDB: one place for the web app, the consumer and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.database import Database

from services.marketplace.adapters.deals import INDEXES as DEAL_INDEXES
from services.marketplace.adapters.deals import MongoDeals, MongoFavourites
from services.marketplace.adapters.listings import INDEXES as LISTING_INDEXES
from services.marketplace.adapters.listings import MongoListings
from services.marketplace.adapters.needs import INDEXES as NEED_INDEXES
from services.marketplace.adapters.needs import MongoNeeds
from services.marketplace.adapters.photos import PHOTO_INDEXES, GridFSPhotos
from services.marketplace.adapters.ratings import MongoRatings
from services.marketplace.adapters.search_index import MongoSearchIndex
from services.marketplace.adapters.sellers import MongoSellers
from services.marketplace.config import PHOTO_MAX_BYTES, PHOTO_MAX_PIXELS
from services.marketplace.events.catalog import MARKETPLACE_EVENTS
from services.marketplace.service_layer.deals import DealService, FavouriteService
from services.marketplace.service_layer.listings import ListingService
from services.marketplace.service_layer.needs import NeedService
from services.marketplace.service_layer.photos import PhotoService
from shared.clock import Clock, SystemClock
from shared.mongo import MongoNumberSeries, ensure_indexes

INDEXES = [*LISTING_INDEXES, *DEAL_INDEXES, *NEED_INDEXES, *PHOTO_INDEXES]


@dataclass(frozen=True)
class Marketplace:
    listings: ListingService
    photos: PhotoService
    deals: DealService
    favourites: FavouriteService
    needs: NeedService
    sellers: MongoSellers
    ratings: MongoRatings
    clock: Clock


def build(db: Database, clock: Clock | None = None) -> Marketplace:
    ensure_indexes(db, INDEXES)
    clock = clock or SystemClock()
    sellers = MongoSellers(db)
    stored, index = MongoListings(db), MongoSearchIndex(db)
    ratings = MongoRatings(db, changed=index.touch)  # a review is logged for the workers' search pages
    # What a web worker keeps for search pages, listings and their ratings, follows the index's change log.
    index.subscribe(stored.forget_shown)
    index.subscribe(ratings.forget_listing)
    listings = ListingService(listings=stored, sellers=sellers, index=index, catalog=MARKETPLACE_EVENTS, clock=clock)
    deals = DealService(
        listings=listings.listings,
        sellers=sellers,
        deals=MongoDeals(db),
        numbers=MongoNumberSeries(db),
        catalog=MARKETPLACE_EVENTS,
        clock=clock,
    )
    photos = PhotoService(
        listings=listings,
        store=GridFSPhotos(db),
        max_bytes=PHOTO_MAX_BYTES.integer(),
        max_pixels=PHOTO_MAX_PIXELS.integer(),
    )
    return Marketplace(
        listings=listings,
        photos=photos,
        deals=deals,
        favourites=FavouriteService(listings=listings.listings, sellers=sellers, favourites=MongoFavourites(db)),
        needs=NeedService(
            needs=MongoNeeds(db), sellers=sellers, listings=listings, catalog=MARKETPLACE_EVENTS, clock=clock
        ),
        sellers=sellers,
        ratings=ratings,
        clock=clock,
    )
