"""Enrolment, invitations, waitlists, attendance, certificates and learners' calendars over HTTP, against real
FerretDB."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
import segno
from flask.testing import FlaskClient
from markupsafe import escape
from pymongo.database import Database

from services.training.adapters.enrolments import CERTIFICATES, ENROLMENTS, SEATS
from services.training.domain.session import Meeting, Session
from shared.auth import Role
from shared.clock import SOFIA
from shared.config import JWT_SECRET, Settings
from shared.documents import to_document
from shared.events import Envelope
from tests.integration.registry_api import token
from tests.integration.training_api import learner_token, seed_enterprise

pytestmark = pytest.mark.integration

TRAINER = token("trainer-1", Role.TRAINER, name="Иван Петров")
OTHER_TRAINER = token("trainer-2", Role.TRAINER)
CLERK_PLOVDIV = token("clerk-plovdiv", Role.CLERK, centre="plovdiv")
ADMIN = token("admin-1", Role.ADMIN)
COURSE = "Онлайн продажби и социални мрежи"
SECRETS_ANYONE_KNOWS = {str(JWT_SECRET.default), Settings.from_env("training").jwt_secret}
"""The published default JWT secret, and the one these tests' services run with."""


def learner(email: str, enterprise_id: str | None = None, name: str | None = None) -> dict[str, str]:
    return learner_token(email, enterprise_id, name)


def representative(enterprise_id: str | None, subject: str = "rep-1") -> dict[str, str]:
    return token(subject, Role.REPRESENTATIVE, enterprise_id=enterprise_id)


def add_session(
    db: Database,
    *,
    capacity: int = 20,
    funded: bool = True,
    open_to_all: bool = False,
    ended: bool = False,
    meetings: int = 3,
    trainer_id: str = "trainer-1",
) -> str:
    """A session as the catalogue stores it; an ``ended`` one met in the past (enrolment still open, for tests)."""
    now = datetime.now(UTC).replace(microsecond=0)
    first = now - timedelta(days=2 * meetings + 1) if ended else now + timedelta(days=10)
    held = [Meeting(first + timedelta(days=2 * i), first + timedelta(days=2 * i, hours=3)) for i in range(meetings)]
    session = Session(
        id=str(uuid.uuid4()),
        course_id="course-1",
        course_title=COURSE,
        trainer_id=trainer_id,
        trainer_name="Иван Петров",
        centre="plovdiv",
        room="Зала 2",
        online_link=None,
        meetings=held,
        capacity=capacity,
        enrolment_opens_at=now - timedelta(days=30),
        enrolment_closes_at=now + timedelta(days=5),
        funded=funded,
        open_to_all=open_to_all,
    )
    db["sessions"].insert_one(to_document(session))
    return session.id


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.json


def enrol(client: FlaskClient, session_id: str, headers: dict[str, str], status: int = 201) -> dict[str, Any]:
    return ok(client.post(f"/api/v1/sessions/{session_id}/enrolments", json={}, headers=headers), status)


def outbox_of(db: Database, enrolment_id: str) -> list[Envelope]:
    document = db[ENROLMENTS].find_one({"_id": enrolment_id})
    return [Envelope.from_dict(entry["envelope"]) for entry in document["outbox"]]


def event_names(db: Database, enrolment_id: str) -> list[str]:
    return [e.event_type.removeprefix("training.") for e in outbox_of(db, enrolment_id)]


# ---------------------------------------------------------------------- enrolling
def test_a_learner_enrols_sees_it_and_cannot_enrol_twice(training: FlaskClient, training_db: Database) -> None:
    enterprise = seed_enterprise(training_db)
    session_id = add_session(training_db, capacity=2)
    ana = learner("Ana.Ivanova@Example.bg", enterprise, "Ана Иванова")

    created = enrol(training, session_id, ana)
    assert created["id"] == f"{session_id}:ana.ivanova@example.bg"
    assert (created["state"], created["state_bg"], created["waitlist_position"]) == (
        "confirmed",
        "потвърдено място",
        None,
    )
    assert created["learner"] == {"email": "ana.ivanova@example.bg", "name": "Ана Иванова"}
    assert created["enterprise_id"] == enterprise
    assert created["session"]["course_title"] == COURSE
    assert created["session"]["centre"]["name"]["bg"] == "Регионален център Пловдив"

    again = training.post(f"/api/v1/sessions/{session_id}/enrolments", json={}, headers=ana)
    assert again.status_code == 409 and again.json["code"] == "already_enrolled"
    assert "confirmed" in again.json["message"]["en"]

    mine = ok(training.get("/api/v1/enrolments", headers=ana))["items"]
    assert [e["id"] for e in mine] == [created["id"]]
    assert ok(training.get(f"/api/v1/enrolments/{created['id']}", headers=ana))["state"] == "confirmed"
    assert event_names(training_db, created["id"]) == ["EnrolmentConfirmed"]
    assert training_db[SEATS].find_one({"_id": session_id})["holders"] == [created["id"]]


