"""The marketplace's web application (``gunicorn services.marketplace.entrypoints.app:create_app()``)."""

from __future__ import annotations

from flask import Flask

from services.marketplace.adapters.deals import INDEXES as DEAL_INDEXES
from services.marketplace.adapters.deals import MongoDeals, MongoFavourites
from services.marketplace.adapters.listings import INDEXES as LISTING_INDEXES
from services.marketplace.adapters.listings import MongoListings
from services.marketplace.adapters.needs import INDEXES as NEED_INDEXES
from services.marketplace.adapters.needs import MongoNeeds
from services.marketplace.adapters.ratings import MongoRatings
from services.marketplace.adapters.search_index import MongoSearchIndex
from services.marketplace.adapters.sellers import MongoSellers
from services.marketplace.config import SERVICE
from services.marketplace.entrypoints.api import deals, listings, needs
from services.marketplace.entrypoints.api.context import EXTENSION, MarketplaceContext
from services.marketplace.events.catalog import MARKETPLACE_EVENTS
from services.marketplace.service_layer.deals import DealService, FavouriteService
from services.marketplace.service_layer.listings import ListingService
from services.marketplace.service_layer.needs import NeedService
from shared.clock import SystemClock
from shared.config import Settings
from shared.logs import configure_logging
from shared.mongo import MongoNumberSeries, connect, ensure_indexes
from shared.web.app_factory import create_service_app
from shared.web.health import KafkaCheck, mongo_check

DESCRIPTION = """The marketplace of Bulgaria's social enterprises (Пазар на социалните предприятия).

Enterprises with an active entry in the register offer goods and services; buyers search in
Bulgarian or Latin, ask for quotes, order, review and post needs. Errors come as
`{status, code, message: {bg, en}, fields: {name: [{bg, en}]}}`.
"""


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env(SERVICE)
    configure_logging(SERVICE, settings.log_level)
    client = connect(settings.mongodb_uri, app_name=f"{SERVICE}-web")
    db = client[settings.mongodb_database]
    ensure_indexes(db, LISTING_INDEXES)
    ensure_indexes(db, NEED_INDEXES)
    ensure_indexes(db, DEAL_INDEXES)
    clock = SystemClock()
    sellers = MongoSellers(db)
    listing_service = ListingService(
        listings=MongoListings(db), sellers=sellers, index=MongoSearchIndex(db), catalog=MARKETPLACE_EVENTS, clock=clock
    )
    need_service = NeedService(
        needs=MongoNeeds(db), sellers=sellers, listings=listing_service, catalog=MARKETPLACE_EVENTS, clock=clock
    )
    deal_service = DealService(
        listings=listing_service.listings,
        sellers=sellers,
        deals=MongoDeals(db),
        numbers=MongoNumberSeries(db),
        catalog=MARKETPLACE_EVENTS,
        clock=clock,
    )
    favourite_service = FavouriteService(
        listings=listing_service.listings, sellers=sellers, favourites=MongoFavourites(db)
    )
    app = create_service_app(
        settings=settings,
        title="Solidarity Hub — Marketplace",
        version="1",
        description=DESCRIPTION,
        blueprints=[listings.blp, needs.blp, deals.blp],
        readiness={"mongodb": mongo_check(client), "kafka": KafkaCheck(settings.kafka_bootstrap_servers)},
    )
    app.extensions[EXTENSION] = MarketplaceContext(
        listings=listing_service,
        deals=deal_service,
        favourites=favourite_service,
        needs=need_service,
        sellers=sellers,
        ratings=MongoRatings(db),
        clock=clock,
    )
    return app
