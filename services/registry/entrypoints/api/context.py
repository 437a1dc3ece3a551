"""The registry's use cases and queries as the HTTP layer reaches them."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from services.registry.adapters.audit import MongoReadAudit
from services.registry.adapters.queries import RegisterQueries
from services.registry.domain.policy import RegistryPolicy
from services.registry.service_layer.use_cases import RegistryService
from shared.clock import Clock

EXTENSION = "registry"


@dataclass(frozen=True)
class RegistryContext:
    service: RegistryService
    queries: RegisterQueries
    policy: RegistryPolicy
    clock: Clock
    reads: MongoReadAudit
    audit_retention_days: int


def registry() -> RegistryContext:
    return current_app.extensions[EXTENSION]
