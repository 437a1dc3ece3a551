"""Notifications keeps who represents each enterprise from the registry's events, over real Kafka and FerretDB:
an older event never brings back a representative who left, a deletion forgets everyone, and a rebuild from
the topic restores what a broken read model lost (without sending anything)."""

from __future__ import annotations

import uuid

import pytest
from pymongo.database import Database

from services.notifications.adapters.representatives import REPRESENTATIVES, MongoRepresentatives
from services.notifications.entrypoints.consumer import Notifier
from services.notifications.entrypoints.rebuild import READS, rebuild_representatives
from services.notifications.entrypoints.wiring import build
from shared.events import InvalidEvent
from shared.localinfra import Infrastructure
from tests.integration.test_read_model_versions import on_topic, publish, registry_event

pytestmark = pytest.mark.integration

IVANKA = {"subject": "rep-ivanka", "name": "Иванка Стоянова", "email": "ivanka@rodopska-pchela.example.bg"}
GEORGI = {"subject": "rep-georgi", "name": "Георги Колев", "email": None}


def test_the_consumer_follows_the_register_and_an_older_event_changes_no_one(db: Database) -> None:
    notifier = Notifier(build(db), "https://portal.example.bg")
    representatives = MongoRepresentatives(db)
    enterprise = str(uuid.uuid4())
    registered = registry_event("EnterpriseRegistered", enterprise, 3, representatives=[IVANKA, GEORGI])
    georgi_left = registry_event("EnterpriseUpdated", enterprise, 5, representatives=[IVANKA])
    for envelope in (registered, georgi_left, registered):  # the first again: a replayed dead letter
        notifier(envelope, envelope.payload)
    assert [one["subject"] for one in representatives.of(enterprise)] == ["rep-ivanka"]

    older_event = registry_event("EnterpriseUpdated", enterprise, 4, representatives=[IVANKA, GEORGI])
    notifier(older_event, older_event.payload)
    assert representatives.of(enterprise) == [IVANKA]

    deleted = registry_event("EnterpriseDeleted", enterprise, 7, status="deleted")
    notifier(deleted, deleted.payload)
    assert representatives.of(enterprise) == []
    assert representatives.of("no-such-enterprise") == []


def test_a_representative_whose_e_mail_is_no_text_makes_the_event_poison(db: Database) -> None:
    # Kept as it came, it made every later event of the enterprise fail when its notices were addressed.
    notifier = Notifier(build(db), "https://portal.example.bg")
    enterprise = str(uuid.uuid4())
    registered = registry_event("EnterpriseRegistered", enterprise, 3, representatives=[IVANKA])
    notifier(registered, registered.payload)
    broken = registry_event("EnterpriseUpdated", enterprise, 4, representatives=[{**GEORGI, "email": 42}])
    with pytest.raises(InvalidEvent, match="e-mail is not text"):
        notifier(broken, broken.payload)
    assert MongoRepresentatives(db).of(enterprise) == [IVANKA]


def test_a_rebuild_from_the_topic_restores_the_representatives(infra: Infrastructure, topic: str, db: Database) -> None:
    catalog = on_topic(READS, topic)
    kept, deleted = str(uuid.uuid4()), str(uuid.uuid4())
    publish(
        infra,
        topic,
        registry_event("EnterpriseRegistered", kept, 3, representatives=[IVANKA, GEORGI]),
        registry_event("EnterpriseUpdated", kept, 4, representatives=[IVANKA]),
        registry_event("EnterpriseRegistered", deleted, 2, representatives=[GEORGI]),
        registry_event("EnterpriseDeleted", deleted, 5, status="deleted", representatives=[GEORGI]),
    )
    # the read model is lost or wrong (a bad restore): one enterprise forgotten, a stranger added
    db[REPRESENTATIVES].insert_one({"_id": "ghost", "people": [GEORGI]})

    report = rebuild_representatives(db, infra.kafka_bootstrap, catalog)

    representatives = MongoRepresentatives(db)
    assert (report.events_read, report.events_applied, report.documents) == (4, 4, 2)
    assert representatives.of(kept) == [IVANKA]
    assert representatives.of(deleted) == []
    assert representatives.of("ghost") == []
    assert db.list_collection_names(filter={"name": {"$regex": "_rebuild$"}}) == []
