"""Support for modernisation in the browser, at 360 and 1280 px: the ministry publishes a call (an envelope
above the budget first, refused at its field); an enterprise in the register and surveyed opens the call, builds
a plan with two budget lines (a wrong amount first, shown at its field), declares de minimis aid from elsewhere,
sees each eligibility rule met and submits; after the centre's check, an evaluator declares no conflict of
interest and scores the application against the call's rubric; once a second evaluator has scored it, the
centre ranks its region within the envelope, awards it, signs the contract, records a budget line's delivery
and an advance payment."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime

import pytest
import requests
from playwright.sync_api import Page, expect

from shared.auth import Role
from shared.clock import SOFIA
from tests.browser.conftest import Person, Platform
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
CLERK = token("clerk-grants-journey", Role.CLERK, centre="plovdiv")
SECOND_EVALUATOR = token("evaluator-2-grants-journey", Role.CLERK, centre="varna")
MINISTRY = "Ваня Петкова (МТСП)"
CENTRE = "Георги Атанасов"
"""Demo people of the sign-in page: a clerk of the ministry (every centre) and one of the Plovdiv centre."""


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


def publish_call(ministry: Person) -> None:
    """The ministry's clerk publishes the call through its form: an envelope above the budget is refused first."""
    ministry.sign_in_as(MINISTRY)
    page = ministry.open("/clerk/grants/calls")  # linked from the centre's support applications
    page.get_by_role("link", name="Нова покана за подкрепа").click()
    page.get_by_label("Заглавие").fill(CALL)
    page.get_by_label("Бюджет в евро").fill("50 000")
    page.get_by_label("Южен централен (Пловдив)").fill("100 000")
    for n, (bg, en, weight, least) in enumerate(
        (("Обоснованост на нуждата", "Need", "60", "3"), ("Очакван ефект", "Impact", "40", "0")), start=1
    ):
        group = page.get_by_role("group", name=f"Критерий {n}", exact=True)
        group.get_by_label("Наименование на български").fill(bg)
        group.get_by_label("Наименование на английски").fill(en)
        group.get_by_label("Тежест в проценти").fill(weight)
        group.get_by_label("Най-много точки").fill("10")
        group.get_by_label("Най-малко точки за преминаване").fill(least)
    document = page.get_by_role("group", name="Документ 1", exact=True)
    document.get_by_label("Наименование на български").fill("Оферта от доставчик")
    document.get_by_label("Наименование на английски").fill("Supplier's offer")
    page.get_by_role("button", name="Публикуване на поканата").click()
    expect(page.locator("#e-envelopes")).to_contain_text("надхвърля бюджета")
    expect(page.get_by_label("Южен централен (Пловдив)")).to_have_value("100 000")  # what she typed stays
    fits(page)
    ministry.shot("call-refused")
    page.get_by_label("Бюджет в евро").fill("600 000")
    page.get_by_role("button", name="Публикуване на поканата").click()
    expect(page.get_by_role("status")).to_contain_text("Поканата е публикувана.")
    expect(page.get_by_role("heading", level=1)).to_have_text(CALL)
    expect(page.get_by_role("row", name=re.compile("Южен централен"))).to_contain_text("100 000,00 €")


def second_scoring(grants: str, application_id: str) -> None:
    """A second evaluator (of another centre) declares no conflict and scores alike: the application is evaluated."""
    subject = "evaluator-2-grants-journey"
    post(f"{grants}/applications/{application_id}/evaluators", CLERK, {"evaluator": subject})
    post(f"{grants}/applications/{application_id}/declaration", SECOND_EVALUATOR, {"conflict_of_interest": False})
    post(f"{grants}/applications/{application_id}/scores", SECOND_EVALUATOR, {"points": {"c1": 8, "c2": 7}})