def test_when_seats_run_out_learners_wait_in_order_and_a_cancellation_promotes_the_first(
    training: FlaskClient, training_db: Database
) -> None:
    enterprise = seed_enterprise(training_db)
    session_id = add_session(training_db, capacity=1)
    ana, boris, vera = (learner(f"{n}@example.bg", enterprise) for n in ("ana", "boris", "vera"))
    first = enrol(training, session_id, ana)
    second = enrol(training, session_id, boris)
    third = enrol(training, session_id, vera)
    assert [e["state"] for e in (first, second, third)] == ["confirmed", "waitlisted", "waitlisted"]
    assert (second["waitlist_position"], third["waitlist_position"]) == (1, 2)
    assert ok(training.get(f"/api/v1/sessions/{session_id}"))["seats"] == {"taken": 1, "free": 0, "waiting": 2}
    assert event_names(training_db, second["id"]) == ["Waitlisted"]
    assert outbox_of(training_db, third["id"])[0].payload["waitlist_position"] == 2

    cancelled = ok(
        training.post(f"/api/v1/enrolments/{first['id']}/cancel", json={"reason": "Нова работа."}, headers=ana)
    )
    assert (cancelled["state"], cancelled["cancelled_by"], cancelled["reason"]) == (
        "cancelled",
        "learner",
        "Нова работа.",
    )
    assert event_names(training_db, first["id"]) == ["EnrolmentConfirmed", "EnrolmentCancelled"]

    promoted = ok(training.get(f"/api/v1/enrolments/{second['id']}", headers=boris))
    assert (promoted["state"], promoted["waitlist_position"]) == ("confirmed", None)
    assert event_names(training_db, second["id"]) == ["Waitlisted", "PromotedFromWaitlist"]
    (told,) = [e for e in outbox_of(training_db, second["id"]) if e.event_type == "training.PromotedFromWaitlist"]
    assert (told.payload["learner"], told.payload["state"]) == ("boris@example.bg", "confirmed")
    assert ok(training.get(f"/api/v1/enrolments/{third['id']}", headers=vera))["waitlist_position"] == 1

    ledger = training_db[SEATS].find_one({"_id": session_id})
    assert (ledger["holders"], ledger["waiting"]) == ([second["id"]], [third["id"]])
    assert ok(training.get(f"/api/v1/sessions/{session_id}"))["seats"] == {"taken": 1, "free": 0, "waiting": 1}
    again = training.post(f"/api/v1/enrolments/{first['id']}/cancel", json={}, headers=ana)
    assert again.status_code == 409 and again.json["code"] == "transition_not_allowed"

    back = enrol(training, session_id, ana)  # enrolling again after cancelling: at the end of the queue
    assert (back["id"], back["state"], back["waitlist_position"]) == (first["id"], "waitlisted", 2)


def test_funded_sessions_are_for_workers_of_enterprises_active_in_the_register(
    training: FlaskClient, training_db: Database
) -> None:
    active = seed_enterprise(training_db)
    expired = seed_enterprise(training_db, "CertificateExpired")
    funded = add_session(training_db)
    open_to_all = add_session(training_db, open_to_all=True)

    for who in (learner("free@example.bg"), learner("old@example.bg", expired)):
        refused = training.post(f"/api/v1/sessions/{funded}/enrolments", json={}, headers=who)
        assert refused.status_code == 409 and refused.json["code"] == "not_eligible"
        assert "active in the register" in refused.json["message"]["en"]
        assert "регистъра" in refused.json["message"]["bg"]
    assert training_db[ENROLMENTS].count_documents({}) == 0

    assert enrol(training, funded, learner("worker@example.bg", active))["state"] == "confirmed"
    assert enrol(training, open_to_all, learner("free@example.bg"))["state"] == "confirmed"


def test_a_session_that_does_not_take_enrolments_says_why(training: FlaskClient, training_db: Database) -> None:
    session_id = add_session(training_db, open_to_all=True)
    training_db["sessions"].update_one({"_id": session_id}, {"$set": {"status": "cancelled"}})
    refused = training.post(f"/api/v1/sessions/{session_id}/enrolments", json={}, headers=learner("a@example.bg"))
    assert refused.status_code == 409 and "cancelled" in refused.json["message"]["en"]
    missing = training.post("/api/v1/sessions/no-such/enrolments", json={}, headers=learner("a@example.bg"))
    assert missing.status_code == 404


