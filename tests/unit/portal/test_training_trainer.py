"""A trainer's pages: the timetable, scheduling (a double booking shown at its meeting), the roster."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from services.portal.clients import ServiceError
from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal
from tests.unit.portal.test_training_samples import (
    COURSE_ID,
    OTHER_SESSION_ID,
    SESSION_ID,
    course,
    meeting,
    session,
)

SESSION_PATH = f"/api/v1/sessions/{SESSION_ID}"
NEW_SESSION = {
    "course_id": COURSE_ID,
    "centre": "plovdiv",
    "room": "Зала 9",
    "online_link": "",
    "capacity": "1",
    "funded": "1",
    "meetings.0.date": "2030-12-21",
    "meetings.0.start": "10:00",
    "meetings.0.end": "12:00",
    "meetings.1.date": "",
    "meetings.1.start": "",
    "meetings.1.end": "",
    "meetings.2.date": "20.12.2030",
    "meetings.2.start": "9:30",
    "meetings.2.end": "11.45",
}
PAST_MEETINGS = [meeting("2025-12-01", "10:00", "12:00"), meeting("2025-12-02", "10:00", "12:00")]
RESCHEDULED = {"meetings.0.date": "2030-12-09", "meetings.0.start": "14:00", "meetings.0.end": "17:00"}


def _trainer(portal: FlaskClient, services: Any) -> str:
    services.training.answer("GET", "/api/v1/courses", {"items": [course()]})
    return sign_in(portal, "trainer", subject="demo-trainer-plovdiv", name="Обучител (plovdiv)")


def test_the_schedule_lists_my_sessions_with_a_calendar_link(portal: FlaskClient, services: Any) -> None:
    _trainer(portal, services)
    services.training.answer("GET", "/api/v1/trainers/demo-trainer-plovdiv/sessions", {"items": [session()]})
    page = portal.get("/trainer/sessions").get_data(as_text=True)
    assert "Електронни фактури и е-услуги" in page
    assert f'href="/trainer/sessions/{SESSION_ID}"' in page
    assert "http://127.0.0.1:8103/api/v1/trainers/demo-trainer-plovdiv/sessions.ics" in page
    assert services.training.sent("GET", "/api/v1/trainers/demo-trainer-plovdiv/sessions")[0].params == {
        "include_past": None
    }
    portal.get("/trainer/sessions?past=1")
    assert services.training.sent("GET", "/api/v1/trainers/.*")[-1].params == {"include_past": "true"}


def test_the_schedule_is_for_trainers(portal: FlaskClient, services: Any) -> None:
    assert portal.get("/trainer/sessions").status_code == 302  # to sign in
    sign_in(portal, "learner")
    assert portal.get("/trainer/sessions").status_code == 403


def test_a_new_session_sends_sofia_times_soonest_first(portal: FlaskClient, services: Any) -> None:
    token = _trainer(portal, services)
    services.training.answer("POST", "/api/v1/sessions", session())
    response = portal.post("/trainer/sessions/new", data=NEW_SESSION)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/trainer/sessions/{SESSION_ID}")
    sent = services.training.sent("POST", "/api/v1/sessions")[0]
    assert sent.token == token
    assert sent.json == {
        "course_id": COURSE_ID,
        "centre": "plovdiv",
        "room": "Зала 9",
        "online_link": None,
        "capacity": 1,
        "funded": True,
        "open_to_all": False,
        "meetings": [
            {"starts_at": "2030-12-20T09:30", "ends_at": "2030-12-20T11:45"},
            {"starts_at": "2030-12-21T10:00", "ends_at": "2030-12-21T12:00"},
        ],
    }


def test_what_the_portal_cannot_read_is_reported_next_to_its_field(portal: FlaskClient, services: Any) -> None:
    _trainer(portal, services)
    form = {
        **NEW_SESSION,
        "capacity": "едно",
        "course_id": "",
        "meetings.2.date": "31.02.2030",
        "meetings.0.end": "25:00",
    }
    response = portal.post("/trainer/sessions/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="field-error" id="e-capacity"><span>Въведете цяло число.</span></p>' in page
    assert '<p class="field-error" id="e-course_id"><span>Изберете курса.</span></p>' in page
    assert '<p class="field-error" id="e-meetings-2-date"><span>Въведете дата, напр. 28.03.2027.</span></p>' in page
    assert 'id="e-meetings-0-end"><span>Въведете час и минути, напр. 10:00.</span>' in page
    assert 'value="31.02.2030"' in page  # what was typed stays
    assert not services.training.sent("POST", "/api/v1/sessions")


def test_a_session_without_meetings_is_not_sent(portal: FlaskClient, services: Any) -> None:
    _trainer(portal, services)
    form = {k: ("" if k.startswith("meetings.") else v) for k, v in NEW_SESSION.items()}
    page = portal.post("/trainer/sessions/new", data=form).get_data(as_text=True)
    assert "Посочете поне една среща." in page
    assert not services.training.sent("POST", "/api/v1/sessions")


def test_the_service_refusals_land_on_the_rows_entered(portal: FlaskClient, services: Any) -> None:
    """The service numbers meetings in time order; row 2 (20 December) was sent first."""
    _trainer(portal, services)
    services.training.answer(
        "POST",
        "/api/v1/sessions",
        refusal(422, {"meetings.0.starts_at": "Срещата е в миналото.", "room": "Посочете зала."}),
    )
    page = portal.post("/trainer/sessions/new", data=NEW_SESSION).get_data(as_text=True)
    assert 'id="e-meetings-2-start"><span>Срещата е в миналото.</span>' in page
    assert 'id="e-room"><span>Посочете зала.</span>' in page


def test_a_double_booking_is_shown_next_to_the_meeting_with_a_link_to_the_other_session(
    portal: FlaskClient, services: Any
) -> None:
    _trainer(portal, services)
    message = (
        "Обучителят вече е зает(а) на 21.12.2030 10:00–12:00 (София) със сесия „Дигитална стратегия“ "
        f"({OTHER_SESSION_ID})."
    )
    conflict = ServiceError(
        409,
        "schedule_conflict",
        {"bg": message, "en": f"The trainer is already booked (“Дигитална стратегия”, {OTHER_SESSION_ID})."},
        {"trainer_id": [{"bg": message, "en": "EN"}], "meetings.1": [{"bg": message, "en": "EN"}]},
    )
    services.training.answer("POST", "/api/v1/sessions", conflict)
    response = portal.post("/trainer/sessions/new", data=NEW_SESSION)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    row = page.split('<fieldset id="f-meetings-0"')[1].split("</fieldset>")[0]
    assert message in row  # 21 December is row 0, the second meeting in time order
    assert f'href="/sessions/{OTHER_SESSION_ID}"' in page
    assert "Отвори сесията, насрочена по това време" in page
    assert page.count(message) == 2  # once in the summary, once at the meeting


def test_another_meeting_row_can_be_added_without_sending(portal: FlaskClient, services: Any) -> None:
    _trainer(portal, services)
    page = portal.post("/trainer/sessions/new", data={**NEW_SESSION, "add_meeting": "1"}).get_data(as_text=True)
    assert 'name="meetings.3.date"' in page
    assert "Среща 4 — дата" in page
    assert not services.training.sent("POST", "/api/v1/sessions")


def _trainers_session(portal: FlaskClient, services: Any, **session_changes: Any) -> None:
    """The trainer signed in, the service showing their session (with ``session_changes``)."""
    _trainer(portal, services)
    services.training.answer("GET", SESSION_PATH, session(**session_changes))


def _roster(portal: FlaskClient, services: Any, **session_changes: Any) -> None:
    """The trainer's session with a seat holder present at meeting 1, and one learner waiting."""
    _trainers_session(portal, services, **session_changes)
    services.training.answer(
        "GET",
        f"{SESSION_PATH}/roster",
        {
            "session_id": SESSION_ID,
            "course_title": "Електронни фактури и е-услуги",
            "capacity": 1,
            "meetings": 2,
            "threshold_percent": 80,
            "participants": [
                {
                    "enrolment_id": f"{SESSION_ID}:maria@example.bg",
                    "learner": "maria@example.bg",
                    "name": "Мария Колева",
                    "state": "confirmed",
                    "present": [1],
                    "absent": [],
                    "attendance_percent": 50,
                    "certificate_number": None,
                }
            ],
            "waitlist": [
                {
                    "position": 1,
                    "enrolment_id": f"{SESSION_ID}:ivan@example.bg",
                    "learner": "ivan@example.bg",
                    "name": "Иван Петров",
                }
            ],
        },
    )


