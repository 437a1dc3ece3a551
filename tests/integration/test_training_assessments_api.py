"""Digital maturity assessments over HTTP, against real FerretDB: the questionnaire, T0 and T1 with progress,
the outbox, recommendations with sessions the enterprise can enrol in, who may act, and answers that do not fit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.training.adapters.assessments import ASSESSMENTS, COURSES, SESSIONS
from services.training.domain.course import Course, Format, Level
from services.training.domain.dimensions import Dimension
from services.training.domain.session import Meeting, Session, SessionStatus
from services.training.service_layer.assessments import AssessmentService
from shared.auth import Role
from shared.clock import FixedClock
from shared.documents import to_document
from tests.integration.registry_api import token
from tests.integration.training_api import answers, seed_enterprise

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
VERSION = "dma-2026-1"
CLERK_PLOVDIV = token("clerk-plovdiv", Role.CLERK, centre="plovdiv", name="Иван Георгиев")
CLERK_VARNA = token("clerk-varna", Role.CLERK, centre="varna")
CLERK_NATIONAL = token("clerk-national", Role.CLERK, centre="national")
ADMIN = token("admin-1", Role.ADMIN)
TRAINER = token("trainer-1", Role.TRAINER)


def representative_of(enterprise_id: str, subject: str = "rep-1") -> dict[str, str]:
    return token(subject, Role.REPRESENTATIVE, enterprise_id=enterprise_id, name="Мария Иванова")


@pytest.fixture
def clock(training: FlaskClient) -> FixedClock:
    """The assessment service's clock, standing at NOW until a test moves it."""
    service = training.application.extensions["training"].assessments
    assert isinstance(service, AssessmentService)
    fixed = FixedClock(NOW)
    service.clock = fixed
    return fixed


@pytest.fixture
def plovdiv(training_db: Database) -> str:
    """An enterprise served by the Plovdiv centre."""
    return seed_enterprise(training_db, name="Шивашка кооперация Марица", district="BG-16", centre="plovdiv")


def submit(client: FlaskClient, enterprise_id: str, given: dict[str, Any], headers: dict[str, str]) -> Any:
    return client.post(
        f"/api/v1/enterprises/{enterprise_id}/assessments", json={"version": VERSION, "answers": given}, headers=headers
    )


def outbox(db: Database, assessment_id: str) -> list[dict[str, Any]]:
    document = db[ASSESSMENTS].find_one({"_id": assessment_id}) or {}
    return [entry for entry in document.get("outbox", [])]


# ---------------------------------------------------------------------- the questionnaire
def test_the_questionnaire_is_public_and_versioned(training: FlaskClient) -> None:
    current = training.get("/api/v1/questionnaires/current")
    assert current.status_code == 200, current.json
    body = current.json
    assert (body["version"], body["current"]) == (VERSION, True)
    assert [d["code"] for d in body["dimensions"]] == [d.value for d in Dimension]
    assert body["dimensions"][0]["name"] == {"bg": "Дигитална бизнес стратегия", "en": "Digital business strategy"}
    assert [(b["code"], b["min"], b["max"]) for b in body["bands"]] == [
        ("basic", 0, 25),
        ("average", 26, 50),
        ("moderately_advanced", 51, 70),
        ("advanced", 71, 100),
    ]
    questions = {q["id"]: q for d in body["dimensions"] for q in d["questions"]}
    assert questions["bs_channels"]["type"] == "checklist" and questions["bs_channels"]["options"][0]["id"] == "website"
    assert [c["value"] for c in questions["dr_einvoicing"]["choices"]] == [0, 1, 2, 3, 4, 5]
    assert [c["value"] for c in questions["bs_plan"]["choices"]] == ["yes", "partly", "no"]
    assert questions["hc_accessibility"]["text"]["en"].startswith("Are the digital tools you work with accessible")
    assert training.get(f"/api/v1/questionnaires/{VERSION}").json == body
    missing = training.get("/api/v1/questionnaires/dma-1999-1")
    assert missing.status_code == 404 and missing.json["message"]["en"] == "No such version of the questionnaire."


