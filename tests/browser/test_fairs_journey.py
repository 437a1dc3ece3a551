"""A fair of the Plovdiv centre in the browser, at 360 and 1280 px: a clerk creates it with two stands (an end
before the start first, shown at its field) and publishes it; an enterprise in the register applies for a stand
with its published honey; the clerk selects it for stand A1; the public page shows its product with the cover
photo; a visitor registers for a forum, sees the seat confirmed and downloads the calendar entry."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from services.marketplace.entrypoints.demo_pictures import picture
from shared.auth import Role
from shared.clock import SOFIA
from tests.browser.conftest import Platform
from tests.browser.crawl import DESKTOP_WIDTH, PHONE_WIDTH, sideways
from tests.e2e.registry_flow import register
from tests.e2e.services import post
from tests.integration.marketplace_api import LISTING
from tests.integration.registry_api import token
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

EIK = "207300109"
NAME = "Пчеларска кооперация „Тракийски мед“"
HONEY = "Акациев мед от Тракия, буркан 700 г"
FAIR = "Коледно изложение на социалните предприятия"
FORUM = "Форум „Социалната икономика в Южен централен район“"
CLERK = ("Служител на регионален център", "Десислава Колева", "d.koleva@rc-plovdiv.example.bg")
REPRESENTATIVE = ("Представител на предприятие", "Иван Тракийски", "ivan@trakiiski-med.example.bg")
VISITOR = ("Купувач", "Елица Маринова", "elitsa.marinova@example.bg")
DAYS_AHEAD = 30


def fits(page: Page) -> None:
    for size in (PHONE_WIDTH, DESKTOP_WIDTH):
        page.set_viewport_size(size)
        assert sideways(page) is None, f"{page.url} at {size['width']} px: {sideways(page)}"


def drawn(image: Locator) -> bool:
    return bool(image.evaluate("img => img.complete && img.naturalWidth > 0"))


def honey_seller(platform: Platform) -> tuple[str, str]:
    """The enterprise entered in the register at Plovdiv, its honey published on the marketplace with a photo."""
    enterprise_id = register(f"{platform.apis['registry']}/api/v1", EIK, NAME)
    market = f"{platform.apis['marketplace']}/api/v1"
    wait_until(
        lambda: requests.get(f"{market}/sellers/{enterprise_id}", timeout=10).ok,
        "the marketplace to learn of the enterprise from Kafka",
    )
    rep = token("rep-trakiiski-med", Role.REPRESENTATIVE, enterprise_id=enterprise_id)
    listing = post(f"{market}/listings", rep, {**LISTING, "title_bg": HONEY, "title_en": "Acacia honey"})
    photo = requests.post(
        f"{market}/listings/{listing['id']}/photos",
        headers=rep,
        files={"file": ("med.jpg", picture("honey"), "image/jpeg")},
        data={"alt": "Три буркана акациев мед"},
        timeout=30,
    )
    assert photo.status_code == 201, photo.text
    post(f"{market}/listings/{listing['id']}/publish", rep)
    return enterprise_id, listing["id"]


def published_forum(platform: Platform, day: datetime) -> None:
    """A forum of the ministry, online, with two seats (set up through the API: its form is the fair's)."""
    events = f"{platform.apis['events']}/api/v1"
    national = token("clerk-national-fairs", Role.CLERK, centre="national")
    body = {
        "kind": "forum",
        "organiser": "national",
        "title_bg": FORUM,
        "description_bg": "Общини, партньори и социални предприятия за подкрепата през 2027 г.",
        "venue": {"kind": "online", "url": "https://meet.example.bg/forum-2027"},
        "starts_at": f"{day:%Y-%m-%d}T10:00",
        "ends_at": f"{day:%Y-%m-%d}T13:00",
        "visitor_capacity": 2,
        "visitor_window": {"opens_at": f"{datetime.now(SOFIA):%Y-%m-%dT00:00}", "closes_at": f"{day:%Y-%m-%d}T09:00"},
    }
    forum = post(f"{events}/events", national, body)
    post(f"{events}/events/{forum['id']}/publish", national)


def test_a_clerk_publishes_a_fair_an_enterprise_exhibits_its_honey_and_a_visitor_registers_for_a_forum(
    platform: Platform, people: Any
) -> None:
    enterprise_id, honey = honey_seller(platform)
    fair_day = datetime.now(SOFIA) + timedelta(days=DAYS_AHEAD)
    published_forum(platform, fair_day + timedelta(days=1))

    # The centre's clerk creates the fair: an end before its start is named at the end's date first.
    clerk = people("clerk")
    clerk.sign_in_new(*CLERK, centre="Регионален център Пловдив")
    page = clerk.menu("Събития на центъра")
    page.get_by_role("link", name="Ново събитие").click()
    page.get_by_label("Вид").select_option(label="Изложение")
    page.get_by_label("Заглавие на български").fill(FAIR)
    page.get_by_label("Описание на български").fill("Храни, занаяти и услуги на социалните предприятия.")
    starts = page.get_by_role("group", name="Начало")
    starts.get_by_label("Дата").fill(f"{fair_day:%d.%m.%Y}")
    starts.get_by_label("Час").fill("10:00")
    ends = page.get_by_role("group", name="Край")
    ends.get_by_label("Дата").fill(f"{fair_day:%d.%m.%Y}")
    ends.get_by_label("Час").fill("09:00")
    for n, (code, price) in enumerate((("A1", "50,00"), ("A2", "")), start=1):
        stand = page.get_by_role("group", name=f"Щанд {n}", exact=True)
        stand.get_by_label("Означение").fill(code)
        stand.get_by_label("Ширина в см").fill("300")
        stand.get_by_label("Дълбочина в см").fill("200")
        stand.get_by_label("Цена в евро").fill(price)
    page.get_by_label("Предприятията кандидатстват от").fill(f"{datetime.now(SOFIA):%d.%m.%Y}")
    page.get_by_label("Предприятията кандидатстват до").fill(f"{fair_day - timedelta(days=7):%d.%m.%Y}")
    page.get_by_label("Кандидатстването приключва в").fill("18:00")
    page.get_by_role("button", name="Запазване като чернова").click()
    expect(page.locator("#e-ends_at-date")).to_contain_text("Краят трябва да е след началото.")
    expect(page.locator("#f-ends_at-date[aria-invalid=true]")).to_have_count(1)
    fits(page)
    clerk.shot("fair-refused")
    page.get_by_role("group", name="Край").get_by_label("Час").fill("18:00")
    page.get_by_role("button", name="Запазване като чернова").click()
    expect(page.get_by_role("status")).to_contain_text("Събитието е запазено като чернова.")
    page.get_by_role("button", name="Обявяване на събитието").click()
    expect(page.get_by_role("status")).to_contain_text("Събитието е обявено")
    staff_page = page.url

    # The enterprise applies with its honey (the events service learns of it and its listing from Kafka:
    # until it has, the form names what it does not know yet, and sending again succeeds).
    rep = people("representative")
    rep.sign_in_new(*REPRESENTATIVE, enterprise=EIK)
    page = rep.menu("Събития")
    page.get_by_role("link", name=FAIR).click()
    page.get_by_role("link", name="Кандидатствайте за щанд").click()
    page.get_by_label(HONEY).check()
    fits(page)
    rep.shot("apply")

    def applied() -> bool:
        page.get_by_role("button", name="Изпращане на кандидатурата").click()
        return "Кандидатурата ви за щанд е изпратена" in page.locator("main").inner_text()

    wait_until(applied, "the events service to learn of the enterprise and its honey", timeout=120, interval=1)
    expect(page.locator("main")).to_contain_text("Подадена, очаква избора на центъра")

    # The clerk selects it for stand A1.
    page = clerk.page
    page.goto(staff_page)
    card = page.locator("li.card", has=page.get_by_role("heading", name=NAME))
    card.get_by_label("Щанд").select_option(value="A1")
    fits(page)
    clerk.shot("applications")
    card.get_by_role("button", name=re.compile("^Одобряване за този щанд")).click()
    expect(page.get_by_role("status")).to_contain_text("Решението е записано")
    expect(page.locator("main")).to_contain_text("щанд A1")
    page = rep.open("/my/events")
    expect(page.locator("main")).to_contain_text("Одобрена — щанд A1")

    # Anyone sees the exhibitor's honey with its cover photo, linking to the listing's page.
    visitor = people("visitor")
    page = visitor.open("/events")
    page.get_by_role("link", name=FAIR).click()
    exhibitors = page.locator("li.card", has=page.get_by_role("heading", name=NAME))
    expect(exhibitors).to_contain_text("Щанд A1")
    product = exhibitors.get_by_role("link", name=HONEY)
    expect(product).to_have_attribute("href", f"/marketplace/listings/{honey}")
    cover = product.locator("img")
    wait_until(lambda: drawn(cover), "the cover photo to be drawn", timeout=10)
    expect(page.locator("main")).to_contain_text("Зала на Регионален център Пловдив")
    fits(page)
    visitor.shot("fair")

    # A visitor registers for the forum and downloads its calendar entry.
    visitor.sign_in_new(*VISITOR)
    page = visitor.menu("Събития")
    page.get_by_label("Вид").select_option(label="Форум")
    page.get_by_role("button", name="Покажи").click()
    page.get_by_role("link", name=FORUM).click()
    expect(page.locator("main")).to_contain_text("онлайн")
    expect(page.get_by_label("Вашето име")).to_have_value(VISITOR[1])
    page.get_by_role("button", name="Запишете се за място").click()
    expect(page.get_by_role("status")).to_contain_text("Записани сте: мястото ви е потвърдено.")
    expect(page.locator("main")).to_contain_text("свободни места: 1 от 2")
    fits(page)
    visitor.shot("forum-registered")
    with page.expect_download() as download:
        page.get_by_role("link", name="Добави в календара ми (.ics)").click()
    entry = Path(download.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in entry and "https://meet.example.bg/forum-2027" in entry
    assert "Социалната икономика" in entry.replace("\r\n ", "")
    page = visitor.menu("Моите събития")
    expect(page.locator("main")).to_contain_text(FORUM)
    expect(page.locator("main")).to_contain_text("Потвърдено място")
    fits(page)
    visitor.shot("my-events")
    assert enterprise_id
