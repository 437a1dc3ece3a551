"""The training programme's figures over HTTP, against real FerretDB: assessments T0/T1, courses, sessions,
enrolments, attendance and certificates made through the API, then every figure nationally and per centre,
who may see them, and the CSV for Bulgarian spreadsheets."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pymongo.database import Database

from services.training.domain.dimensions import Dimension
from services.training.entrypoints.api.context import EXTENSION
from services.training.entrypoints.wiring import build
from shared.auth import Role
from shared.clock import FixedClock
from tests.integration.registry_api import token
from tests.integration.training_api import answers, learner_token, seed_enterprise

pytestmark = pytest.mark.integration

BEFORE = datetime(2026, 12, 15, 8, 0, tzinfo=UTC)
"""A T0 taken the year before the programme's period."""
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
AFTER_SESSIONS = datetime(2027, 3, 15, 8, 0, tzinfo=UTC)
VERSION = "dma-2026-1"
ADMIN = token("admin-1", Role.ADMIN, name="Администратор")
CLERK_PLOVDIV = token("clerk-plovdiv", Role.CLERK, centre="plovdiv")
CLERK_VARNA = token("clerk-varna", Role.CLERK, centre="varna")
CLERK_NATIONAL = token("clerk-national", Role.CLERK, centre="national")
TRAINER = token("trainer-1", Role.TRAINER)
GREEN_COURSE: dict[str, Any] = {
    "title_bg": "Зелена дигитализация в малкото предприятие",
    "description_bg": "Енергия, хартия и пътувания: как дигиталните инструменти намаляват отпечатъка.",
    "dimensions": ["green"],
    "level": "beginner",
    "hours": 8,
    "format": "in_person",
}


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def learner(email: str, enterprise_id: str) -> dict[str, str]:
    return learner_token(email, enterprise_id)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(BEFORE)


@pytest.fixture
def api(training: FlaskClient, training_app: Flask, training_db: Database, clock: FixedClock) -> FlaskClient:
    """The app's use cases on a clock that stands still until a test moves it."""
    training_app.extensions[EXTENSION] = build(training_db, clock)
    return training


def assess(client: FlaskClient, enterprise_id: str, given: dict[str, Any]) -> dict[str, Any]:
    body = {"version": VERSION, "answers": given}
    return ok(client.post(f"/api/v1/enterprises/{enterprise_id}/assessments", json=body, headers=ADMIN), 201)


def recommended(client: FlaskClient, enterprise_id: str) -> list[str]:
    found = ok(client.get(f"/api/v1/enterprises/{enterprise_id}/recommendations", headers=ADMIN))
    return [c["id"] for c in found["courses"]]


def schedule(
    client: FlaskClient, course_id: str, centre: str, capacity: int, *days: str, trainer: str = "trainer-1"
) -> str:
    body = {
        "course_id": course_id,
        "centre": centre,
        "room": "Зала 1",
        "meetings": [{"starts_at": f"{day}T10:00", "ends_at": f"{day}T12:00"} for day in days],
        "capacity": capacity,
        "trainer_id": trainer,
        "trainer_name": "Иван Петров",
    }
    return ok(client.post("/api/v1/sessions", json=body, headers=ADMIN), 201)["id"]


def enrol(client: FlaskClient, session_id: str, who: dict[str, str]) -> str:
    return ok(client.post(f"/api/v1/sessions/{session_id}/enrolments", json={}, headers=who), 201)["state"]


def attend(client: FlaskClient, session_id: str, meeting: int, *present: str) -> None:
    body = {"meeting": meeting, "present": list(present)}
    ok(client.post(f"/api/v1/sessions/{session_id}/attendance", json=body, headers=ADMIN))


