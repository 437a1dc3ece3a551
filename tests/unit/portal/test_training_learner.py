"""A learner's training page: a seat or a place on the waiting list, cancelling, certificates, the calendar."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal
from tests.unit.portal.test_training_samples import LEARNER_EMAIL, SESSION_ID, enrolment

CALENDAR = "http://127.0.0.1:8103/api/v1/learners/abc.def/sessions.ics"


def _mine(portal: FlaskClient, services: Any, *items: dict[str, Any], calendar: bool = True) -> str:
    """The learner signed in, with their enrolments ``items`` (and their calendar link, unless not ``calendar``);
    returns their token."""
    token = sign_in(portal, "learner", email=LEARNER_EMAIL)
    services.training.answer("GET", "/api/v1/enrolments", {"items": list(items)})
    if calendar:
        services.training.answer("GET", "/api/v1/learners/me/calendar-link", {"url": CALENDAR})
    return token


def test_a_seat_holder_reads_that_they_have_a_seat(portal: FlaskClient, services: Any) -> None:
    _mine(portal, services, enrolment("confirmed"))
    page = portal.get("/my/training").get_data(as_text=True)
    assert "Потвърдено място" in page
    assert "Имате място." in page
    assert f'href="{CALENDAR}"' in page


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
            "url": "/api/v1/certificates/ДУ-2026-000147",
            "html_url": "/api/v1/certificates/ДУ-2026-000147.html",
        },
    )
    _mine(portal, services, done)
    page = portal.get("/my/training").get_data(as_text=True)
    assert "удостоверение № ДУ-2026-000147" in page
    assert 'href="http://127.0.0.1:8103/api/v1/certificates/ДУ-2026-000147.html"' in page
    assert "/certificates?number=" in page
    assert "Завършено" in page


def test_the_page_works_when_the_calendar_link_cannot_be_had(portal: FlaskClient, services: Any) -> None:
    _mine(portal, services, calendar=False)
    page = portal.get("/my/training").get_data(as_text=True)
    assert "В момента не сте записани за нито една сесия." in page
    assert "Връзката към календара в момента не е достъпна." in page
