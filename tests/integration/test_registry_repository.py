"""The enterprise repository on FerretDB: round trips, lost-update protection, outbox in the same write."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.database import Database

from services.registry.adapters.repository import MongoEnterpriseRepository, prepare_database
from services.registry.domain.enterprise import Enterprise
from services.registry.domain.entry import Order
from services.registry.domain.errors import StaleVersion
from services.registry.domain.history import Actor
from services.registry.domain.policy import RegistryPolicy
from services.registry.events.schemas import REGISTRY_EVENTS
from services.registry.service_layer.publishing import to_outbox
from shared.errors import Conflict
from shared.mongo import MongoNumberSeries
from tests.unit.registry_fakes import START, details, eligible_request

pytestmark = pytest.mark.integration

OWNER = Actor("rep-1", "Мария", "representative")


@pytest.fixture
def db(infra: Any) -> Iterator[Database]:
    client = MongoClient(infra.mongodb_uri, tz_aware=True)
    name = f"registry_repo_{uuid.uuid4().hex[:8]}"
    database = client[name]
    prepare_database(database)  # as the web, the scheduler and the index job do
    yield database
    client.drop_database(name)


def new_enterprise(eik: str = "175074752") -> Enterprise:
    return Enterprise.start(
        enterprise_id=str(uuid.uuid4()),
        application_id=str(uuid.uuid4()),
        owner=OWNER,
        details=details(eik),
        request=eligible_request(),
        policy=RegistryPolicy(),
        now=START,
    )


def submit_and_save(repo: MongoEnterpriseRepository, enterprise: Enterprise) -> None:
    enterprise.submit(actor=OWNER, now=START)
    repo.save(enterprise, to_outbox(REGISTRY_EVENTS, enterprise.id, enterprise.take_events(), START))


def test_an_enterprise_reads_back_as_it_was_written(db: Database) -> None:
    repo = MongoEnterpriseRepository(db)
    enterprise = new_enterprise()
    repo.add(enterprise, [])
    loaded = repo.get(enterprise.id)
    assert loaded == enterprise
    assert repo.get_by_application(enterprise.application.id).id == enterprise.id
    assert [e.id for e in repo.with_eik("175074752")] == [enterprise.id]


def test_a_lost_update_is_refused_and_leaves_the_document_and_outbox_as_the_winner_wrote_them(db: Database) -> None:
    repo = MongoEnterpriseRepository(db)
    enterprise = new_enterprise()
    repo.add(enterprise, [])
    first, second = repo.get(enterprise.id), repo.get(enterprise.id)
    submit_and_save(repo, first)
    second.withdraw(actor=OWNER, now=START)
    with pytest.raises(StaleVersion):
        repo.save(second, to_outbox(REGISTRY_EVENTS, second.id, second.take_events(), START))
    document = db.enterprises.find_one({"_id": enterprise.id})
    assert document["application_status"] == "submitted"
    assert [e["envelope"]["event_type"] for e in document["outbox"]] == ["registry.ApplicationSubmitted"]
    assert (document["outbox_seq"], document["outbox_sent_seq"], document["version"]) == (1, 0, 2)


def test_events_are_appended_with_increasing_sequence_numbers(db: Database) -> None:
    repo = MongoEnterpriseRepository(db)
    enterprise = new_enterprise()
    repo.add(enterprise, [])
    submit_and_save(repo, enterprise)
    enterprise.request_information(actor=OWNER, message="?", now=START)
    repo.save(enterprise, to_outbox(REGISTRY_EVENTS, enterprise.id, enterprise.take_events(), START))
    outbox = db.enterprises.find_one({"_id": enterprise.id})["outbox"]
    assert [(e["seq"], e["topic"], e["key"]) for e in outbox] == [
        (1, "registry.application.v1", enterprise.id),
        (2, "registry.application.v1", enterprise.id),
    ]


def approve(enterprise: Enterprise, number: str) -> None:
    enterprise.approve(
        actor=OWNER,
        order=Order("РД-01-1", date(2026, 3, 2)),
        registration_number=number,
        certificate_number=f"УСП-{number}",
        policy=RegistryPolicy(),
        now=START,
        today=date(2026, 3, 2),
    )


def test_many_may_apply_for_an_eik_but_only_one_enterprise_is_entered_with_it(db: Database) -> None:
    repo = MongoEnterpriseRepository(db)
    first, second = new_enterprise(), new_enterprise()
    repo.add(first, [])
    repo.add(second, [])
    assert {e.id for e in repo.with_eik("175074752")} == {first.id, second.id}
    for enterprise, number in ((first, "СП-00001"), (second, "СП-00002")):
        submit_and_save(repo, enterprise)
        approve(enterprise, number)
    repo.save(first, [])
    with pytest.raises(Conflict) as raised:  # the unique index decides even if two approvals race
        repo.save(second, [])
    assert "eik" in raised.value.fields
    assert repo.get(second.id).entry is None
    assert repo.find_registered_by_eik("175074752").id == first.id


def test_an_older_database_is_brought_up_to_date(infra: Any) -> None:
    client = MongoClient(infra.mongodb_uri, tz_aware=True)
    database = client[f"registry_old_{uuid.uuid4().hex[:8]}"]
    try:
        database.enterprises.create_index([("eik", 1)], name="eik_1", unique=True)  # as it was
        database.enterprises.insert_many(
            [
                {"_id": "e-1", "eik": "175074752", "entry": {"registration_number": "СП-1"}},
                {"_id": "e-2", "eik": "131071587"},
            ]
        )
        prepare_database(database)
        prepare_database(database)  # idempotent
        assert not database.enterprises.index_information()["eik_1"].get("unique")
        assert database.enterprises.index_information()["registered_eik_1"]["unique"]
        assert [d["registered_eik"] for d in database.enterprises.find({}).sort("_id", 1)] == [
            "175074752",
            "applicant:e-2",
        ]
        repo = MongoEnterpriseRepository(database)  # the enterprises written before the ЕИК hints are found by them
        assert [d["_id"] for d in repo._with_eik("131071587")] == ["e-2"]
        assert [d["_id"] for d in repo._with_eik("175074752")] == ["e-1"]
        database.enterprises.insert_one({"_id": "e-3", "eik": "131071587", "registered_eik": "applicant:e-3"})
    finally:
        client.drop_database(database.name)


def test_number_series_never_repeat(db: Database) -> None:
    numbers = MongoNumberSeries(db)
    assert [numbers.next("certificate-2026") for _ in range(3)] == [1, 2, 3]
    assert numbers.next("certificate-2027") == 1


def test_the_public_register_line_follows_its_enterprise_and_a_lagging_one_is_resynced(db: Database) -> None:
    repo = MongoEnterpriseRepository(db)
    enterprise = new_enterprise()
    repo.add(enterprise, [])
    assert db.register.count_documents({}) == 0  # an applicant is not in the public register
    submit_and_save(repo, enterprise)
    enterprise.approve(
        actor=OWNER,
        order=Order("РД-01-1", date(2026, 3, 2)),
        registration_number="СП-00001",
        certificate_number="УСП-2026-00001",
        policy=RegistryPolicy(),
        now=START,
        today=date(2026, 3, 2),
    )
    repo.save(enterprise, to_outbox(REGISTRY_EVENTS, enterprise.id, enterprise.take_events(), START))
    line = db.register.find_one({"_id": enterprise.id})
    assert (line["registration_number"], line["register_status"], line["version"]) == ("СП-00001", "active", 3)
    assert "outbox" not in line and "history" not in line

    db.register.update_one({"_id": enterprise.id}, {"$set": {"name": "стар запис", "version": 2}})  # a crash's trace
    assert repo.resync_register() == 1
    assert db.register.find_one({"_id": enterprise.id})["name"] == enterprise.details.name
    assert repo.resync_register() == 0


def test_lookups_by_application_and_eik_survive_missing_or_stale_hints(db: Database) -> None:
    repo = MongoEnterpriseRepository(db)
    enterprise = new_enterprise()
    repo.add(enterprise, [])
    application_id = enterprise.application.id
    assert db.lookups.find_one({"_id": f"application:{application_id}"})["enterprise_id"] == enterprise.id

    db.lookups.delete_many({})  # e.g. a crash right after the enterprise was written
    assert repo.get_by_application(application_id).id == enterprise.id
    assert repo.find_registered_by_eik("175074752") is None  # applying is not being entered
    assert db.lookups.count_documents({}) == 1  # remembered again

    db.lookups.replace_one({"_id": "registered:175074752"}, {"enterprise_id": enterprise.id}, upsert=True)  # stale
    assert repo.find_registered_by_eik("175074752") is None


def test_eik_lookups_read_only_by_id_through_hints_written_before_the_enterprise(db: Database) -> None:
    """On FerretDB any other read decodes the whole collection: applying and approving read the ЕИК's
    enterprises several times, ≈ 1.5 s each at 200 enterprises on a busy machine, so one request passed
    gunicorn's 30 s limit at 1 000."""
    repo = MongoEnterpriseRepository(db)
    first, second = new_enterprise(), new_enterprise()
    repo.add(first, [])
    repo.add(second, [])
    submit_and_save(repo, first)
    approve(first, "СП-00001")
    repo.save(first, [])
    # a crash between the hint and the enterprise leaves a hint naming an enterprise never written
    db.lookups.update_one({"_id": "eik:175074752"}, {"$addToSet": {"enterprise_ids": "never-written"}})
    assert [e.id for e in repo.with_eik("175074752")] == [first.id, second.id]
    assert repo.find_registered_by_eik("175074752").id == first.id
    assert repo.find_registered_by_eik("131071587") is None and repo.with_eik("131071587") == []

    # the lookups read nothing but the hints and the documents they name: no query over the enterprises
    twin = {**db.enterprises.find_one({"_id": second.id}), "_id": "unhinted", "registered_eik": "applicant:unhinted"}
    db.enterprises.insert_one(twin)
    assert [e.id for e in repo.with_eik("175074752")] == [first.id, second.id]
