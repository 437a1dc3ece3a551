"""The course catalogue and the timetable over HTTP, against real FerretDB: double bookings refused with the
session named, times across daylight-saving changes, the outbox, ownership, bad input, and calendar feeds."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from pymongo.database import Database

from services.training.adapters.catalogue import BOOKINGS, COURSES, SESSIONS, MongoBookings, room_key, trainer_key
from services.training.domain.course import Course, Format, Level
from services.training.domain.dimensions import Dimension
from services.training.domain.scheduling import SchedulingConflict, sofia_to_utc
from services.training.domain.session import Meeting, Session
from services.training.entrypoints.api.context import EXTENSION
from services.training.entrypoints.wiring import Training, build
from shared.auth import Principal, Role
from shared.clock import FixedClock
from tests.integration.registry_api import token

pytestmark = pytest.mark.integration

NOW = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
MARIA = token("trainer-maria", Role.TRAINER, name="Мария Иванова")
PETAR = token("trainer-petar", Role.TRAINER, name="Петър Стоянов")
CLERK_PLOVDIV = token("clerk-plovdiv", Role.CLERK, centre="plovdiv", name="Анна Колева")
CLERK_VARNA = token("clerk-varna", Role.CLERK, centre="varna")
ADMIN = token("admin-1", Role.ADMIN)
LEARNER = token("learner-1", Role.LEARNER)
COURSE: dict[str, Any] = {
    "title_bg": "Дигитален маркетинг за социални предприятия",
    "title_en": "Digital marketing for social enterprises",
    "description_bg": "Социални мрежи, уебсайт и онлайн продажби за малки предприятия.",
    "dimensions": ["business_strategy", "digital_readiness"],
    "level": "beginner",
    "hours": 12,
    "format": "in_person",
}
ROSTER = [{"learner_id": "learner-1", "name": "Георги Петров", "email": "g.petrov@dobroutro.example.bg"}]


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def ctx(training_app: Flask, training_db: Database, clock: FixedClock) -> Training:
    """The app's use cases on a clock that stands still, with a roster of one learner."""
    context = build(training_db, clock)
    context.sessions.roster = lambda session_id: ROSTER
    training_app.extensions[EXTENSION] = context
    return context


@pytest.fixture
def api(training: FlaskClient, ctx: Training) -> FlaskClient:
    return training


