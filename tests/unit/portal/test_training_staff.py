"""The staff list in the portal (every error at once, by field; removing only once confirmed), enrolling the
workers ticked against the recommended sessions in one request with each worker's result, and the progress
since the first assessment next to the centre's average, in Bulgarian figures."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal
from tests.unit.portal.test_training_maturity import T0, T1, _history
from tests.unit.portal.test_training_samples import ENTERPRISE_ID, SESSION_ID, enrolment, questionnaire

STAFF = f"/api/v1/enterprises/{ENTERPRISE_ID}/staff"
PROGRESS = f"/api/v1/enterprises/{ENTERPRISE_ID}/progress"
CODES = ["business_strategy", "digital_readiness", "human_centric", "data_management", "automation_ai", "green"]


def worker(worker_id: str, name: str, email: str | None = None, active: bool = True) -> dict[str, Any]:
    return {"id": worker_id, "name": name, "email": email, "role": "Шивач", "dimensions": [], "active": active,
            "added_at": "2026-12-01T08:00:00Z", "changed_at": "2026-12-01T08:00:00Z"}  # fmt: skip


def _representative(portal: FlaskClient, services: Any, *workers: dict[str, Any]) -> None:
    sign_in(portal, "representative", enterprise_id=ENTERPRISE_ID)
    services.training.answer("GET", "/api/v1/questionnaires/current", questionnaire())
    services.training.answer("GET", STAFF, {"enterprise": T0["enterprise"], "limit": 500, "items": list(workers)})
    services.training.answer("GET", "/api/v1/enrolments", {"items": []})


def scores(overall: float, each: float) -> dict[str, Any]:
    return {"overall": overall, "dimensions": dict.fromkeys(CODES, each)}


def test_the_worker_form_shows_every_refusal_at_once_in_field_order(portal: FlaskClient, services: Any) -> None:
    _representative(portal, services)
    services.training.answer(
        "POST", STAFF, refusal(422, {"email": "Не е валиден имейл адрес.", "name": "Името е задължително."})
    )
    answer = portal.post(
        "/my/workers/staff/new", data={"name": "", "email": "не-е-адрес", "dimensions": "digital_readiness"}
    )
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    summary = page[page.index('id="error-summary"') :]
    assert summary.index("Името е задължително.") < summary.index("Не е валиден имейл адрес.")
    assert 'href="#f-name"' in summary and 'href="#f-email"' in summary
    assert 'value="не-е-адрес"' in page and re.search(r'value="digital_readiness"\s+checked', page)
    (sent,) = services.training.sent("POST", STAFF)
    assert sent.json == {
        "name": "",
        "email": "не-е-адрес",
        "role": "",
        "dimensions": ["digital_readiness"],
        "active": False,
    }


def test_removing_a_worker_needs_the_box_ticked(portal: FlaskClient, services: Any) -> None:
    _representative(portal, services, worker("w-1", "Пенка Стоянова", "penka@example.bg", active=False))
    services.training.answer("DELETE", f"{STAFF}/w-1", {"items": []})
    unconfirmed = portal.post("/my/workers/staff/w-1/remove", data={})
    assert unconfirmed.status_code == 422 and "Отметнете полето" in unconfirmed.get_data(as_text=True)
    assert services.training.sent("DELETE", f"{STAFF}/w-1") == []
    confirmed = portal.post("/my/workers/staff/w-1/remove", data={"confirm_removal": "1"})
    assert confirmed.status_code == 302 and len(services.training.sent("DELETE", f"{STAFF}/w-1")) == 1


def test_ticked_workers_are_enrolled_in_one_step_and_each_result_shown(portal: FlaskClient, services: Any) -> None:
    penka, trifon = worker("w-1", "Пенка Стоянова", "penka@example.bg"), worker("w-2", "Трифон Нешев", "t@example.bg")
    _representative(
        portal, services, penka, trifon, worker("w-3", "Без имейл"), worker("w-4", "Напуснал", "x@e.bg", False)
    )
    _history(services, T0, T1)
    services.training.answer("GET", PROGRESS, {"own": None})
    page = portal.get("/my/maturity").get_data(as_text=True)
    assert f'name="pick.{SESSION_ID}" value="w-1"' in page and f'name="pick.{SESSION_ID}" value="w-2"' in page
    assert 'value="w-3"' not in page and 'value="w-4"' not in page  # no e-mail, or left: cannot be invited

    invited = enrolment("invited", learner={"email": "penka@example.bg", "name": "Пенка Стоянова"})
    already = "Обучаемият вече е записан за тази сесия (потвърдено място)."
    refused = {"status": 409, "code": "already_enrolled", "fields": {}, "message": {"bg": already, "en": "Already."}}
    services.training.answer("POST", f"{STAFF}/enrolments", {"items": [
        {"worker_id": "w-1", "name": "Пенка Стоянова", "session_id": SESSION_ID, "outcome": "invited",
         "enrolment": invited, "error": None},
        {"worker_id": "w-2", "name": "Трифон Нешев", "session_id": SESSION_ID, "outcome": "refused",
         "enrolment": None, "error": refused},
    ]})  # fmt: skip
    result = portal.post("/my/maturity/enrol", data={f"pick.{SESSION_ID}": ["w-1", "w-2"]})
    assert result.status_code == 200
    (sent,) = services.training.sent("POST", f"{STAFF}/enrolments")
    assert sent.json == {"picks": [{"session_id": SESSION_ID, "worker_ids": ["w-1", "w-2"]}]}
    text = result.get_data(as_text=True)
    assert "Данни и облак" in text and "Поканен, чака служителя" in text
    assert "Отказано" in text and "вече е записан за тази сесия" in text

    nothing = portal.post("/my/maturity/enrol", data={})
    assert nothing.status_code == 422 and "Отметнете поне един служител за сесия." in nothing.get_data(as_text=True)


def test_progress_next_to_the_centre_with_decimal_commas_and_no_average_of_two(
    portal: FlaskClient, services: Any
) -> None:
    _representative(portal, services)
    _history(services, T0, T1)
    own = {"assessments": 2, "first": scores(44.4, 40.0), "latest": scores(56.9, 52.5), "change": scores(12.5, 12.5)}
    services.training.answer("GET", PROGRESS, {
        "own": own, "centre_latest": {"enterprises": 2, "scores": None},
        "centre_change": {"enterprises": 1, "scores": None}, "minimum": 3})  # fmt: skip
    page = portal.get("/my/maturity").get_data(as_text=True)
    table = page[page.index('id="progress"') :]
    assert "44,4" in table and "+12,5" in table and "56,9" in table
    assert "поне 3 други предприятия" in table and "сега 2 предприятия" in table

    services.training.answer("GET", PROGRESS, {
        "own": own, "centre_latest": {"enterprises": 4, "scores": scores(48.3, 47.0)},
        "centre_change": {"enterprises": 3, "scores": scores(6.2, 5.0)}, "minimum": 3})  # fmt: skip
    table = portal.get("/my/maturity").get_data(as_text=True)
    table = table[table.index('id="progress"') :]
    assert "на 4 други предприятия" in table and "+6,2" in table and "48,3" in table