@pytest.fixture
def programme(api: FlaskClient, training_db: Database, clock: FixedClock) -> dict[str, str]:
    """Four enterprises assessed (three at Plovdiv, one at Varna), sessions at both centres with enrolments,
    attendance and certificates; the clock then stands at 15 March 2027."""
    ids = {
        name: seed_enterprise(training_db, name=name, district=district, region=region, centre=centre)
        for name, district, region, centre in (
            ("A", "BG-16", "BG42", "plovdiv"),
            ("B", "BG-16", "BG42", "plovdiv"),
            ("C", "BG-03", "BG33", "varna"),
            ("D", "BG-16", "BG42", "plovdiv"),
        )
    }
    green = ok(api.post("/api/v1/courses", json=GREEN_COURSE, headers=CLERK_PLOVDIV), 201)["id"]

    assess(api, ids["D"], answers(0.2))  # D's T0, the year before
    clock.advance(seconds=(NOW - BEFORE).total_seconds())
    t0 = assess(api, ids["A"], answers(0.2, weak=(Dimension.GREEN,)))
    t1 = assess(api, ids["A"], answers(0.6, weak=(Dimension.GREEN,)))
    assert t1["label"] == "T1" and t1["overall"] > t0["overall"]  # A: digitalised, still weak in green
    t0 = assess(api, ids["B"], answers(0.6))
    t1 = assess(api, ids["B"], answers(0.4))
    assert t1["overall"] < t0["overall"]  # B: went down
    assess(api, ids["C"], answers(0.3, weak=(Dimension.GREEN,)))
    t1 = assess(api, ids["D"], answers(0.7))
    assert t1["label"] == "T1" and t1["progress"]["improved"]  # D: T0 before the period, T1 in it
    # the premise, by the enterprises' own recommendations: the green course is for A and C, not for B and D
    assert [bool(recommended(api, ids[name])) for name in "ABCD"] == [True, False, True, False]

    held_plovdiv = schedule(api, green, "plovdiv", 2, "2027-03-10", "2027-03-11")
    held_varna = schedule(api, green, "varna", 5, "2027-03-12", trainer="trainer-2")
    autumn = schedule(api, green, "plovdiv", 10, "2027-09-01")
    cancelled = schedule(api, green, "plovdiv", 10, "2027-03-20")
    ana, boris, vera = (learner(f"{n}@example.bg", ids["A"]) for n in ("ana", "boris", "vera"))
    gosho, kalin, ivo = (learner(f"{n}@example.bg", ids["C"]) for n in ("gosho", "kalin", "ivo"))
    assert [enrol(api, held_plovdiv, who) for who in (ana, boris, vera)] == ["confirmed", "confirmed", "waitlisted"]
    assert [enrol(api, held_varna, who) for who in (ana, gosho)] == ["confirmed", "confirmed"]
    assert enrol(api, autumn, kalin) == enrol(api, cancelled, ivo) == "confirmed"
    reason = {"reason": "Треньорът е болен."}
    ok(api.post(f"/api/v1/sessions/{cancelled}/cancel", json=reason, headers=ADMIN))

    clock.advance(seconds=(AFTER_SESSIONS - NOW).total_seconds())
    attend(api, held_plovdiv, 1, "ana@example.bg", "boris@example.bg")
    attend(api, held_plovdiv, 2, "ana@example.bg")
    attend(api, held_varna, 1, "gosho@example.bg")
    done = ok(api.post(f"/api/v1/sessions/{held_plovdiv}/complete", json={}, headers=ADMIN))
    assert [c["learner"] for c in done["completed"]] == ["ana@example.bg"]  # boris attended 50%
    done = ok(api.post(f"/api/v1/sessions/{held_varna}/complete", json={}, headers=ADMIN))
    assert [c["learner"] for c in done["completed"]] == ["gosho@example.bg"]
    return ids


NATIONAL_FIGURES = {
    "enterprises_assessed": 4,  # A, B, C, D (D by its T1)
    "enterprises_with_recommendations": 2,  # A (by its T1), C
    "enterprises_digitalised": 2,  # A, D
    "workers_enrolled": 4,  # ana (both centres, once), boris, vera (waiting), gosho
    "workers_trained": 3,  # ana, boris, gosho
    "workers_certified": 2,  # ana, gosho
    "sessions_held": 2,
    "seats_filled": 4,
    "seats_capacity": 7,
    "seats_filled_percent": 57.1,
}
PLOVDIV_FIGURES = {
    "enterprises_assessed": 3,
    "enterprises_with_recommendations": 1,
    "enterprises_digitalised": 2,
    "workers_enrolled": 3,
    "workers_trained": 2,
    "workers_certified": 1,
    "sessions_held": 1,
    "seats_filled": 2,
    "seats_capacity": 2,
    "seats_filled_percent": 100.0,
}
VARNA_FIGURES = {
    "enterprises_assessed": 1,
    "enterprises_with_recommendations": 1,
    "enterprises_digitalised": 0,
    "workers_enrolled": 2,
    "workers_trained": 1,
    "workers_certified": 1,
    "sessions_held": 1,
    "seats_filled": 2,
    "seats_capacity": 5,
    "seats_filled_percent": 40.0,
}


def test_the_national_figures_with_targets_and_a_row_per_centre(api: FlaskClient, programme: dict[str, str]) -> None:
    report = ok(api.get("/api/v1/programme", headers=CLERK_NATIONAL))
    assert report["scope"] == "national" and report["centre"] is None
    assert report["period"] == {"from": "2027-01-01", "to": "2027-03-15"}  # the year so far
    assert report["figures"] == NATIONAL_FIGURES
    assert report["targets"] == [
        {
            "code": "surveyed",
            "name": {"bg": "Оценени предприятия", "en": "Enterprises assessed"},
            "target": 200,
            "achieved": 4,
            "percent": 2.0,
            "shown_percent": 2.0,
            "reached": False,
        },
        {
            "code": "digitalised",
            "name": {"bg": "Дигитализирани предприятия", "en": "Enterprises digitalised"},
            "target": 100,
            "achieved": 2,
            "percent": 2.0,
            "shown_percent": 2.0,
            "reached": False,
        },
    ]
    rows = {row["centre"]["code"]: row for row in report["centres"]}
    assert set(rows) == {"lovech", "gabrovo", "varna", "burgas", "blagoevgrad", "plovdiv"}
    assert rows["plovdiv"]["centre"]["name"]["bg"] == "Регионален център Пловдив"
    assert rows["plovdiv"]["figures"] == PLOVDIV_FIGURES
    assert rows["varna"]["figures"] == VARNA_FIGURES
    assert rows["burgas"]["figures"]["enterprises_assessed"] == 0
    assert rows["burgas"]["figures"]["seats_filled_percent"] is None

    assert ok(api.get("/api/v1/programme", query_string={"centre": "national"}, headers=ADMIN)) == report
    earlier = ok(api.get("/api/v1/programme", query_string={"from": "2026-12-01", "to": "2026-12-31"}, headers=ADMIN))
    assert earlier["figures"]["enterprises_assessed"] == 1  # D's T0
    assert earlier["figures"]["enterprises_digitalised"] == earlier["figures"]["workers_enrolled"] == 0
    later = ok(api.get("/api/v1/programme", query_string={"from": "2027-09-01", "to": "2027-09-30"}, headers=ADMIN))
    assert later["figures"]["workers_enrolled"] == 1  # kalin, in the autumn session
    # it meets in September, after today (15 March): not held yet
    assert later["figures"]["sessions_held"] == later["figures"]["enterprises_assessed"] == 0


