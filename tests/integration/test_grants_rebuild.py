"""Rebuilding grants' read models (``grants-rebuild-enterprises``) over real Kafka and FerretDB: the enterprises
and the maturity assessments the eligibility rules read become what the register's and training's topics say,
after they went wrong. Each test reads scratch topics, so other tests' events never interfere."""

from __future__ import annotations

import uuid

import pytest
from pymongo.database import Database

from services.grants.adapters.repository import ASSESSMENTS, ENTERPRISES
from services.grants.entrypoints.rebuild import (
    ASSESSMENT_CATALOG,
    ENTERPRISE_CATALOG,
    rebuild_assessments,
    rebuild_enterprises,
)
from services.grants.service_layer.grants import GrantsService
from shared.kafka import ensure_topics
from shared.localinfra import Infrastructure
from tests.integration.grants_seed import assessment_event
from tests.integration.test_grants_api import clock, grants_db, grants_db_name, service  # noqa: F401 - fixtures
from tests.integration.test_read_model_versions import on_topic, publish, registry_event

pytestmark = pytest.mark.integration


def test_rebuilding_restores_the_enterprises_and_assessments_the_eligibility_rules_read(
    infra: Infrastructure,
    topic: str,
    service: GrantsService,  # noqa: F811
    grants_db: Database,  # noqa: F811
) -> None:
    assessments_topic = f"{topic}-assessments"
    ensure_topics(infra.kafka_bootstrap, [assessments_topic], partitions=3)
    deleted, active = str(uuid.uuid4()), str(uuid.uuid4())
    register = [
        registry_event("EnterpriseRegistered", deleted, 3, status="active", region="BG31", centre="lovech"),
        registry_event("EnterpriseRegistered", active, 2, status="active", region="BG33", centre="varna"),
        registry_event("EnterpriseDeleted", deleted, 7, status="deleted", region="BG31", centre="lovech"),
    ]
    surveys = [assessment_event(active, 0, 38.0), assessment_event(active, 1, 61.5)]
    publish(infra, topic, *register)
    publish(infra, assessments_topic, *surveys)
    for event in register:
        service.enterprises.apply_registry_event(event, event.payload)
    for event in surveys:
        service.assessments.apply_assessment_event(event, event.payload)

    # The read models go wrong (a bug, a bad restore): the deleted enterprise is active again, an enterprise
    # no event named appears, the follow-up assessment is lost.
    grants_db[ENTERPRISES].update_one({"_id": deleted}, {"$set": {"status": "active"}})
    grants_db[ENTERPRISES].insert_one({**grants_db[ENTERPRISES].find_one({"_id": active}), "_id": "ghost"})
    grants_db[ASSESSMENTS].delete_one({"_id": surveys[1].payload["assessment_id"]})
    assert service.enterprises.get(deleted)["status"] == "active"

    enterprises = rebuild_enterprises(grants_db, infra.kafka_bootstrap, on_topic(ENTERPRISE_CATALOG, topic))
    surveyed = rebuild_assessments(grants_db, infra.kafka_bootstrap, on_topic(ASSESSMENT_CATALOG, assessments_topic))

    assert (enterprises.events_read, enterprises.events_applied, enterprises.documents) == (3, 3, 2)
    assert (surveyed.events_read, surveyed.documents) == (2, 2)
    assert service.enterprises.get(deleted)["status"] == "deleted"
    assert service.enterprises.get(active)["status"] == "active" and service.enterprises.get("ghost") is None
    assert [a["overall"] for a in service.assessments.of_enterprise(active)] == [38.0, 61.5]
    assert grants_db.list_collection_names(filter={"name": {"$regex": "_rebuild$"}}) == []
