"""A seller adds photos to a listing in the browser (one refused, one with what it shows), and a buyer sees the
cover in the search results and the gallery on the listing's page, at a phone's 360 px and at 1280 px.

The pictures come from the portal's own address under its content security policy (``img-src 'self'``): the
test checks each one was really drawn by the browser, not just that an ``<img>`` is in the page.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Locator, Page, expect

from services.marketplace.entrypoints.demo_pictures import honey_jars, picture
from tests.browser.conftest import Person, Platform
from tests.browser.crawl import DESKTOP_WIDTH, PHONE_WIDTH, sideways
from tests.e2e.registry_flow import register
from tests.photos import as_phone_photo
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

EIK = "205118894"
NAME = "Пчеларска кооперация „Медена пита“"
TITLE = "Липов мед от Балкана, буркан 900 г"
ALT = "Три буркана липов мед на дървена маса"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def drawn(image: Locator) -> bool:
    """The browser loaded and decoded the picture (a blocked or broken one has no natural width)."""
    return bool(image.evaluate("img => img.complete && img.naturalWidth > 0"))


def fits(page: Page) -> None:
    """The page, loaded with its stylesheet (a page still loading shows a photo at its natural width), needs no
    sideways scrolling at phone and desktop widths."""
    page.wait_for_load_state("load")
    for size in (PHONE_WIDTH, DESKTOP_WIDTH):
        page.set_viewport_size(size)
        assert sideways(page) is None, f"{page.url} at {size['width']} px: {sideways(page)}"


def test_a_seller_adds_photos_and_a_buyer_sees_them_in_search_and_on_the_listing(
    people: Any, platform: Platform, tmp_path: Path
) -> None:
    enterprise_id = register(f"{platform.apis['registry']}/api/v1", EIK, NAME)
    wait_until(
        lambda: requests.get(f"{platform.apis['marketplace']}/api/v1/sellers/{enterprise_id}", timeout=10).ok,
        "the marketplace to learn of the new enterprise from Kafka",
    )
    seller: Person = people("seller")
    seller.sign_in_new("Представител на предприятие", "Калин Пчеларов", "kalin@medena-pita.example.bg",
                       enterprise=EIK)  # fmt: skip
    page = seller.menu("Моите обяви")
    page.get_by_role("link", name="Нова обява").click()
    expect(page.get_by_text("Първо запазете обявата")).to_be_visible()
    page.get_by_label("Заглавие на български").fill(TITLE)
    page.get_by_label("Описание на български").fill("Мед от пчелините на кооперацията край Тетевен.")
    page.get_by_label("Категория").select_option(value="food.honey")
    page.get_by_label("Единична цена (€)").fill("9,50")
    page.get_by_label("Мерна единица").fill("буркан")
    page.get_by_label("Всички 28 области").check()
    page.get_by_role("button", name="Запази като чернова").click()
    expect(page.get_by_role("status")).to_contain_text("е запазена")
    page.get_by_role("link", name=re.compile("^Редактирай")).first.click()

    # a PDF named like a photo, described in English: both fields say what is wrong, at once
    fake = tmp_path / "med.jpg"
    fake.write_bytes(b"%PDF-1.7\n%%EOF\n")
    page.get_by_label(re.compile("^Снимка")).set_input_files(str(fake))
    page.get_by_label(re.compile("^Какво показва снимката")).fill("Honey jars")
    page.get_by_role("button", name="Добави снимката").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("не е снимка във формат JPEG, PNG или WebP")
    expect(summary).to_contain_text("Опишете снимката на български")
    expect(page.locator("#f-photo_file[aria-invalid=true]")).to_have_count(1)

    photo = tmp_path / "med-ot-telefona.jpg"
    photo.write_bytes(as_phone_photo(honey_jars()))  # stored on its side, with the phone's GPS position
    page.get_by_label(re.compile("^Снимка")).set_input_files(str(photo))
    page.get_by_label(re.compile("^Какво показва снимката")).fill(ALT)
    page.get_by_role("button", name="Добави снимката").click()
    expect(page.get_by_role("status")).to_contain_text("Снимката е добавена")
    second = tmp_path / "pchelin.png"
    second.write_bytes(picture("soap", encoding="PNG"))
    page.get_by_label(re.compile("^Снимка")).set_input_files(str(second))
    page.get_by_label(re.compile("^Какво показва снимката")).fill("Свещи и сапуни от пчелен восък")
    page.get_by_role("button", name="Добави снимката").click()
    expect(page.get_by_role("status")).to_contain_text("Снимката е добавена")
    cover = page.locator("#photos img").first
    expect(cover).to_have_attribute("alt", ALT)
    assert drawn(cover), "the seller sees the draft's photo"
    fits(page)
    page.set_viewport_size(DESKTOP_WIDTH)
    seller.shot("photos-added")
    page.get_by_role("button", name="Запази и публикувай").click()
    expect(page.get_by_role("status")).to_contain_text("е публикувана")

    buyer: Person = people("buyer")
    page = buyer.open("/marketplace")
    page.get_by_label("Какво търсите?").fill("lipov med balkana")
    page.get_by_role("button", name="Търси").click()
    card = page.locator("li.card", has=page.get_by_role("link", name=TITLE))
    thumbnail = card.get_by_role("img", name=ALT)
    expect(thumbnail).to_have_attribute("loading", "lazy")
    expect(thumbnail).to_have_attribute("width", "320")
    expect(thumbnail).to_have_attribute("height", "240")
    thumbnail.scroll_into_view_if_needed()
    wait_until(lambda: drawn(thumbnail), "the cover thumbnail drawn in the search results", interval=0.2)
    fits(page)
    buyer.shot("search-with-photos")

    page.get_by_role("link", name=TITLE).click()
    large = page.locator("#gallery figure img")
    expect(large).to_have_attribute("alt", ALT)
    wait_until(lambda: drawn(large), "the large view drawn on the listing's page", interval=0.2)
    natural = large.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    assert natural == [1200, 900], "the phone's photo stands upright again (it was stored 900 × 1200)"
    page.locator(".gallery-strip").get_by_role("link").nth(1).click()
    expect(page.locator("#gallery figure img")).to_have_attribute("alt", "Свещи и сапуни от пчелен восък")
    page.locator(".gallery-strip").get_by_role("link").first.click()
    expect(page.locator("#gallery figure img")).to_have_attribute("alt", ALT)
    fits(page)
    response = requests.get(page.locator("#gallery figure img").evaluate("img => img.src"), timeout=10)
    assert response.headers["Content-Type"] == "image/webp" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response.headers["Cache-Control"]
    buyer.shot("listing-with-photos")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("1280", DESKTOP_WIDTH), ("360", PHONE_WIDTH)):
        page.set_viewport_size(size)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / f"listing-with-photos-{label}.png"))
    page.set_viewport_size(DESKTOP_WIDTH)