# ---------------------------------------------------------------------- representatives
def test_a_representative_invites_workers_who_accept_to_enrol_each_reported(
    training: FlaskClient, training_db: Database
) -> None:
    enterprise = seed_enterprise(training_db, name="Социална пекарна „Добро утро“")
    other = seed_enterprise(training_db)
    session_id = add_session(training_db, capacity=1)
    rep = representative(enterprise)
    workers = [
        {"name": "Георги Колев", "email": "Georgi.Kolev@dobroutro.example.bg"},
        {"name": "Петя Стоянова", "email": "petya@dobroutro.example.bg"},
    ]
    items = ok(training.post(f"/api/v1/sessions/{session_id}/enrolments", json={"workers": workers}, headers=rep))[
        "items"
    ]
    assert [(i["email"], i["enrolled"], i["enrolment"]["state"]) for i in items] == [
        ("georgi.kolev@dobroutro.example.bg", True, "invited"),
        ("petya@dobroutro.example.bg", True, "invited"),
    ]
    assert {i["enrolment"]["enterprise_id"] for i in items} == {enterprise}  # the representative's, always
    georgi, petya = (i["enrolment"]["id"] for i in items)
    assert training_db[SEATS].find_one({"_id": session_id}) is None  # an invitation holds no seat
    (invited,) = outbox_of(training_db, georgi)  # the one event the address gets until its owner accepts
    assert invited.event_type == "training.WorkerInvited"
    assert invited.payload["enterprise_name"] == "Социална пекарна „Добро утро“"
    assert set(invited.payload) == {
        "enrolment_id", "session_id", "course_title", "centre", "learner", "learner_name",
        "enterprise_id", "enterprise_name", "starts_at",
    }  # fmt: skip

    repeated = ok(
        training.post(f"/api/v1/sessions/{session_id}/enrolments", json={"workers": workers[:1]}, headers=rep)
    )["items"]
    assert repeated[0]["enrolled"] is False and repeated[0]["error"]["code"] == "already_enrolled"
    assert event_names(training_db, georgi) == ["WorkerInvited"]

    seen = ok(training.get("/api/v1/enrolments", headers=rep))["items"]
    assert {(e["learner"]["email"], e["state"]) for e in seen} == {
        ("georgi.kolev@dobroutro.example.bg", "invited"),
        ("petya@dobroutro.example.bg", "invited"),
    }
    assert ok(training.get("/api/v1/enrolments", headers=representative(other, "rep-2")))["items"] == []
    stranger = representative(other, "rep-2")
    assert training.get(f"/api/v1/enrolments/{georgi}", headers=stranger).status_code == 404
    assert training.post(f"/api/v1/enrolments/{georgi}/cancel", json={}, headers=stranger).status_code == 404

    # The worker, signed in with the invited (verified) address, sees the invitation and accepts it.
    georgi_token = learner("georgi.kolev@dobroutro.example.bg", enterprise)
    (pending,) = ok(training.get("/api/v1/enrolments", headers=georgi_token))["items"]
    assert (pending["id"], pending["state"], pending["invitation_expires_at"]) == (
        georgi,
        "invited",
        pending["session"]["starts_at"],
    )
    accepted = ok(training.post(f"/api/v1/enrolments/{georgi}/accept", json={}, headers=georgi_token))
    assert accepted["state"] == "confirmed"
    assert event_names(training_db, georgi) == ["WorkerInvited", "EnrolmentConfirmed"]
    again = training.post(f"/api/v1/enrolments/{georgi}/accept", json={}, headers=georgi_token)
    assert again.status_code == 409

    petya_token = learner("petya@dobroutro.example.bg", enterprise)
    declined = ok(training.post(f"/api/v1/enrolments/{petya}/decline", json={}, headers=petya_token))
    assert declined["state"] == "declined"
    assert event_names(training_db, petya) == ["WorkerInvited"]  # declining is silent
    assert training_db[SEATS].find_one({"_id": session_id})["waiting"] == []

    cancelled = ok(training.post(f"/api/v1/enrolments/{georgi}/cancel", json={}, headers=rep))
    assert cancelled["cancelled_by"] == "representative"

    no_enterprise = training.post(
        f"/api/v1/sessions/{session_id}/enrolments", json={"workers": workers}, headers=representative(None)
    )
    assert no_enterprise.status_code == 403
    as_learner = training.post(
        f"/api/v1/sessions/{session_id}/enrolments", json={"workers": workers}, headers=learner("x@example.bg")
    )
    assert as_learner.status_code == 403