def award_and_implement(centre: Person) -> None:
    """The Plovdiv centre ranks its region, awards the application, signs the contract, records the first
    budget line's delivery and an advance payment."""
    today = datetime.now(SOFIA).date().isoformat()
    centre.sign_in_as(CENTRE)
    page = centre.open("/clerk/grants/calls")
    page.get_by_role("listitem").filter(has_text=CALL).get_by_role("link", name="Южен централен (Пловдив)").click()
    page.get_by_role("button", name="Класиране на заявленията от района").click()
    expect(page.get_by_role("status")).to_contain_text("класирани в рамките на средствата")
    expect(page.get_by_role("row", name=re.compile(NAME))).to_contain_text("Класирано: В рамките на средствата")
    page.get_by_role("link", name=NAME).click()
    page.get_by_label("Решение").select_option(label="Предоставяне на подкрепата")
    page.get_by_label("Мотиви").fill("Първо място в класирането на района.")
    page.get_by_role("button", name="Записване на решението").click()
    expect(page.get_by_role("status")).to_contain_text("Решението е записано.")
    expect(page.get_by_label("Подписан на")).to_have_value(today)  # today, unless she types another day
    page.get_by_role("button", name="Подписване на договора").click()
    expect(page.get_by_role("status")).to_contain_text("Договорът е подписан.")
    main = page.locator("main")
    expect(main).to_contain_text(f"ДП-{today[:4]}-")
    delivery = page.locator("form", has=page.get_by_role("button", name="Записване на доставката"))
    delivery.get_by_label("Бюджетен ред").select_option("l1")  # the first line, "Онлайн магазин с доставка"
    delivery.get_by_label("Приемо-предавателен протокол").fill("ПП-17")
    delivery.get_by_label("Фактура").fill("Ф-0000000417")
    delivery.get_by_label("Сума в евро").fill("4 800,50")
    delivery.get_by_role("button", name="Записване на доставката").click()
    expect(page.get_by_role("status")).to_contain_text("Доставката е записана.")
    payment = page.locator("form", has=page.get_by_role("button", name="Записване на плащането"))
    payment.get_by_label("Плащане").select_option(label="Авансово плащане")
    payment.get_by_label("Сума в евро").fill("1 650,15")
    payment.get_by_role("button", name="Записване на плащането").click()
    expect(page.get_by_role("status")).to_contain_text("Плащането е записано.")
    expect(main).to_contain_text("Приемо-предавателен протокол ПП-17, фактура Ф-0000000417")
    expect(main).to_contain_text("1 650,15 €")
    fits(page)
    centre.shot("implementation")


def fits(page: Page) -> None:
    page.wait_for_load_state("load")  # right after a click the new page may still be without its stylesheet
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


def test_the_ministry_publishes_a_call_an_enterprise_applies_is_scored_and_the_centre_awards_and_pays(
    platform: Platform, people: object
) -> None:
    enterprise_id = surveyed_enterprise(platform)
    publish_call(people("ministry"))  # type: ignore[operator]
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
    page.get_by_label("Предоставена на").fill("2026-05-04")
    page.get_by_label("Сума в евро").fill("12 000")
    page.get_by_label("Предоставена от").fill("Община Пловдив")
    page.get_by_role("button", name="Деклариране на помощта").click()
    expect(page.get_by_role("status")).to_contain_text("Помощта е декларирана.")
    expect(main).to_contain_text("04.05.2026 г.: 12 000,00 € — Община Пловдив")
    expect(main).to_contain_text("получени 12 000,00 €")  # the de minimis rule counts it
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
    assert scored["scorings"][0]["points"] == {"c1": 8, "c2": 7}
    assert scored["enterprise_id"] == enterprise_id and len(scored["lines"]) == 2

    second_scoring(grants, application_id)
    award_and_implement(people("centre"))  # type: ignore[operator]
    done = requests.get(f"{grants}/applications/{application_id}", headers=CLERK, timeout=10).json()
    assert done["status"] == "in_implementation" and done["award"]["amount_cents"] == 550050
    assert [(d["line_id"], d["amount_cents"], d["invoice"]) for d in done["deliveries"]] == [
        ("l1", 480050, "Ф-0000000417")
    ]
    assert done["payments"] == [{"kind": "advance", "amount_cents": 165015, "paid_on": done["payments"][0]["paid_on"]}]
    assert done["declared_aid"] == [{"granted_on": "2026-05-04", "amount_cents": 1200000, "grantor": "Община Пловдив"}]
