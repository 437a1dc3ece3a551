"""The frame of every page: Bulgarian by default, English on request, accessible landmarks, sign-in state."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in


def test_pages_are_bulgarian_by_default_and_english_on_request(portal: FlaskClient) -> None:
    page = portal.get("/").get_data(as_text=True)
    assert '<html lang="bg">' in page
    assert "Шестте регионални центъра" in page
    assert "Регионален център Пловдив" in page

    english = portal.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "The six regional centres" in english
    assert "Plovdiv regional centre" in english
    # the choice is remembered on the next page
    assert '<html lang="en">' in portal.get("/").get_data(as_text=True)


def test_every_page_has_a_skip_link_main_landmark_and_labelled_navigation(portal: FlaskClient) -> None:
    page = portal.get("/").get_data(as_text=True)
    assert '<a class="skip-link" href="#content">' in page
    assert '<main id="content"' in page
    assert '<nav aria-label="Основно меню" class="menu-wide">' in page
    assert "<details" not in page  # four public links need no menu to open


def test_a_signed_in_persons_links_fold_into_a_menu_that_opens_without_script_on_phones(
    portal: FlaskClient, services: Any
) -> None:
    services.notifications.answer("GET", "/api/v1/inbox/unread-count", {"unread": 0})
    sign_in(portal, "buyer", name="Мария Петкова")
    page = portal.get("/").get_data(as_text=True)
    assert '<nav aria-label="Основно меню" class="menu-wide collapsible">' in page
    narrow = page[page.index('<details class="menu-narrow">') :]
    narrow = narrow[: narrow.index("</details>")]
    assert "<summary>Меню</summary>" in narrow
    assert '<nav aria-label="Основно меню">' in narrow and "Моите поръчки" in narrow
    css = portal.get("/static/portal.css").get_data(as_text=True)
    assert ".menu-wide.collapsible { display: none; }" in css  # on phones only the disclosure is shown


def test_a_signed_in_person_sees_their_name_inbox_count_and_role_links(portal: FlaskClient, services: Any) -> None:
    services.notifications.answer("GET", "/api/v1/inbox/unread-count", {"unread": 3})
    sign_in(portal, "buyer", name="Мария Петкова")
    page = portal.get("/").get_data(as_text=True)
    assert "Мария Петкова" in page
    assert "3 непрочетени съобщения" in page
    assert "Моите поръчки" in page
    assert "Заявления за разглеждане" not in page


def test_the_inbox_count_is_left_out_when_notifications_do_not_answer(portal: FlaskClient, services: Any) -> None:
    from services.portal.clients import UNREACHABLE, ServiceError

    services.notifications.answer("GET", "/api/v1/inbox/unread-count", ServiceError(503, "down", UNREACHABLE))
    sign_in(portal, "buyer")
    response = portal.get("/")
    assert response.status_code == 200
    assert "непрочетен" not in response.get_data(as_text=True)


def test_security_headers_are_set(portal: FlaskClient) -> None:
    response = portal.get("/")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Language"] == "bg"