# ---------------------------------------------------------------------- T0, T1 and progress
def test_t0_then_t1_on_the_enterprises_behalf_show_progress_and_fill_the_outbox(
    training: FlaskClient, training_db: Database, clock: FixedClock, plovdiv: str
) -> None:
    rep = representative_of(plovdiv)
    first = submit(training, plovdiv, answers(0.2, weak=(Dimension.GREEN,)), rep)
    assert first.status_code == 201, first.json
    t0 = first.json
    assert (t0["label"], t0["sequence"], t0["progress"], t0["questionnaire_version"]) == ("T0", 0, None, VERSION)
    assert t0["enterprise"] == {"id": plovdiv, "name": "Шивашка кооперация Марица", "centre": "plovdiv"}
    assert t0["taken_by"] == {"id": "rep-1", "name": "Мария Иванова", "role": "representative"}
    assert t0["taken_at"] == "2026-03-02T08:00:00Z"
    assert t0["scores"]["green"] == 0.0 and t0["band"]["code"] == "basic"
    assert t0["band"]["name"] == {"bg": "Базово ниво", "en": "Basic"}
    assert t0["scores"] == {
        "business_strategy": 8.9,
        "digital_readiness": 17.9,
        "human_centric": 10.0,
        "data_management": 7.5,
        "automation_ai": 16.0,
        "green": 0.0,
    }
    assert t0["overall"] == 10.1  # 60.3 / 6 = 10.05, rounded half up
    green = next(d for d in t0["dimensions"] if d["code"] == "green")
    assert green["name"]["bg"] == "Зелена дигитализация" and green["change_since_t0"] is None

    document = training_db[ASSESSMENTS].find_one({"_id": t0["id"]})
    assert document is not None
    assert (document["enterprise_id"], document["centre"], document["sequence"]) == (plovdiv, "plovdiv", 0)
    assert (document["taken_at"], document["overall"]) == (NOW, t0["overall"])
    (entry,) = outbox(training_db, t0["id"])
    envelope = entry["envelope"]
    assert entry["topic"] == "training.assessment.v1"
    assert (envelope["event_type"], envelope["aggregate_type"], envelope["aggregate_id"]) == (
        "training.AssessmentCompleted",
        "assessment",
        t0["id"],
    )
    assert envelope["payload"]["improved_since_t0"] is None and envelope["payload"]["scores"] == t0["scores"]

    clock.advance(days=200)
    second = submit(training, plovdiv, answers(0.8), CLERK_PLOVDIV)  # staff of its centre, on its behalf
    assert second.status_code == 201, second.json
    t1 = second.json
    assert (t1["label"], t1["sequence"], t1["taken_by"]["role"], t1["taken_by"]["name"]) == (
        "T1",
        1,
        "clerk",
        "Иван Георгиев",
    )
    progress = t1["progress"]
    assert progress["since"]["assessment_id"] == t0["id"] and progress["since"]["label"] == "T0"
    assert progress["improved"] and progress["overall"] == round(t1["overall"] - t0["overall"], 1) > 0
    assert progress["dimensions"]["green"] == t1["scores"]["green"]
    assert next(d for d in t1["dimensions"] if d["code"] == "green")["change_since_t0"] == t1["scores"]["green"]
    (entry,) = outbox(training_db, t1["id"])
    payload = entry["envelope"]["payload"]
    assert (payload["sequence"], payload["improved_since_t0"], payload["taken_by_role"]) == (1, True, "clerk")
    assert payload["enterprise_name"] == "Шивашка кооперация Марица" and payload["band"] == t1["band"]["code"]

    listed = training.get(f"/api/v1/enterprises/{plovdiv}/assessments", headers=rep)
    assert listed.status_code == 200, listed.json
    assert [(a["label"], a["id"]) for a in listed.json["items"]] == [("T0", t0["id"]), ("T1", t1["id"])]
    assert listed.json["items"][1]["progress"] == progress
    shown = training.get(f"/api/v1/assessments/{t1['id']}", headers=rep)
    assert shown.status_code == 200 and shown.json == t1
    assert shown.json["answers"]["bs_plan"] == "yes"
    for allowed in (CLERK_PLOVDIV, CLERK_NATIONAL, ADMIN):
        assert training.get(f"/api/v1/assessments/{t0['id']}", headers=allowed).status_code == 200


