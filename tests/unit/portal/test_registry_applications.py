"""A representative's applications: the form with every rule's outcome, drafts, submission, answers, amends,
withdrawal, and the yearly report of a registered enterprise."""

from __future__ import annotations

import copy
from typing import Any

from flask.testing import FlaskClient

from services.portal.forms import UNREADABLE
from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal

APP_ID = "app-1"
ENTERPRISE = "ent-1"
RULES = {
    "class_a_met": False,
    "class_a_plus_met": False,
    "requested_met": False,
    "highest_class": None,
    "rules": [
        {
            "code": "A1",
            "passed": True,
            "rule": {"bg": "Социална дейност", "en": "A social activity"},
            "detail": {"bg": "Доказано: да.", "en": "Evidenced: yes."},
        },
        {
            "code": "A2",
            "passed": False,
            "rule": {"bg": "Управление с участие", "en": "Participatory management"},
            "detail": {"bg": "Доказано: не.", "en": "Evidenced: no."},
        },
        {
            "code": "A3a",
            "passed": False,
            "rule": {"bg": "Над половината за социални цели", "en": "Over half"},
            "detail": {"bg": "Разходи €1 600.00", "en": "Spent €1 600.00"},
        },
        {
            "code": "A3b",
            "passed": True,
            "rule": {"bg": "Поне 30% уязвими", "en": "At least 30% vulnerable"},
            "detail": {"bg": "4 от 9 души (44.4%)", "en": "4 of 9 staff (44.4%)"},
        },
        {
            "code": "P1",
            "passed": False,
            "rule": {"bg": "Безработица", "en": "Unemployment"},
            "detail": {"bg": "Доказано: не.", "en": "Evidenced: no."},
        },
    ],
}
DETAILS = {
    "name": "Социална работилница „Тепетата“ ООД",
    "legal_form": "cooperative",
    "eik": "200614833",
    "seat": {
        "district": "BG-16",
        "municipality": "Пловдив",
        "settlement": "Пловдив",
        "address": "ул. „Капитан Райчо“ 40",
        "postcode": "4000",
    },
    "contacts": {"email": "tepeta@example.bg", "phone": "", "website": "", "email_public": True, "phone_public": False},
    "representative": {"full_name": "Петя Василева", "position": "управител"},
    "activities": ["реставрация на мебели", "тапицерски услуги"],
    "description": "Обновява дарени мебели.",
}
APPLICATION = {
    "id": APP_ID,
    "enterprise_id": ENTERPRISE,
    "version": 3,
    "kind": "registration",
    "status": "information_requested",
    "status_bg": "изискана информация",
    "details": DETAILS,
    "placement": {
        "district": {"code": "BG-16", "name_bg": "Пловдив", "name_en": "Plovdiv"},
        "region": {"code": "BG42", "name_bg": "Южен централен", "name_en": "South-Central"},
        "centre": {"id": "plovdiv", "name_bg": "Регионален център Пловдив", "name_en": "Plovdiv regional centre"},
    },
    "requested_class": "A",
    "class_a_route": "employment",
    "a_plus_criterion": None,
    "evidence": {"social_activity_evidenced": True, "participatory_management": False,
                 "after_tax_result_cents": 350000, "social_spending_cents": 160050, "staff_count": 9,
                 "vulnerable_staff": {"long_term_unemployed": 4}, "vulnerable_staff_continuous_6m": 2,
                 "unemployment_area": False},
    "created_at": "2026-11-03T07:37:00Z",
    "submitted_at": "2026-11-09T12:00:00Z",
    "due_at": None,
    "overdue": False,
    "days_left": None,
    "information_requests": [{"message": "Моля, приложете протокол от общото събрание.", "answer": "",
                              "requested_at": "2026-11-17T09:00:00Z", "answered_at": None,
                              "requested_by": "demo-clerk-plovdiv"}],
    "decision": None,
    "eligibility": RULES,
}  # fmt: skip
FORM = {
    "details.name": "Социална пекарна „Добро“ ООД",
    "details.legal_form": "cooperative",
    "details.eik": "354632049",
    "details.seat.district": "BG-16",
    "details.seat.municipality": "Пловдив",
    "details.seat.settlement": "Пловдив",
    "details.seat.address": "ул. „Тестова“ 1",
    "details.seat.postcode": "",
    "details.contacts.email": "dobro@example.bg",
    "details.contacts.email_public": "1",
    "details.representative.full_name": "Иван Тестов",
    "details.activities": "хлебопроизводство\n\n  кетъринг  \n",
    "requested_class": "A",
    "class_a_route": "employment",
    "a_plus_criterion": "unemployment_area",
    "evidence.social_activity_evidenced": "1",
    "evidence.after_tax_result_cents": "12 500,50",
    "evidence.social_spending_cents": "8000",
    "evidence.staff_count": "10",
    "evidence.vulnerable_staff.long_term_unemployed": "3",
    "evidence.vulnerable_staff_continuous_6m": "",
}


