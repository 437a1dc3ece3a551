"""The marketplace's use cases as the HTTP layer reaches them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from services.marketplace.adapters.ratings import MongoRatings
from services.marketplace.adapters.sellers import MongoSellers
from services.marketplace.service_layer.deals import DealService, FavouriteService
from services.marketplace.service_layer.listings import ListingService
from services.marketplace.service_layer.needs import NeedService
from shared.clock import Clock

EXTENSION = "marketplace"


@dataclass(frozen=True)
class MarketplaceContext:
    listings: ListingService
    deals: DealService
    favourites: FavouriteService
    needs: NeedService
    sellers: MongoSellers
    ratings: MongoRatings
    clock: Clock


def marketplace() -> MarketplaceContext:
    return current_app.extensions[EXTENSION]