# ---------------------------------------------------------------------- recommendations
def insert_course(db: Database, id: str, *dimensions: Dimension, active: bool = True) -> None:
    course = Course(
        id=id,
        title_bg=f"Курс {id}",
        description_bg="Практически курс за социални предприятия.",
        dimensions=dimensions,
        level=Level.BEGINNER,
        hours=16,
        format=Format.HYBRID,
        title_en=f"Course {id}",
        active=active,
    )
    db[COURSES].insert_one(to_document(course))


def insert_session(
    db: Database,
    id: str,
    course_id: str,
    centre: str = "plovdiv",
    online: bool = False,
    in_days: float = 20,
    closes_in_days: float | None = None,
    status: SessionStatus = SessionStatus.SCHEDULED,
) -> None:
    starts = NOW + timedelta(days=in_days)
    session = Session(
        id=id,
        course_id=course_id,
        course_title=f"Курс {course_id}",
        trainer_id="trainer-1",
        trainer_name="Петър Петров",
        centre=centre,
        room=None if online else "Зала 2",
        online_link="https://meet.example.bg/dm" if online else None,
        meetings=[
            Meeting(starts, starts + timedelta(hours=3)),
            Meeting(starts + timedelta(days=7), starts + timedelta(days=7, hours=3)),
        ],
        capacity=15,
        enrolment_opens_at=NOW - timedelta(days=30),
        enrolment_closes_at=starts if closes_in_days is None else NOW + timedelta(days=closes_in_days),
        status=status,
    )
    query_fields = {"starts_at": session.starts_at, "centre": centre, "status": status.value, "course_id": course_id}
    db[SESSIONS].insert_one({**to_document(session), **query_fields})