def new_course(client: FlaskClient, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/courses", json={**COURSE, **changes}, headers=CLERK_PLOVDIV)
    assert response.status_code == 201, response.json
    return response.json


def meetings(*spans: tuple[str, str]) -> list[dict[str, str]]:
    return [{"starts_at": start, "ends_at": end} for start, end in spans]


def session_body(course_id: str, *spans: tuple[str, str], **changes: Any) -> dict[str, Any]:
    body = {
        "course_id": course_id,
        "centre": "plovdiv",
        "room": "Зала 2",
        "meetings": meetings(*(spans or (("2027-03-28T10:00", "2027-03-28T12:00"),))),
        "capacity": 16,
    }
    return {**body, **changes}


def schedule(client: FlaskClient, body: dict[str, Any], headers: dict[str, str] = MARIA) -> dict[str, Any]:
    response = client.post("/api/v1/sessions", json=body, headers=headers)
    assert response.status_code == 201, response.json
    return response.json


def refused(client: FlaskClient, body: dict[str, Any], headers: dict[str, str] = MARIA) -> dict[str, Any]:
    response = client.post("/api/v1/sessions", json=body, headers=headers)
    assert response.status_code == 409, response.json
    return response.json


# ---------------------------------------------------------------------- the catalogue
def test_clerks_keep_the_catalogue_and_anyone_reads_it(api: FlaskClient) -> None:
    assert api.post("/api/v1/courses", json=COURSE, headers=MARIA).status_code == 403
    assert api.post("/api/v1/courses", json=COURSE).status_code == 401
    no_centre = api.post("/api/v1/courses", json=COURSE, headers=token("clerk-x", Role.CLERK))  # fails closed
    assert no_centre.status_code == 403
    marketing = new_course(api)
    assert marketing["title"] == {"bg": COURSE["title_bg"], "en": COURSE["title_en"]}
    assert marketing["dimensions"][0] == {
        "code": "business_strategy",
        "name": {"bg": "Дигитална бизнес стратегия", "en": "Digital business strategy"},
    }
    data = new_course(api, title_bg="Данни и облачни услуги", title_en="", dimensions=["data_management"],
                      level="intermediate", format="online")  # fmt: skip
    assert data["title"]["en"] is None

    def titles(**query: Any) -> list[str]:
        response = api.get("/api/v1/courses", query_string=query)
        assert response.status_code == 200, response.json
        return [c["title"]["bg"] for c in response.json["items"]]

    assert titles() == ["Данни и облачни услуги", COURSE["title_bg"]]
    assert titles(dimension="data_management") == ["Данни и облачни услуги"]
    assert titles(level="beginner", format="in_person") == [COURSE["title_bg"]]
    changed = api.patch(f"/api/v1/courses/{data['id']}", json={"active": False, "hours": 20}, headers=ADMIN)
    assert changed.status_code == 200 and (changed.json["active"], changed.json["hours"]) == (False, 20)
    assert titles() == [COURSE["title_bg"]]
    assert titles(include_withdrawn="true") == ["Данни и облачни услуги", COURSE["title_bg"]]
    assert api.get(f"/api/v1/courses/{data['id']}").json["version"] == 2
    refused_session = api.post("/api/v1/sessions", json=session_body(data["id"], room=None,
                               online_link="https://meet.example.bg/x"), headers=MARIA)  # fmt: skip
    assert refused_session.status_code == 409 and refused_session.json["code"] == "course_withdrawn"


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"hours": 0}, "hours"), ({"dimensions": []}, "dimensions"), ({"dimensions": ["cloud"]}, "dimensions.0"),
     ({"level": "expert"}, "level"), ({"title_bg": ""}, "title_bg"), ({"colour": "red"}, "colour")],
)  # fmt: skip
def test_bad_courses_name_the_field_and_write_nothing(
    api: FlaskClient, training_db: Database, changes: dict[str, Any], field: str
) -> None:
    response = api.post("/api/v1/courses", json={**COURSE, **changes}, headers=CLERK_PLOVDIV)
    assert response.status_code == 422, response.json
    assert field in response.json["fields"]
    assert training_db[COURSES].count_documents({}) == 0


# ---------------------------------------------------------------------- scheduling
def test_meetings_are_entered_in_sofia_time_and_stored_in_utc_across_daylight_saving(
    api: FlaskClient, training_db: Database
) -> None:
    course = new_course(api)
    spring = schedule(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00"),
                                        ("2027-10-31T10:00", "2027-10-31T12:00")))  # fmt: skip
    first, second = spring["meetings"]
    assert (first["starts_at"], first["ends_at"]) == ("2027-03-28T07:00:00Z", "2027-03-28T09:00:00Z")
    assert (second["starts_at"], second["ends_at"]) == ("2027-10-31T08:00:00Z", "2027-10-31T10:00:00Z")
    assert (first["starts_at_local"], second["starts_at_local"]) == (
        "2027-03-28T10:00:00+03:00",
        "2027-10-31T10:00:00+02:00",
    )
    assert spring["trainer"] == {"id": "trainer-maria", "name": "Мария Иванова"}
    assert spring["enrolment"]["closes_at"] == "2027-03-28T07:00:00Z" and spring["enrolment"]["open"]
    document = training_db[SESSIONS].find_one({"_id": spring["id"]})
    assert document["meetings"][0]["starts_at"] == datetime(2027, 3, 28, 7, tzinfo=UTC)
    assert (document["starts_at"], document["ends_at"]) == (
        datetime(2027, 3, 28, 7, tzinfo=UTC),
        datetime(2027, 10, 31, 10, tzinfo=UTC),
    )
    assert (document["trainer_id"], document["centre"], document["status"]) == ("trainer-maria", "plovdiv", "scheduled")
    offset = schedule(api, session_body(course["id"], ("2027-04-01T10:00+03:00", "2027-04-01T12:00Z")))
    assert offset["meetings"][0]["ends_at"] == "2027-04-01T12:00:00Z"