def test_only_the_invited_worker_with_the_verified_address_answers_an_invitation_and_it_lapses_at_the_start(
    training: FlaskClient, training_db: Database
) -> None:
    enterprise = seed_enterprise(training_db)
    session_id = add_session(training_db, capacity=5)
    rep = representative(enterprise)
    worker = {"name": "Георги Колев", "email": "georgi@example.bg"}
    (item,) = ok(training.post(f"/api/v1/sessions/{session_id}/enrolments", json={"workers": [worker]}, headers=rep))[
        "items"
    ]
    invitation = item["enrolment"]["id"]

    unverified = learner_token("georgi@example.bg", enterprise, verified=False)
    for action in ("accept", "decline"):
        refused = training.post(f"/api/v1/enrolments/{invitation}/{action}", json={}, headers=unverified)
        assert refused.status_code == 403 and "not verified" in refused.json["message"]["en"]
        assert "не е потвърден" in refused.json["message"]["bg"]
        other = training.post(f"/api/v1/enrolments/{invitation}/{action}", json={}, headers=learner("x@example.bg"))
        assert other.status_code == 404
        by_rep = training.post(f"/api/v1/enrolments/{invitation}/{action}", json={}, headers=rep)
        assert by_rep.status_code == 403
    assert event_names(training_db, invitation) == ["WorkerInvited"]

    training_db["sessions"].update_one(
        {"_id": session_id}, {"$set": {"meetings.0.starts_at": datetime.now(UTC) - timedelta(minutes=1)}}
    )
    training_db[ENROLMENTS].update_one(
        {"_id": invitation}, {"$set": {"starts_at": datetime.now(UTC) - timedelta(minutes=1)}}
    )
    late = training.post(f"/api/v1/enrolments/{invitation}/accept", json={}, headers=learner("georgi@example.bg"))
    assert late.status_code == 409 and "expired" in late.json["message"]["en"]
    assert event_names(training_db, invitation) == ["WorkerInvited"]
    started = training.post(f"/api/v1/sessions/{session_id}/enrolments", json={"workers": [worker]}, headers=rep)
    assert started.status_code == 409 and "started" in started.json["message"]["en"]


def test_identity_resting_on_an_unverified_email_is_refused(training: FlaskClient, training_db: Database) -> None:
    session_id = add_session(training_db, open_to_all=True)
    ana = learner("ana@example.bg")
    mine = enrol(training, session_id, ana)
    forged = learner_token("ana@example.bg", verified=False)  # someone who typed Ana's address at sign-up

    refused = training.post(f"/api/v1/sessions/{session_id}/enrolments", json={}, headers=forged)
    assert refused.status_code == 403 and "not verified" in refused.json["message"]["en"]
    listed = training.get("/api/v1/enrolments", headers=forged)
    assert listed.status_code == 403 and "ana@example.bg" not in listed.get_data(as_text=True)
    assert training.get(f"/api/v1/enrolments/{mine['id']}", headers=forged).status_code == 404
    assert training.post(f"/api/v1/enrolments/{mine['id']}/cancel", json={}, headers=forged).status_code == 404
    for method in ("get", "post"):
        link = getattr(training, method)("/api/v1/learners/me/calendar-link", headers=forged)
        assert link.status_code == 403, method
    assert ok(training.get(f"/api/v1/enrolments/{mine['id']}", headers=ana))["state"] == "confirmed"


# ---------------------------------------------------------------------- who sees what
def test_learners_see_only_their_own_enrolments(training: FlaskClient, training_db: Database) -> None:
    session_id = add_session(training_db, open_to_all=True)
    ana, boris = learner("ana@example.bg"), learner("boris@example.bg")
    mine = enrol(training, session_id, ana)
    enrol(training, session_id, boris)

    assert [e["id"] for e in ok(training.get("/api/v1/enrolments", headers=ana))["items"]] == [mine["id"]]
    assert training.get(f"/api/v1/enrolments/{mine['id']}", headers=boris).status_code == 404
    assert training.post(f"/api/v1/enrolments/{mine['id']}/cancel", json={}, headers=boris).status_code == 404
    assert training.get(f"/api/v1/enrolments/{mine['id']}").status_code == 401
    assert training.get(f"/api/v1/enrolments/{mine['id']}", headers=OTHER_TRAINER).status_code == 404
    assert ok(training.get(f"/api/v1/enrolments/{mine['id']}", headers=TRAINER))["state"] == "confirmed"
    assert training.get(f"/api/v1/sessions/{session_id}/roster", headers=OTHER_TRAINER).status_code == 403
    assert training.get(f"/api/v1/sessions/{session_id}/roster", headers=ana).status_code == 403
    roster = ok(training.get(f"/api/v1/sessions/{session_id}/roster", headers=CLERK_PLOVDIV))
    assert [p["learner"] for p in roster["participants"]] == ["ana@example.bg", "boris@example.bg"]
    assert (
        ok(training.post(f"/api/v1/enrolments/{mine['id']}/cancel", json={}, headers=ADMIN))["cancelled_by"] == "admin"
    )


