"""The public training pages: upcoming sessions with filters, a session with enrolment, verifying certificates."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal
from tests.unit.portal.test_training_samples import (
    COURSE_ID,
    SESSION_ID,
    course,
    enrolment,
    online_course,
    online_session,
    session,
)

SESSION_PATH = f"/api/v1/sessions/{SESSION_ID}"


def _timetable(services: Any, *sessions: dict[str, Any]) -> None:
    services.training.answer("GET", "/api/v1/courses", {"items": [course(), online_course()]})
    services.training.answer("GET", "/api/v1/sessions", {"items": list(sessions)})


def _session_page(services: Any, *mine: dict[str, Any], **changes: Any) -> str:
    """The session (with ``changes``) and the signed-in learner's enrolments as the service answers them;
    returns the address of the session's page."""
    services.training.answer("GET", SESSION_PATH, session(**changes))
    services.training.answer("GET", "/api/v1/enrolments", {"items": list(mine)})
    return f"/sessions/{SESSION_ID}"


def _learner_enrolling(portal: FlaskClient, services: Any, answer: Any, *mine: dict[str, Any]) -> str:
    """A learner signed in, the service answering their enrolment with ``answer``; returns their token."""
    token = sign_in(portal, "learner", enterprise_id="ent-1")  # a worker: the funded session is for them
    services.training.answer("POST", f"{SESSION_PATH}/enrolments", answer)
    _session_page(services, *mine)
    return token


def test_upcoming_sessions_show_course_place_trainer_and_seats(portal: FlaskClient, services: Any) -> None:
    _timetable(services, session(), online_session())
    page = portal.get("/sessions").get_data(as_text=True)
    assert "Предстоящи обучения" in page
    assert "2 сесии" in page
    assert "Електронни фактури и е-услуги" in page
    assert "Регионален център Пловдив, Зала 2" in page
    assert "Онлайн — провежда Регионален център Пловдив" in page
    assert "Обучител (plovdiv)" in page
    assert f'href="/sessions/{SESSION_ID}"' in page


def test_the_centre_and_format_filters_go_to_the_service(portal: FlaskClient, services: Any) -> None:
    _timetable(services, session())
    page = portal.get("/sessions?centre=plovdiv&where=online&course=" + COURSE_ID).get_data(as_text=True)
    sent = services.training.sent("GET", "/api/v1/sessions")[-1]
    assert sent.params["centre"] == "plovdiv"
    assert sent.params["online"] == "true"
    assert sent.params["course_id"] == COURSE_ID
    assert '<option value="plovdiv" selected>' in page
    assert "/api/v1/centres/plovdiv/sessions.ics" in page  # the centre's calendar


def test_unknown_filter_values_are_ignored_not_sent(portal: FlaskClient, services: Any) -> None:
    _timetable(services, session())
    response = portal.get("/sessions?centre=atlantis&where=moon&course=nope&dimension=zzz")
    assert response.status_code == 200
    sent = services.training.sent("GET", "/api/v1/sessions")[-1]
    assert sent.params["centre"] == "" and sent.params["online"] is None and sent.params["course_id"] == ""


def test_the_dimension_filter_keeps_sessions_of_courses_that_improve_it(portal: FlaskClient, services: Any) -> None:
    _timetable(services, session(), online_session())
    page = portal.get("/sessions?dimension=data_management").get_data(as_text=True)
    assert "1 сесия" in page
    assert 'href="/sessions/s-online"' in page
    assert f'href="/sessions/{SESSION_ID}"' not in page


def test_the_catalogue_filters_courses_at_the_service(portal: FlaskClient, services: Any) -> None:
    services.training.answer(
        "GET",
        "/api/v1/courses",
        lambda call: {"items": [online_course()] if call.params else [course(), online_course()]},
    )
    page = portal.get("/courses?format=online&level=bogus").get_data(as_text=True)
    assert services.training.sent("GET", "/api/v1/courses")[-1].params == {
        "dimension": "",
        "level": "",
        "format": "online",
    }
    assert "Каталог на курсовете" in page
    assert "1 курс" in page
    assert "Данни и облак" in page


def test_a_session_page_lists_its_meetings_in_sofia_time(portal: FlaskClient, services: Any) -> None:
    page = portal.get(_session_page(services)).get_data(as_text=True)
    assert "Срещи (българско време)" in page
    assert "събота, 07.12.2030 г." in page
    assert "14:00–17:00" in page
    assert "1 място." in page
    assert "Влезте като обучаем, за да се запишете" in page


def test_an_unknown_session_is_a_404_page(portal: FlaskClient, services: Any) -> None:
    response = portal.get("/sessions/no-such-session")
    assert response.status_code == 404
    assert "Страницата не е намерена" in response.get_data(as_text=True)


def test_a_learner_sees_the_enrol_button(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "learner", email="ivan.petrov@example.bg", name="Иван Петров")
    page = portal.get(_session_page(services, open_to_all=True)).get_data(as_text=True)
    assert f'action="/sessions/{SESSION_ID}/enrol"' in page
    assert ">Запиши се</button>" in page


def test_a_funded_session_for_workers_offers_no_enrol_button_to_a_learner_who_cannot_take_it(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "learner", email="ivan.petrov@example.bg", name="Иван Петров")  # works for no enterprise
    page = portal.get(_session_page(services, funded=True, open_to_all=False)).get_data(as_text=True)
    assert ">Запиши се</button>" not in page
    assert "финансирана за служителите на социални предприятия, вписани в регистъра" in page