def test_the_roster_shows_seat_holders_in_order_and_the_waiting_list(portal: FlaskClient, services: Any) -> None:
    _roster(portal, services)
    page = portal.get(f"/trainer/sessions/{SESSION_ID}").get_data(as_text=True)
    assert "Заети 1 от 1, свободни 0; в списъка на чакащите: 1" in page
    assert "Мария Колева" in page and "Иван Петров" in page
    assert '<th scope="col">Позиция</th>' in page
    assert "още не е проведена" in page  # the meetings are in 2030
    assert "След последната среща можете да приключите сесията тук" in page


def test_attendance_is_ticked_per_meeting_once_it_has_started(portal: FlaskClient, services: Any) -> None:
    _roster(
        portal, services, meetings=[meeting("2020-12-07", "14:00", "17:00"), meeting("2020-12-08", "10:00", "12:00")]
    )
    page = portal.get(f"/trainer/sessions/{SESSION_ID}").get_data(as_text=True)
    assert 'name="present.1" value="maria@example.bg" checked' in page
    assert ">Запази присъствието на среща 2</button>" in page
    assert "Приключи сесията и издай удостоверения" in page
    services.training.answer("POST", f"{SESSION_PATH}/attendance", {})
    response = portal.post(
        f"/trainer/sessions/{SESSION_ID}/attendance", data={"meeting": "2", "present.2": ["maria@example.bg"]}
    )
    assert response.status_code == 302
    assert services.training.sent("POST", f"{SESSION_PATH}/attendance")[0].json == {
        "meeting": 2,
        "present": ["maria@example.bg"],
    }
    assert "Присъствието на среща 2 е записано." in portal.get(f"/trainer/sessions/{SESSION_ID}").get_data(as_text=True)


