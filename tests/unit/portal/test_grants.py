"""Support for modernisation in the portal: the call's page and dashboard, the public list of awards, the plan
form (euro with a decimal comma, every problem at once at its field), the application with its eligibility,
the centre's staff and an evaluator's declaration and scores; each role's menu."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from flask.testing import FlaskClient

from services.portal.clients import Download
from services.portal.forms import UNREADABLE
from shared.clock import SOFIA
from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal

CALL_ID, APP_ID = "call-1", "app-1"
CALL = {
    "id": CALL_ID,
    "title": "Модернизация 2027",
    "status": "published",
    "budget_cents": 60000000,
    "envelopes": {"BG42": 10000000},
    "max_per_enterprise_cents": 4601627,
    "max_line_cents": 0,
    "categories": ["software", "hardware"],
    "opens_on": "2026-03-01",
    "closes_on": "2099-04-30",
    "criteria": [
        {"code": "need", "name_bg": "Обоснованост", "name_en": "Need", "weight": 60, "max_points": 10, "min_points": 3},
        {
            "code": "impact",
            "name_bg": "Въздействие",
            "name_en": "Impact",
            "weight": 40,
            "max_points": 10,
            "min_points": 0,
        },
    ],
    "pass_score": 50,
    "required_documents": [{"code": "offer", "name_bg": "Оферта", "name_en": "Offer"}],
}
FIGURES = {
    "call_id": CALL_ID,
    "regions": [
        {
            "region": "BG42",
            "budget_cents": 10000000,
            "committed_cents": 4601627,
            "contracted_cents": 150000,
            "paid_cents": 125050,
            "remaining_cents": 5398373,
            "enterprises_supported": 2,
            "enterprises_completed": 1,
            "enterprises_digitalised": 1,
        }
    ],
}


def application(status: str = "draft", **changes: Any) -> dict[str, Any]:
    return {
        "id": APP_ID,
        "call_id": CALL_ID,
        "enterprise_id": "ent-1",
        "enterprise_name": "Пекарна Житен клас",
        "region": "BG42",
        "centre": "plovdiv",
        "status": status,
        "lines": [
            {
                "id": "l1",
                "category": "software",
                "description": "Онлайн магазин",
                "quantity": 1,
                "unit_cost_cents": 125050,
                "vat": "recoverable",
                "eligible_cents": 125050,
            },
        ],
        "total_cents": 125050,
        "requested_cents": 125050,
        "declared_aid": [],
        "information_requests": [],
        "decision": None,
        "award": None,
        "deliveries": [],
        "payments": [],
        "paid_cents": 0,
        "completion": None,
        "eligibility": {
            "eligible": False,
            "rules": [
                {
                    "code": "register",
                    "passed": True,
                    "rule": {"bg": "Вписано в регистъра", "en": "In the register"},
                    "detail": {"bg": "активно", "en": "active"},
                },
                {
                    "code": "surveyed",
                    "passed": False,
                    "rule": {"bg": "Оценена дигитална зрялост", "en": "Surveyed"},
                    "detail": {"bg": "няма оценка", "en": "no assessment"},
                },
            ],
        },
        **changes,
    }


def _public(services: Any) -> None:
    services.grants.answer("GET", f"/api/v1/calls/{CALL_ID}", CALL)
    services.grants.answer("GET", f"/api/v1/calls/{CALL_ID}/figures", FIGURES)
    services.grants.answer("GET", "/api/v1/calls", {"items": [CALL]})


def test_the_call_page_shows_limits_criteria_documents_and_each_regions_figures_in_euro(
    portal: FlaskClient, services: Any
) -> None:
    _public(services)
    page = portal.get(f"/grants/calls/{CALL_ID}").get_data(as_text=True)
    assert "46\u00a0016,27\u00a0€" in page  # the most per enterprise, with a decimal comma
    assert "Обоснованост" in page and "тежест 60 %" in page and "Оферта" in page
    assert "1\u00a0250,50\u00a0€" in page  # paid in the region
    assert "Софтуер" in page and "Хардуер" in page
    assert f'href="/grants/calls/{CALL_ID}/figures.csv"' in page
    english = portal.get(f"/grants/calls/{CALL_ID}?lang=en").get_data(as_text=True)
    assert "€46,016.27" in english and "Need" in english


def test_the_figures_csv_is_for_bulgarian_spreadsheets(portal: FlaskClient, services: Any) -> None:
    _public(services)
    response = portal.get(f"/grants/calls/{CALL_ID}/figures.csv")
    text = response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    assert text.startswith("\ufeffРайон;Код на района;Бюджет (€);")
    assert "Южен централен;BG42;100000,00;46016,27;1500,00;1250,50;53983,73;2;1;1" in text


def test_the_public_list_of_awards_and_its_csv(portal: FlaskClient, services: Any) -> None:
    award = {
        "application_id": APP_ID,
        "beneficiary": "Пекарна Житен клас",
        "enterprise_id": "ent-1",
        "amount_cents": 4601627,
        "awarded_on": "2027-03-10",
        "contract_number": "BG-RRP-2027-0001",
        "call_id": CALL_ID,
        "call_title": "Модернизация 2027",
        "region": "BG42",
        "status": "contracted",
    }
    services.grants.answer("GET", "/api/v1/awards", {"items": [award]})
    services.grants.answer("GET", "/api/v1/awards.csv", Download(b"\xef\xbb\xbfx;y\r\n", "text/csv", "awards.csv"))
    page = portal.get("/grants/awards").get_data(as_text=True)
    assert "Пекарна Житен клас" in page and "46\u00a0016,27\u00a0€" in page and "BG-RRP-2027-0001" in page
    assert portal.get("/grants/awards.csv").data == b"\xef\xbb\xbfx;y\r\n"


def test_the_plan_form_shows_every_problem_at_once_at_its_row(portal: FlaskClient, services: Any) -> None:
    """The portal's own reading (an amount that is no number) and the service's (too much on another line)
    together, each at its row; the service is asked anyway, with the unreadable amount marked, and keeps nothing."""
    sign_in(portal, "representative", enterprise_id="ent-1")
    _public(services)
    services.grants.answer(
        "POST", "/api/v1/applications", refusal(422, {"lines.1.unit_cost_cents": "Над най-много за предприятие."})
    )
    form = {
        "lines.0.category": "software",
        "lines.0.description": "Счетоводен софтуер",
        "lines.0.quantity": "2",
        "lines.0.unit_cost": "12,5x",
        "lines.0.vat": "recoverable",
        "lines.1.category": "hardware",
        "lines.1.description": "Лаптопи",
        "lines.1.quantity": "3",
        "lines.1.unit_cost": "50 000,50",
        "lines.1.vat": "non_recoverable",
        "lines.2.category": "software",
        "lines.2.vat": "recoverable",
    }
    response = portal.post(f"/my/grants/calls/{CALL_ID}/apply", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-lines-0-unit_cost"' in page and "Въведете сума в евро" in page
    assert 'id="e-lines-1-unit_cost"' in page and "Над най-много за предприятие." in page
    (sent,) = services.grants.sent("POST", "/api/v1/applications")
    assert len(sent.json["lines"]) == 2  # the empty third row is no line
    assert sent.json["lines"][0]["unit_cost_cents"] == UNREADABLE
    assert sent.json["lines"][1]["unit_cost_cents"] == 5000050
    assert 'value="12,5x"' in page  # what she typed stays


def test_a_plan_with_two_lines_is_saved_and_the_draft_shows_each_eligibility_rule(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "representative", enterprise_id="ent-1")
    _public(services)
    services.grants.answer("POST", "/api/v1/applications", application())
    services.grants.answer("GET", f"/api/v1/applications/{APP_ID}", application())
    form = {
        "lines.0.category": "software",
        "lines.0.description": "Онлайн магазин",
        "lines.0.quantity": "1",
        "lines.0.unit_cost": "1 250,50",
        "lines.0.vat": "recoverable",
        "lines.1.category": "hardware",
        "lines.1.description": "Таблет",
        "lines.1.quantity": "2",
        "lines.1.unit_cost": "300",
        "lines.1.vat": "not_applicable",
    }
    response = portal.post(f"/my/grants/calls/{CALL_ID}/apply", data=form)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/my/grants/applications/{APP_ID}")
    (sent,) = services.grants.sent("POST", "/api/v1/applications")
    assert sent.json == {
        "call_id": CALL_ID,
        "lines": [
            {
                "category": "software",
                "description": "Онлайн магазин",
                "vat": "recoverable",
                "quantity": 1,
                "unit_cost_cents": 125050,
            },
            {
                "category": "hardware",
                "description": "Таблет",
                "vat": "not_applicable",
                "quantity": 2,
                "unit_cost_cents": 30000,
            },
        ],
    }
    page = portal.get(f"/my/grants/applications/{APP_ID}").get_data(as_text=True)
    assert "✓ изпълнен: Вписано в регистъра — активно" in page
    assert "✗ не е изпълнен: Оценена дигитална зрялост — няма оценка" in page
    assert f'action="/my/grants/applications/{APP_ID}/submit"' in page


def test_the_applicant_answers_a_request_and_later_sees_the_award_and_payments(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "representative", enterprise_id="ent-1")
    _public(services)
    asked = application(
        "information_requested",
        eligibility=None,
        information_requests=[
            {"asked_at": "2027-03-05T09:00:00+00:00", "text": "Приложете оферта.", "answered_at": None, "answer": None}
        ],
    )
    services.grants.answer("GET", f"/api/v1/applications/{APP_ID}", asked)
    page = portal.get(f"/my/grants/applications/{APP_ID}").get_data(as_text=True)
    assert "Приложете оферта." in page and f'action="/my/grants/applications/{APP_ID}/answer"' in page
    services.grants.answer("POST", f"/api/v1/applications/{APP_ID}/answer", application("administrative_check"))
    response = portal.post(f"/my/grants/applications/{APP_ID}/answer", data={"text": "Приложена."})
    assert response.status_code == 302
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/answer")[0].json == {"text": "Приложена."}

    paid = application(
        "in_implementation",
        eligibility=None,
        award={
            "amount_cents": 4601627,
            "awarded_on": "2027-03-10",
            "contract_number": "BG-RRP-2027-0001",
            "signed_on": "2027-03-20",
        },
        payments=[{"kind": "advance", "amount_cents": 1380488, "paid_on": "2027-03-25"}],
        paid_cents=1380488,
    )
    services.grants.answer("GET", f"/api/v1/applications/{APP_ID}", paid)
    page = portal.get(f"/my/grants/applications/{APP_ID}").get_data(as_text=True)
    assert "BG-RRP-2027-0001" in page and "Авансово плащане" in page and "13\u00a0804,88\u00a0€" in page


def test_an_evaluator_declares_no_conflict_and_scores_against_the_rubric(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "clerk", subject="evaluator-1", centre="varna")
    _public(services)
    assigned = application("evaluation", eligibility=None)  # another centre's: no staff view
    services.grants.answer("GET", "/api/v1/applications", {"items": [assigned]})
    services.grants.answer("GET", f"/api/v1/applications/{APP_ID}", assigned)
    listed = portal.get("/clerk/grants/evaluations").get_data(as_text=True)
    assert f'href="/clerk/grants/applications/{APP_ID}"' in listed
    services.grants.answer("POST", f"/api/v1/applications/{APP_ID}/declaration", assigned)
    response = portal.post(f"/clerk/grants/applications/{APP_ID}/declaration", data={"conflict_of_interest": "no"})
    assert response.status_code == 302
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/declaration")[0].json == {
        "conflict_of_interest": False
    }
    # a score that is no number and a missing one: both at their fields, nothing sent
    response = portal.post(f"/clerk/grants/applications/{APP_ID}/scores", data={"points.need": "седем"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-points-need"' in page and 'id="e-points-impact"' in page
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/scores") == []
    services.grants.answer("POST", f"/api/v1/applications/{APP_ID}/scores", assigned)
    response = portal.post(
        f"/clerk/grants/applications/{APP_ID}/scores", data={"points.need": "8", "points.impact": "6", "comment": ""}
    )
    assert response.status_code == 302
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/scores")[0].json == {
        "points": {"need": 8, "impact": 6}
    }  # no comment typed: none sent (the service refuses an empty one)


def test_the_centres_staff_check_request_information_and_assign_evaluators(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "clerk", subject="clerk-plovdiv", centre="plovdiv")
    _public(services)
    checking = application("administrative_check", eligibility=None, evaluators=[])
    services.grants.answer("GET", "/api/v1/applications", {"items": [checking]})
    services.grants.answer("GET", f"/api/v1/applications/{APP_ID}", checking)
    assert f'href="/clerk/grants/applications/{APP_ID}"' in portal.get("/clerk/grants").get_data(as_text=True)
    page = portal.get(f"/clerk/grants/applications/{APP_ID}").get_data(as_text=True)
    assert "Допускане до оценка" in page and "Искане на информация" in page
    services.grants.answer(
        "POST", f"/api/v1/applications/{APP_ID}/request-information", refusal(422, {"text": "Задължително поле."})
    )
    response = portal.post(f"/clerk/grants/applications/{APP_ID}/request-information", data={"text": ""})
    assert response.status_code == 422 and 'id="e-text"' in response.get_data(as_text=True)
    evaluating = application("evaluation", eligibility=None, evaluators=[])
    services.grants.answer("GET", f"/api/v1/applications/{APP_ID}", evaluating)
    services.grants.answer("POST", f"/api/v1/applications/{APP_ID}/evaluators", evaluating)
    response = portal.post(f"/clerk/grants/applications/{APP_ID}/evaluators", data={"evaluator": " evaluator-1 "})
    assert response.status_code == 302
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/evaluators")[0].json == {
        "evaluator": "evaluator-1"
    }


def test_each_role_has_its_support_pages_in_the_menu(portal: FlaskClient, services: Any) -> None:
    _public(services)
    anonymous = portal.get("/grants").get_data(as_text=True)
    assert 'href="/grants"' in anonymous and "Модернизация 2027" in anonymous
    sign_in(portal, "representative", enterprise_id="ent-1")
    services.grants.answer("GET", "/api/v1/applications", {"items": []})
    assert 'href="/my/grants"' in portal.get("/grants").get_data(as_text=True)
    sign_in(portal, "clerk", centre="plovdiv")
    page = portal.get("/grants").get_data(as_text=True)
    assert 'href="/clerk/grants"' in page and 'href="/clerk/grants/evaluations"' in page
    menu = page[page.index("<nav") : page.index("</nav>")]
    assert '<a href="/clerk/grants/calls">Покани за подкрепа</a>' in menu  # the centre's staff rank there
    sign_in(portal, "clerk", subject="ministry-1", centre="national")
    menu = portal.get("/grants").get_data(as_text=True)
    assert '<a href="/clerk/grants/calls">Покани за подкрепа</a>' in menu[menu.index("<nav") : menu.index("</nav>")]
    sign_in(portal, "admin")
    menu = portal.get("/grants").get_data(as_text=True)
    assert '<a href="/clerk/grants/calls">Покани за подкрепа</a>' in menu[menu.index("<nav") : menu.index("</nav>")]


def test_a_representative_may_apply_to_a_call_only_while_its_window_is_open(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "representative", enterprise_id="ent-1")
    _public(services)
    apply = f'href="/my/grants/calls/{CALL_ID}/apply"'
    assert apply in portal.get(f"/grants/calls/{CALL_ID}").get_data(as_text=True)
    services.grants.answer("GET", f"/api/v1/calls/{CALL_ID}", {**CALL, "closes_on": "2026-01-31"})
    assert apply not in portal.get(f"/grants/calls/{CALL_ID}").get_data(as_text=True)


def test_the_ministry_closes_a_call_with_a_reason_and_everyone_then_reads_it_closed(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "clerk", subject="ministry-1", centre="national")
    _public(services)
    close = f"/clerk/grants/calls/{CALL_ID}/close"
    page = portal.get(f"/grants/calls/{CALL_ID}").get_data(as_text=True)
    assert "Отворена за кандидатстване" in page and f'action="{close}"' in page

    blank = portal.post(close, data={"reason": "  "})
    assert blank.status_code == 422 and 'id="e-reason"' in blank.get_data(as_text=True)
    assert "Посочете причината за закриването на поканата." in blank.get_data(as_text=True)
    assert services.grants.sent("POST", f"/api/v1/calls/{CALL_ID}/close") == []  # nothing sent
    services.grants.answer(
        "POST", f"/api/v1/calls/{CALL_ID}/close", refusal(409, message="Поканата вече е закрита на 05.12.2026.")
    )
    twice = portal.post(close, data={"reason": "Средствата са разпределени."})
    assert twice.status_code == 409 and "Поканата вече е закрита на 05.12.2026." in twice.get_data(as_text=True)

    closed = {
        **CALL,
        "status": "closed",
        "state": "closed",
        "closed_at": "2026-12-05T10:00:00+00:00",
        "close_reason": "Средствата са разпределени.",
    }
    services.grants.answer("POST", f"/api/v1/calls/{CALL_ID}/close", closed)
    done = portal.post(close, data={"reason": "Средствата са разпределени."}, follow_redirects=False)
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/grants/calls/{CALL_ID}")
    assert services.grants.sent("POST", f"/api/v1/calls/{CALL_ID}/close")[-1].json == {
        "reason": "Средствата са разпределени."
    }
    services.grants.answer("GET", f"/api/v1/calls/{CALL_ID}", closed)
    services.grants.answer("GET", "/api/v1/calls", {"items": [closed]})
    page = portal.get(f"/grants/calls/{CALL_ID}").get_data(as_text=True)
    assert "Закрита предсрочно от министерството" in page and "05.12.2026" in page
    assert "Средствата са разпределени." in page and f'action="{close}"' not in page
    assert "Закрита предсрочно от министерството" in portal.get("/clerk/grants/calls").get_data(as_text=True)
    sign_in(portal, "representative", enterprise_id="ent-1")
    page = portal.get("/grants").get_data(as_text=True)
    assert "Закрита предсрочно от министерството" in page
    assert f'href="/my/grants/calls/{CALL_ID}/apply"' not in portal.get(f"/grants/calls/{CALL_ID}").get_data(
        as_text=True
    )
    sign_in(portal, "clerk", subject="clerk-plovdiv", centre="plovdiv")
    services.grants.answer("GET", f"/api/v1/calls/{CALL_ID}", CALL)
    assert f'action="{close}"' not in portal.get(f"/grants/calls/{CALL_ID}").get_data(as_text=True)
    assert portal.post(close, data={"reason": "Край."}).status_code == 403


def test_the_dashboard_and_the_awards_list_name_the_regions_not_their_codes(portal: FlaskClient, services: Any) -> None:
    _public(services)
    page = portal.get(f"/grants/calls/{CALL_ID}").get_data(as_text=True)
    assert '<th scope="row">Южен централен (Пловдив)</th>' in page and ">BG42<" not in page
    award = {
        "application_id": APP_ID,
        "beneficiary": "Пекарна Житен клас",
        "enterprise_id": "ent-1",
        "amount_cents": 4601627,
        "awarded_on": "2027-03-10",
        "contract_number": None,
        "call_id": CALL_ID,
        "call_title": "Модернизация 2027",
        "region": "BG33",
        "status": "awarded",
    }
    services.grants.answer("GET", "/api/v1/awards", {"items": [award]})
    awards = portal.get("/grants/awards").get_data(as_text=True)
    assert "<td>Североизточен (Варна)</td><td>46\u00a0016,27\u00a0€</td>" in awards
    assert "South-Central (Plovdiv)" in portal.get(f"/grants/calls/{CALL_ID}?lang=en").get_data(as_text=True)


CALL_FORM = {
    "title": "Модернизация 2028",
    "budget": "600 000,00",
    "envelopes.BG42": "100 000",
    "envelopes.BG33": "",
    "max_per_enterprise": "46 016,27",
    "max_line": "",
    "categories": ["software", "hardware"],
    "opens_on": "2028-03-01",
    "closes_on": "30.04.2028",
    "criteria.0.name_bg": "Обоснованост",
    "criteria.0.name_en": "Need",
    "criteria.0.weight": "60",
    "criteria.0.max_points": "10",
    "criteria.0.min_points": "3",
    "criteria.2.name_bg": "Въздействие",
    "criteria.2.name_en": "Impact",
    "criteria.2.weight": "40",
    "criteria.2.max_points": "10",
    "pass_score": "50",
    "documents.0.name_bg": "Оферта",
    "documents.0.name_en": "Offer",
    "documents.0.at_submission": "1",
}


def test_the_ministry_publishes_a_call_with_every_problem_shown_at_its_field(
    portal: FlaskClient, services: Any
) -> None:
    """The portal's own reading (a budget that is no amount) and the service's (an envelope, the third form row's
    criterion, the window) together, each at its input; the service is asked anyway and keeps nothing."""
    sign_in(portal, "clerk", subject="ministry-1", centre="national")
    form = portal.get("/clerk/grants/calls/new").get_data(as_text=True)
    assert form.count('name="envelopes.') == 6 and "Южен централен (Пловдив)" in form
    assert 'value="46 016,27"' in form  # the most per enterprise the programme allows, offered
    services.grants.answer(
        "POST",
        "/api/v1/calls",
        refusal(
            422,
            {
                "envelopes.BG42.value": "Не е валидно цяло число.",
                "criteria.1.weight": "Тежестта е от 1 до 100.",
                "closes_on": "Краят е преди началото.",
            },
        ),
    )
    response = portal.post("/clerk/grants/calls/new", data={**CALL_FORM, "budget": "600 000,0x"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-budget"' in page and "Въведете сума в евро" in page
    assert 'id="e-envelopes-BG42"' in page and "Не е валидно цяло число." in page
    assert 'id="e-criteria-2-weight"' in page and "Тежестта е от 1 до 100." in page  # the form's third row
    assert 'id="e-closes_on"' in page and 'value="600 000,0x"' in page
    (sent,) = services.grants.sent("POST", "/api/v1/calls")
    assert sent.json["budget_cents"] == UNREADABLE and sent.json["closes_on"] == "2028-04-30"

    services.grants.answer("POST", "/api/v1/calls", {**CALL, "id": "call-2"})
    response = portal.post("/clerk/grants/calls/new", data=CALL_FORM)
    assert response.status_code == 302 and response.headers["Location"].endswith("/grants/calls/call-2")
    assert services.grants.sent("POST", "/api/v1/calls")[-1].json == {
        "title": "Модернизация 2028",
        "budget_cents": 60000000,
        "max_per_enterprise_cents": 4601627,
        "envelopes": {"BG42": 10000000},
        "categories": ["software", "hardware"],
        "opens_on": "2028-03-01",
        "closes_on": "2028-04-30",
        "pass_score": 50,
        "criteria": [
            {
                "code": "c1",
                "name_bg": "Обоснованост",
                "name_en": "Need",
                "weight": 60,
                "max_points": 10,
                "min_points": 3,
            },
            {"code": "c3", "name_bg": "Въздействие", "name_en": "Impact", "weight": 40, "max_points": 10},
        ],
        "required_documents": [{"code": "d1", "name_bg": "Оферта", "name_en": "Offer", "at_submission": True}],
    }
    sign_in(portal, "clerk", subject="clerk-plovdiv", centre="plovdiv")
    assert portal.get("/clerk/grants/calls/new").status_code == 403


def _staff(services: Any, shown: dict[str, Any]) -> None:
    _public(services)
    services.grants.answer("GET", f"/api/v1/applications/{APP_ID}", shown)


def test_the_centre_ranks_its_region_within_the_envelope_and_decides_with_reasons(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "clerk", subject="clerk-plovdiv", centre="plovdiv")
    ranked = application("ranked", eligibility=None, evaluators=[], rank=1, total_hundredths=7600)
    _staff(services, ranked)
    envelope = {"region": "BG42", "budget_cents": 10000000, "committed_cents": 0, "remaining_cents": 10000000}
    services.grants.answer("GET", f"/api/v1/calls/{CALL_ID}", {**CALL, "envelope_figures": [envelope]})
    services.grants.answer("GET", "/api/v1/applications", {"items": [ranked]})
    calls = portal.get("/clerk/grants/calls").get_data(as_text=True)
    assert f'href="/clerk/grants/calls/{CALL_ID}/regions/BG42"' in calls and "/regions/BG33" not in calls
    services.grants.answer(
        "POST",
        f"/api/v1/calls/{CALL_ID}/ranking",
        {"items": [{"application_id": APP_ID, "rank": 1, "proposal": "award"}]},
    )
    page = portal.post(f"/clerk/grants/calls/{CALL_ID}/regions/BG42", follow_redirects=True).get_data(as_text=True)
    assert services.grants.sent("POST", f"/api/v1/calls/{CALL_ID}/ranking")[0].json == {"region": "BG42"}
    assert "Класирано: В рамките на средствата" in page
    assert "100\u00a0000,00\u00a0€" in page and "76" in page

    # no decision chosen: said at its field, nothing sent
    response = portal.post(f"/clerk/grants/applications/{APP_ID}/decision", data={"reasons": "Добре"})
    assert response.status_code == 422 and 'id="e-decision"' in response.get_data(as_text=True)
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/award") == []
    services.grants.answer(
        "POST",
        f"/api/v1/applications/{APP_ID}/award",
        refusal(409, {"amount_cents": "Остават 500,00 € от 100 000,00 €."}, "Средствата за района не стигат."),
    )
    form = {"decision": "award", "amount": "1 000,00", "reasons": "Първо място."}
    response = portal.post(f"/clerk/grants/applications/{APP_ID}/decision", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="e-amount"' in page and "Остават 500,00 € от 100 000,00 €." in page
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/award")[0].json == {
        "amount_cents": 100000,
        "reasons": "Първо място.",
    }
    services.grants.answer("POST", f"/api/v1/applications/{APP_ID}/reserve", ranked)
    response = portal.post(
        f"/clerk/grants/applications/{APP_ID}/decision",
        data={"decision": "reserve", "amount": "", "reasons": "Резерва."},
    )
    assert response.status_code == 302
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/reserve")[0].json == {"reasons": "Резерва."}


def test_the_centre_signs_the_contract_records_a_delivery_and_a_payment_and_settles_a_change(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "clerk", subject="clerk-plovdiv", centre="plovdiv")
    award = {"amount_cents": 125050, "awarded_on": "2027-03-10", "contract_number": None, "signed_on": None}
    _staff(services, application("awarded", eligibility=None, evaluators=[], award=award))
    page = portal.get(f"/clerk/grants/applications/{APP_ID}").get_data(as_text=True)
    assert "Подписване на договора" in page and "1\u00a0250,50\u00a0€" in page
    today = datetime.now(SOFIA).date().isoformat()
    assert f'id="f-signed_on" name="signed_on" type="date"\n         value="{today}"' in page  # today, unless typed
    services.grants.answer("POST", f"/api/v1/applications/{APP_ID}/contract", {})
    assert (
        portal.post(f"/clerk/grants/applications/{APP_ID}/contract", data={"signed_on": "2027-03-20"}).status_code
        == 302
    )
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/contract")[0].json == {
        "signed_on": "2027-03-20"
    }

    signed = {**award, "contract_number": "ДП-2027-0001", "signed_on": "2027-03-20"}
    changes = [
        {
            "id": "ch1",
            "from_line": "l1",
            "to_line": "l2",
            "amount_cents": 50000,
            "reason": "Поевтиня.",
            "status": "pending",
        }
    ]
    lines = [*application()["lines"], {**application()["lines"][0], "id": "l2", "description": "Таблет"}]
    _staff(
        services,
        application("contracted", eligibility=None, evaluators=[], award=signed, lines=lines, changes=changes),
    )
    page = portal.get(f"/clerk/grants/applications/{APP_ID}").get_data(as_text=True)
    assert "ДП-2027-0001" in page and "500,00\u00a0€ от „Онлайн магазин“ към „Таблет“" in page
    services.grants.answer(
        "POST", f"/api/v1/applications/{APP_ID}/deliveries", refusal(422, {"invoice": "Задължително поле."})
    )
    delivery = {
        "delivery.line_id": "l1",
        "delivery.protocol": "ПП-12",
        "delivery.invoice": "",
        "delivery.amount": "1 250,5x",
        "delivery.delivered_on": "2027-04-02",
    }
    response = portal.post(f"/clerk/grants/applications/{APP_ID}/deliveries", data=delivery)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="e-delivery-amount"' in page and 'id="e-delivery-invoice"' in page and "Задължително поле." in page
    services.grants.answer("POST", f"/api/v1/applications/{APP_ID}/deliveries", {})
    delivery.update({"delivery.invoice": "Ф-0000123", "delivery.amount": "1 250,50"})
    assert portal.post(f"/clerk/grants/applications/{APP_ID}/deliveries", data=delivery).status_code == 302
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/deliveries")[-1].json == {
        "line_id": "l1",
        "protocol": "ПП-12",
        "invoice": "Ф-0000123",
        "amount_cents": 125050,
        "delivered_on": "2027-04-02",
    }
    services.grants.answer("POST", f"/api/v1/applications/{APP_ID}/payments", {})
    payment = {"payment.kind": "advance", "payment.amount": "375,15", "payment.paid_on": "02.04.2027"}
    assert portal.post(f"/clerk/grants/applications/{APP_ID}/payments", data=payment).status_code == 302
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/payments")[0].json == {
        "kind": "advance",
        "amount_cents": 37515,
        "paid_on": "2027-04-02",
    }
    services.grants.answer("POST", f"/api/v1/applications/{APP_ID}/changes/ch1", {})
    assert portal.post(f"/clerk/grants/applications/{APP_ID}/changes/ch1", data={"approve": "yes"}).status_code == 302
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/changes/ch1")[0].json == {"approve": True}


def test_the_representative_declares_aid_from_elsewhere_and_asks_to_move_money_between_lines(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "representative", enterprise_id="ent-1")
    aid = {"granted_on": "2026-05-04", "amount_cents": 1200000, "grantor": "Община Пловдив"}
    _public(services)
    services.grants.answer("GET", f"/api/v1/applications/{APP_ID}", application())
    services.grants.answer(
        "PATCH", f"/api/v1/applications/{APP_ID}", refusal(422, {"declared_aid.0.amount_cents": "Положителна сума."})
    )
    typed = {"aid.granted_on": "04.05.2026", "aid.amount": "0", "aid.grantor": "Община Пловдив"}
    response = portal.post(f"/my/grants/applications/{APP_ID}/aid", data=typed)
    assert response.status_code == 422 and 'id="e-aid-amount"' in response.get_data(as_text=True)
    services.grants.answer("PATCH", f"/api/v1/applications/{APP_ID}", application(declared_aid=[aid]))
    typed["aid.amount"] = "12 000"
    assert portal.post(f"/my/grants/applications/{APP_ID}/aid", data=typed).status_code == 302
    assert services.grants.sent("PATCH", f"/api/v1/applications/{APP_ID}")[-1].json == {"declared_aid": [aid]}

    services.grants.answer("GET", f"/api/v1/applications/{APP_ID}", application(declared_aid=[aid]))
    page = portal.get(f"/my/grants/applications/{APP_ID}").get_data(as_text=True)
    eligibility = page[page.index("Допустимост") : page.index('id="plan-heading"')]
    assert "04.05.2026 г.: 12\u00a0000,00\u00a0€ — Община Пловдив" in eligibility  # next to the de minimis rule
    assert portal.post(f"/my/grants/applications/{APP_ID}/aid/0/remove").status_code == 302
    assert services.grants.sent("PATCH", f"/api/v1/applications/{APP_ID}")[-1].json == {"declared_aid": []}

    lines = [*application()["lines"], {**application()["lines"][0], "id": "l2", "description": "Таблет"}]
    implementing = application("in_implementation", eligibility=None, lines=lines, change_tolerance_percent=15)
    services.grants.answer("GET", f"/api/v1/applications/{APP_ID}", implementing)
    form = portal.get(f"/my/grants/applications/{APP_ID}").get_data(as_text=True)
    assert "Промяна до 15 % от сумата на реда, от който се прехвърля, важи веднага" in form
    services.grants.answer(
        "POST",
        f"/api/v1/applications/{APP_ID}/changes",
        {"id": "ch1", "status": "pending", "amount_cents": 50000, "change_tolerance_percent": 15},
    )
    change = {"change.from_line": "l1", "change.to_line": "l2", "change.amount": "500", "change.reason": "Поевтиня."}
    page = portal.post(f"/my/grants/applications/{APP_ID}/changes", data=change, follow_redirects=True)
    assert "Промяната е над 15 % от реда: чака одобрение от центъра." in page.get_data(as_text=True)
    assert services.grants.sent("POST", f"/api/v1/applications/{APP_ID}/changes")[0].json == {
        "from_line": "l1",
        "to_line": "l2",
        "amount_cents": 50000,
        "reason": "Поевтиня.",
    }


def test_the_representative_sends_the_document_the_call_wants_and_the_centre_downloads_it(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "representative", enterprise_id="ent-1")
    wanted = [{"code": "offer", "name_bg": "Оферта", "name_en": "Offer", "at_submission": True}]
    services.grants.answer("GET", f"/api/v1/calls/{CALL_ID}", {**CALL, "required_documents": wanted})
    services.grants.answer("GET", f"/api/v1/applications/{APP_ID}", application())
    documents = f"/api/v1/applications/{APP_ID}/documents"
    page = portal.get(f"/my/grants/applications/{APP_ID}").get_data(as_text=True)
    assert '<option value="offer">Оферта — задължителен със заявлението</option>' in page
    assert 'enctype="multipart/form-data"' in page
    response = portal.post(f"/my/grants/applications/{APP_ID}/documents", data={"code": "offer"})
    assert response.status_code == 422 and 'id="e-documents"' in response.get_data(as_text=True)
    services.grants.answer("POST", documents, refusal(415, {"file": "Само PDF, PNG или JPEG."}))
    sent = {"code": "offer", "documents": (io.BytesIO(b"GIF89a"), "oferta.gif")}
    response = portal.post(f"/my/grants/applications/{APP_ID}/documents", data=sent)
    assert response.status_code == 415 and "Само PDF, PNG или JPEG." in response.get_data(as_text=True)
    services.grants.answer("POST", documents, {"id": "doc-1"})
    sent = {"code": "offer", "documents": (io.BytesIO(b"%PDF-1.4 offer"), "oferta.pdf")}
    assert portal.post(f"/my/grants/applications/{APP_ID}/documents", data=sent).status_code == 302
    upload = services.grants.sent("POST", documents)[-1]
    assert upload.files == {"file": ("oferta.pdf", b"%PDF-1.4 offer", "application/pdf")}
    assert upload.data == {"code": "offer"}
    sent = {"code": "other", "documents": (io.BytesIO(b"%PDF-1.4 more"), "pismo.pdf")}
    assert portal.post(f"/my/grants/applications/{APP_ID}/documents", data=sent).status_code == 302
    assert services.grants.sent("POST", documents)[-1].data == {"code": ""}  # any other document

    listed = {"id": "doc-1", "code": "offer", "filename": "oferta.pdf", "uploaded_at": "2027-03-01T09:00:00+00:00"}
    services.grants.answer("GET", documents, {"items": [listed]})
    page = portal.get(f"/my/grants/applications/{APP_ID}").get_data(as_text=True)
    assert f'href="/my/grants/applications/{APP_ID}/documents/doc-1" download>oferta.pdf</a> — Оферта' in page
    sign_in(portal, "clerk", subject="clerk-plovdiv", centre="plovdiv")
    services.grants.answer(
        "GET", f"/api/v1/applications/{APP_ID}", application("administrative_check", eligibility=None, evaluators=[])
    )
    page = portal.get(f"/clerk/grants/applications/{APP_ID}").get_data(as_text=True)
    assert f'href="/clerk/grants/applications/{APP_ID}/documents/doc-1"' in page
    services.grants.answer("GET", f"{documents}/doc-1", Download(b"%PDF-1.4 offer", "application/pdf", "oferta.pdf"))
    got = portal.get(f"/clerk/grants/applications/{APP_ID}/documents/doc-1")
    assert got.data == b"%PDF-1.4 offer" and got.headers["Content-Disposition"].startswith("attachment")
