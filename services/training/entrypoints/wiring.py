"""The training service's use cases wired to MongoDB: one place for the web app, the consumer and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.database import Database

from services.training.adapters.enterprises import MongoEnterprises
from shared.clock import Clock, SystemClock
from shared.mongo import IndexSpec, ensure_indexes

INDEXES: list[IndexSpec] = []


@dataclass(frozen=True)
class Training:
    enterprises: MongoEnterprises
    clock: Clock


def build(db: Database, clock: Clock | None = None) -> Training:
    ensure_indexes(db, INDEXES)
    clock = clock or SystemClock()
    return Training(enterprises=MongoEnterprises(db), clock=clock)