def test_enrolling_with_a_free_seat_says_so(portal: FlaskClient, services: Any) -> None:
    token = _learner_enrolling(portal, services, enrolment("confirmed"), enrolment("confirmed"))
    response = portal.post(f"/sessions/{SESSION_ID}/enrol")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sessions/{SESSION_ID}#my-enrolment")
    assert services.training.sent("POST", f"{SESSION_PATH}/enrolments")[0].token == token
    page = portal.get(f"/sessions/{SESSION_ID}").get_data(as_text=True)
    assert "Записахте се: имате място в тази сесия." in page
    assert "Потвърдено място" in page
    assert ">Запиши се</button>" not in page


def test_enrolling_when_full_puts_the_learner_on_the_waiting_list_with_position(
    portal: FlaskClient, services: Any
) -> None:
    waiting = enrolment("waitlisted", position=1)
    _learner_enrolling(portal, services, waiting, waiting)
    page = portal.post(f"/sessions/{SESSION_ID}/enrol", follow_redirects=True).get_data(as_text=True)
    assert "Всички места са заети: вие сте в списъка на чакащите, позиция 1." in page
    assert "В списъка на чакащите, позиция 1" in page


def test_a_refused_enrolment_is_shown_in_the_page_language(portal: FlaskClient, services: Any) -> None:
    _learner_enrolling(portal, services, refusal(409, message="Не може да се запише: записването е приключило."))
    page = portal.post(f"/sessions/{SESSION_ID}/enrol", follow_redirects=True).get_data(as_text=True)
    assert "Не може да се запише: записването е приключило." in page
    english = portal.post(f"/sessions/{SESSION_ID}/enrol?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "EN Не може да се запише: записването е приключило." in english


def test_only_learners_enrol_themselves(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "buyer")
    assert portal.post(f"/sessions/{SESSION_ID}/enrol").status_code == 403
    assert not services.training.sent("POST", f"{SESSION_PATH}/enrolments")


def test_a_representative_is_offered_to_enrol_workers(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "representative", enterprise_id="e-1")
    page = portal.get(_session_page(services)).get_data(as_text=True)
    assert f'href="/my/workers/sessions/{SESSION_ID}/enrol"' in page
    assert "Запиши служители" in page


def test_everyone_sees_free_seats_and_the_waiting_list(portal: FlaskClient, services: Any) -> None:
    address = _session_page(services, capacity=2, seats={"taken": 2, "free": 0, "waiting": 1})
    page = portal.get(address).get_data(as_text=True)
    assert "Заети 2 от 2, свободни 0; в списъка на чакащите: 1" in page


def test_the_trainer_of_the_session_is_offered_the_roster(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "trainer", subject="demo-trainer-plovdiv")
    page = portal.get(_session_page(services, capacity=2)).get_data(as_text=True)
    assert f'href="/trainer/sessions/{SESSION_ID}"' in page


def test_a_certificate_is_verified_by_its_number_and_check_code(portal: FlaskClient, services: Any) -> None:
    services.training.answer(
        "GET",
        "/api/v1/certificates/.*",
        {
            "number": "ДУ-2026-000147",
            "valid": True,
            "learner_name": "Иван Петров",
            "course_title": "Електронни фактури и е-услуги",
            "centre": {"id": "plovdiv", "name": {"bg": "Регионален център Пловдив", "en": "Plovdiv regional centre"}},
            "starts_on": "2026-12-07",
            "ends_on": "2026-12-08",
            "trainer_name": "Обучител (plovdiv)",
            "issued_at": "2026-12-08T16:00:00Z",
            "html_url": "/api/v1/certificates/ДУ-2026-000147.html?code=K7QM-2XHD-94RT",
        },
    )
    page = portal.get("/certificates?number=ДУ-2026-000147&code=K7QM-2XHD-94RT").get_data(as_text=True)
    (call,) = services.training.sent("GET", "/api/v1/certificates/.*")
    assert call.path == "/api/v1/certificates/%D0%94%D0%A3-2026-000147"
    assert call.params == {"code": "K7QM-2XHD-94RT"}
    assert "Удостоверение № ДУ-2026-000147 е валидно" in page
    assert "Иван Петров" in page and "Регионален център Пловдив" in page
    assert 'href="http://127.0.0.1:8103/api/v1/certificates/ДУ-2026-000147.html?code=K7QM-2XHD-94RT"' in page


def test_a_number_without_its_check_code_is_not_looked_up(portal: FlaskClient, services: Any) -> None:
    page = portal.get("/certificates?number=ДУ-2026-000147").get_data(as_text=True)
    assert 'id="e-code"' in page and "За удостоверение от обучение въведете и кода за проверка" in page
    assert not services.training.sent("GET", "/api/v1/certificates/.*")
    form = portal.get("/certificates").get_data(as_text=True)
    assert 'name="number"' in form and 'name="code"' in form and "Код за проверка" in form
    assert "проверява само по номера му" in form  # certificates of entry in the register are checked here too


def test_an_unknown_certificate_number_says_not_found(portal: FlaskClient, services: Any) -> None:
    page = portal.get("/certificates?number=XX-1&code=AAAA").get_data(as_text=True)
    assert "Няма удостоверение с номер XX-1 и този код за проверка." in page
    page = portal.get("/certificates?number=../x.html&code=AAAA").get_data(as_text=True)
    assert "Не е намерено" in page
    assert not services.training.sent("GET", "/api/v1/certificates/.*x.html")


def test_a_too_long_certificate_number_is_reported_next_to_the_field(portal: FlaskClient, services: Any) -> None:
    page = portal.get("/certificates?number=" + "Х" * 65).get_data(as_text=True)
    assert 'id="e-number"' in page
    assert "Номерът на удостоверение е най-много 64 знака." in page
    assert not services.training.sent("GET", "/api/v1/certificates/.*")
