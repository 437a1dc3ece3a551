"""A representative keeps her enterprise's staff list, enrols two workers from the maturity gaps in one step and
sees each one's result; the progress since the first assessment shows as a table, at 360 and 1280 px."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from shared.auth import Role
from tests.browser.conftest import Platform
from tests.e2e.services import post
from tests.integration.registry_api import application, token
from tests.integration.training_api import answers
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

EIK = "205007004"
NAME = "Социална шивашка работилница „Игла“"
REPRESENTATIVE = ("Представител на предприятие", "Десислава Маринова", "desislava@igla.example.bg")
ADMIN = token("admin-staff-journey", Role.ADMIN)
COURSE = "Електронно счетоводство за малкото предприятие"


def registered_enterprise(platform: Platform) -> str:
    """The enterprise applies, is approved by its centre's clerk, and the training service learns of it."""
    rep = token("rep-igla", Role.REPRESENTATIVE, name=REPRESENTATIVE[1], email=REPRESENTATIVE[2])
    clerk = token("clerk-igla", Role.CLERK, centre="plovdiv")
    registry = f"{platform.apis['registry']}/api/v1"
    body = application(details__eik=EIK, details__name=NAME, details__seat__district="BG-16")
    app_id = post(f"{registry}/applications", rep, body)["id"]
    post(f"{registry}/applications/{app_id}/submit", rep)
    enterprise_id = post(f"{registry}/applications/{app_id}/approve", clerk,
                         {"order_number": "РД-01-91", "order_date": "2026-11-23"})["enterprise_id"]  # fmt: skip
    training = f"{platform.apis['training']}/api/v1"
    rep_of_it = token("rep-igla", Role.REPRESENTATIVE, enterprise_id=enterprise_id)
    wait_until(lambda: requests.get(f"{training}/enterprises/{enterprise_id}/progress", headers=rep_of_it,
                                    timeout=10).status_code == 200,
               "the training service to learn of the enterprise from Kafka", timeout=180)  # fmt: skip
    # two assessments, weakest in digital readiness, and a session of a course for it at Plovdiv
    for level in (0.2, 0.5):
        given = answers(level)
        given.update({k: v for k, v in answers(0.0).items() if k.startswith("dr_")})
        post(
            f"{training}/enterprises/{enterprise_id}/assessments",
            rep_of_it,
            {"version": "dma-2026-1", "answers": given},
        )
    course = post(f"{training}/courses", ADMIN, {
        "title_bg": COURSE, "description_bg": "Фактури, банка и отчети онлайн.", "dimensions": ["digital_readiness"],
        "level": "beginner", "hours": 8, "format": "in_person"})["id"]  # fmt: skip
    start = (datetime.now(UTC) + timedelta(days=25)).replace(microsecond=0)
    post(f"{training}/sessions", token("trainer-igla", Role.TRAINER, name="Мирослав Танев"), {
        "course_id": course, "centre": "plovdiv", "room": "Зала 5", "capacity": 10, "funded": False,
        "meetings": [{"starts_at": start.isoformat(),
                      "ends_at": (start + timedelta(hours=3)).isoformat()}]})  # fmt: skip
    return enterprise_id


def fits(page: Page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    scroll, view = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= view, f"{page.url} scrolls sideways at {width} px ({scroll} > {view})"


def add_worker(page: Page, name: str, email: str, role: str) -> None:
    page.get_by_role("link", name="Добавяне на служител").click()
    page.get_by_role("textbox", name=re.compile("^Име")).fill(name)
    page.get_by_label("Служебен имейл").fill(email)
    page.get_by_label("Роля или длъжност").fill(role)
    page.get_by_label("Дигитална готовност").check()
    page.get_by_role("button", name="Добавяне към списъка").click()
    expect(page.get_by_role("status")).to_contain_text(f"{name} е добавен(а) в списъка на служителите.")


def test_a_representative_enrols_her_staff_from_the_maturity_gaps(people: Any, platform: Platform) -> None:
    registered_enterprise(platform)
    representative = people("representative")
    representative.sign_in_new(*REPRESENTATIVE, enterprise=EIK)

    # the staff list: every error of the form at once, in field order, each named
    page = representative.open("/my/workers/staff")
    page.get_by_role("link", name="Добавяне на служител").click()
    page.get_by_label("Служебен имейл").fill("не-е-адрес")
    page.get_by_role("button", name="Добавяне към списъка").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(summary.get_by_role("link").first).to_have_attribute("href", "#f-name")
    expect(summary.get_by_role("link").nth(1)).to_have_attribute("href", "#f-email")
    representative.shot("worker-form-errors")
    page.get_by_role("link", name="Обратно към списъка на служителите").click()
    add_worker(page, "Пенка Стоянова", "penka@igla.example.bg", "Счетоводител")
    add_worker(page, "Трифон Нешев", "trifon@igla.example.bg", "Шивач")
    expect(page.get_by_text("2 служители от най-много 500.")).to_be_visible()
    fits(page, 360)
    representative.shot("staff-list")

    # the maturity page: the progress next to the centre (too few enterprises for an average), then the gaps
    page = representative.open("/my/maturity")
    progress = page.get_by_role("table", name="Напредък от първата оценка")
    expect(progress).to_be_visible()
    expect(progress.get_by_role("row", name=re.compile("^Общо"))).to_contain_text(",")  # decimal comma
    expect(page.get_by_text(re.compile("Средната стойност на центъра се показва, когато поне 3"))).to_be_visible()
    session = page.get_by_role("group", name=re.compile("^Записване за сесията от"))
    session.get_by_label(re.compile("^Пенка Стоянова")).check()
    session.get_by_label(re.compile("^Трифон Нешев")).check()
    fits(page, 360)
    page.set_viewport_size({"width": 1280, "height": 900})
    representative.shot("maturity-with-staff")
    page.get_by_role("button", name="Записване на отметнатите служители").click()

    results = page.get_by_role("table", name="Резултатът за всеки служител")
    expect(results.get_by_role("row", name=re.compile("Пенка Стоянова"))).to_contain_text("Поканен")
    expect(results.get_by_role("row", name=re.compile("Трифон Нешев"))).to_contain_text(COURSE)
    fits(page, 360)
    page.set_viewport_size({"width": 1280, "height": 900})
    representative.shot("enrolled-from-gaps")

    # the same again: each is refused with the reason, worker by worker
    page = representative.open("/my/maturity")
    session = page.get_by_role("group", name=re.compile("^Записване за сесията от"))
    session.get_by_label(re.compile("^Пенка Стоянова")).check()
    page.get_by_role("button", name="Записване на отметнатите служители").click()
    row = page.get_by_role("table", name="Резултатът за всеки служител").get_by_role("row", name=re.compile("Пенка"))
    expect(row).to_contain_text("Отказано")
    expect(row).to_contain_text("покан")
