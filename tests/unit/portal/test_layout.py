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


def test_a_representative_without_an_entered_enterprise_is_not_offered_pages_that_refuse_them(
    portal: FlaskClient, services: Any
) -> None:
    services.notifications.answer("GET", "/api/v1/inbox/unread-count", {"unread": 0})
    sign_in(portal, "representative")  # applied, not yet entered in the register
    page = portal.get("/").get_data(as_text=True)
    assert "Моите заявления" in page
    for refused in ("Моите обяви", "Запитвания за оферти", "Продажби", "Дигитална зрялост"):
        assert f">{refused}</a>" not in page, refused
    assert '<a class="button" href="/my/applications">' in page  # what they can do: apply


def test_the_home_page_sends_a_registered_seller_to_selling_not_to_apply(portal: FlaskClient, services: Any) -> None:
    services.notifications.answer("GET", "/api/v1/inbox/unread-count", {"unread": 0})
    sign_in(portal, "representative", enterprise_id="ent-1")
    page = portal.get("/").get_data(as_text=True)
    assert "Предприятието ви е вписано в регистъра" in page
    assert 'href="/my/applications">' not in page.split("<main", 1)[1]  # no "apply" button in the content
    assert '<a href="/my/sales/listings"' in page  # the menu offers the seller's pages


def test_the_footer_links_contacts_accessibility_and_privacy_pages_and_a_favicon(portal: FlaskClient) -> None:
    page = portal.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert portal.get("/static/favicon.svg").status_code == 200
    for path, heading in (
        ("/about/contacts", "Контакти"),
        ("/about/accessibility", "Декларация за достъпност"),
        ("/about/privacy", "Поверителност и бисквитки"),
    ):
        assert f'href="{path}"' in page
        shown = portal.get(path)
        assert shown.status_code == 200 and f"<h1>{heading}</h1>" in shown.get_data(as_text=True)
    privacy = portal.get("/about/privacy").get_data(as_text=True)
    assert "portal_session" in privacy and "Комисията за защита на личните данни" in privacy
    assert "Регионален център Пловдив" in portal.get("/about/contacts").get_data(as_text=True)
