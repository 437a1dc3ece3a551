"""A learner's training page: invitations, a seat or a place on the waiting list, cancelling, certificates with
their check codes, the private calendar link."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal
from tests.unit.portal.test_training_samples import LEARNER_EMAIL, SESSION_ID, enrolment, session

CALENDAR = "http://127.0.0.1:8103/api/v1/learners/Zk3hY-secret-from-the-service/sessions.ics"
LINK = "/api/v1/learners/me/calendar-link"


def _mine(portal: FlaskClient, services: Any, *items: dict[str, Any], calendar: bool = True) -> str:
    """The learner signed in, with their enrolments ``items`` (and their calendar link, unless not ``calendar``);
    returns their token."""
    token = sign_in(portal, "learner", email=LEARNER_EMAIL)
    services.training.answer("GET", "/api/v1/enrolments", {"items": list(items)})
    if calendar:
        services.training.answer("GET", LINK, {"active": False, "created_at": None})
    return token


def test_a_seat_holder_reads_that_they_have_a_seat(portal: FlaskClient, services: Any) -> None:
    _mine(portal, services, enrolment("confirmed"))
    page = portal.get("/my/training").get_data(as_text=True)
    assert "Потвърдено място" in page
    assert "Имате място." in page
    assert 'action="/my/training/calendar-link"' in page and CALENDAR not in page


def test_a_waiting_learner_reads_their_position(portal: FlaskClient, services: Any) -> None:
    _mine(portal, services, enrolment("waitlisted", position=2))
    page = portal.get("/my/training").get_data(as_text=True)
    assert "В списъка на чакащите, позиция 2" in page
    assert "Ще получите първото освободено място." in page
    english = portal.get("/my/training?lang=en").get_data(as_text=True)
    assert "On the waiting list, position 2" in english


def test_cancelling_sends_the_enrolment_and_comes_back_with_a_message(portal: FlaskClient, services: Any) -> None:
    token = _mine(portal, services, enrolment("confirmed"))
    cancel_path = f"/api/v1/enrolments/{SESSION_ID}:{LEARNER_EMAIL}/cancel"
    services.training.answer("POST", cancel_path, enrolment("cancelled"))
    page = portal.get("/my/training").get_data(as_text=True)
    assert f'action="/my/training/{SESSION_ID}:ivan.petrov@example.bg/cancel"' in page
    assert "Откажи записването" in page
    response = portal.post(f"/my/training/{SESSION_ID}:{LEARNER_EMAIL}/cancel")
    assert response.headers["Location"].endswith("/my/training")
    call = services.training.sent("POST", cancel_path)[0]
    assert call.token == token and call.json == {"reason": ""}
    assert "Записването ви е отказано." in portal.get("/my/training").get_data(as_text=True)


def test_a_refused_cancellation_is_explained(portal: FlaskClient, services: Any) -> None:
    _mine(portal, services)
    services.training.answer(
        "POST", "/api/v1/enrolments/.*/cancel", refusal(409, message="Не може да се откаже записването.")
    )
    page = portal.post(f"/my/training/{SESSION_ID}:{LEARNER_EMAIL}/cancel", follow_redirects=True).get_data(
        as_text=True
    )
    assert "Не може да се откаже записването." in page


def test_certificates_link_to_the_printable_page_and_the_verification(portal: FlaskClient, services: Any) -> None:
    done = enrolment(
        "completed",
        certificate={
            "number": "ДУ-2026-000147",
            "check_code": "K7QM-2XHD-94RT",
            "url": "/api/v1/certificates/ДУ-2026-000147?code=K7QM-2XHD-94RT",
            "html_url": "/api/v1/certificates/ДУ-2026-000147.html?code=K7QM-2XHD-94RT",
        },
    )
    _mine(portal, services, done)
    page = portal.get("/my/training").get_data(as_text=True)
    assert "удостоверение № ДУ-2026-000147" in page
    assert "код за проверка K7QM-2XHD-94RT" in page  # printed with the number
    assert 'href="http://127.0.0.1:8103/api/v1/certificates/ДУ-2026-000147.html?code=K7QM-2XHD-94RT"' in page
    check = "http://127.0.0.1:8100/certificates?number=%D0%94%D0%A3-2026-000147&amp;code=K7QM-2XHD-94RT"
    assert f'href="{check}"' in page
    assert "<svg" in page and "QR" in page  # the QR code of the same public check
    assert "Завършено" in page


def test_the_page_works_when_the_calendar_link_cannot_be_had(portal: FlaskClient, services: Any) -> None:
    _mine(portal, services, calendar=False)
    page = portal.get("/my/training").get_data(as_text=True)
    assert "В момента не сте записани за нито една сесия." in page
    assert "Връзката към календара в момента не е достъпна." in page


def test_an_invitation_is_accepted_or_declined_by_the_worker(portal: FlaskClient, services: Any) -> None:
    token = _mine(portal, services, enrolment("invited", invitation_expires_at="2030-12-07T12:00:00Z"))
    page = portal.get("/my/training").get_data(as_text=True)
    enrolment_id = f"{SESSION_ID}:{LEARNER_EMAIL}"
    assert "Покани" in page and "Записвате се едва когато приемете" in page
    assert f'action="/my/training/{enrolment_id}/accept"' in page
    assert f'action="/my/training/{enrolment_id}/decline"' in page
    assert "В момента не сте записани за нито една сесия." in page  # an invitation is not an enrolment

    services.training.answer("POST", f"/api/v1/enrolments/{enrolment_id}/accept", enrolment("confirmed"))
    response = portal.post(f"/my/training/{enrolment_id}/accept")
    assert response.headers["Location"].endswith("/my/training")
    (call,) = services.training.sent("POST", f"/api/v1/enrolments/{enrolment_id}/accept")
    assert call.token == token and call.json == {}
    assert "Приехте поканата: имате място." in portal.get("/my/training").get_data(as_text=True)

    services.training.answer("POST", f"/api/v1/enrolments/{enrolment_id}/decline", enrolment("declined"))
    portal.post(f"/my/training/{enrolment_id}/decline")
    assert services.training.sent("POST", f"/api/v1/enrolments/{enrolment_id}/decline")
    assert "Отказахте поканата." in portal.get("/my/training").get_data(as_text=True)


def test_a_lapsed_invitation_is_not_offered(portal: FlaskClient, services: Any) -> None:
    _mine(portal, services, enrolment("invited", invitation_expires_at="2020-01-01T08:00:00Z"))
    page = portal.get("/my/training").get_data(as_text=True)
    assert "/accept" not in page and "Покани" not in page


def test_a_refused_acceptance_is_explained(portal: FlaskClient, services: Any) -> None:
    _mine(portal, services)
    services.training.answer(
        "POST", "/api/v1/enrolments/.*/accept", refusal(409, message="Поканата изтече, когато сесията започна.")
    )
    page = portal.post(f"/my/training/{SESSION_ID}:{LEARNER_EMAIL}/accept", follow_redirects=True)
    assert "Поканата изтече, когато сесията започна." in page.get_data(as_text=True)


def test_a_new_calendar_link_is_shown_once_and_can_be_stopped(portal: FlaskClient, services: Any) -> None:
    token = _mine(portal, services)
    services.training.answer("POST", LINK, {"url": CALENDAR, "created_at": "2026-12-06T19:00:00Z"})
    made = portal.post("/my/training/calendar-link")
    assert made.status_code == 200
    page = made.get_data(as_text=True)
    assert f'href="{CALENDAR}"' in page and "показва се само този път" in page
    assert services.training.sent("POST", LINK)[0].token == token

    services.training.answer("GET", LINK, {"active": True, "created_at": "2026-12-06T19:00:00Z"})
    later = portal.get("/my/training").get_data(as_text=True)
    assert CALENDAR not in later  # the service keeps only its hash: the address is never shown again
    assert "Имате лична връзка към календара" in later
    assert 'action="/my/training/calendar-link/stop"' in later

    services.training.answer("DELETE", LINK, None)
    stopped = portal.post("/my/training/calendar-link/stop", follow_redirects=True).get_data(as_text=True)
    assert services.training.sent("DELETE", LINK)
    assert "Личната ви връзка към календара вече не работи." in stopped


def test_the_session_page_offers_an_invited_learner_to_accept(portal: FlaskClient, services: Any) -> None:
    _mine(portal, services, enrolment("invited", invitation_expires_at="2030-12-07T12:00:00Z"))
    services.training.answer("GET", f"/api/v1/sessions/{SESSION_ID}", session())
    page = portal.get(f"/sessions/{SESSION_ID}").get_data(as_text=True)
    assert "Вашето предприятие ви покани за тази сесия." in page
    assert f'action="/my/training/{SESSION_ID}:{LEARNER_EMAIL}/accept"' in page
    assert "/cancel" not in page
