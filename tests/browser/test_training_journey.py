"""A trainer schedules a session in the portal; a learner takes its one seat, a second waits and is promoted."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from shared.auth import Role
from shared.clock import SOFIA
from tests.browser.conftest import Platform
from tests.e2e.services import post
from tests.integration.registry_api import token

pytestmark = pytest.mark.e2e

COURSE = "Облачни услуги за малкия бизнес"


def test_a_trainer_schedules_and_learners_enrol_wait_and_are_promoted(people: Any, platform: Platform) -> None:
    admin = token("admin-browser", Role.ADMIN)
    post(f"{platform.apis['training']}/api/v1/courses", admin, {
        "title_bg": COURSE, "description_bg": "Документи, таблици и поща в облака.",
        "dimensions": ["digital_readiness"], "level": "beginner", "hours": 6, "format": "in_person",
    })  # fmt: skip
    day = (datetime.now(SOFIA) + timedelta(days=20)).date().isoformat()

    trainer = people("trainer")
    trainer.sign_in_new("Обучител", "Радостина Колева", "r.koleva@trainers.example.bg",
                        centre="Регионален център Пловдив")  # fmt: skip
    page = trainer.menu("Моите обучения")
    page.get_by_role("link", name="Насрочване на сесия").click()
    page.get_by_label("Курс").select_option(label=f"{COURSE} — Присъствено")
    page.get_by_label("Регионален център").select_option(label="Регионален център Пловдив")
    page.get_by_label("Зала").fill("Зала 4")
    page.get_by_label("Места").fill("1")
    page.get_by_label("Отворена за всички").check()
    page.get_by_label("Среща 1 — дата").fill(day)
    page.get_by_label("Среща 1 — начален час").fill("10:00")
    page.get_by_label("Среща 1 — краен час").fill("13:00")
    trainer.shot("new-session")
    page.get_by_role("button", name="Насрочи сесията").click()
    expect(page.get_by_role("status")).to_contain_text("Сесията е насрочена.")
    trainer.shot("roster-empty")
    page.get_by_role("link", name="Публична страница на сесията").click()
    session_path = page.url.removeprefix(platform.portal)

    first = people("learner-1")
    first.sign_in_new("Обучаем", "Ивайло Генов", "ivaylo.genov@example.bg")
    page = first.open(session_path)
    page.get_by_role("button", name="Запиши се").click()
    expect(page.get_by_role("status")).to_contain_text("Записахте се: имате място в тази сесия.")
    first.shot("enrolled")

    second = people("learner-2")
    second.sign_in_new("Обучаем", "Снежана Илиева", "snezhana.ilieva@example.bg")
    page = second.open(session_path)
    page.get_by_role("button", name="Запиши се").click()
    expect(page.get_by_role("status")).to_contain_text("вие сте в списъка на чакащите, позиция 1")
    second.shot("waitlisted")

    page = first.open("/my/training")
    page.get_by_role("button", name="Откажи записването").first.click()
    expect(page.get_by_role("status")).to_contain_text("Записването ви е отказано.")

    page = second.open("/my/training")
    expect(page.get_by_text("Потвърдено място").first).to_be_visible()
    expect(page.get_by_text("Имате място.")).to_be_visible()
    second.shot("promoted")

    page = trainer.open(session_path.replace("/sessions/", "/trainer/sessions/"))
    expect(page.get_by_text("Снежана Илиева")).to_be_visible()
    trainer.shot("roster")
