"""The marketplace's web application (``gunicorn services.marketplace.entrypoints.app:create_app()``)."""

from __future__ import annotations

from flask import Flask

from services.marketplace.config import SERVICE
from services.marketplace.entrypoints.api import deals, listings, needs, photos
from services.marketplace.entrypoints.api.context import EXTENSION
from services.marketplace.entrypoints.api.policies import POLICIES
from services.marketplace.entrypoints.wiring import build
from shared.config import Settings
from shared.logs import configure_logging
from shared.mongo import connect_web
from shared.web.app_factory import create_service_app
from shared.web.checks import mongo_check

DESCRIPTION = """The marketplace of Bulgaria's social enterprises (Пазар на социалните предприятия).

Enterprises with an active entry in the register offer goods and services; buyers search in
Bulgarian or Latin, ask for quotes, order, review and post needs. Errors come as
`{status, code, message: {bg, en}, fields: {name: [{bg, en}]}}`.
"""


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env(SERVICE)
    configure_logging(SERVICE, settings.log_level)
    settings.check_secrets()  # before any connection: never serve with a secret anyone can read
    client = connect_web(settings.mongodb_uri, app_name=f"{SERVICE}-web")
    marketplace = build(client[settings.mongodb_database])
    app = create_service_app(
        settings=settings,
        title="Solidarity Hub — Marketplace",
        version="1",
        description=DESCRIPTION,
        blueprints=[listings.blp, photos.blp, needs.blp, deals.blp],
        readiness={"mongodb": mongo_check(client)},  # web processes never produce to Kafka
        policies=POLICIES,
    )
    app.extensions[EXTENSION] = marketplace
    return app