def application(**changes: Any) -> dict[str, Any]:
    item = copy.deepcopy(APPLICATION)
    item.update(changes)
    return item


def representative(portal: FlaskClient, enterprise_id: str | None = None) -> None:
    sign_in(portal, "representative", subject="demo-rep-37", name="Петя Василева", enterprise_id=enterprise_id)


# ---------------------------------------------------------------------- the list
def test_the_list_needs_a_signed_in_representative(portal: FlaskClient) -> None:
    response = portal.get("/my/applications")
    assert response.status_code == 302
    assert "/sign-in?next=/my/applications" in response.headers["Location"]


def test_the_list_shows_each_application_s_status_and_the_start_button(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", "/api/v1/applications", {"total": 1, "items": [application()]})
    representative(portal)
    page = portal.get("/my/applications").get_data(as_text=True)
    assert "Социална работилница „Тепетата“ ООД" in page
    assert "Изискана информация" in page
    assert "Срокът е спрян до повторното подаване от заявителя" in page
    assert 'href="/my/applications/new">Започни заявление</a>' in page
    assert "Подай годишната информация" not in page

    representative(portal, enterprise_id=ENTERPRISE)
    assert 'href="/my/applications/annual-report"' in portal.get("/my/applications").get_data(as_text=True)


# ---------------------------------------------------------------------- the form and its check
def test_checking_the_criteria_sends_the_figures_in_cents_and_shows_every_rule(
    portal: FlaskClient, services: Any
) -> None:
    services.registry.answer("POST", "/api/v1/eligibility", RULES)
    representative(portal)
    response = portal.post("/my/applications/new", data={**FORM, "then": "check"})
    page = response.get_data(as_text=True)
    sent = services.registry.sent("POST", "/api/v1/eligibility")[0].json
    assert sent == {
        "requested_class": "A",
        "class_a_route": "employment",
        "evidence": {
            "social_activity_evidenced": True,
            "participatory_management": False,
            "unemployment_area": False,
            "after_tax_result_cents": 1250050,
            "social_spending_cents": 800000,
            "staff_count": 10,
            "vulnerable_staff_continuous_6m": 0,
            "vulnerable_staff": {"long_term_unemployed": 3},
        },
    }
    assert '<div id="outcomes" aria-live="polite">' in page
    assert 'data-live-url="/my/applications/eligibility" data-live-target="outcomes"' in page
    assert "Критериите не са изпълнени" in page
    assert '<li class="fail">' in page and "A2. Управление с участие</strong>\n    — не е изпълнен" in page
    assert "A3b. Поне 30% уязвими</strong>\n    — изпълнен" in page
    assert "Други критерии (не са нужни за избрания клас и основание)" in page
    assert 'value="12 500,50"' in page
    assert not services.registry.sent("POST", "/api/v1/applications")


def test_the_live_check_returns_only_the_outcomes_in_the_page_language(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("POST", "/api/v1/eligibility", RULES)
    representative(portal)
    fragment = portal.post("/my/applications/eligibility?lang=en", data=FORM).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Criteria not met" in fragment
    assert "A2. Participatory management" in fragment and "not met" in fragment


def test_the_live_check_never_puts_a_sign_in_page_into_the_form(portal: FlaskClient, services: Any) -> None:
    response = portal.post("/my/applications/eligibility", data=FORM)
    assert response.status_code == 401
    assert not services.registry.sent("POST", "/api/v1/eligibility")


def test_a_figure_that_is_not_a_number_is_reported_next_to_its_input(portal: FlaskClient, services: Any) -> None:
    representative(portal)
    form = {**FORM, "evidence.after_tax_result_cents": "дванадесет", "evidence.social_spending_cents": "NaN",
            "evidence.staff_count": "-2"}  # fmt: skip
    response = portal.post("/my/applications/new", data={**form, "then": "save"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-evidence-after_tax_result_cents"' in page
    assert "Резултат след данъци (евро): Въведете сума в евро, напр. 12,50." in page
    assert "Въведете нула или повече лица." in page
    assert 'id="e-evidence-social_spending_cents"' in page
    (sent,) = services.registry.sent("POST", "/api/v1/applications")  # only to hear about the other fields
    assert sent.json["evidence"]["staff_count"] == UNREADABLE  # which the service refuses, saving nothing


def test_a_bad_staff_count_does_not_hide_an_invalid_eik_every_error_shows_in_field_order(
    portal: FlaskClient, services: Any
) -> None:
    services.registry.answer(
        "POST",
        "/api/v1/applications",
        refusal(422, {"evidence.staff_count": "Not a valid integer.", "details.eik": "Невалиден ЕИК."}),
    )
    services.registry.answer("POST", "/api/v1/eligibility", RULES)
    representative(portal)
    form = {**FORM, "details.eik": "123456789", "evidence.staff_count": "-2", "then": "save"}
    response = portal.post("/my/applications/new", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = page[page.index('id="error-summary"') : page.index("</ul>", page.index('id="error-summary"'))]
    eik, staff = summary.index('href="#f-details-eik"'), summary.index('href="#f-evidence-staff_count"')
    assert eik < staff  # in the order of the form, the ЕИК above the figures
    assert "Невалиден ЕИК." in summary and "Въведете нула или повече лица." in summary
    assert "Not a valid integer." not in page  # the portal's own words for what it could not read
    (sent,) = services.registry.sent("POST", "/api/v1/applications")
    assert sent.json["evidence"]["staff_count"] == UNREADABLE and sent.json["details"]["eik"] == "123456789"


def test_saving_a_draft_sends_the_nested_details_and_opens_the_application(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("POST", "/api/v1/applications", application(status="draft"))
    representative(portal)
    response = portal.post("/my/applications/new", data={**FORM, "then": "save"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/my/applications/{APP_ID}"
    body = services.registry.sent("POST", "/api/v1/applications")[0].json
    assert body["details"]["seat"] == {
        "district": "BG-16",
        "municipality": "Пловдив",
        "settlement": "Пловдив",
        "address": "ул. „Тестова“ 1",
    }
    assert body["details"]["activities"] == ["хлебопроизводство", "кетъринг"]
    assert body["details"]["contacts"]["email_public"] is True
    assert body["details"]["contacts"]["phone_public"] is False
    assert "a_plus_criterion" not in body  # only for class A+
    assert body["evidence"]["after_tax_result_cents"] == 1250050
    services.registry.answer("GET", f"/api/v1/applications/{APP_ID}", application(status="draft"))
    page = portal.get(response.headers["Location"]).get_data(as_text=True)
    assert "Черновата на заявлението е запазена." in page
    assert "Подай заявлението" in page


def test_the_service_s_refusal_lands_next_to_each_input_in_bg_and_en(portal: FlaskClient, services: Any) -> None:
    services.registry.answer(
        "POST",
        "/api/v1/applications",
        refusal(
            422,
            {
                "details.eik": "Невалиден ЕИК.",
                "details.activities.1": "Твърде дълго.",
                "class_a_route": "Задължително поле.",
            },
        ),
    )
    services.registry.answer("POST", "/api/v1/eligibility", RULES)
    representative(portal)
    page = portal.post("/my/applications/new", data={**FORM, "then": "save"}).get_data(as_text=True)
    assert 'id="e-details-eik"' in page and "Невалиден ЕИК." in page
    assert 'id="e-details-activities"' in page and "Твърде дълго." in page
    assert 'href="#f-class_a_route">Основание за клас A: Задължително поле.</a>' in page
    english = portal.post("/my/applications/new?lang=en", data={**FORM, "then": "save"}).get_data(as_text=True)
    assert "EN Невалиден ЕИК." in english
    assert "Class A route: EN Задължително поле." in english


# ---------------------------------------------------------------------- one application
def test_a_refused_application_shows_the_decision_and_its_reasons(portal: FlaskClient, services: Any) -> None:
    decision = {"decided_at": "2026-11-20T08:00:00Z", "order_number": "РД-01-77", "order_date": "2026-11-20",
                "certificate_number": None, "reasons": ["Няма доказана социална дейност."]}  # fmt: skip
    services.registry.answer("GET", f"/api/v1/applications/{APP_ID}", application(status="rejected", decision=decision))
    representative(portal)
    page = portal.get(f"/my/applications/{APP_ID}").get_data(as_text=True)
    assert "№ РД-01-77 от 20.11.2026 г." in page
    assert "<li>Няма доказана социална дейност.</li>" in page


def test_an_application_with_information_requested_offers_answer_amend_resubmit(
    portal: FlaskClient, services: Any
) -> None:
    services.registry.answer("GET", f"/api/v1/applications/{APP_ID}", application())
    representative(portal)
    page = portal.get(f"/my/applications/{APP_ID}").get_data(as_text=True)
    assert "Моля, приложете протокол от общото събрание." in page
    assert "Изпрати отговора" in page
    assert f'href="/my/applications/{APP_ID}/edit">Промени заявлението</a>' in page
    assert "Подай отново" in page and "Оттегли заявлението" in page
    assert "Срокът на центъра е спрян, докато не подадете заявлението отново." in page
    assert "A1. Социална дейност" in page


def test_an_answer_is_sent_and_an_empty_one_is_asked_for(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", f"/api/v1/applications/{APP_ID}", application())
    services.registry.answer("POST", f"/api/v1/applications/{APP_ID}/answer", application())
    representative(portal)
    empty = portal.post(f"/my/applications/{APP_ID}/answer", data={"answer": "  "})
    assert empty.status_code == 422
    assert "Напишете отговора си до центъра." in empty.get_data(as_text=True)
    done = portal.post(
        f"/my/applications/{APP_ID}/answer", data={"answer": "Прилагаме протокола."}, follow_redirects=True
    )
    assert services.registry.sent("POST", f"/api/v1/applications/{APP_ID}/answer")[0].json == {
        "answer": "Прилагаме протокола."
    }
    assert "Отговорът ви е изпратен." in done.get_data(as_text=True)


def test_amending_sends_details_request_and_version_and_maps_refusals_back(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", f"/api/v1/applications/{APP_ID}", application())
    representative(portal)
    form = portal.get(f"/my/applications/{APP_ID}/edit").get_data(as_text=True)
    assert 'name="expected_version" value="3"' in form
    assert 'value="1600,50"' in form
    assert 'name="evidence.vulnerable_staff.long_term_unemployed" type="text"\n         value="4"' in form

    services.registry.answer(
        "PATCH", f"/api/v1/applications/{APP_ID}", refusal(422, {"request.evidence.staff_count": "Твърде много."})
    )
    services.registry.answer("POST", "/api/v1/eligibility", RULES)
    refused = portal.post(f"/my/applications/{APP_ID}/edit", data={**FORM, "expected_version": "3", "then": "save"})
    assert refused.status_code == 422
    assert 'id="e-evidence-staff_count"' in refused.get_data(as_text=True)
    body = services.registry.sent("PATCH", f"/api/v1/applications/{APP_ID}")[0].json
    assert body["expected_version"] == 3
    assert body["request"]["evidence"]["staff_count"] == 10
    assert body["details"]["name"] == "Социална пекарна „Добро“ ООД"

    services.registry.answer("PATCH", f"/api/v1/applications/{APP_ID}", application())
    saved = portal.post(f"/my/applications/{APP_ID}/edit", data={**FORM, "expected_version": "3", "then": "save"})
    assert saved.headers["Location"] == f"/my/applications/{APP_ID}"


def test_a_conflict_on_submit_is_said_on_the_application_page(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", f"/api/v1/applications/{APP_ID}", application(status="submitted"))
    services.registry.answer(
        "POST", f"/api/v1/applications/{APP_ID}/submit", refusal(409, message="Не може да се подаде заявлението.")
    )
    representative(portal)
    page = portal.post(f"/my/applications/{APP_ID}/submit", follow_redirects=True).get_data(as_text=True)
    assert "Не може да се подаде заявлението." in page
    english = portal.post(f"/my/applications/{APP_ID}/submit?lang=en", follow_redirects=True).get_data(as_text=True)
    assert "EN Не може да се подаде заявлението." in english


def test_submitting_and_withdrawing_redirect_with_a_message(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("POST", f"/api/v1/applications/{APP_ID}/submit", application(information_requests=[]))
    services.registry.answer("POST", f"/api/v1/applications/{APP_ID}/withdraw", application(status="withdrawn"))
    services.registry.answer("GET", "/api/v1/applications", {"total": 0, "items": []})
    representative(portal)
    submitted = portal.post(f"/my/applications/{APP_ID}/submit")
    assert submitted.headers["Location"] == f"/my/applications/{APP_ID}"
    withdrawn = portal.post(f"/my/applications/{APP_ID}/withdraw", follow_redirects=True)
    assert "Заявлението е оттеглено." in withdrawn.get_data(as_text=True)


# ---------------------------------------------------------------------- the yearly report
REGISTERED_FILE = {
    "id": ENTERPRISE,
    "details": DETAILS,
    "entry": {"status": "active", "enterprise_class": "A", "class_a_route": "employment", "a_plus_criterion": None,
              "registration_number": "СП-00005", "annual_reports": [{"year": 2024}], "overdue_report_years": [2025]},
}  # fmt: skip


def test_the_yearly_report_is_sent_with_its_year_and_figures(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", f"/api/v1/enterprises/{ENTERPRISE}/file", REGISTERED_FILE)
    services.registry.answer("POST", f"/api/v1/enterprises/{ENTERPRISE}/annual-reports", {})
    representative(portal, enterprise_id=ENTERPRISE)
    form = portal.get("/my/applications/annual-report").get_data(as_text=True)
    assert "Просрочена годишна информация за: 2025" in form
    assert 'name="year" type="text"\n         value="2025"' in form
    data = {"year": "2025", "evidence.staff_count": "10", "evidence.after_tax_result_cents": "100,5", "note": "Добре."}
    done = portal.post("/my/applications/annual-report", data={**data, "then": "submit"})
    assert done.headers["Location"] == "/my/applications"
    body = services.registry.sent("POST", f"/api/v1/enterprises/{ENTERPRISE}/annual-reports")[0].json
    assert body["year"] == 2025 and body["note"] == "Добре."
    assert body["evidence"]["after_tax_result_cents"] == 10050


def test_a_yearly_report_already_given_is_said_on_the_form(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", f"/api/v1/enterprises/{ENTERPRISE}/file", REGISTERED_FILE)
    services.registry.answer(
        "POST", f"/api/v1/enterprises/{ENTERPRISE}/annual-reports", refusal(409, message="Вече е подадена.")
    )
    services.registry.answer("POST", "/api/v1/eligibility", RULES)
    representative(portal, enterprise_id=ENTERPRISE)
    response = portal.post("/my/applications/annual-report", data={"year": "2024", "then": "submit"})
    assert response.status_code == 409
    assert "Вече е подадена." in response.get_data(as_text=True)
    criteria = services.registry.sent("POST", "/api/v1/eligibility")[0].json
    assert (criteria["requested_class"], criteria["class_a_route"]) == ("A", "employment")


def test_the_yearly_report_needs_a_registered_enterprise(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", f"/api/v1/enterprises/{ENTERPRISE}/file", {**REGISTERED_FILE, "entry": None})
    representative(portal, enterprise_id=ENTERPRISE)
    page = portal.get("/my/applications/annual-report").get_data(as_text=True)
    assert "Това предприятие в момента не е вписано в регистъра." in page
    representative(portal)
    assert portal.get("/my/applications/annual-report").status_code == 403


def test_the_live_outcome_of_the_criteria_comes_before_the_long_form(portal: FlaskClient, services: Any) -> None:
    representative(portal)
    page = portal.get("/my/applications/new").get_data(as_text=True)
    outcome = page.index('id="outcomes-heading"')
    assert outcome < page.index('name="details.name"') < page.index('name="evidence.staff_count"')
    assert 'class="outcomes-panel"' in page  # kept in view beside the fields on a wide screen