def test_recommendations_list_courses_for_the_weakest_dimensions_with_sessions_it_can_enrol_in(
    training: FlaskClient, training_db: Database, clock: FixedClock, plovdiv: str
) -> None:
    rep = representative_of(plovdiv)
    none_yet = training.get(f"/api/v1/enterprises/{plovdiv}/recommendations", headers=rep)
    assert none_yet.status_code == 200, none_yet.json
    assert (none_yet.json["based_on"], none_yet.json["weakest"], none_yet.json["courses"]) == (None, [], [])

    insert_course(training_db, "backups", Dimension.DATA_MANAGEMENT)
    insert_course(training_db, "green-it", Dimension.GREEN)
    insert_course(training_db, "data-and-green", Dimension.DATA_MANAGEMENT, Dimension.GREEN)
    insert_course(training_db, "strategy", Dimension.BUSINESS_STRATEGY)  # not a weak dimension
    insert_course(training_db, "withdrawn", Dimension.DATA_MANAGEMENT, active=False)
    insert_session(training_db, "backups-plovdiv", "backups", in_days=20)
    insert_session(training_db, "backups-online-varna", "backups", centre="varna", online=True, in_days=10)
    insert_session(training_db, "backups-varna", "backups", centre="varna")  # another centre, in person
    insert_session(training_db, "backups-past", "backups", in_days=-3, closes_in_days=-4)
    insert_session(training_db, "green-closed", "green-it", closes_in_days=-1)  # enrolment already closed
    insert_session(training_db, "green-cancelled", "green-it", status=SessionStatus.CANCELLED)
    insert_session(training_db, "green-plovdiv", "green-it", in_days=45)
    insert_session(training_db, "strategy-plovdiv", "strategy")
    insert_session(training_db, "withdrawn-plovdiv", "withdrawn")

    weak = (Dimension.DATA_MANAGEMENT, Dimension.GREEN)
    given = answers(0.6, weak=weak) | {"dm_backups": "partly"}  # data management a little above green
    assert submit(training, plovdiv, given, rep).status_code == 201

    found = training.get(f"/api/v1/enterprises/{plovdiv}/recommendations", headers=rep)
    assert found.status_code == 200, found.json
    body = found.json
    assert body["based_on"]["label"] == "T0"
    assert [(w["code"], w["name"]["en"]) for w in body["weakest"]] == [
        ("green", "Green digitalisation"),
        ("data_management", "Data management and connectedness"),
    ]
    assert [c["id"] for c in body["courses"]] == ["data-and-green", "green-it", "backups"]
    by_id = {c["id"]: c for c in body["courses"]}
    assert [d["code"] for d in by_id["data-and-green"]["improves"]] == ["green", "data_management"]
    assert by_id["data-and-green"]["sessions"] == []
    assert [s["id"] for s in by_id["green-it"]["sessions"]] == ["green-plovdiv"]
    assert [(s["id"], s["online"], s["centre"]) for s in by_id["backups"]["sessions"]] == [
        ("backups-online-varna", True, "varna"),
        ("backups-plovdiv", False, "plovdiv"),
    ]
    session = by_id["backups"]["sessions"][1]
    assert session["meetings"] == 2 and session["room"] == "Зала 2"
    assert (session["starts_at"], session["enrolment_closes_at"]) == ("2026-03-22T08:00:00Z", "2026-03-22T08:00:00Z")
    assert by_id["green-it"]["title"] == {"bg": "Курс green-it", "en": "Course green-it"}

    as_clerk = training.get(f"/api/v1/enterprises/{plovdiv}/recommendations", headers=CLERK_PLOVDIV)
    assert as_clerk.status_code == 200 and as_clerk.json == body
    clock.advance(days=30)  # the Plovdiv and online back-up sessions have started
    later = training.get(f"/api/v1/enterprises/{plovdiv}/recommendations", headers=rep).json
    assert {c["id"]: [s["id"] for s in c["sessions"]] for c in later["courses"]} == {
        "data-and-green": [],
        "green-it": ["green-plovdiv"],
        "backups": [],
    }


# ---------------------------------------------------------------------- who may act
def test_only_the_enterprise_and_staff_of_its_centre_may_act_for_it(
    training: FlaskClient, training_db: Database, clock: FixedClock, plovdiv: str
) -> None:
    varna = seed_enterprise(training_db, name="Морска работилница", district="BG-03", region="BG33", centre="varna")
    other_rep = representative_of(varna, "rep-varna")
    paths = [f"/api/v1/enterprises/{plovdiv}/assessments", f"/api/v1/enterprises/{plovdiv}/recommendations"]
    for headers in (other_rep, CLERK_VARNA):
        refused = submit(training, plovdiv, answers(), headers)
        assert refused.status_code == 403, refused.json
        assert "centre serving it" in refused.json["message"]["en"]
        for path in paths:
            assert training.get(path, headers=headers).status_code == 403, path
    assert submit(training, plovdiv, answers(), TRAINER).status_code == 403
    assert submit(training, plovdiv, answers(), {}).status_code == 401
    assert training.get(paths[0]).status_code == 401
    assert training_db[ASSESSMENTS].count_documents({}) == 0

    taken = submit(training, plovdiv, answers(), CLERK_NATIONAL)
    assert taken.status_code == 201 and taken.json["taken_by"]["role"] == "clerk"
    by_admin = submit(training, plovdiv, answers(), ADMIN)
    assert by_admin.status_code == 201 and (by_admin.json["taken_by"]["role"], by_admin.json["label"]) == (
        "admin",
        "T1",
    )
    for headers in (other_rep, CLERK_VARNA):  # an assessment by id is not found for them
        assert training.get(f"/api/v1/assessments/{taken.json['id']}", headers=headers).status_code == 404
    assert submit(training, varna, answers(), other_rep).status_code == 201  # its own enterprise
    assert training.get("/api/v1/assessments/no-such-id", headers=ADMIN).status_code == 404
    unknown = submit(training, "no-such-enterprise", answers(), ADMIN)
    assert unknown.status_code == 404 and "register" in unknown.json["message"]["en"]


