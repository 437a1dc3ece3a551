"""A visitor opens the map of districts on a phone and a desktop, follows a district into the register filtered
to it and on to the sellers who deliver there, and asks who delivers to her municipality.

The map is an inline SVG: each district a link with its name and count, reachable from the keyboard; the page
fits 360 px and axe-core finds nothing serious. Its screenshots are kept in ``docs/screenshots``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from shared.auth import Role
from tests.browser.accessibility import serious_violations
from tests.browser.conftest import Person, Platform
from tests.browser.crawl import DESKTOP_WIDTH, PHONE_WIDTH, sideways
from tests.e2e.registry_flow import ORDER
from tests.e2e.services import post
from tests.integration.registry_api import REP, application, token

pytestmark = pytest.mark.e2e

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CLERK_GABROVO = token("clerk-gabrovo-map", Role.CLERK, centre="gabrovo")
ENTERPRISES = [
    ("206004107", "Социална кооперация „Тревненска резба“", "Трявна"),
    ("206004114", "Шивашко ателие „Янтра“", "Габрово"),
]


def enter(registry: str, eik: str, name: str, municipality: str) -> None:
    seat = {
        "district": "BG-07",
        "municipality": municipality,
        "settlement": municipality,
        "address": "ул. Опълченска 5",
    }
    body = application(details__eik=eik, details__name=name, details__seat=seat)
    app_id = post(f"{registry}/applications", REP, body)["id"]
    post(f"{registry}/applications/{app_id}/submit", REP)
    post(f"{registry}/applications/{app_id}/approve", CLERK_GABROVO, ORDER)


def test_a_visitor_follows_a_district_of_the_map_into_the_register_and_to_its_sellers(
    people: Any, platform: Platform
) -> None:
    for eik, name, municipality in ENTERPRISES:
        enter(f"{platform.apis['registry']}/api/v1", eik, name, municipality)
    visitor: Person = people("visitor")
    page = visitor.open("/")
    page.get_by_role("contentinfo").get_by_role("link", name="Карта на социалните предприятия").click()
    expect(page.get_by_role("heading", name="Карта на социалните предприятия")).to_be_visible()

    gabrovo = page.locator('svg a[data-district="BG-07"]')
    name = gabrovo.locator("title").text_content() or ""
    assert re.fullmatch(r"Габрово: \d+ предприятия", name), name
    assert int(name.split()[1]) >= len(ENTERPRISES)
    expect(page.get_by_role("link", name=name).first).to_be_visible()
    assert page.locator("svg a.district").count() == 28
    assert page.locator("svg .centre-markers circle").count() == 6
    for size, label in ((DESKTOP_WIDTH, "1280"), (PHONE_WIDTH, "360")):
        page.set_viewport_size(size)
        assert sideways(page) is None, f"/map at {label} px: {sideways(page)}"
        assert serious_violations(page) == [], f"/map at {label} px"
        # the map scales to the window; at a phone's width the list comes below it
        box = page.locator("figure.district-map svg").bounding_box()
        assert box is not None and box["width"] <= size["width"]
        whole = {"x": 0, "y": 0, "width": size["width"], "height": 1300 if label == "360" else 2000}
        page.screenshot(path=str(SCREENSHOTS / f"map-of-districts-{label}.png"), full_page=True, clip=whole)
    below = page.locator("#districts-heading").bounding_box()
    assert box is not None and below is not None and below["y"] > box["y"] + box["height"]

    # from the keyboard: the district is a link that takes focus and opens with Enter
    gabrovo.focus()
    assert page.evaluate("document.activeElement.dataset.district") == "BG-07"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/register\?district=BG-07$"))
    for _eik, enterprise, _municipality in ENTERPRISES:
        expect(page.get_by_role("link", name=enterprise)).to_be_visible()
    assert sideways(page) is None
    page.get_by_role("link", name=re.compile("^Продавачи в пазара, които доставят в област Габрово")).click()
    page.wait_for_url(re.compile(r"/marketplace\?district=BG-07$"))

    # who delivers to my municipality: a municipality's name narrows the marketplace to its district
    page = visitor.open("/map")
    page.get_by_label("Община, населено място или област").fill("Трявна")
    page.get_by_role("button", name="Намери продавачи").click()
    expect(page.get_by_text("Само обяви с доставка в област Габрово")).to_be_visible()
