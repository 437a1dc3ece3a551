"""Amounts typed the Bulgarian or the English way, service refusals placed on their fields, euro shown right."""

from __future__ import annotations

from flask import Flask
from werkzeug.datastructures import MultiDict

from services.portal.formatting import cents_as_input, day, euro, percent, quantity, when
from services.portal.forms import FormState, euro_to_cents, nest, whole_number
from tests.unit.portal.fakes import refusal


def test_amounts_in_euro_become_cents_with_a_comma_or_a_point(portal_app: Flask) -> None:
    with portal_app.test_request_context("/"):
        state = FormState()
        assert euro_to_cents("12,50", "price", state) == 1250
        assert euro_to_cents("1 234.5", "price", state) == 123450
        assert euro_to_cents("", "price", state) is None
        assert state.ok


def test_a_wrong_amount_is_reported_on_its_field_in_the_page_language(portal_app: Flask) -> None:
    with portal_app.test_request_context("/"):
        state = FormState()
        assert euro_to_cents("дванайсет", "evidence.revenue", state) is None
        assert euro_to_cents("NaN", "evidence.costs", state) is None
        assert euro_to_cents("Infinity", "evidence.costs", state) is None
        assert whole_number("3,5", "seats", state) is None
        assert state.error_for("evidence.revenue") == ["Въведете сума в евро, напр. 12,50."]
        assert state.error_for("seats") == ["Въведете цяло число."]


def test_a_refusal_lands_on_the_inputs_named_by_its_paths(portal_app: Flask) -> None:
    with portal_app.test_request_context("/?lang=en"):
        portal_app.preprocess_request()
        state = FormState.of(MultiDict({"details.name": "", "csrf_token": "x"}))
        state.fail(refusal(422, {"details.name": "Задължително поле.", "evidence.x": "Непознато поле."}),
                   aliases={"evidence.x": "details.name"})  # fmt: skip
        assert state.message == "EN Данните не са валидни."
        assert state.error_for("details.name") == ["EN Задължително поле.", "EN Непознато поле."]
        assert "csrf_token" not in state.values


def test_dotted_names_become_the_nested_body_the_services_expect() -> None:
    assert nest({"details.address.city": "Варна", "details.name": "Х", "requested_class": "A"}) == {
        "details": {"address": {"city": "Варна"}, "name": "Х"},
        "requested_class": "A",
    }


def test_euro_and_times_are_shown_in_the_page_language(portal_app: Flask) -> None:
    with portal_app.test_request_context("/"):
        portal_app.preprocess_request()
        assert euro(123450) == "1\xa0234,50\xa0€"
        assert cents_as_input(1205) == "12,05"
        assert when("2026-07-01T09:00:00Z") == "01.07.2026 г., 12:00"  # summer time in Sofia
    with portal_app.test_request_context("/?lang=en"):
        portal_app.preprocess_request()
        assert euro(123450) == "€1,234.50"
        assert when("2026-07-01T09:00:00Z") == "1 July 2026, 12:00"


def test_bulgarian_plural_forms_decimal_comma_and_one_date_style(portal_app: Flask) -> None:
    with portal_app.test_request_context("/"):
        portal_app.preprocess_request()
        assert quantity(30, "брой") == "30\xa0броя" and quantity(1, "брой") == "1\xa0брой"
        assert quantity(5, "порция") == "5\xa0порции" and quantity(2, "пакет") == "2\xa0пакета"
        assert quantity(12, "кошници от върба") == "12\xa0кошници от върба"  # a unit not known stays as typed
        assert quantity(2.5, "кг") == "2,5\xa0кг"
        assert percent(44.444) == "44,4\xa0%" and percent(30) == "30\xa0%"
        assert day("2029-12-21") == "21.12.2029 г." and day("2029-12-21", "short") == "21.12.2029 г."
        assert day("2029-12-22", "full") == "събота, 22.12.2029 г."
    with portal_app.test_request_context("/?lang=en"):
        portal_app.preprocess_request()
        assert quantity(30, "pieces") == "30\xa0pieces" and percent(44.444) == "44.4%"
        assert day("2029-12-21") == "21 December 2029"
