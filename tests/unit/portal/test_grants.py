"""Support for modernisation in the portal: the call's page and dashboard, the public list of awards, the plan
form (euro with a decimal comma, every problem at once at its field), the application with its eligibility,
the centre's staff and an evaluator's declaration and scores; each role's menu."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from services.portal.clients import Download
from services.portal.forms import UNREADABLE
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
    assert text.startswith("\ufeffРайон;Бюджет (€);")
    assert "BG42;100000,00;46016,27;1500,00;1250,50;53983,73;2;1;1" in text


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


def test_a_representative_may_apply_to_a_call_only_while_its_window_is_open(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "representative", enterprise_id="ent-1")
    _public(services)
    apply = f'href="/my/grants/calls/{CALL_ID}/apply"'
    assert apply in portal.get(f"/grants/calls/{CALL_ID}").get_data(as_text=True)
    services.grants.answer("GET", f"/api/v1/calls/{CALL_ID}", {**CALL, "closes_on": "2026-01-31"})
    assert apply not in portal.get(f"/grants/calls/{CALL_ID}").get_data(as_text=True)
