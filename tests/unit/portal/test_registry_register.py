"""The public register: search by name or ЕИК with filters, an entry with its public history, open data."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from services.portal.clients import Download, ServiceError
from tests.unit.portal.fakes import refusal

ITEM = {
    "id": "ent-1",
    "registration_number": "СП-00005",
    "name": "Фондация „Мост към труд“",
    "legal_form": "cooperative",
    "eik": "178008184",
    "enterprise_class": "A+",
    "status": "active",
    "settlement": "Пловдив",
    "district": "BG-16",
    "region": "BG42",
    "centre": "plovdiv",
    "activities": ["социален кетъринг"],
    "valid_until": "2029-12-08",
    "registered_at": "2023-12-09T10:30:00Z",
}
ENTRY = {
    "id": "ent-1",
    "registration_number": "СП-00005",
    "name": "Фондация „Мост към труд“",
    "legal_form": "cooperative",
    "eik": "178008184",
    "seat": {"address": "ул. „Славянска“ 3", "district": "BG-16", "municipality": "Пловдив", "postcode": "4000",
             "settlement": "Пловдив"},
    "placement": {
        "district": {"code": "BG-16", "name_bg": "Пловдив", "name_en": "Plovdiv"},
        "region": {"code": "BG42", "name_bg": "Южен централен", "name_en": "South-Central"},
        "centre": {"id": "plovdiv", "name_bg": "Регионален център Пловдив", "name_en": "Plovdiv regional centre"},
    },
    "representative": "Елена Паскалева",
    "contacts": {"email": "most@example.bg", "website": "javascript:alert(1)"},
    "activities": ["социален кетъринг"],
    "description": "Кухня-училище.",
    "enterprise_class": "A",
    "class_a_route": "employment",
    "a_plus_criterion": None,
    "status": "deleted",
    "registered_at": "2023-12-09T10:30:00Z",
    "order": {"date": "2023-12-09", "number": "РД01-005"},
    "certificate": {"number": "УСП-2023-00005", "valid_from": "2023-12-09", "valid_until": "2026-12-08",
                    "issued_on": "2023-12-09"},
    "mark": None,
    "deletion": {"deleted_at": "2026-05-07T08:00:00Z", "reason_code": "own_request", "reason_bg": "",
                 "order": {"date": "2026-05-07", "number": "РД01-004"}},
    "history": [
        {"action": "registered", "at": "2023-12-09T10:30:00Z", "changes": []},
        {"action": "details_updated", "at": "2026-08-30T07:00:00Z",
         "changes": [{"field": "seat.address", "from": "ул. „Иван Вазов“ 36", "to": "ул. „Славянска“ 3"}]},
        {"action": "deleted", "at": "2026-05-07T08:00:00Z", "changes": []},
    ],
}  # fmt: skip


def register_answers(services: Any, items: list[dict[str, Any]] | None = None, total: int = 1) -> None:
    page = {"total": total, "page": 1, "per_page": 20, "items": [ITEM] if items is None else items}
    services.registry.answer("GET", "/api/v1/register", page)


def test_results_show_the_mark_class_and_place_of_each_enterprise(portal: FlaskClient, services: Any) -> None:
    register_answers(services)
    page = portal.get("/register").get_data(as_text=True)
    assert "Намерено е 1 предприятие" in page
    assert '<span class="mark">Продукт на социално предприятие</span>' in page
    assert "Клас A+" in page
    assert "Пловдив, област Пловдив" in page
    assert 'href="/register/ent-1"' in page
    assert 'href="/register/export.csv?status=active"' in page
    assert services.registry.sent("GET", "/api/v1/register")[0].params["status"] == "active"


def test_a_nine_digit_query_is_searched_as_an_eik_and_words_as_a_name(portal: FlaskClient, services: Any) -> None:
    register_answers(services)
    portal.get("/register?q=178 008 184")
    portal.get("/register?q=most&district=BG-16&class=A%2B&activity=кетъринг&page=2")
    by_eik, by_name = (call.params for call in services.registry.sent("GET", "/api/v1/register"))
    assert by_eik["eik"] == "178008184" and "q" not in by_eik
    assert by_name["q"] == "most"
    assert (by_name["district"], by_name["class"], by_name["activity"], by_name["page"]) == (
        "BG-16",
        "A+",
        "кетъринг",
        2,
    )


def test_a_filter_the_service_refuses_is_shown_on_the_form_in_the_page_language(
    portal: FlaskClient, services: Any
) -> None:
    services.registry.answer("GET", "/api/v1/register", refusal(422, {"district": "Непозната област."}))
    response = portal.get("/register?district=BG-99")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Област: Непозната област." in page
    assert 'id="e-district"' in page
    english = portal.get("/register?district=BG-99&lang=en").get_data(as_text=True)
    assert "District: EN Непозната област." in english


def test_no_results_says_so(portal: FlaskClient, services: Any) -> None:
    register_answers(services, items=[], total=0)
    page = portal.get("/register?q=несъществуващо").get_data(as_text=True)
    assert "Няма предприятие, което да отговаря на търсенето." in page


def test_the_open_data_is_a_download_of_the_registry_export(portal: FlaskClient, services: Any) -> None:
    services.registry.answer(
        "GET",
        "/api/v1/register/export.csv",
        Download("\ufeffregistration_number\n".encode(), "text/csv", "register.csv"),
    )
    response = portal.get("/register/export.csv?status=all")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="register.csv"'
    assert response.data.startswith("\ufeffregistration_number".encode())
    assert services.registry.sent("GET", "/api/v1/register/export.csv")[0].params == {"status": "all", "labels": "bg"}
    assert portal.get("/register/export.xml").status_code == 404


def test_an_entry_shows_its_deletion_and_public_history_in_words(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", "/api/v1/register/ent-1", ENTRY)
    page = portal.get("/register/ent-1").get_data(as_text=True)
    assert "Заличено от регистъра" in page
    assert "По искане на предприятието" in page
    assert "№ РД01-004 от 07.05.2026 г." in page
    assert "Данните са променени" in page
    assert "Адрес: ул. „Иван Вазов“ 36 → ул. „Славянска“ 3" in page
    assert "javascript:alert(1)" in page and 'href="javascript' not in page


def test_an_unknown_entry_is_a_missing_page(portal: FlaskClient, services: Any) -> None:
    services.registry.answer(
        "GET", "/api/v1/register/.*", ServiceError(404, "not_found", {"bg": "Няма такова вписване.", "en": "No entry."})
    )
    response = portal.get("/register/СП-99999")
    assert response.status_code == 404
    assert "Няма такова вписване." in response.get_data(as_text=True)
    assert portal.get("/register/..%2Fapi").status_code == 404
