"""A centre's clerk: the queue by due date with overdue said in words, the review, the decisions and deletion."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal
from tests.unit.portal.test_registry_applications import APP_ID, ENTERPRISE, application

FILE = {
    "id": ENTERPRISE,
    "version": 3,
    "details": application()["details"],
    "placement": application()["placement"],
    "application": application(),
    "past_applications": [],
    "entry": None,
    "history": [
        {"action": "application_submitted", "at": "2026-11-09T12:00:00Z", "changes": [], "public": False,
         "reason": "", "actor": {"name": "Петя Василева", "role": "representative", "subject": "demo-rep-37"}},
        {"action": "information_requested", "at": "2026-11-17T09:00:00Z", "changes": [], "public": False,
         "reason": "Моля, приложете протокол.", "actor": {"name": "Георги Атанасов", "role": "clerk",
                                                           "subject": "demo-clerk-plovdiv"}},
    ],
}  # fmt: skip
ENTRY = {
    "status": "active",
    "enterprise_class": "A",
    "registration_number": "СП-00033",
    "registered_at": "2026-11-23T10:00:00Z",
    "order": {"number": "РД01-777", "date": "2026-11-23"},
    "certificate": {"number": "УСП-2026-00015", "valid_from": "2026-11-23", "valid_until": "2029-11-22"},
    "annual_reports": [],
    "overdue_report_years": [],
    "deletion": None,
}


def clerk(portal: FlaskClient, centre: str = "plovdiv") -> None:
    sign_in(portal, "clerk", subject="demo-clerk", name="Георги Атанасов", centre=centre)


def reviewing(services: Any, **changes: Any) -> None:
    services.registry.answer("GET", f"/api/v1/applications/{APP_ID}", application(**changes))
    services.registry.answer("GET", f"/api/v1/enterprises/{ENTERPRISE}/file", FILE)


def test_the_queue_says_overdue_in_words_with_days_left(portal: FlaskClient, services: Any) -> None:
    overdue = application(id="app-2", status="submitted", due_at="2026-11-17T12:00:00Z", overdue=True, days_left=-7)
    waiting = application(id="app-3", status="submitted", due_at="2026-11-29T12:00:00Z", overdue=False, days_left=5)
    services.registry.answer("GET", "/api/v1/applications", {"total": 3, "items": [overdue, waiting, application()]})
    clerk(portal)
    page = portal.get("/clerk/applications?overdue=1&status=submitted&centre=varna").get_data(as_text=True)
    assert "Заявления за разглеждане: Регионален център Пловдив" in page
    assert '<span class="overdue">Просрочено с 7 дни</span>' in page
    assert "Остават 5 дни" in page
    assert "Срокът е спрян до повторното подаване от заявителя" in page
    assert 'href="/clerk/applications/app-2"' in page
    params = services.registry.sent("GET", "/api/v1/applications")[0].params
    assert params["overdue"] == "true" and params["status"] == "submitted"
    assert params["centre"] == ""  # a centre's clerk sees their own centre's queue only
    assert 'name="centre"' not in page


def test_a_national_clerk_picks_a_centre(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", "/api/v1/applications", {"total": 0, "items": []})
    clerk(portal, centre="national")
    page = portal.get("/clerk/applications?centre=varna").get_data(as_text=True)
    assert services.registry.sent("GET", "/api/v1/applications")[0].params["centre"] == "varna"
    assert '<option value="varna" selected>' in page
    assert "Няма чакащи заявления." in page


def test_the_queue_is_for_clerks(portal: FlaskClient) -> None:
    sign_in(portal, "representative")
    assert portal.get("/clerk/applications").status_code == 403


def test_the_review_shows_rules_details_and_the_file_history(portal: FlaskClient, services: Any) -> None:
    reviewing(services, status="submitted", due_at="2026-11-29T12:00:00Z", days_left=5)
    clerk(portal)
    page = portal.get(f"/clerk/applications/{APP_ID}").get_data(as_text=True)
    assert "A2. Управление с участие</strong>\n    — не е изпълнен" in page
    assert "Разходи за социални цели (евро)</dt><dd>1600,50" in page.replace("\xa0", "")
    assert "Продължително безработни: 4" in page
    assert "Центърът изиска допълнителна информация" in page
    assert "Георги Атанасов (Служител на центъра)" in page
    assert "Одобри заявлението" in page and "Изпрати искането" in page and "Откажи вписването" in page
    assert 'name="order_date" type="date"' in page


def test_approving_sends_the_order_and_says_the_registration_number(portal: FlaskClient, services: Any) -> None:
    reviewing(services, status="submitted")
    services.registry.answer(
        "POST", f"/api/v1/applications/{APP_ID}/approve", application(status="approved", registration_number="СП-00033")
    )
    clerk(portal)
    response = portal.post(
        f"/clerk/applications/{APP_ID}/approve",
        data={"order_number": " РД01-777 ", "order_date": "23.11.2026", "confirm_approval": "1"},
    )
    assert response.headers["Location"] == f"/clerk/applications/{APP_ID}"
    assert services.registry.sent("POST", f"/api/v1/applications/{APP_ID}/approve")[0].json == {
        "order_number": "РД01-777",
        "order_date": "2026-11-23",
    }
    page = portal.get(response.headers["Location"]).get_data(as_text=True)
    assert "предприятието е вписано в регистъра под номер СП-00033" in page


def test_an_order_without_number_or_with_a_wrong_date_is_not_sent(portal: FlaskClient, services: Any) -> None:
    reviewing(services, status="submitted")
    clerk(portal)
    response = portal.post(
        f"/clerk/applications/{APP_ID}/approve", data={"order_number": "", "order_date": "31.02.2026"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-order_number"' in page and "Въведете номера на заповедта." in page
    assert 'id="e-order_date"' in page and "Въведете дата, напр. 23.11.2026." in page
    assert not services.registry.sent("POST", f"/api/v1/applications/{APP_ID}/approve")


def test_a_conflict_on_approval_is_shown_on_the_page_in_its_language(portal: FlaskClient, services: Any) -> None:
    reviewing(services, status="submitted")
    services.registry.answer(
        "POST", f"/api/v1/applications/{APP_ID}/approve", refusal(409, message="Критериите не са изпълнени (A2).")
    )
    clerk(portal)
    data = {"order_number": "РД01-1", "order_date": "2026-11-23", "confirm_approval": "1"}
    response = portal.post(f"/clerk/applications/{APP_ID}/approve", data=data)
    assert response.status_code == 409
    assert "Критериите не са изпълнени (A2)." in response.get_data(as_text=True)
    english = portal.post(f"/clerk/applications/{APP_ID}/approve?lang=en", data=data).get_data(as_text=True)
    assert "EN Критериите не са изпълнени (A2)." in english


def test_a_conflict_for_a_form_no_longer_shown_is_still_said(portal: FlaskClient, services: Any) -> None:
    reviewing(services)  # information requested: no approval form on the page
    services.registry.answer("POST", f"/api/v1/applications/{APP_ID}/approve", refusal(409, message="Не може."))
    clerk(portal)
    response = portal.post(
        f"/clerk/applications/{APP_ID}/approve",
        data={"order_number": "РД01-1", "order_date": "2026-11-23", "confirm_approval": "1"},
    )
    assert response.status_code == 409
    assert '<p class="flash flash-error">Не може.</p>' in response.get_data(as_text=True)


def test_requesting_information_and_refusing_send_their_texts(portal: FlaskClient, services: Any) -> None:
    reviewing(services, status="submitted")
    services.registry.answer("POST", f"/api/v1/applications/{APP_ID}/request-information", application())
    services.registry.answer("POST", f"/api/v1/applications/{APP_ID}/reject", application(status="rejected"))
    clerk(portal)
    asked = portal.post(f"/clerk/applications/{APP_ID}/request-information", data={"message": "Приложете отчета."})
    assert asked.status_code == 302
    sent = services.registry.sent("POST", f"/api/v1/applications/{APP_ID}/request-information")[0].json
    assert sent == {"message": "Приложете отчета."}
    refused = portal.post(
        f"/clerk/applications/{APP_ID}/reject",
        data={"reasons": "Няма протокол.\n\nНевярна сума.\n", "confirm_refusal": "1"},
    )
    assert refused.status_code == 302
    assert services.registry.sent("POST", f"/api/v1/applications/{APP_ID}/reject")[0].json == {
        "reasons": ["Няма протокол.", "Невярна сума."]
    }
    empty = portal.post(f"/clerk/applications/{APP_ID}/reject", data={"reasons": " "})
    assert "Посочете поне едно основание за отказа." in empty.get_data(as_text=True)


def test_deleting_an_entry_sends_the_order_and_reason_code(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", f"/api/v1/enterprises/{ENTERPRISE}/file", {**FILE, "entry": ENTRY})
    services.registry.answer("POST", f"/api/v1/enterprises/{ENTERPRISE}/deletion", {})
    clerk(portal)
    page = portal.get(f"/clerk/enterprises/{ENTERPRISE}").get_data(as_text=True)
    assert '<option value="own_request">По искане на предприятието</option>' in page
    assert "Заличи от регистъра" in page
    missing = portal.post(f"/clerk/enterprises/{ENTERPRISE}/deletion", data={"order_date": "2026-11-23"})
    assert "Изберете основание за заличаването." in missing.get_data(as_text=True)
    data = {"reason_code": "own_request", "order_number": "РД01-999", "order_date": "2026-11-24", "note": "С писмо.",
            "confirm_deletion": "1"}  # fmt: skip
    done = portal.post(f"/clerk/enterprises/{ENTERPRISE}/deletion", data=data, follow_redirects=True)
    assert services.registry.sent("POST", f"/api/v1/enterprises/{ENTERPRISE}/deletion")[0].json == {
        "order_number": "РД01-999",
        "order_date": "2026-11-24",
        "reason_code": "own_request",
        "note": "С писмо.",
    }
    assert "Предприятието е заличено от регистъра със заповед № РД01-999." in done.get_data(as_text=True)


def test_a_clerk_without_a_centre_is_refused_not_shown_every_centre(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", "/api/v1/applications", {"total": 1, "items": [application()]})
    reviewing(services)
    sign_in(portal, "clerk", subject="demo-clerk", name="Георги Атанасов")
    for path in ("/clerk/applications", "/clerk/applications?centre=varna", f"/clerk/applications/{APP_ID}",
                 f"/clerk/enterprises/{ENTERPRISE}"):  # fmt: skip
        response = portal.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == 403, path
        assert "не посочва регионален център" in page
        assert "Социална" not in page
    assert portal.post(f"/clerk/applications/{APP_ID}/approve", data={"order_number": "РД-1"}).status_code == 403
    assert services.registry.sent("GET", "/api/v1/applications") == []
    assert services.registry.sent("POST", f"/api/v1/applications/{APP_ID}/approve") == []


def test_the_review_shows_competing_applications_for_the_same_eik(portal: FlaskClient, services: Any) -> None:
    competing = [
        {"enterprise_id": "ent-9", "application_id": "app-9", "name": "Друга пекарна", "status": "submitted",
         "status_bg": "подадено", "centre": "plovdiv", "submitted_at": "2026-11-10T09:00:00Z",
         "registration_number": None, "register_status": None},
    ]  # fmt: skip
    reviewing(services, competing_applications=competing)
    clerk(portal)
    page = portal.get(f"/clerk/applications/{APP_ID}").get_data(as_text=True)
    assert "Други заявления за ЕИК" in page
    assert 'href="/clerk/applications/app-9">Друга пекарна</a>' in page
    assert re.search(r"Друга пекарна</a>\s*— Подадено, очаква решение, подадено \d", page)


READS = {
    "total": 2,
    "page": 1,
    "per_page": 50,
    "retention_days": 730,
    "items": [
        {"at": "2026-11-20T10:00:00Z", "view": "application", "enterprise_id": ENTERPRISE, "application_id": APP_ID,
         "reader": {"subject": "clerk-georgi", "name": "Георги Атанасов", "role": "clerk", "centre": "plovdiv"}},
        {"at": "2026-11-20T09:00:00Z", "view": "file", "enterprise_id": ENTERPRISE, "application_id": None,
         "reader": {"subject": "demo-admin", "name": "Анна", "role": "admin", "centre": None}},
    ],
}  # fmt: skip


def test_administrators_see_who_read_personal_data(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", "/api/v1/audit/reads", READS)
    sign_in(portal, "admin", subject="demo-admin", name="Анна")
    page = portal.get(f"/admin/reads?enterprise_id={ENTERPRISE}&reader=%3Cscript%3E").get_data(as_text=True)
    params = services.registry.sent("GET", "/api/v1/audit/reads")[0].params
    assert params["enterprise_id"] == ENTERPRISE and "reader" not in params
    assert "Прегледи на лични данни" in page and "Записите се пазят 730 дни" in page
    assert "Георги Атанасов" in page and "Регионален център Пловдив" in page
    assert f'href="/clerk/applications/{APP_ID}">Заявлението</a>' in page
    assert "2 прегледа" in page
    assert 'href="/admin/reads"' in page  # in the administrator's menu


def test_the_reads_of_personal_data_are_for_administrators_only(portal: FlaskClient, services: Any) -> None:
    clerk(portal)
    assert portal.get("/admin/reads").status_code == 403
    assert services.registry.sent("GET", "/api/v1/audit/reads") == []


def test_approval_refusal_and_deletion_are_not_sent_without_their_confirmation(
    portal: FlaskClient, services: Any
) -> None:
    reviewing(services, status="submitted")
    services.registry.answer("GET", f"/api/v1/enterprises/{ENTERPRISE}/file", {**FILE, "entry": ENTRY})
    clerk(portal)
    page = portal.get(f"/clerk/applications/{APP_ID}").get_data(as_text=True)
    assert 'type="checkbox" id="f-confirm_approval" name="confirm_approval"' in page
    assert 'type="checkbox" id="f-confirm_refusal" name="confirm_refusal"' in page
    forms = {
        f"/clerk/applications/{APP_ID}/approve": ({"order_number": "РД01-1", "order_date": "2026-11-23"},
                                                   "Потвърждение на одобрението"),
        f"/clerk/applications/{APP_ID}/reject": ({"reasons": "Няма протокол."}, "Потвърждение на отказа"),
        f"/clerk/enterprises/{ENTERPRISE}/deletion": ({"reason_code": "own_request", "order_number": "РД01-9",
                                                      "order_date": "2026-11-24"}, "Потвърждение на заличаването"),
    }  # fmt: skip
    for path, (data, label) in forms.items():
        response = portal.post(path, data=data)
        said = response.get_data(as_text=True)
        assert response.status_code == 422, path
        assert f"{label}: Отбележете полето, за да потвърдите този правен акт" in said, path
        assert 'value="РД01-' in said or "Няма протокол." in said, path  # what was typed is kept
    for path in ("/api/v1/applications/{}/approve", "/api/v1/applications/{}/reject"):
        assert services.registry.sent("POST", path.format(APP_ID)) == []
    assert services.registry.sent("POST", f"/api/v1/enterprises/{ENTERPRISE}/deletion") == []
