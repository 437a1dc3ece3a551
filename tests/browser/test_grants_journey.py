"""Support for modernisation in the browser, at 360 and 1280 px: an enterprise in the register and surveyed
opens the open call, builds a plan with two budget lines (a wrong amount first, shown at its field), sees each
eligibility rule met and submits; after the centre's check, an evaluator declares no conflict of interest and
scores the application against the call's rubric."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
import requests
from playwright.sync_api import Page, expect

from shared.auth import Role
from shared.clock import SOFIA
from tests.browser.conftest import Platform
from tests.e2e.services import post
from tests.integration.registry_api import application, token
from tests.integration.training_api import answers
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

EIK = "206119006"
NAME = "Социална пекарна „Погача“"
REPRESENTATIVE = ("Представител на предприятие", "Калина Трифонова", "kalina@pogacha.example.bg")
EVALUATOR = ("Служител на регионален център", "Веселин Димов", "v.dimov@rc-plovdiv.example.bg")
CALL = "Модернизация на социалните предприятия 2027"
ADMIN = token("admin-grants-journey", Role.ADMIN)
CLERK = token("clerk-grants-journey", Role.CLERK, centre="plovdiv")


def evaluator_subject() -> str:
    """The portal's developer sign-in names a clerk by role and e-mail."""
    return "dev-clerk-" + hashlib.sha256(f"clerk:{EVALUATOR[2]}".encode()).hexdigest()[:16]


def surveyed_enterprise(platform: Platform) -> str:
    """The enterprise is entered in the register at Plovdiv and assesses its digital maturity."""
    rep = token("rep-pogacha", Role.REPRESENTATIVE, name=REPRESENTATIVE[1], email=REPRESENTATIVE[2])
    registry = f"{platform.apis['registry']}/api/v1"
    body = application(details__eik=EIK, details__name=NAME, details__seat__district="BG-16")
    app_id = post(f"{registry}/applications", rep, body)["id"]
    post(f"{registry}/applications/{app_id}/submit", rep)
    approved = post(
        f"{registry}/applications/{app_id}/approve", CLERK, {"order_number": "РД-01-207", "order_date": "2026-11-30"}
    )
    enterprise_id = approved["enterprise_id"]
    training = f"{platform.apis['training']}/api/v1"
    rep_of_it = token("rep-pogacha", Role.REPRESENTATIVE, enterprise_id=enterprise_id)
    wait_until(
        lambda: (
            requests.get(f"{training}/enterprises/{enterprise_id}/progress", headers=rep_of_it, timeout=10).status_code
            == 200
        ),
        "the training service to learn of the enterprise from Kafka",
        timeout=180,
    )
    post(
        f"{training}/enterprises/{enterprise_id}/assessments",
        rep_of_it,
        {"version": "dma-2026-1", "answers": answers(0.3)},
    )
    return enterprise_id


def open_call(platform: Platform) -> str:
    from datetime import datetime

    today = datetime.now(SOFIA).date()
    body = {
        "title": CALL,
        "budget_cents": 600_000_00,
        "envelopes": {"BG42": 100_000_00},
        "max_per_enterprise_cents": 4_601_627,
        "categories": ["software", "hardware", "sales"],
        "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=30)).isoformat(),
        "criteria": [
            {"code": "need", "name_bg": "Обоснованост на нуждата", "name_en": "Need", "weight": 60, "max_points": 10},
            {"code": "impact", "name_bg": "Очакван ефект", "name_en": "Impact", "weight": 40, "max_points": 10},
        ],
        "pass_score": 50,
        "required_documents": [{"code": "offer", "name_bg": "Оферта от доставчик", "name_en": "Supplier's offer"}],
    }
    return post(f"{platform.apis['grants']}/api/v1/calls", ADMIN, body)["id"]


def fits(page: Page) -> None:
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        scroll, view = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert scroll <= view, f"{page.url} scrolls sideways at {width} px ({scroll} > {view})"
    page.set_viewport_size({"width": 1280, "height": 900})


