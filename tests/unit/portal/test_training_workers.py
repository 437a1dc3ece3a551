"""A representative enrols workers (several rows) and follows their enrolments."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal
from tests.unit.portal.test_training_samples import SESSION_ID, enrolment, session

ENROL = f"/my/workers/sessions/{SESSION_ID}/enrol"
API_ENROL = f"/api/v1/sessions/{SESSION_ID}/enrolments"


def _representative(portal: FlaskClient, services: Any) -> str:
    services.training.answer("GET", f"/api/v1/sessions/{SESSION_ID}", session())
    return sign_in(portal, "representative", enterprise_id="e-1")


def _worker(name: str, email: str, state: str | None, position: int | None = None) -> dict[str, Any]:
    placed = enrolment(state, position, learner={"email": email, "name": name}) if state else None
    error = (
        None
        if state
        else {
            "status": 409,
            "code": "conflict",
            "message": {"bg": "Обучаемият вече е записан.", "en": "Already enrolled."},
            "fields": {},
        }
    )
    return {"email": email, "name": name, "enrolled": bool(state), "enrolment": placed, "error": error}


def test_the_form_has_rows_of_names_and_e_mails(portal: FlaskClient, services: Any) -> None:
    _representative(portal, services)
    page = portal.get(ENROL).get_data(as_text=True)
    assert "Служител 1 — име" in page and "Служител 5 — имейл" in page
    assert 'name="workers.4.email"' in page
    more = portal.post(ENROL, data={"add_worker": "1"}).get_data(as_text=True)
    assert 'name="workers.5.email"' in more


def test_workers_are_sent_together_and_each_result_is_told(portal: FlaskClient, services: Any) -> None:
    token = _representative(portal, services)
    services.training.answer(
        "POST",
        API_ENROL,
        {
            "items": [
                _worker("Георги Колев", "georgi@example.bg", "confirmed"),
                _worker("Ани Иванова", "ani@example.bg", "waitlisted", 1),
            ]
        },
    )
    services.training.answer("GET", "/api/v1/enrolments", {"items": []})
    form = {
        "workers.0.name": "Георги Колев",
        "workers.0.email": "georgi@example.bg",
        "workers.1.name": "",
        "workers.1.email": "",
        "workers.2.name": "Ани Иванова",
        "workers.2.email": "ani@example.bg",
    }
    response = portal.post(ENROL, data=form)
    assert response.headers["Location"].endswith("/my/workers")
    call = services.training.sent("POST", API_ENROL)[0]
    assert call.token == token
    assert call.json == {
        "workers": [
            {"name": "Георги Колев", "email": "georgi@example.bg"},
            {"name": "Ани Иванова", "email": "ani@example.bg"},
        ]
    }
    page = portal.get("/my/workers").get_data(as_text=True)
    assert "Георги Колев има място." in page
    assert "Ани Иванова е в списъка на чакащите, позиция 1." in page


def test_a_refused_worker_stays_on_the_form_with_the_reason_next_to_them(portal: FlaskClient, services: Any) -> None:
    _representative(portal, services)
    services.training.answer(
        "POST",
        API_ENROL,
        {
            "items": [
                _worker("Георги Колев", "georgi@example.bg", "confirmed"),
                _worker("Ани Иванова", "ani@example.bg", None),
            ]
        },
    )
    form = {
        "workers.0.name": "Георги Колев",
        "workers.0.email": "georgi@example.bg",
        "workers.1.name": "Ани Иванова",
        "workers.1.email": "ani@example.bg",
    }
    response = portal.post(ENROL, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Георги Колев има място." in page
    assert 'id="e-workers-1-email"><span>Обучаемият вече е записан.</span>' in page
    assert 'value="ani@example.bg"' in page
    assert 'value="georgi@example.bg"' not in page  # enrolled: not to be sent twice


def test_incomplete_rows_are_reported_before_sending(portal: FlaskClient, services: Any) -> None:
    _representative(portal, services)
    page = portal.post(ENROL, data={"workers.0.name": "Георги", "workers.1.email": "няма-маймунка"}).get_data(
        as_text=True
    )
    assert 'id="e-workers-0-email"><span>Въведете имейл адреса на служителя.</span>' in page
    assert 'id="e-workers-1-name"><span>Въведете името на служителя.</span>' in page
    assert "Въведете имейл адрес, напр. ime@example.bg." in page
    assert not services.training.sent("POST", API_ENROL)


def test_a_refusal_of_the_whole_request_names_the_field(portal: FlaskClient, services: Any) -> None:
    _representative(portal, services)
    services.training.answer("POST", API_ENROL, refusal(422, {"workers.0.email": "Не е валиден имейл адрес."}))
    page = portal.post(ENROL, data={"workers.3.name": "Иво", "workers.3.email": "ivo@x"}).get_data(as_text=True)
    assert 'id="e-workers-3-email"><span>Не е валиден имейл адрес.</span>' in page


def test_the_enrolments_list_shows_states_positions_and_cancels(portal: FlaskClient, services: Any) -> None:
    _representative(portal, services)
    waiting = enrolment("waitlisted", 3, learner={"email": "ani@example.bg", "name": "Ани Иванова"})
    services.training.answer("GET", "/api/v1/enrolments", {"items": [waiting]})
    page = portal.get("/my/workers").get_data(as_text=True)
    assert "Ани Иванова" in page and "В списъка на чакащите, позиция 3" in page
    services.training.answer("POST", "/api/v1/enrolments/.*/cancel", enrolment("cancelled"))
    response = portal.post(f"/my/workers/{waiting['id']}/cancel")
    assert response.headers["Location"].endswith("/my/workers")
    assert services.training.sent("POST", "/api/v1/enrolments/.*/cancel")[0].json == {"reason": ""}


def test_a_representative_without_an_enterprise_is_told_why_there_is_nothing(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "representative")
    page = portal.get("/my/workers").get_data(as_text=True)
    assert "Профилът ви не е свързан с вписано социално предприятие" in page
    assert not services.training.sent("GET", "/api/v1/enrolments")


def test_invited_workers_are_told_apart_until_they_accept(portal: FlaskClient, services: Any) -> None:
    _representative(portal, services)
    services.training.answer("POST", API_ENROL, {"items": [_worker("Георги Колев", "georgi@example.bg", "invited")]})
    invited = enrolment("invited", learner={"email": "georgi@example.bg", "name": "Георги Колев"})
    services.training.answer("GET", "/api/v1/enrolments", {"items": [invited]})
    response = portal.post(ENROL, data={"workers.0.name": "Георги Колев", "workers.0.email": "georgi@example.bg"})
    assert response.headers["Location"].endswith("/my/workers")
    page = portal.get("/my/workers").get_data(as_text=True)
    assert "Георги Колев е поканен(а): записва се, като приеме поканата, влязъл(а) с georgi@example.bg." in page
    assert "Поканен, чака служителя" in page  # not a seat: awaiting the worker
    assert "получават покана по имейл" in page
    english = portal.get("/my/workers?lang=en").get_data(as_text=True)
    assert "Invited, awaiting the worker" in english