# ---------------------------------------------------------------------- attendance, completion, certificates
def test_attendance_and_completion_issue_a_certificate_anyone_can_verify(
    training: FlaskClient, training_db: Database
) -> None:
    session_id = add_session(training_db, open_to_all=True, ended=True, meetings=5)
    name = "Мария <b>Петрова</b> & сие"
    maria = learner("maria@example.bg", name=name)
    ivan = learner("ivan@example.bg", name="Иван Иванов")
    maria_id = enrol(training, session_id, maria)["id"]
    ivan_id = enrol(training, session_id, ivan)["id"]

    both = ["maria@example.bg", "ivan@example.bg"]
    for meeting, present in enumerate((both, both, ["ivan@example.bg"], ["maria@example.bg"], ["MARIA@example.bg"]), 1):
        body = {"meeting": meeting, "present": present}
        roster = ok(training.post(f"/api/v1/sessions/{session_id}/attendance", json=body, headers=TRAINER))
    by_learner = {p["learner"]: p for p in roster["participants"]}
    assert (by_learner["maria@example.bg"]["present"], by_learner["maria@example.bg"]["absent"]) == ([1, 2, 4, 5], [3])
    assert (
        by_learner["maria@example.bg"]["attendance_percent"],
        by_learner["ivan@example.bg"]["attendance_percent"],
    ) == (
        80,
        60,
    )
    assert event_names(training_db, maria_id).count("AttendanceRecorded") == 5

    body = {"meeting": 5, "present": ["maria@example.bg"]}  # the same again changes nothing
    ok(training.post(f"/api/v1/sessions/{session_id}/attendance", json=body, headers=TRAINER))
    assert event_names(training_db, maria_id).count("AttendanceRecorded") == 5
    refused = training.post(f"/api/v1/sessions/{session_id}/attendance", json=body, headers=OTHER_TRAINER)
    assert refused.status_code == 403

    done = ok(training.post(f"/api/v1/sessions/{session_id}/complete", json={}, headers=TRAINER))
    assert done["threshold_percent"] == 80
    assert [c["learner"] for c in done["completed"]] == ["maria@example.bg"]
    assert done["not_completed"] == [
        {"enrolment_id": ivan_id, "learner": "ivan@example.bg", "name": "Иван Иванов", "attendance_percent": 60}
    ]
    number = done["completed"][0]["certificate_number"]
    assert re.fullmatch(rf"ДУ-{datetime.now(SOFIA).year}-\d{{6}}", number)
    again = ok(training.post(f"/api/v1/sessions/{session_id}/complete", json={}, headers=TRAINER))
    assert [c["certificate_number"] for c in again["completed"]] == [number]  # nobody gets a second one
    assert event_names(training_db, maria_id).count("CertificateIssued") == 1

    mine = ok(training.get(f"/api/v1/enrolments/{maria_id}", headers=maria))
    assert (mine["state"], mine["certificate"]["number"]) == ("completed", number)
    code = mine["certificate"]["check_code"]
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)

    verified = ok(training.get(mine["certificate"]["url"]))  # public: no token, the number and the code
    assert verified["valid"] is True and verified["check_code"] == code
    assert ok(training.get(f"/api/v1/certificates/{number}?code={code.lower().replace('-', '')}"))["valid"]
    assert (verified["learner_name"], verified["course_title"], verified["trainer_name"]) == (
        name,
        COURSE,
        "Иван Петров",
    )
    assert verified["centre"]["name"]["bg"] == "Регионален център Пловдив"
    assert verified["starts_on"] < verified["ends_on"] and verified["issued_at"]
    assert "maria@example.bg" not in str(verified)
    assert training.get(f"/api/v1/certificates/ДУ-1999-000001?code={code}").status_code == 404
    assert training.get("/api/v1/certificates/anything").status_code == 404

    page = training.get(mine["certificate"]["html_url"])
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Мария &lt;b&gt;Петрова&lt;/b&gt; &amp; сие" in html and "<b>Петрова" not in html
    assert "СЕРТИФИКАТ" in html and number in html and f"„{COURSE}“" in html
    assert 'lang="bg"' in html and "Регионален център Пловдив" in html
    assert training_db[CERTIFICATES].count_documents({}) == 1
    assert training_db[CERTIFICATES].find_one({"_id": number})["check_code"] == code.replace("-", "")


