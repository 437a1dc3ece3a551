"""The events service's web application (``gunicorn services.events.entrypoints.app:create_app()``)."""

from __future__ import annotations

from flask import Flask

from services.events.config import SERVICE
from services.events.entrypoints.api import calendar, feeds, participation
from services.events.entrypoints.api.context import EXTENSION
from services.events.entrypoints.api.policies import POLICIES
from services.events.entrypoints.wiring import build
from shared.clock import Clock
from shared.config import Settings
from shared.logs import configure_logging
from shared.mongo import connect_web
from shared.web.app_factory import create_service_app
from shared.web.checks import mongo_check

DESCRIPTION = """Fairs, bazaars, exhibitions, forums, information campaigns and conferences of the regional centres
(Изложения, базари и форуми на регионалните центрове).

Centres (and the ministry) publish events at their halls, at an address in any settlement or online; enterprises
active in the register apply for stands with the marketplace listings they will show, and the centre selects,
with a waiting list and reasons; people register for seats (with a waiting list) and get a calendar entry; after
the event the organisers record attendance, exhibitors report contacts and sales, and the centre reports per
event and per period. Times are Sofia times; money is in euro cents. Errors come as
`{status, code, message: {bg, en}, fields: {name: [{bg, en}]}}`.
"""


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Flask:
    settings = settings or Settings.from_env(SERVICE)
    configure_logging(SERVICE, settings.log_level)
    settings.check_secrets()  # before any connection: never serve with a secret anyone can read
    client = connect_web(settings.mongodb_uri, app_name=f"{SERVICE}-web")
    service = build(client[settings.mongodb_database], clock)
    app = create_service_app(
        settings=settings,
        title="Solidarity Hub — Events",
        version="1",
        description=DESCRIPTION,
        blueprints=[calendar.blp, participation.blp, feeds.blp],
        readiness={"mongodb": mongo_check(client)},
        policies=POLICIES,
    )
    app.extensions[EXTENSION] = service
    return app
