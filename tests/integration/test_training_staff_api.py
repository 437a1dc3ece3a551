"""An enterprise's staff list and enrolling its workers from the maturity gaps in one step, over HTTP against
real FerretDB: who may read and change the list, its bound, all errors at once, deleting for good, per-worker
results through the usual invitations (then a seat, the waiting list), and progress next to the centre's
average (not shown of fewer than three enterprises)."""

from __future__ import annotations

import dataclasses
import uuid
from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.registry.events.schemas import REGISTRY_EVENTS
from services.training.adapters.staff import STAFF
from services.training.domain.dimensions import Dimension
from services.training.domain.staff import MAX_STAFF
from services.training.entrypoints.consumer import registry_handler
from services.training.entrypoints.wiring import build
from shared.auth import Role
from tests.integration.registry_api import token
from tests.integration.test_training_enrolments_api import add_session
from tests.integration.training_api import answers, learner_token, seed_enterprise

pytestmark = pytest.mark.integration

CLERK_PLOVDIV = token("clerk-plovdiv", Role.CLERK, centre="plovdiv")
CLERK_VARNA = token("clerk-varna", Role.CLERK, centre="varna")
ADMIN = token("admin-1", Role.ADMIN)


def representative(enterprise_id: str, subject: str = "rep-1") -> dict[str, str]:
    return token(subject, Role.REPRESENTATIVE, enterprise_id=enterprise_id, name="Мария Иванова")


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def add(client: FlaskClient, enterprise_id: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(f"/api/v1/enterprises/{enterprise_id}/staff", json=body, headers=headers)


@pytest.fixture
def pekarna(training_db: Database) -> str:
    return seed_enterprise(training_db, name="Социална пекарна Добро утро", district="BG-16", centre="plovdiv")


def test_a_representative_keeps_the_staff_list_and_others_cannot_reach_it(
    training: FlaskClient, training_db: Database, pekarna: str
) -> None:
    other = seed_enterprise(training_db, name="Друго предприятие", district="BG-03", centre="varna")
    rep = representative(pekarna)
    gergana = ok(
        add(
            training,
            pekarna,
            {"name": "Гергана Илиева", "email": "Gergana@Pekarna.example.bg", "role": "Счетоводител",
             "dimensions": ["green", "data_management"]},
            rep,
        ),
        201,
    )  # fmt: skip
    assert (gergana["email"], gergana["role"], gergana["active"]) == (
        "gergana@pekarna.example.bg",
        "Счетоводител",
        True,
    )
    assert [d["code"] for d in gergana["dimensions"]] == ["data_management", "green"]
    ok(add(training, pekarna, {"name": "Иван Петров"}, CLERK_PLOVDIV), 201)  # staff of its centre, on its behalf

    listed = ok(training.get(f"/api/v1/enterprises/{pekarna}/staff", headers=rep))
    assert [w["name"] for w in listed["items"]] == ["Гергана Илиева", "Иван Петров"] and listed["limit"] == MAX_STAFF

    # a representative of another enterprise, a clerk of another centre, a learner: refused, nothing shown
    for stranger in (representative(other, "rep-2"), CLERK_VARNA, learner_token("gergana@pekarna.example.bg")):
        for response in (
            training.get(f"/api/v1/enterprises/{pekarna}/staff", headers=stranger),
            add(training, pekarna, {"name": "Натрапник"}, stranger),
            training.put(f"/api/v1/enterprises/{pekarna}/staff/{gergana['id']}", json={"name": "X"}, headers=stranger),
            training.delete(f"/api/v1/enterprises/{pekarna}/staff/{gergana['id']}", headers=stranger),
        ):
            assert response.status_code == 403, response.get_data(as_text=True)
            assert "gergana" not in response.get_data(as_text=True).lower()
    assert training.get("/api/v1/enterprises/no-such/staff", headers=rep).status_code == 404
    assert len(training_db[STAFF].find_one({"_id": pekarna})["workers"]) == 2

    # every error at once, by field; nothing written
    bad = add(training, pekarna, {"name": "", "email": "not-an-address", "dimensions": ["cooking"]}, rep)
    assert bad.status_code == 422
    assert {"name", "email", "dimensions.0"} <= set(bad.json["fields"])
    taken = add(training, pekarna, {"name": "Двойник", "email": "GERGANA@pekarna.example.bg"}, rep)
    assert (
        taken.status_code == 422
        and taken.json["fields"]["email"][0]["en"] == "A worker with this e-mail is already listed."
    )

    # she leaves; then she is removed, and nothing of her is kept
    gone = {"name": "Гергана Илиева", "email": gergana["email"], "active": False}
    left = ok(training.put(f"/api/v1/enterprises/{pekarna}/staff/{gergana['id']}", json=gone, headers=rep))
    assert left["active"] is False and left["role"] == ""
    remaining = ok(training.delete(f"/api/v1/enterprises/{pekarna}/staff/{gergana['id']}", headers=rep))
    assert [w["name"] for w in remaining["items"]] == ["Иван Петров"]
    assert "gergana" not in str(training_db[STAFF].find_one({"_id": pekarna})).lower()
    assert training.delete(f"/api/v1/enterprises/{pekarna}/staff/{gergana['id']}", headers=rep).status_code == 404


def test_the_staff_list_holds_at_most_500_workers(training: FlaskClient, training_db: Database, pekarna: str) -> None:
    rep = representative(pekarna)
    ok(add(training, pekarna, {"name": "Служител 0"}, rep), 201)
    document = training_db[STAFF].find_one({"_id": pekarna})
    template = document["workers"][0]
    filled = [{**template, "id": f"w-{i}", "name": f"Служител {i}"} for i in range(MAX_STAFF)]
    training_db[STAFF].update_one({"_id": pekarna}, {"$set": {"workers": filled}})

    full = add(training, pekarna, {"name": "Служител 501"}, rep)
    assert full.status_code == 409 and full.json["code"] == "staff_full"
    assert "500" in full.json["message"]["bg"]
    assert len(training_db[STAFF].find_one({"_id": pekarna})["workers"]) == MAX_STAFF
    ok(training.delete(f"/api/v1/enterprises/{pekarna}/staff/w-7", headers=rep))  # one who left makes room
    ok(add(training, pekarna, {"name": "Служител 501"}, rep), 201)


def test_one_step_enrolment_from_the_gaps_gives_each_worker_a_result(
    training: FlaskClient, training_db: Database, pekarna: str
) -> None:
    rep = representative(pekarna)
    workers = {
        name: ok(add(training, pekarna, {"name": name, "email": email}, rep), 201)
        for name, email in (("Ана Колева", "ana@pekarna.example.bg"), ("Борис Денев", "boris@pekarna.example.bg"),
                            ("Вера Стоева", "vera@pekarna.example.bg"))
    }  # fmt: skip
    no_email = ok(add(training, pekarna, {"name": "Гошо Без Имейл"}, rep), 201)
    one_seat = add_session(training_db, capacity=1)
    # Вера was invited to it before, by the usual path: a second invitation is refused
    vera = {"workers": [{"name": "Вера Стоева", "email": "vera@pekarna.example.bg"}]}
    ok(training.post(f"/api/v1/sessions/{one_seat}/enrolments", json=vera, headers=rep))

    picks = {"picks": [{"session_id": one_seat, "worker_ids": [w["id"] for w in workers.values()] + [no_email["id"]]}]}
    # a representative of another enterprise, and the centre's clerk, do not enrol this enterprise's workers
    other = seed_enterprise(training_db, name="Друго", centre="plovdiv")
    assert training.post(f"/api/v1/enterprises/{pekarna}/staff/enrolments", json=picks,
                         headers=representative(other, "rep-2")).status_code == 403  # fmt: skip
    assert training.post(f"/api/v1/enterprises/{pekarna}/staff/enrolments", json=picks,
                         headers=CLERK_PLOVDIV).status_code == 403  # fmt: skip

    results = ok(training.post(f"/api/v1/enterprises/{pekarna}/staff/enrolments", json=picks, headers=rep))["items"]
    outcome = {r["name"]: r["outcome"] for r in results}
    assert outcome == {"Ана Колева": "invited", "Борис Денев": "invited", "Вера Стоева": "refused",
                       "Гошо Без Имейл": "refused"}  # fmt: skip
    reasons = {r["name"]: r["error"]["message"]["bg"] for r in results if r["error"]}
    assert "invited" in next(r for r in results if r["name"] == "Вера Стоева")["error"]["message"]["en"]
    assert "имейл" in reasons["Гошо Без Имейл"]

    # each worker accepts, signed in with the invited address: the first gets the seat, the second waits
    by_name = {r["name"]: r["enrolment"]["id"] for r in results if r["enrolment"]}
    for name, email in (("Ана Колева", "ana@pekarna.example.bg"), ("Борис Денев", "boris@pekarna.example.bg")):
        ok(training.post(f"/api/v1/enrolments/{by_name[name]}/accept", json={},
                         headers=learner_token(email, pekarna, name)))  # fmt: skip
    states = {e["learner"]["name"]: e["state"] for e in ok(training.get("/api/v1/enrolments", headers=rep))["items"]}
    assert (states["Ана Колева"], states["Борис Денев"], states["Вера Стоева"]) == (
        "confirmed",
        "waitlisted",
        "invited",
    )

    # a worker not on the list is refused as a whole, by field, and nothing is sent
    stray = {"picks": [{"session_id": one_seat, "worker_ids": ["not-on-the-list"]}]}
    refused = training.post(f"/api/v1/enterprises/{pekarna}/staff/enrolments", json=stray, headers=rep)
    assert refused.status_code == 422 and "picks.0.worker_ids" in refused.json["fields"]


def test_progress_since_the_first_assessment_next_to_the_centres_average(
    training: FlaskClient, training_db: Database, pekarna: str
) -> None:
    rep = representative(pekarna)

    def assess(enterprise_id: str, level: float) -> None:
        ok(training.post(f"/api/v1/enterprises/{enterprise_id}/assessments",
                         json={"version": "dma-2026-1", "answers": answers(level)}, headers=ADMIN), 201)  # fmt: skip

    assess(pekarna, 0.2)
    assess(pekarna, 0.6)
    peers = [seed_enterprise(training_db, name=f"Съсед {i}", centre="plovdiv") for i in range(3)]
    elsewhere = seed_enterprise(training_db, name="Варненско", centre="varna")
    assess(elsewhere, 1.0)
    assess(peers[0], 0.4)
    assess(peers[0], 0.8)
    assess(peers[1], 0.4)

    report = ok(training.get(f"/api/v1/enterprises/{pekarna}/progress", headers=rep))
    own = report["own"]
    assert own["assessments"] == 2 and own["change"]["overall"] > 0
    assert own["change"]["overall"] == round(own["latest"]["overall"] - own["first"]["overall"], 1)
    assert set(own["change"]["dimensions"]) == {d.value for d in Dimension}
    # two others of the centre assessed, one of them twice: too few for either average
    assert report["centre_latest"] == {"enterprises": 2, "scores": None}
    assert report["centre_change"] == {"enterprises": 1, "scores": None}

    assess(peers[2], 0.4)
    report = ok(training.get(f"/api/v1/enterprises/{pekarna}/progress", headers=rep))
    latest = report["centre_latest"]
    assert latest["enterprises"] == 3  # the Varna enterprise is not in Plovdiv's average, nor the enterprise itself
    assert latest["scores"]["overall"] > 0 and set(latest["scores"]["dimensions"]) == {d.value for d in Dimension}
    assert report["centre_change"] == {"enterprises": 1, "scores": None}
    assert training.get(f"/api/v1/enterprises/{pekarna}/progress", headers=CLERK_VARNA).status_code == 403


def test_the_staff_list_is_deleted_with_the_enterprise(training: FlaskClient, training_db: Database) -> None:
    gone = seed_enterprise(training_db, name="Закрито предприятие", centre="plovdiv")
    kept = seed_enterprise(training_db, name="Работещо предприятие", centre="plovdiv")
    for enterprise_id in (gone, kept):
        ok(add(training, enterprise_id, {"name": "Лиляна Пеева", "email": "lilyana@example.bg"},
               representative(enterprise_id)), 201)  # fmt: skip
    handle = registry_handler(build(training_db))
    base = REGISTRY_EVENTS.example(REGISTRY_EVENTS.get("registry.EnterpriseDeleted", 1))
    deleted = dataclasses.replace(base, event_id=str(uuid.uuid4()), aggregate_id=gone, aggregate_version=99,
                                  payload=base.payload | {"enterprise_id": gone, "status": "deleted"})  # fmt: skip
    handle(deleted, deleted.payload)
    handle(deleted, deleted.payload)  # redelivered: nothing more to delete, no error
    assert training_db[STAFF].find_one({"_id": gone}) is None
    assert "lilyana" not in str(list(training_db[STAFF].find({"_id": gone}))).lower()
    assert len(training_db[STAFF].find_one({"_id": kept})["workers"]) == 1
