"""The training service's web application (``gunicorn services.training.entrypoints.app:create_app()``)."""

from __future__ import annotations

from flask import Flask

from services.training.config import SERVICE
from services.training.entrypoints.api import assessments, enrolments, ical, programme, sessions, staff
from services.training.entrypoints.api.context import EXTENSION
from services.training.entrypoints.api.policies import POLICIES
from services.training.entrypoints.wiring import build
from shared.config import Settings
from shared.logs import configure_logging
from shared.mongo import connect_web
from shared.web.app_factory import create_service_app
from shared.web.checks import mongo_check

DESCRIPTION = """Digital skills for Bulgaria's social enterprises (Дигитални умения за социалните предприятия).

Trainers schedule courses at the six regional centres or online; workers of social enterprises enrol,
with capacity and waitlists, and earn certificates anyone can verify; enterprises assess their digital
maturity (EDIH model) and get course recommendations. Errors come as
`{status, code, message: {bg, en}, fields: {name: [{bg, en}]}}`.
"""
BLUEPRINTS: list = [sessions.blp, ical.blp, assessments.blp, enrolments.blp, programme.blp, staff.blp]


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env(SERVICE)
    configure_logging(SERVICE, settings.log_level)
    settings.check_secrets()  # before any connection: never serve with a secret anyone can read
    client = connect_web(settings.mongodb_uri, app_name=f"{SERVICE}-web")
    training = build(client[settings.mongodb_database])
    app = create_service_app(
        settings=settings,
        title="Solidarity Hub — Training",
        version="1",
        description=DESCRIPTION,
        blueprints=BLUEPRINTS,
        readiness={"mongodb": mongo_check(client)},  # web processes never produce to Kafka
        policies=POLICIES,
    )
    app.extensions[EXTENSION] = training
    return app
