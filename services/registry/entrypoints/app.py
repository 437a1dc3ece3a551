"""The registry's web application (``gunicorn services.registry.entrypoints.app:create_app()``)."""

from __future__ import annotations

from flask import Flask

from services.registry.adapters.attachments import GridFSAttachments, new_id
from services.registry.adapters.audit import MongoReadAudit
from services.registry.adapters.queries import RegisterQueries
from services.registry.adapters.repository import MongoEnterpriseRepository, prepare_database
from services.registry.config import SERVICE, RegistryConfig
from services.registry.entrypoints.api import applications, attachments, audit, enterprises, reference, register
from services.registry.entrypoints.api.context import EXTENSION, RegistryContext
from services.registry.entrypoints.api.policies import POLICIES
from services.registry.events.schemas import REGISTRY_EVENTS
from services.registry.service_layer.attachments import AttachmentService
from services.registry.service_layer.use_cases import RegistryService
from shared.clock import SystemClock
from shared.logs import configure_logging
from shared.mongo import MongoNumberSeries, connect_web
from shared.scanning import file_scanner
from shared.web.app_factory import create_service_app
from shared.web.checks import mongo_check

DESCRIPTION = """The national register of social enterprises (Регистър на социалните предприятия).

Representatives apply for entry (class A or A+); clerks of the six regional centres review and
decide; anyone can search the public register and download it as open data. Errors come as
`{status, code, message: {bg, en}, fields: {name: [{bg, en}]}}`.
"""


def create_app(config: RegistryConfig | None = None) -> Flask:
    config = config or RegistryConfig.from_env()
    settings = config.settings
    configure_logging(SERVICE, settings.log_level)
    settings.check_secrets()  # before any connection: never serve with a secret anyone can read
    client = connect_web(settings.mongodb_uri, app_name=f"{SERVICE}-web")
    db = client[settings.mongodb_database]
    prepare_database(db)
    clock = SystemClock()
    service = RegistryService(
        repository=MongoEnterpriseRepository(db),
        numbers=MongoNumberSeries(db),
        catalog=REGISTRY_EVENTS,
        policy=config.policy,
        clock=clock,
        audit=MongoReadAudit(db),
    )
    app = create_service_app(
        settings=settings,
        title="Solidarity Hub — Registry",
        version="1",
        description=DESCRIPTION,
        blueprints=[register.blp, applications.blp, attachments.blp, enterprises.blp, reference.blp, audit.blp],
        readiness={"mongodb": mongo_check(client)},  # web processes never produce to Kafka
        policies=POLICIES,
    )
    app.extensions[EXTENSION] = RegistryContext(
        service, RegisterQueries(db), config.policy, clock, MongoReadAudit(db), config.audit_retention_days
    )
    app.extensions[attachments.EXTENSION] = AttachmentService(
        service, GridFSAttachments(db), new_id, scanner=file_scanner(SERVICE)
    )
    return app