def test_the_same_trainer_at_an_overlapping_time_is_refused_naming_the_session(
    api: FlaskClient, training_db: Database
) -> None:
    course = new_course(api)
    first = schedule(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00")))
    error = refused(api, session_body(course["id"], ("2027-03-28T11:30", "2027-03-28T13:00"), room="Зала 5"))
    assert error["code"] == "schedule_conflict"
    for language in ("bg", "en"):
        assert first["id"] in error["message"][language] and COURSE["title_bg"] in error["message"][language]
    assert "trainer_id" in error["fields"]
    assert training_db[SESSIONS].count_documents({}) == 1
    intervals = training_db[BOOKINGS].find_one({"_id": trainer_key("trainer-maria")})["intervals"]
    assert [i["session_id"] for i in intervals] == [first["id"]]
    assert training_db[BOOKINGS].find_one({"_id": room_key("plovdiv", "Зала 5")}) is None  # never claimed


def test_the_same_room_at_an_overlapping_time_is_refused_whoever_teaches(
    api: FlaskClient, training_db: Database
) -> None:
    course = new_course(api)
    first = schedule(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00")))
    error = refused(api, session_body(course["id"], ("2027-03-28T09:00", "2027-03-28T10:30"), room="  зала 2 "),
                    headers=PETAR)  # fmt: skip
    assert first["id"] in error["message"]["en"] and "room" in error["fields"]
    assert training_db[BOOKINGS].find_one({"_id": trainer_key("trainer-petar")})["intervals"] == []  # taken back
    elsewhere = schedule(api, session_body(course["id"], ("2027-03-28T09:00", "2027-03-28T10:30"), centre="varna"),
                         headers=PETAR)  # fmt: skip
    assert elsewhere["centre"]["id"] == "varna"  # „Зала 2“ in Varna is another room


def test_back_to_back_meetings_do_not_conflict(api: FlaskClient) -> None:
    course = new_course(api)
    schedule(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00")))
    schedule(api, session_body(course["id"], ("2027-03-28T12:00", "2027-03-28T14:00")))
    schedule(api, session_body(course["id"], ("2027-03-28T08:00", "2027-03-28T10:00")), headers=PETAR)


def test_online_sessions_book_only_the_trainer(api: FlaskClient, training_db: Database) -> None:
    online = new_course(api, format="online")
    body = session_body(online["id"], room=None, online_link="https://meet.example.bg/abc")
    session = schedule(api, body)
    assert session["online"] and session["online_link"] == "https://meet.example.bg/abc"  # the trainer sees it
    assert api.get(f"/api/v1/sessions/{session['id']}").json["online_link"] is None  # the public does not
    assert {d["_id"] for d in training_db[BOOKINGS].find()} == {trainer_key("trainer-maria")}
    refused(api, body)


def test_admins_and_the_centres_clerks_schedule_for_a_named_trainer(api: FlaskClient) -> None:
    course = new_course(api)
    body = session_body(course["id"], trainer_id="trainer-petar", trainer_name="Петър Стоянов")
    assert schedule(api, body, headers=CLERK_PLOVDIV)["trainer"]["id"] == "trainer-petar"
    assert api.post("/api/v1/sessions", json=body, headers=CLERK_VARNA).status_code == 403
    anonymous = api.post("/api/v1/sessions", json={k: v for k, v in body.items() if k != "trainer_id"},
                         headers=ADMIN)  # fmt: skip
    assert anonymous.status_code == 422 and "trainer_id" in anonymous.json["fields"]
    other = api.post("/api/v1/sessions", json=session_body(course["id"], trainer_id="trainer-petar"), headers=MARIA)
    assert other.status_code == 403
    assert api.post("/api/v1/sessions", json=body, headers=LEARNER).status_code == 403


def test_concurrent_bookings_of_one_trainer_let_exactly_one_through(ctx: Training, training_db: Database) -> None:
    course = Course.create("c-race", "Excel", "Таблици", [Dimension.DATA_MANAGEMENT], Level.BEGINNER, 8, Format.ONLINE)
    ctx.courses.add(course)
    trainer = Principal("trainer-race", frozenset({Role.TRAINER}), name="Треньор")
    outcomes: list[str] = []

    def attempt(hour: int) -> None:
        start = sofia_to_utc(datetime(2027, 3, 20, hour, 0))
        try:
            ctx.sessions.schedule(
                trainer,
                course_id="c-race",
                centre="lovech",
                online_link="https://meet.example.bg/r",
                meetings=[Meeting(start, start + timedelta(hours=2))],
                capacity=10,
            )
            outcomes.append("scheduled")
        except SchedulingConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=attempt, args=(10 + (i % 2),)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "scheduled"]
    assert training_db[SESSIONS].count_documents({}) == 1
    assert len(training_db[BOOKINGS].find_one({"_id": trainer_key("trainer-race")})["intervals"]) == 1


# ---------------------------------------------------------------------- rescheduling and cancelling
def test_rescheduling_frees_the_old_slot_claims_the_new_one_and_tells_the_learners(
    api: FlaskClient, training_db: Database
) -> None:
    course = new_course(api)
    session = schedule(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00")))
    url = f"/api/v1/sessions/{session['id']}/reschedule"
    moved = api.post(url, json={"meetings": meetings(("2027-03-29T10:00", "2027-03-29T12:00"))}, headers=MARIA)
    assert moved.status_code == 200, moved.json
    assert moved.json["meetings"][0]["starts_at"] == "2027-03-29T07:00:00Z" and moved.json["version"] == 2
    assert moved.json["enrolment"]["closes_at"] == "2027-03-29T07:00:00Z"
    schedule(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00")))  # the old slot is free
    clash = refused(api, session_body(course["id"], ("2027-03-29T11:00", "2027-03-29T13:00")), headers=PETAR)
    assert session["id"] in clash["message"]["bg"]
    shifted = api.post(url, json={"meetings": meetings(("2027-03-29T10:30", "2027-03-29T12:30"))}, headers=MARIA)
    assert shifted.status_code == 200, shifted.json  # overlapping its own old time is no conflict

    outbox = training_db[SESSIONS].find_one({"_id": session["id"]})["outbox"]
    envelopes = [entry["envelope"] for entry in outbox]
    assert [e["event_type"] for e in envelopes] == ["training.SessionScheduled", *["training.SessionRescheduled"] * 2]
    assert {entry["topic"] for entry in outbox} == {"training.session.v1"}
    rescheduled = envelopes[1]
    assert (rescheduled["aggregate_type"], rescheduled["aggregate_id"]) == ("session", session["id"])
    assert rescheduled["payload"]["previous_meetings"] == [
        {"starts_at": "2027-03-28T07:00:00Z", "ends_at": "2027-03-28T09:00:00Z"}
    ]
    assert rescheduled["payload"]["learners"] == ROSTER
    intervals = training_db[BOOKINGS].find_one({"_id": trainer_key("trainer-maria")})["intervals"]
    mine = [(i["starts_at"], i["ends_at"]) for i in intervals if i["session_id"] == session["id"]]
    assert mine == [(datetime(2027, 3, 29, 7, 30, tzinfo=UTC), datetime(2027, 3, 29, 9, 30, tzinfo=UTC))]


def test_a_reschedule_onto_a_taken_slot_is_refused_and_changes_nothing(api: FlaskClient, training_db: Database) -> None:
    course = new_course(api)
    taken = schedule(api, session_body(course["id"], ("2027-03-29T10:00", "2027-03-29T12:00")), headers=PETAR)
    session = schedule(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00")))
    url = f"/api/v1/sessions/{session['id']}/reschedule"
    response = api.post(url, json={"meetings": meetings(("2027-03-29T11:00", "2027-03-29T13:00"))}, headers=MARIA)
    assert response.status_code == 409 and taken["id"] in response.json["message"]["en"]
    assert api.get(f"/api/v1/sessions/{session['id']}").json["meetings"] == session["meetings"]
    assert len(training_db[SESSIONS].find_one({"_id": session["id"]})["outbox"]) == 1
    refused(api, session_body(course["id"], ("2027-03-28T11:00", "2027-03-28T12:30"), room="Зала 9"))  # still held


def test_cancelling_releases_the_trainer_and_the_room(api: FlaskClient, training_db: Database) -> None:
    course = new_course(api)
    session = schedule(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00")))
    url = f"/api/v1/sessions/{session['id']}/cancel"
    assert api.post(url, json={}, headers=MARIA).status_code == 422
    cancelled = api.post(url, json={"reason": "Треньорът е болен."}, headers=MARIA)
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    assert cancelled.json["cancellation_reason"] == "Треньорът е болен."
    assert api.post(url, json={"reason": "пак"}, headers=MARIA).status_code == 409
    schedule(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00")))
    schedule(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00"), room="Зала 3"), headers=PETAR)
    event = training_db[SESSIONS].find_one({"_id": session["id"]})["outbox"][-1]["envelope"]
    assert event["event_type"] == "training.SessionCancelled"
    assert (event["payload"]["reason"], event["payload"]["learners"]) == ("Треньорът е болен.", ROSTER)
    upcoming = api.get("/api/v1/sessions").json["items"]
    assert session["id"] not in [s["id"] for s in upcoming] and len(upcoming) == 2


def test_a_trainer_manages_only_their_own_sessions(api: FlaskClient, training_db: Database) -> None:
    course = new_course(api)
    session = schedule(api, session_body(course["id"]))
    base = f"/api/v1/sessions/{session['id']}"
    move = {"meetings": meetings(("2027-03-30T10:00", "2027-03-30T12:00"))}
    assert api.post(f"{base}/reschedule", json=move, headers=PETAR).status_code == 403
    assert api.post(f"{base}/cancel", json={"reason": "не е моя"}, headers=PETAR).status_code == 403
    assert api.post(f"{base}/cancel", json={"reason": "друг център"}, headers=CLERK_VARNA).status_code == 403
    assert api.post(f"{base}/cancel", json={"reason": "x"}, headers=LEARNER).status_code == 403
    assert len(training_db[SESSIONS].find_one({"_id": session["id"]})["outbox"]) == 1
    assert api.post(f"{base}/reschedule", json=move, headers=CLERK_PLOVDIV).status_code == 200
    assert api.get("/api/v1/trainers/trainer-maria/sessions", headers=PETAR).status_code == 403
    own = api.get("/api/v1/trainers/trainer-maria/sessions", headers=MARIA)
    assert own.status_code == 200 and [s["id"] for s in own.json["items"]] == [session["id"]]
    assert api.get("/api/v1/trainers/trainer-maria/sessions", headers=CLERK_VARNA).json["items"] == []


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"meetings": meetings(("2027-03-28T12:00", "2027-03-28T10:00"))}, "meetings.0.ends_at"),
        ({"capacity": 0}, "capacity"),
        ({"meetings": meetings(("2027-02-20T10:00", "2027-02-20T12:00"))}, "meetings.0.starts_at"),
        ({"enrolment_closes_at": "2027-03-28T11:00"}, "enrolment_closes_at"),
        ({"centre": "sofia"}, "centre"),
        ({"meetings": meetings(("2027-03-28T03:30", "2027-03-28T05:00"))}, "meetings.0.starts_at"),
        ({"meetings": meetings(("2027-10-31T03:30", "2027-10-31T05:00"))}, "meetings.0.starts_at"),
        ({"meetings": meetings(("28.03.2027 10:00", "2027-03-28T12:00"))}, "meetings.0.starts_at"),
        ({"meetings": []}, "meetings"),
        ({"room": None}, "room"),
        ({"online_link": "not a link"}, "online_link"),
        ({"course_id": "no-such-course"}, "course_id"),
        ({"capacity": "many"}, "capacity"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_sessions_name_the_field_and_write_nothing(
    api: FlaskClient, training_db: Database, changes: dict[str, Any], field: str
) -> None:
    course = new_course(api)
    response = api.post("/api/v1/sessions", json={**session_body(course["id"]), **changes}, headers=MARIA)
    assert response.status_code == 422, response.json
    assert field in response.json["fields"], response.json
    assert all(m["bg"] and m["en"] for m in response.json["fields"][field])
    assert training_db[SESSIONS].count_documents({}) == 0
    assert training_db[BOOKINGS].count_documents({}) == 0


def test_bad_timetable_queries_name_the_field(api: FlaskClient) -> None:
    for query, field in [({"centre": "sofia"}, "centre"), ({"from": "2027-04-01", "to": "2027-03-01"}, "to"),
                         ({"online": "maybe"}, "online"), ({"colour": "red"}, "colour")]:  # fmt: skip
        response = api.get("/api/v1/sessions", query_string=query)
        assert response.status_code == 422 and field in response.json["fields"], (query, response.json)


# ---------------------------------------------------------------------- reading the timetable
def test_the_public_timetable_filters_by_course_centre_online_and_dates(api: FlaskClient, clock: FixedClock) -> None:
    marketing, online = new_course(api), new_course(api, title_bg="Облачни услуги", format="online")
    plovdiv = schedule(api, session_body(marketing["id"], ("2027-03-28T10:00", "2027-03-28T12:00")))
    varna = schedule(api, session_body(marketing["id"], ("2027-03-10T10:00", "2027-03-10T12:00"), centre="varna"))
    remote = schedule(api, session_body(online["id"], ("2027-04-02T10:00", "2027-04-02T12:00"), room=None,
                                        online_link="https://meet.example.bg/o"))  # fmt: skip

    def ids(**query: Any) -> list[str]:
        response = api.get("/api/v1/sessions", query_string=query)
        assert response.status_code == 200, response.json
        return [s["id"] for s in response.json["items"]]

    assert ids() == [varna["id"], plovdiv["id"], remote["id"]]
    assert ids(course_id=marketing["id"]) == [varna["id"], plovdiv["id"]]
    assert ids(centre="plovdiv") == [plovdiv["id"], remote["id"]]
    assert ids(online="true") == [remote["id"]]
    assert ids(online="false", centre="plovdiv") == [plovdiv["id"]]
    assert ids(**{"from": "2027-03-28", "to": "2027-03-28"}) == [plovdiv["id"]]
    assert ids(limit=1) == [varna["id"]]
    clock.advance(days=10)  # the Varna session has ended
    assert ids() == [plovdiv["id"], remote["id"]]
    assert api.get(f"/api/v1/sessions/{varna['id']}").status_code == 200
    assert api.get("/api/v1/sessions/nope").status_code == 404


def _events(response: Any) -> list[Any]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = Calendar.from_ical(response.data)
    assert str(parsed["version"]) == "2.0" and parsed["prodid"]
    return sorted(parsed.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


def test_calendar_feeds_parse_back_with_utc_times_and_mark_cancelled_sessions(
    api: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_PORTAL_URL", "https://solidarityhub.example.bg")
    course = new_course(api)
    online = new_course(api, title_bg="Облачни услуги", format="online")
    kept = schedule(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00"),
                                      ("2027-10-31T10:00", "2027-10-31T12:00")))  # fmt: skip
    dropped = schedule(api, session_body(online["id"], ("2027-04-05T18:00", "2027-04-05T20:00"), room=None,
                                         online_link="https://meet.example.bg/secret"))  # fmt: skip
    api.post(f"/api/v1/sessions/{dropped['id']}/cancel", json={"reason": "Няма записани."}, headers=MARIA)
    schedule(api, session_body(course["id"], centre="varna"), headers=PETAR)

    response = api.get("/api/v1/trainers/trainer-maria/sessions.ics")
    events = _events(response)
    assert "Мария Иванова" in str(Calendar.from_ical(response.data)["x-wr-calname"])
    assert [str(e["uid"]) for e in events] == [
        f"{kept['id']}-1@solidarity-hub",
        f"{dropped['id']}-1@solidarity-hub",
        f"{kept['id']}-2@solidarity-hub",
    ]
    assert [(e.decoded("dtstart"), e.decoded("dtend")) for e in events] == [
        (datetime(2027, 3, 28, 7, tzinfo=UTC), datetime(2027, 3, 28, 9, tzinfo=UTC)),
        (datetime(2027, 4, 5, 15, tzinfo=UTC), datetime(2027, 4, 5, 17, tzinfo=UTC)),
        (datetime(2027, 10, 31, 8, tzinfo=UTC), datetime(2027, 10, 31, 10, tzinfo=UTC)),
    ]
    assert b"DTSTART:20270328T070000Z" in response.data
    assert [str(e["status"]) for e in events] == ["CONFIRMED", "CANCELLED", "CONFIRMED"]
    assert str(events[0]["summary"]) == COURSE["title_bg"]
    assert str(events[0]["location"]) == "Регионален център Пловдив, Зала 2"
    assert str(events[1]["location"]) == "Онлайн" and b"secret" not in response.data
    # each meeting links the session's page at the portal's public address, never a service's own host
    assert str(events[0]["url"]) == f"https://solidarityhub.example.bg/sessions/{kept['id']}"
    assert f"https://solidarityhub.example.bg/sessions/{kept['id']}" in str(events[0]["description"])
    assert b"127.0.0.1" not in response.data and b"localhost" not in response.data

    centre = _events(api.get("/api/v1/centres/plovdiv/sessions.ics"))
    assert sorted(str(e["uid"]).removesuffix("@solidarity-hub").rsplit("-", 1)[0] for e in centre) == sorted(
        [kept["id"], kept["id"], dropped["id"]]
    )
    assert len(_events(api.get("/api/v1/centres/varna/sessions.ics"))) == 1
    assert api.get("/api/v1/centres/sofia/sessions.ics").status_code == 404
    assert _events(api.get("/api/v1/trainers/nobody/sessions.ics")) == []


# ---------------------------------------------------------------------- crash repair
def test_release_orphans_frees_bookings_a_crash_left_without_their_session(
    api: FlaskClient, ctx: Training, training_db: Database, clock: FixedClock
) -> None:
    course = new_course(api)
    ghost = Session(
        id="ghost",
        course_id=course["id"],
        course_title="Призрачна сесия",
        trainer_id="trainer-maria",
        trainer_name="Мария Иванова",
        centre="plovdiv",
        room="Зала 2",
        online_link=None,
        meetings=[Meeting(datetime(2027, 3, 28, 7, tzinfo=UTC), datetime(2027, 3, 28, 9, tzinfo=UTC))],
        capacity=10,
        enrolment_opens_at=NOW,
        enrolment_closes_at=datetime(2027, 3, 28, 7, tzinfo=UTC),
    )
    MongoBookings(training_db).claim(ghost, clock.now())  # claimed, then the process died before inserting
    real = schedule(api, session_body(course["id"], ("2027-03-29T10:00", "2027-03-29T12:00")))
    error = refused(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00")))
    assert "ghost" in error["message"]["en"]

    assert ctx.sessions.release_orphans() == 0  # too fresh: it may be a request still in flight
    clock.advance(minutes=11)
    assert ctx.sessions.release_orphans() == 2  # the trainer's and the room's
    assert ctx.sessions.release_orphans() == 0
    for key in (trainer_key("trainer-maria"), room_key("plovdiv", "Зала 2")):
        intervals = training_db[BOOKINGS].find_one({"_id": key})["intervals"]
        assert [i["session_id"] for i in intervals] == [real["id"]]
    schedule(api, session_body(course["id"], ("2027-03-28T10:00", "2027-03-28T12:00")))
