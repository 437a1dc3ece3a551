"""The training service's demo data goes through the real use cases and can be loaded twice."""

from __future__ import annotations

import pytest
from pymongo.database import Database

from services.training.adapters.assessments import ASSESSMENTS
from services.training.adapters.enrolments import ENROLMENTS
from services.training.adapters.staff import STAFF
from services.training.entrypoints.demo_data import ADMIN, assess_and_enrol, catalogue
from services.training.entrypoints.wiring import build
from tests.integration.training_api import seed_enterprise

pytestmark = pytest.mark.integration


def test_every_centre_gets_sessions_and_the_first_enterprise_is_assessed_and_enrolled(training_db: Database) -> None:
    enterprise_id = seed_enterprise(training_db, district="BG-16", region="BG42", centre="plovdiv")
    peers = [seed_enterprise(training_db, district="BG-16", region="BG42", centre="plovdiv") for _ in range(3)]
    training = build(training_db)
    assert catalogue(training) == 12
    assert {s.centre for s in training.sessions.upcoming(limit=100)} == {
        "plovdiv", "lovech", "varna", "burgas", "blagoevgrad", "gabrovo"
    }  # fmt: skip
    assert assess_and_enrol(training, 5) == enterprise_id
    assert training_db[ASSESSMENTS].count_documents({"enterprise_id": enterprise_id}) == 2  # first and follow-up
    assert all(training_db[ASSESSMENTS].count_documents({"enterprise_id": peer}) == 2 for peer in peers)
    _, progress = training.assessments.progress(ADMIN, enterprise_id)
    assert progress.own is not None and progress.own.change is not None and progress.own.change.overall > 0
    assert progress.centre_change.enterprises == 3 and progress.centre_change.scores is not None  # shown in make run
    staff = training_db[STAFF].find_one({"_id": enterprise_id})
    assert [w["name"] for w in staff["workers"]][:2] == ["Иван Петров", "Гергана Илиева"] and len(staff["workers"]) == 4
    assert training_db[ENROLMENTS].count_documents({"enterprise_id": enterprise_id}) == 3
    states = {d["state"] for d in training_db[ENROLMENTS].find({"enterprise_id": enterprise_id})}
    assert states <= {"confirmed", "waitlisted"} and "confirmed" in states  # invited, and each accepted
    assert catalogue(training) == 0 and assess_and_enrol(training, 1) == enterprise_id  # a second run adds nothing
    assert training_db[ENROLMENTS].count_documents({"enterprise_id": enterprise_id}) == 3
    assert training_db[ASSESSMENTS].count_documents({"enterprise_id": enterprise_id}) == 2
    assert len(training_db[STAFF].find_one({"_id": enterprise_id})["workers"]) == 4
