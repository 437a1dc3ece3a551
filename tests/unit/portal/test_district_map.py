"""The map of the districts: each a link into the register filtered to it, named with its count, shaded by it."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient

from shared.bg.geography import geography


def district_counts(**counts: int) -> dict[str, Any]:
    by_code = {code.replace("_", "-"): n for code, n in counts.items()}
    return {
        "total": sum(by_code.values()),
        "districts": [{"code": code, "count": by_code.get(code, 0)} for code in sorted(geography().districts)],
    }


def test_every_district_is_a_named_link_into_the_filtered_register_shaded_by_its_count(
    portal: FlaskClient, services: Any
) -> None:
    services.registry.answer("GET", "/api/v1/register/districts", district_counts(BG_07=12, BG_16=1, BG_03=5))
    page = portal.get("/map").get_data(as_text=True)
    links = re.findall(r'<a href="/register\?district=(BG-\d\d)" class="district shade-(\w+)"', page)
    assert len(links) == 28
    assert dict(links)["BG-07"] == "4" and dict(links)["BG-16"] == "1" and dict(links)["BG-03"] == "3"
    assert dict(links)["BG-01"] == "0"
    assert "<title>Габрово: 12 предприятия</title>" in page
    assert "<title>Пловдив: 1 предприятие</title>" in page
    # the same counts as a list beside the map, each offering the sellers who deliver there
    assert '<a href="/register?district=BG-07">Габрово: 12 предприятия</a>' in page
    assert 'href="/marketplace?district=BG-07"' in page
    assert "общо 18" in page
    # the six centres with their town and how to reach them; no invented street or telephone
    for town in ("Ловеч", "Габрово", "Варна", "Бургас", "Благоевград", "Пловдив"):
        assert f"Адрес: гр. {town}" in page
    assert "ул. „Триадица“ 2" in page
    assert page.count("<circle") == 6


def test_without_the_register_the_map_still_shows_the_districts_and_says_the_counts_are_missing(
    portal: FlaskClient, services: Any
) -> None:
    page = portal.get("/map")  # the registry answers 404
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert len(re.findall(r'class="district shade-unknown"', text)) == 28
    assert "регистърът не отговори" in text


def test_the_footer_the_home_page_and_the_register_link_the_map_and_a_district_offers_its_sellers(
    portal: FlaskClient, services: Any
) -> None:
    assert 'href="/map"' in portal.get("/about/contacts").get_data(as_text=True)
    assert '<a href="/map">Регистърът на картата на областите</a>' in portal.get("/").get_data(as_text=True)
    services.registry.answer("GET", "/api/v1/register", {"total": 0, "items": []})
    assert 'href="/map"' in portal.get("/register").get_data(as_text=True)
    page = portal.get("/register?district=BG-07").get_data(as_text=True)
    assert '<a href="/marketplace?district=BG-07">Продавачи в пазара, които доставят в област ' in page


def test_a_district_chosen_in_the_register_offers_its_municipalities_and_the_search_passes_one_on(
    portal: FlaskClient, services: Any
) -> None:
    services.registry.answer("GET", "/api/v1/register", {"total": 0, "items": []})
    assert 'name="municipality"' not in portal.get("/register").get_data(as_text=True)
    page = portal.get("/register?district=BG-07").get_data(as_text=True)
    assert '<option value="GAB35">Трявна</option>' in page and "Всички общини в областта" in page
    assert '<option value="VAR05">' not in page  # Бяла near Варна is not in the district of Габрово
    portal.get("/register?district=BG-07&municipality=GAB35")
    asked = [call for call in services.registry.calls if call.path == "/api/v1/register"][-1]
    assert asked.params["municipality"] == "GAB35" and asked.params["district"] == "BG-07"