# ---------------------------------------------------------------------- answers that do not fit
@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"version": VERSION, "answers": answers() | {"bs_unknown": "yes"}}, {"answers.bs_unknown"}),
        ({"version": VERSION, "answers": answers() | {"dr_cloud": "five"}}, {"answers.dr_cloud"}),
        ({"version": VERSION, "answers": answers() | {"dr_cloud": 7}}, {"answers.dr_cloud"}),
        ({"version": VERSION, "answers": answers() | {"bs_plan": None}}, {"answers.bs_plan"}),
        ({"version": VERSION, "answers": answers() | {"gr_practices": ["paperless", "fax"]}}, {"answers.gr_practices"}),
        (
            {
                "version": VERSION,
                "answers": {k: v for k, v in answers().items() if k not in ("dm_backups", "ai_rules")},
            },
            {"answers.dm_backups", "answers.ai_rules"},
        ),
        ({"version": "dma-1999-1", "answers": answers()}, {"version"}),
        ({"answers": answers()}, {"version"}),
        ({"version": VERSION}, {"answers"}),
        ({"version": VERSION, "answers": ["yes"]}, {"answers"}),
        ({"version": VERSION, "answers": answers(), "score": 100}, {"score"}),
    ],
)
def test_bad_answers_name_the_field_and_nothing_is_written(
    training: FlaskClient, training_db: Database, clock: FixedClock, plovdiv: str, body: dict[str, Any], fields: set
) -> None:
    response = training.post(
        f"/api/v1/enterprises/{plovdiv}/assessments", json=body, headers=representative_of(plovdiv)
    )
    assert response.status_code == 422, response.json
    assert response.json["code"] == "validation_failed"
    assert set(response.json["fields"]) == fields
    assert all(m["bg"] and m["en"] for messages in response.json["fields"].values() for m in messages)
    assert training_db[ASSESSMENTS].count_documents({}) == 0


def test_the_openapi_document_describes_the_responses(training: FlaskClient) -> None:
    spec = training.get("/openapi.json").json
    documented = {
        ("/api/v1/questionnaires/current", "get", "200"): "QuestionnaireSchema",
        ("/api/v1/questionnaires/{version}", "get", "200"): "QuestionnaireSchema",
        ("/api/v1/enterprises/{enterprise_id}/assessments", "post", "201"): "AssessmentSchema",
        ("/api/v1/enterprises/{enterprise_id}/assessments", "get", "200"): "AssessmentListSchema",
        ("/api/v1/assessments/{assessment_id}", "get", "200"): "AssessmentSchema",
        ("/api/v1/enterprises/{enterprise_id}/recommendations", "get", "200"): "RecommendationsSchema",
    }
    for (path, method, status), schema in documented.items():
        content = spec["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
        assert content["$ref"].endswith(schema.removesuffix("Schema")), (path, method, content)
    assessment = spec["components"]["schemas"]["Assessment"]["properties"]
    assert {"scores", "overall", "band", "progress", "dimensions", "label"} <= set(assessment)


def test_two_assessments_at_once_never_share_a_sequence_number(
    training: FlaskClient, training_db: Database, clock: FixedClock, plovdiv: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep = representative_of(plovdiv)
    assert submit(training, plovdiv, answers(0.2), rep).status_code == 201
    store = training.application.extensions["training"].assessments.assessments
    stale = iter([None])  # the first read misses T0, as if another request had saved it a moment later
    read = store.latest
    monkeypatch.setattr(store, "latest", lambda enterprise_id: next(stale, read(enterprise_id)))
    again = submit(training, plovdiv, answers(0.4), rep)
    assert again.status_code == 201, again.json
    assert (again.json["sequence"], again.json["progress"]["since"]["label"]) == (1, "T0")
    assert sorted(d["sequence"] for d in training_db[ASSESSMENTS].find({}, {"sequence": 1})) == [0, 1]