def line(page: Page, n: int, category: str, description: str, quantity: str, cost: str) -> None:
    group = page.get_by_role("group", name=f"Бюджетен ред {n}")
    group.get_by_label("Категория разход").select_option(label=category)
    group.get_by_label("Описание").fill(description)
    group.get_by_label("Количество").fill(quantity)
    group.get_by_label("Единична цена в евро").fill(cost)


def test_an_enterprise_applies_with_a_two_line_plan_and_an_evaluator_scores_it(
    platform: Platform, people: object
) -> None:
    enterprise_id = surveyed_enterprise(platform)
    open_call(platform)
    grants = f"{platform.apis['grants']}/api/v1"

    rep = people("representative")  # type: ignore[operator]
    rep.sign_in_new(*REPRESENTATIVE, enterprise=EIK)
    page = rep.menu("Подкрепа")
    page.get_by_role("link", name=CALL).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(CALL)
    expect(page.locator("main")).to_contain_text("46 016,27 €")
    fits(page)
    rep.shot("call")
    page.get_by_role("link", name="Кандидатствайте с план за модернизация").click()
    line(page, 1, "Софтуер", "Онлайн магазин с доставка", "1", "4 800,5x")
    line(page, 2, "Хардуер", "Таблети за приемане на поръчки", "2", "350")
    page.get_by_role("button", name="Запазване на плана").click()
    expect(page.locator("#e-lines-0-unit_cost")).to_contain_text("Въведете сума в евро")
    fits(page)
    rep.shot("plan-refused")
    page.get_by_role("group", name="Бюджетен ред 1").get_by_label("Единична цена в евро").fill("4 800,50")
    page.get_by_role("button", name="Запазване на плана").click()
    expect(page.get_by_role("status")).to_contain_text("Планът ви е запазен като чернова.")
    main = page.locator("main")
    expect(main).to_contain_text("5 500,50 €")  # 4 800,50 + 2 × 350, without recoverable VAT

    def all_rules_met() -> bool:
        page.reload()
        text = main.inner_text()
        return "✓" in text and "✗" not in text

    wait_until(all_rules_met, "the grants service to learn of the register's entry and the assessment", timeout=180)
    fits(page)
    rep.shot("eligibility")
    page.get_by_role("button", name="Подай заявлението").click()
    expect(page.get_by_role("status")).to_contain_text("Заявлението ви е подадено.")
    expect(main).to_contain_text("Подадено")
    application_id = page.url.rstrip("/").rsplit("/", 1)[-1]

    # the centre's check, and the evaluator assigned (through the API: the clerk's pages are checked elsewhere)
    for action, body in (("check", None), ("admit", None), ("evaluators", {"evaluator": evaluator_subject()})):
        post(f"{grants}/applications/{application_id}/{action}", CLERK, body)

    evaluator = people("evaluator")  # type: ignore[operator]
    evaluator.sign_in_new(*EVALUATOR, centre="Регионален център Пловдив")
    page = evaluator.menu("Заявления за моя оценка")
    page.get_by_role("link", name=re.compile(NAME)).click()
    fits(page)
    evaluator.shot("declaration")
    page.get_by_role("button", name="Декларирам липса на конфликт на интереси").click()
    expect(page.get_by_role("status")).to_contain_text("Декларацията ви е записана.")
    page.get_by_label("Обоснованост на нуждата").fill("8")
    page.get_by_label("Очакван ефект").fill("7")
    fits(page)
    evaluator.shot("scoring")
    page.get_by_role("button", name="Записване на оценката ми").click()
    expect(page.get_by_role("status")).to_contain_text("Оценката ви е записана.")

    scored = requests.get(f"{grants}/applications/{application_id}", headers=CLERK, timeout=10).json()
    assert [s["evaluator"] for s in scored["scorings"]] == [evaluator_subject()]
    assert scored["scorings"][0]["points"] == {"need": 8, "impact": 7}
    assert scored["enterprise_id"] == enterprise_id and len(scored["lines"]) == 2