def test_completion_waits_for_the_end_of_the_session(training: FlaskClient, training_db: Database) -> None:
    session_id = add_session(training_db, open_to_all=True)
    refused = training.post(f"/api/v1/sessions/{session_id}/complete", json={}, headers=TRAINER)
    assert refused.status_code == 409 and "not ended" in refused.json["message"]["en"]
    early = training.post(
        f"/api/v1/sessions/{session_id}/attendance", json={"meeting": 1, "present": []}, headers=TRAINER
    )
    assert early.status_code == 409 and "not started" in early.json["message"]["en"]


# ---------------------------------------------------------------------- bad input
def test_bad_input_names_the_field_and_writes_nothing(training: FlaskClient, training_db: Database) -> None:
    enterprise = seed_enterprise(training_db)
    session_id = add_session(training_db, open_to_all=True, ended=True, meetings=2)
    rep = representative(enterprise)
    url = f"/api/v1/sessions/{session_id}/enrolments"

    bad_email = {"workers": [{"name": "Георги", "email": "georgi@example.bg"}, {"name": "Петя", "email": "петя"}]}
    response = training.post(url, json=bad_email, headers=rep)
    assert response.status_code == 422 and set(response.json["fields"]) == {"workers.1.email"}
    twice = {"workers": [{"name": "Г", "email": "g@example.bg"}, {"name": "Г", "email": "G@example.bg"}]}
    response = training.post(url, json=twice, headers=rep)
    assert response.status_code == 422 and set(response.json["fields"]) == {"workers.1.email"}
    response = training.post(url, json={"workers": []}, headers=rep)
    assert response.status_code == 422 and set(response.json["fields"]) == {"workers"}
    response = training.post(url, json={"session": "x"}, headers=learner("a@example.bg"))
    assert response.status_code == 422 and set(response.json["fields"]) == {"session"}
    assert training_db[ENROLMENTS].count_documents({}) == 0
    assert training_db[SEATS].count_documents({}) == 0

    enrolled = enrol(training, session_id, learner("ana@example.bg"))
    attendance = f"/api/v1/sessions/{session_id}/attendance"
    for body, field in (
        ({"meeting": 3, "present": []}, "meeting"),
        ({"meeting": 0, "present": []}, "meeting"),
        ({"meeting": "1", "present": []}, "meeting"),
        ({"meeting": 1, "present": ["ana@example.bg", "stranger@example.bg"]}, "present"),
        ({"meeting": 1, "present": ["not-an-email"]}, "present.0"),
        ({"meeting": 1}, "present"),
    ):
        response = training.post(attendance, json=body, headers=TRAINER)
        assert response.status_code == 422, body
        assert set(response.json["fields"]) == {field}, body
    assert event_names(training_db, enrolled["id"]) == ["EnrolmentConfirmed"]  # nobody was marked
    too_long = training.post(
        f"/api/v1/enrolments/{enrolled['id']}/cancel", json={"reason": "x" * 2001}, headers=learner("ana@example.bg")
    )
    assert too_long.status_code == 422 and set(too_long.json["fields"]) == {"reason"}
    assert ok(training.get(f"/api/v1/enrolments/{enrolled['id']}", headers=learner("ana@example.bg")))["state"] == (
        "confirmed"
    )


