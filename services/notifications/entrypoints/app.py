"""The notifications service's web application (``gunicorn services.notifications.entrypoints.app:create_app()``)."""

from __future__ import annotations

from flask import Flask

from services.notifications.config import SERVICE
from services.notifications.entrypoints.api import inbox, preferences, webhooks
from services.notifications.entrypoints.api.policies import POLICIES
from services.notifications.entrypoints.wiring import EXTENSION, build
from shared.config import Settings
from shared.logs import configure_logging
from shared.mongo import connect_web
from shared.web.app_factory import create_service_app
from shared.web.checks import mongo_check

DESCRIPTION = """Notifications of Solidarity Hub (Известия): the in-app inbox.

What happens on the platform (a register decision, an order, an enrolment) reaches the people concerned
by e-mail and in their inbox here: their own messages, their enterprise's and their centre's. Errors come
as `{status, code, message: {bg, en}, fields: {name: [{bg, en}]}}`.
"""


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env(SERVICE)
    configure_logging(SERVICE, settings.log_level)
    settings.check_secrets()  # before any connection: never serve with a secret anyone can read
    client = connect_web(settings.mongodb_uri, app_name=f"{SERVICE}-web")
    notifications = build(client[settings.mongodb_database])
    app = create_service_app(
        settings=settings,
        title="Solidarity Hub — Notifications",
        version="1",
        description=DESCRIPTION,
        blueprints=[inbox.blp, preferences.blp, webhooks.blp],
        readiness={"mongodb": mongo_check(client)},
        policies=POLICIES,
    )
    app.extensions[EXTENSION] = notifications
    return app