def test_a_centres_clerk_sees_their_centre_and_no_other(api: FlaskClient, programme: dict[str, str]) -> None:
    own = ok(api.get("/api/v1/programme", headers=CLERK_PLOVDIV))
    assert (own["scope"], own["centre"]["code"], own["targets"], own["centres"]) == ("centre", "plovdiv", [], [])
    assert own["figures"] == PLOVDIV_FIGURES
    assert ok(api.get("/api/v1/programme", query_string={"centre": "plovdiv"}, headers=CLERK_PLOVDIV)) == own
    assert ok(api.get("/api/v1/programme", query_string={"centre": "varna"}, headers=ADMIN))["figures"] == VARNA_FIGURES

    for centre in ("plovdiv", "national"):
        refused = api.get("/api/v1/programme", query_string={"centre": centre}, headers=CLERK_VARNA)
        assert refused.status_code == 403, refused.json
    assert api.get("/api/v1/programme.csv", query_string={"centre": "plovdiv"}, headers=CLERK_VARNA).status_code == 403
    assert api.get("/api/v1/programme", headers=TRAINER).status_code == 403
    assert api.get("/api/v1/programme").status_code == 401


def test_a_clerk_whose_token_names_no_centre_sees_no_figures(api: FlaskClient, programme: dict[str, str]) -> None:
    nowhere = token("clerk-nowhere", Role.CLERK)  # no centre claim: not national, not any centre
    for query in ({}, {"centre": "national"}, {"centre": "plovdiv"}):
        for path in ("/api/v1/programme", "/api/v1/programme.csv"):
            refused = api.get(path, query_string=query, headers=nowhere)
            assert refused.status_code == 403, (path, query)
            assert "no regional centre" in refused.json["message"]["en"]
            assert "workers_enrolled" not in refused.get_data(as_text=True)


def test_bad_queries_name_the_field(api: FlaskClient) -> None:
    unknown = api.get("/api/v1/programme", query_string={"centre": "sofia"}, headers=ADMIN)
    assert unknown.status_code == 422 and "centre" in unknown.json["fields"], unknown.json
    backwards = api.get("/api/v1/programme.csv", query_string={"from": "2027-03-02", "to": "2027-03-01"}, headers=ADMIN)
    assert backwards.status_code == 422 and "to" in backwards.json["fields"], backwards.json


def test_the_csv_has_a_national_row_and_one_per_centre(api: FlaskClient, programme: dict[str, str]) -> None:
    response = api.get("/api/v1/programme.csv", headers=ADMIN)
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert 'filename="programme-national-2027-01-01-2027-03-15.csv"' in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    header, *rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff")), delimiter=";"))
    assert header[:5] == ["Център", "Код", "От", "До", "Оценени предприятия"]
    assert len(rows) == 7 and all(len(row) == len(header) for row in rows)
    by_code = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    national = by_code["national"]
    assert rows[0][1] == "national" and national["Център"] == "Национално (всички центрове)"
    assert (national["От"], national["До"]) == ("2027-01-01", "2027-03-15")
    assert national["Оценени предприятия"] == "4" and national["Дигитализирани предприятия"] == "2"
    assert national["Сертифицирани работници"] == "2" and national["Заети места (%)"] == "57,1"
    assert national["Цел: оценени предприятия"] == "200" and national["Изпълнение на целта за оценени (%)"] == "2,0"
    plovdiv = by_code["plovdiv"]
    assert plovdiv["Център"] == "Регионален център Пловдив" and plovdiv["Записани работници"] == "3"
    assert plovdiv["Цел: оценени предприятия"] == "" and by_code["burgas"]["Заети места (%)"] == ""

    own = api.get("/api/v1/programme.csv", headers=CLERK_PLOVDIV).get_data().decode("utf-8")
    _, *own_rows = list(csv.reader(io.StringIO(own.removeprefix("\ufeff")), delimiter=";"))
    assert [row[1] for row in own_rows] == ["plovdiv"]
