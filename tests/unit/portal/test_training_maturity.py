"""Digital maturity: the radar chart against T0 with the same figures in a table, history, recommendations, and
the questionnaire."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal
from tests.unit.portal.test_training_samples import ENTERPRISE_ID, SESSION_ID, assessment, questionnaire

HISTORY = f"/api/v1/enterprises/{ENTERPRISE_ID}/assessments"
RECOMMENDATIONS = f"/api/v1/enterprises/{ENTERPRISE_ID}/recommendations"
T0 = assessment("T0", [57.2, 17.9, 55.0, 51.7, 58.0, 55.0])
T1 = assessment("T1", [66.1, 75.0, 65.0, 59.2, 74.0, 65.0], baseline=T0)


def _history(services: Any, *items: dict[str, Any]) -> None:
    services.training.answer("GET", HISTORY, {"enterprise": T0["enterprise"], "items": list(items)})
    services.training.answer(
        "GET",
        RECOMMENDATIONS,
        {
            "enterprise": T0["enterprise"],
            "based_on": None,
            "weakest": [
                {"code": "data_management", "name": {"bg": "Управление на данните", "en": "Data"}, "score": 59.2}
            ],
            "courses": [
                {
                    "id": "c-data",
                    "title": {"bg": "Данни и облак", "en": None},
                    "description": {"bg": "Курс.", "en": None},
                    "level": "intermediate",
                    "format": "online",
                    "hours": 10,
                    "dimensions": [],
                    "improves": [],
                    "sessions": [
                        {
                            "id": SESSION_ID,
                            "centre": "plovdiv",
                            "online": True,
                            "room": None,
                            "starts_at": "2030-12-04T12:00:00Z",
                            "ends_at": "2030-12-04T15:00:00Z",
                            "meetings": 1,
                            "capacity": 25,
                            "funded": True,
                            "trainer_name": "Т",
                        }
                    ],
                }
            ],
        },
    )


def _representative(portal: FlaskClient, services: Any, *history: dict[str, Any]) -> None:
    """A representative of the enterprise signed in; the enterprise assessed as ``history`` says."""
    sign_in(portal, "representative", enterprise_id=ENTERPRISE_ID)
    _history(services, *history)


def _before_the_questionnaire(portal: FlaskClient, services: Any) -> None:
    """A representative of the enterprise signed in, the service offering the current questionnaire."""
    sign_in(portal, "representative", enterprise_id=ENTERPRISE_ID)
    services.training.answer("GET", "/api/v1/questionnaires/current", questionnaire())


def test_the_latest_result_is_a_radar_chart_with_t0_and_an_accessible_table(portal: FlaskClient, services: Any) -> None:
    _representative(portal, services, T0, T1)
    page = portal.get("/my/maturity").get_data(as_text=True)
    assert '<svg class="radar" role="img"' in page
    assert '<title id="radar-title">Дигитална зрялост по измерения</title>' in page
    desc = re.search(r'<desc id="radar-desc">(.*?)</desc>', page, re.S)[1]
    assert "Дигитална готовност 75,0" in desc and "Първата, оценка № 1" in desc  # words, decimal comma
    assert page.count("<polygon") == 4 + 2  # four rings, T0 and T1
    assert 'stroke-dasharray="7 5"' in page  # T0 dashed, not told by colour alone
    assert "Пунктирна линия: първата оценка (оценка № 1)" in page
    assert "T0" not in page and "T1" not in page
    table = page.split('<table aria-labelledby="scores">')[1].split("</table>")[0]
    assert '<th scope="row">Дигитална готовност</th>' in table
    assert "<td>17,9</td>" in table and "<td>75,0</td>" in table and "+57,1" in table
    assert "Подобрение с 18,3 точки спрямо оценка № 1." in page


def test_with_only_t0_one_series_is_drawn(portal: FlaskClient, services: Any) -> None:
    _representative(portal, services, T0)
    page = portal.get("/my/maturity").get_data(as_text=True)
    assert page.count("<polygon") == 4 + 1
    assert "Пунктирна линия" not in page
    assert "Промяна спрямо" not in page


def test_history_and_recommended_courses_with_their_sessions(portal: FlaskClient, services: Any) -> None:
    _representative(portal, services, T0, T1)
    page = portal.get("/my/maturity").get_data(as_text=True)
    history = page.split('id="history"')[1]
    newest, first = '<th scope="row">оценка № 2</th>', '<th scope="row">оценка № 1</th>'
    assert history.index(newest) < history.index(first)  # newest first
    assert "Препоръчани курсове" in page and "Данни и облак" in page
    assert f'href="/sessions/{SESSION_ID}"' in page
    assert f'href="/my/workers/sessions/{SESSION_ID}/enrol"' in page


def test_no_assessment_yet_offers_the_questionnaire(portal: FlaskClient, services: Any) -> None:
    _representative(portal, services)
    page = portal.get("/my/maturity").get_data(as_text=True)
    assert "Все още няма оценка." in page
    assert 'href="/my/maturity/questionnaire"' in page
    assert not services.training.sent("GET", RECOMMENDATIONS)


def test_an_enterprise_outside_the_register_is_explained(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "representative", enterprise_id="not-registered")
    services.training.answer(
        "GET", ".*/assessments", refusal(404, message="Няма такова предприятие в регистъра на социалните предприятия.")
    )
    response = portal.get("/my/maturity")
    assert response.status_code == 404
    assert "Няма такова предприятие в регистъра" in response.get_data(as_text=True)


def test_a_clerk_names_the_enterprise(portal: FlaskClient, services: Any) -> None:
    token = sign_in(portal, "clerk", centre="plovdiv")
    assert 'name="enterprise"' in portal.get("/my/maturity").get_data(as_text=True)
    _history(services, T0)
    page = portal.get(f"/my/maturity?enterprise={ENTERPRISE_ID}").get_data(as_text=True)
    assert services.training.sent("GET", HISTORY)[0].token == token
    assert f'href="/my/maturity/questionnaire?enterprise={ENTERPRISE_ID}"' in page


def test_the_questionnaire_groups_questions_by_dimension_as_radio_groups(portal: FlaskClient, services: Any) -> None:
    _before_the_questionnaire(portal, services)
    page = portal.get("/my/maturity/questionnaire").get_data(as_text=True)
    assert "<legend><h2>Част 1 от 2: Дигитална бизнес стратегия</h2></legend>" in page
    assert '<fieldset id="f-answers-bs_plan">' in page
    assert "<legend>1. Имате ли план за дигитализация?</legend>" in page
    assert 'type="radio" id="a-bs_plan-partly" name="answers.bs_plan" value="partly"' in page
    assert '<label for="a-bs_plan-partly">Частично</label>' in page
    assert 'type="checkbox" id="a-bs_channels-website" name="answers.bs_channels"' in page
    assert 'name="answers.dr_einvoicing" value="5"' in page


def test_submitting_sends_each_answer_in_its_type_and_shows_the_result(portal: FlaskClient, services: Any) -> None:
    _before_the_questionnaire(portal, services)
    services.training.answer("POST", HISTORY, T1)
    form = {
        "answers.bs_plan": "partly",
        "answers.bs_channels": ["website", "social_media"],
        "answers.dr_einvoicing": "4",
    }
    response = portal.post("/my/maturity/questionnaire", data=form)
    assert response.headers["Location"].endswith("/my/maturity")
    assert services.training.sent("POST", HISTORY)[0].json == {
        "version": "dma-2026-1",
        "answers": {"bs_plan": "partly", "bs_channels": ["website", "social_media"], "dr_einvoicing": 4},
    }
    _history(services, T0, T1)
    assert "Записана е оценка № 2: общо 67,4 точки, Средно ниво." in portal.get("/my/maturity").get_data(as_text=True)


def test_a_checklist_with_nothing_ticked_is_answered_none(portal: FlaskClient, services: Any) -> None:
    _before_the_questionnaire(portal, services)
    services.training.answer("POST", HISTORY, T0)
    portal.post("/my/maturity/questionnaire", data={"answers.bs_plan": "no", "answers.dr_einvoicing": "0"})
    assert services.training.sent("POST", HISTORY)[0].json["answers"]["bs_channels"] == []


def test_unanswered_questions_are_marked_and_the_answers_given_stay(portal: FlaskClient, services: Any) -> None:
    _before_the_questionnaire(portal, services)
    response = portal.post(
        "/my/maturity/questionnaire", data={"answers.bs_channels": "website", "answers.dr_einvoicing": "9"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<p class="field-error" id="e-answers-bs_plan"><span>Отговорете на въпрос 1.</span></p>' in page
    assert "Изберете един от отговорите на въпрос 3." in page
    assert '<a href="#f-answers-bs_plan">Отговорете на въпрос 1.</a>' in page
    assert 'id="a-bs_channels-website" name="answers.bs_channels" value="website" checked' in page
    assert not services.training.sent("POST", HISTORY)


def test_a_refusal_lands_on_its_question(portal: FlaskClient, services: Any) -> None:
    _before_the_questionnaire(portal, services)
    services.training.answer("POST", HISTORY, refusal(422, {"answers.bs_channels": "Непознат отговор."}))
    form = {"answers.bs_plan": "yes", "answers.dr_einvoicing": "3"}
    page = portal.post("/my/maturity/questionnaire?lang=en", data=form).get_data(as_text=True)
    assert '<p class="field-error" id="e-answers-bs_channels"><span>EN Непознат отговор.</span></p>' in page


def test_the_questionnaire_shows_its_parts_and_can_be_saved_half_way_and_finished_later(
    portal: FlaskClient, services: Any
) -> None:
    _before_the_questionnaire(portal, services)
    page = portal.get("/my/maturity/questionnaire").get_data(as_text=True)
    assert "3 въпроса в 2 части" in page and "Част 1 от 2: " in page and "Въпроси 1–2 от 3" in page
    saved = portal.post("/my/maturity/questionnaire", data={"answers.bs_plan": "partly", "then": "save"})
    assert saved.status_code == 302 and not services.training.sent("POST", HISTORY)  # nothing assessed yet
    _history(services, T0)
    assert "1 от 3 въпроса" in portal.get("/my/maturity").get_data(as_text=True)
    again = portal.get("/my/maturity/questionnaire").get_data(as_text=True)
    assert 'value="partly" checked' in again  # the answer given stays
    assert "Отговорени досега: 1 от 3" in again and '<progress id="progress" max="3" value="1">' in again
    services.training.answer("POST", HISTORY, T1)
    portal.post("/my/maturity/questionnaire", data={"answers.bs_plan": "partly", "answers.dr_einvoicing": "4"})
    assert services.training.sent("POST", HISTORY)[0].json["answers"]["bs_plan"] == "partly"
    assert 'value="partly" checked' not in portal.get("/my/maturity/questionnaire").get_data(as_text=True)
