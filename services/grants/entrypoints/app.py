"""The grants service's web application (``gunicorn services.grants.entrypoints.app:create_app()``)."""

from __future__ import annotations

from flask import Flask

from services.grants.config import SERVICE
from services.grants.entrypoints.api import applications, calls, documents
from services.grants.entrypoints.api.context import DOCUMENTS, EXTENSION
from services.grants.entrypoints.api.policies import POLICIES
from services.grants.entrypoints.wiring import build, build_documents
from shared.clock import Clock
from shared.config import Settings
from shared.logs import configure_logging
from shared.mongo import connect_web
from shared.web.app_factory import create_service_app
from shared.web.checks import mongo_check

DESCRIPTION = """Modernisation support for social enterprises (Подкрепа за модернизация на социалните предприятия).

The ministry publishes calls with an envelope per planning region; enterprises active in the register and
surveyed for digital maturity apply with a budget of eligible costs (euro cents), within the de minimis
ceiling; the regional centres check, evaluators score, awards are decided within each envelope, and
deliveries, payments and the follow-up assessment complete the support. Errors come as
`{status, code, message: {bg, en}, fields: {name: [{bg, en}]}}`.
"""


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Flask:
    settings = settings or Settings.from_env(SERVICE)
    configure_logging(SERVICE, settings.log_level)
    settings.check_secrets()  # before any connection: never serve with a secret anyone can read
    client = connect_web(settings.mongodb_uri, app_name=f"{SERVICE}-web")
    db = client[settings.mongodb_database]
    service = build(db, clock)
    app = create_service_app(
        settings=settings,
        title="Solidarity Hub — Grants",
        version="1",
        description=DESCRIPTION,
        blueprints=[calls.blp, applications.blp, documents.blp],
        readiness={"mongodb": mongo_check(client)},
        policies=POLICIES,
    )
    app.extensions[EXTENSION] = service
    app.extensions[DOCUMENTS] = build_documents(db, service)
    return app