# ---------------------------------------------------------------------- certificates need their check code
def test_a_certificate_number_alone_reveals_nothing(training: FlaskClient, training_db: Database) -> None:
    session_id = add_session(training_db, open_to_all=True, ended=True, meetings=1)
    names = {f"learner{n}@example.bg": f"Обучаем Номер{n}" for n in range(3)}
    for email, name in names.items():
        enrol(training, session_id, learner(email, name=name))
    body = {"meeting": 1, "present": list(names)}
    ok(training.post(f"/api/v1/sessions/{session_id}/attendance", json=body, headers=TRAINER))
    done = ok(training.post(f"/api/v1/sessions/{session_id}/complete", json={}, headers=TRAINER))
    numbers = sorted(c["certificate_number"] for c in done["completed"])
    assert len(numbers) == 3

    # Walking the sequential numbers, with no code or a wrong one, shows nobody's name.
    for number in numbers:
        for query in ("", "?code=", "?code=AAAA-AAAA-AAAA", "?code=" + "2" * 12):
            for path in (f"/api/v1/certificates/{number}{query}", f"/api/v1/certificates/{number}.html{query}"):
                answer = training.get(path)
                assert answer.status_code == 404, path
                text = answer.get_data(as_text=True)
                assert not any(name in text for name in names.values()), path
                assert "Номер" not in text
    # Another learner's code does not open someone else's certificate.
    codes = {c.pop("_id"): c["check_code"] for c in training_db[CERTIFICATES].find({}, {"_id": 1, "check_code": 1})}
    assert training.get(f"/api/v1/certificates/{numbers[0]}?code={codes[numbers[1]]}").status_code == 404

    html = training.get(f"/api/v1/certificates/{numbers[0]}.html?code={codes[numbers[0]]}")
    assert html.status_code == 200
    page = html.get_data(as_text=True)
    shown = "-".join(codes[numbers[0]][i : i + 4] for i in (0, 4, 8))
    assert "Код за проверка" in page and shown in page and "<svg" in page  # printed, and as a QR code
    assert f"code={shown}" in page


def test_a_certificate_issued_before_check_codes_gets_one_when_read(
    training: FlaskClient, training_db: Database
) -> None:
    session_id = add_session(training_db, open_to_all=True, ended=True, meetings=1)
    maria = learner("maria@example.bg", name="Мария Петрова")
    maria_id = enrol(training, session_id, maria)["id"]
    ok(training.post(f"/api/v1/sessions/{session_id}/attendance", json={"meeting": 1, "present": ["maria@example.bg"]},
                     headers=TRAINER))  # fmt: skip
    number = ok(training.post(f"/api/v1/sessions/{session_id}/complete", json={}, headers=TRAINER))["completed"][0][
        "certificate_number"
    ]
    training_db[CERTIFICATES].update_one({"_id": number}, {"$unset": {"check_code": ""}})  # an old record

    assert training.get(f"/api/v1/certificates/{number}").status_code == 404
    assert training.get(f"/api/v1/certificates/{number}?code=").status_code == 404
    code = ok(training.get(f"/api/v1/enrolments/{maria_id}", headers=maria))["certificate"]["check_code"]
    assert code and training_db[CERTIFICATES].find_one({"_id": number})["check_code"] == code.replace("-", "")
    assert ok(training.get(f"/api/v1/certificates/{number}?code={code}"))["learner_name"] == "Мария Петрова"
    again = ok(training.get(f"/api/v1/enrolments/{maria_id}", headers=maria))["certificate"]["check_code"]
    assert again == code  # given once, kept


# ---------------------------------------------------------------------- calendars
def test_a_learner_subscribes_to_their_sessions_with_a_private_link(
    training: FlaskClient, training_db: Database
) -> None:
    session_id = add_session(training_db, open_to_all=True)
    other_session = add_session(training_db, open_to_all=True, capacity=1)
    ana = learner("ana@example.bg")
    enrol(training, session_id, ana)
    enrol(training, other_session, learner("boris@example.bg"))
    enrol(training, other_session, ana)  # waitlisted: not in the calendar

    assert ok(training.get("/api/v1/learners/me/calendar-link", headers=ana)) == {"active": False, "created_at": None}
    made = ok(training.post("/api/v1/learners/me/calendar-link", headers=ana), 201)
    link = made["url"]
    path = urlsplit(link).path
    assert path.startswith("/api/v1/learners/") and path.endswith("/sessions.ics")
    assert "ana@example.bg" not in link and "YW5h" not in link  # not even encoded
    status = ok(training.get("/api/v1/learners/me/calendar-link", headers=ana))
    assert status["active"] is True and "url" not in status  # the secret is shown once, never stored
    feed = training.get(path)  # no token: the link is the key
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    body = feed.get_data(as_text=True)
    assert body.count("BEGIN:VEVENT") == 3 and f"{session_id}-1@" in body and other_session not in body
    secret = path.removeprefix("/api/v1/learners/").removesuffix("/sessions.ics")
    stored = training_db["calendar_links"].find_one({"learner": "ana@example.bg"})
    assert stored["_id"] == hashlib.sha256(secret.encode()).hexdigest() and secret not in str(stored)

    assert training.get("/api/v1/learners/bm9ib2R5.c2lnbmF0dXJl/sessions.ics").status_code == 404
    assert training.get("/api/v1/learners/me/calendar-link").status_code == 401
    assert training.post("/api/v1/learners/me/calendar-link").status_code == 401