def test_a_meeting_number_out_of_range_is_not_sent(portal: FlaskClient, services: Any) -> None:
    _roster(portal, services)
    portal.post(f"/trainer/sessions/{SESSION_ID}/attendance", data={"meeting": "9"})
    assert not services.training.sent("POST", f"{SESSION_PATH}/attendance")


def test_completing_the_session_reports_certificates_and_those_below_the_threshold(
    portal: FlaskClient, services: Any
) -> None:
    _roster(portal, services)
    services.training.answer(
        "POST",
        f"{SESSION_PATH}/complete",
        {
            "session_id": SESSION_ID,
            "threshold_percent": 80,
            "completed": [{"enrolment_id": "x", "learner": "a@b.bg", "name": "А", "certificate_number": "ДУ-1"}],
            "not_completed": [
                {"enrolment_id": "y", "learner": "c@d.bg", "name": "Мария Колева", "attendance_percent": 50}
            ],
        },
    )
    page = portal.post(f"/trainer/sessions/{SESSION_ID}/complete", follow_redirects=True).get_data(as_text=True)
    assert "Сесията е приключена: издадено е 1 удостоверение." in page
    assert "Без удостоверение остават тези с присъствие под 80\xa0%: Мария Колева (50\xa0%)." in page


def test_completing_too_early_shows_the_services_reason(portal: FlaskClient, services: Any) -> None:
    _roster(portal, services)
    services.training.answer(
        "POST", f"{SESSION_PATH}/complete", refusal(409, message="Не може да се приключи сесията: още не е приключила.")
    )
    page = portal.post(f"/trainer/sessions/{SESSION_ID}/complete", follow_redirects=True).get_data(as_text=True)
    assert "Не може да се приключи сесията: още не е приключила." in page


def test_rescheduling_starts_from_the_current_meetings(portal: FlaskClient, services: Any) -> None:
    _trainers_session(portal, services)
    page = portal.get(f"/trainer/sessions/{SESSION_ID}/reschedule").get_data(as_text=True)
    assert 'name="meetings.0.date" type="date"\n         value="2030-12-07"' in page
    assert 'value="14:00"' in page and 'value="12:00"' in page
    assert 'name="meetings.2.date"' in page  # one empty row to add a meeting
    services.training.answer("POST", f"{SESSION_PATH}/reschedule", session())
    response = portal.post(f"/trainer/sessions/{SESSION_ID}/reschedule", data=RESCHEDULED)
    assert response.status_code == 302
    assert services.training.sent("POST", f"{SESSION_PATH}/reschedule")[0].json == {
        "meetings": [{"starts_at": "2030-12-09T14:00", "ends_at": "2030-12-09T17:00"}]
    }


def test_cancelling_needs_a_reason(portal: FlaskClient, services: Any) -> None:
    _trainers_session(portal, services)
    response = portal.post(f"/trainer/sessions/{SESSION_ID}/cancel", data={"reason": "  "})
    assert response.status_code == 422
    assert 'id="e-reason"><span>Посочете причината за отмяната: обучаемите ще я прочетат.</span>' in response.get_data(
        as_text=True
    )
    services.training.answer("POST", f"{SESSION_PATH}/cancel", session(status="cancelled"))
    response = portal.post(f"/trainer/sessions/{SESSION_ID}/cancel", data={"reason": "Болест на обучителя"})
    assert response.headers["Location"].endswith("/trainer/sessions")
    assert services.training.sent("POST", f"{SESSION_PATH}/cancel")[0].json == {"reason": "Болест на обучителя"}


def test_a_conflict_without_fields_is_still_said(portal: FlaskClient, services: Any) -> None:
    _trainers_session(portal, services)
    services.training.answer(
        "POST", f"{SESSION_PATH}/reschedule", refusal(409, message="Не може да се пренасрочи сесията: отменена е.")
    )
    page = portal.post(f"/trainer/sessions/{SESSION_ID}/reschedule", data=RESCHEDULED).get_data(as_text=True)
    assert "Не може да се пренасрочи сесията: отменена е." in page


def test_a_session_whose_meetings_are_over_is_not_offered_for_rescheduling_or_cancelling(
    portal: FlaskClient, services: Any
) -> None:
    _roster(portal, services, meetings=PAST_MEETINGS)
    page = portal.get(f"/trainer/sessions/{SESSION_ID}").get_data(as_text=True)
    assert "Проведена, предстои приключване от обучителя" in page and ">Насрочена<" not in page
    assert "/reschedule" not in page and "/cancel" not in page
    services.training.answer("GET", r"/api/v1/trainers/.+/sessions", {"items": [session(meetings=PAST_MEETINGS)]})
    schedule = portal.get("/trainer/sessions?past=1").get_data(as_text=True)
    assert "Проведена, предстои приключване от обучителя" in schedule