def test_a_calendar_link_made_the_old_way_with_the_default_secret_is_refused(
    training: FlaskClient, training_db: Database
) -> None:
    session_id = add_session(training_db, open_to_all=True)
    enrol(training, session_id, learner("ana@example.bg"))
    ok(training.post("/api/v1/learners/me/calendar-link", headers=learner("ana@example.bg")), 201)

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    # What anyone could compute from the victim's address and the published default JWT secret.
    for secret in SECRETS_ANYONE_KNOWS:
        signature = hmac.new(secret.encode(), b"training-calendar:ana@example.bg", hashlib.sha256).digest()
        forged = f"{b64(b'ana@example.bg')}.{b64(signature)}"
        answer = training.get(f"/api/v1/learners/{forged}/sessions.ics")
        assert answer.status_code == 404 and "BEGIN:VCALENDAR" not in answer.get_data(as_text=True)


def test_a_new_link_revokes_the_old_one_and_nobody_else_can_fetch_or_rotate_it(
    training: FlaskClient, training_db: Database
) -> None:
    session_id = add_session(training_db, open_to_all=True)
    ana, boris = learner("ana@example.bg"), learner("boris@example.bg")
    enrol(training, session_id, ana)
    first = urlsplit(ok(training.post("/api/v1/learners/me/calendar-link", headers=ana), 201)["url"]).path
    assert training.get(first).status_code == 200

    # Boris making (or revoking) his own link touches only his: Ana's keeps working, and his shows his sessions.
    boris_path = urlsplit(ok(training.post("/api/v1/learners/me/calendar-link", headers=boris), 201)["url"]).path
    assert boris_path != first
    assert training.delete("/api/v1/learners/me/calendar-link", headers=boris).status_code == 204
    assert training.get(boris_path).status_code == 404
    assert training.get(first).status_code == 200
    assert session_id in training.get(first).get_data(as_text=True)
    # A token of another learner cannot reach Ana's link through the feed address either.
    assert training.get(first, headers=boris).get_data(as_text=True) == training.get(first).get_data(as_text=True)

    second = urlsplit(ok(training.post("/api/v1/learners/me/calendar-link", headers=ana), 201)["url"]).path
    assert second != first
    assert training.get(first).status_code == 404  # rotated: the old address is dead
    assert training.get(second).status_code == 200
    assert training_db["calendar_links"].count_documents({"learner": "ana@example.bg"}) == 1
    assert training.delete("/api/v1/learners/me/calendar-link", headers=ana).status_code == 204
    assert training.get(second).status_code == 404
    assert ok(training.get("/api/v1/learners/me/calendar-link", headers=ana))["active"] is False


# ---------------------------------------------------------------------- checked from the paper
def test_a_certificate_is_found_however_its_number_is_typed_and_its_print_points_to_the_public_check(
    training: FlaskClient, training_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_PORTAL_URL", "https://solidarityhub.example.bg/")
    session_id = add_session(training_db, open_to_all=True, ended=True, meetings=1)
    enrol(training, session_id, learner("vera@example.bg", name="Вера Димова"))
    ok(
        training.post(
            f"/api/v1/sessions/{session_id}/attendance",
            json={"meeting": 1, "present": ["vera@example.bg"]},
            headers=TRAINER,
        )
    )
    number = ok(training.post(f"/api/v1/sessions/{session_id}/complete", json={}, headers=TRAINER))["completed"][0][
        "certificate_number"
    ]
    code = training_db[CERTIFICATES].find_one({"_id": number})["check_code"]
    digits = number.removeprefix("ДУ-")
    for typed in (number.lower(), f"DU-{digits}", f"du {digits.replace('-', ' ')}", f" Ду–{digits} ", f"DY-{digits}"):
        answer = training.get(f"/api/v1/certificates/{quote(typed)}", query_string={"code": code})
        assert answer.status_code == 200, typed
        assert (answer.json["number"], answer.json["learner_name"]) == (number, "Вера Димова"), typed
    assert training.get(f"/api/v1/certificates/DU-1999-000001?code={code}").status_code == 404

    page = training.get(f"/api/v1/certificates/{quote(number)}.html?code={code}").get_data(as_text=True)
    shown = "-".join(code[i : i + 4] for i in (0, 4, 8))
    check = f"https://solidarityhub.example.bg/certificates?{urlencode({'number': number, 'code': shown})}"
    assert f'href="{escape(check)}"' in page  # the printed link is the portal's public check page
    qr = segno.make(check, error="m").svg_inline(scale=4, title="QR", border=2).split("<title>", 1)[1]
    assert qr in page  # and so is the QR code: the same code made from that address (its drawing)
    assert "127.0.0.1" not in page and "localhost" not in page and "/api/v1/" not in page
