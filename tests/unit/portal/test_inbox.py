"""The inbox: a person's messages, newest first, unread ones marked, read one by one or all at once."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.conftest import sign_in

MESSAGES = {
    "items": [
        {"id": "m-2", "subject": "Заявлението е одобрено", "text": "Здравейте,\nвписахме предприятието.",
         "created_at": "2026-11-20T08:30:00Z", "read": False, "read_at": None, "message": "application_approved"},
        {"id": "m-1", "subject": "Заявлението е получено", "text": "Получихме заявлението.",
         "created_at": "2026-11-10T08:30:00Z", "read": True, "read_at": "2026-11-10T09:00:00Z",
         "message": "application_received"},
    ],
    "next_cursor": "abc",
}  # fmt: skip


def test_the_inbox_lists_messages_marks_the_unread_and_offers_older_ones(portal: FlaskClient, services: Any) -> None:
    services.notifications.answer("GET", "/api/v1/inbox", MESSAGES)
    token = sign_in(portal, "representative")
    page = portal.get("/inbox").get_data(as_text=True)
    assert page.index("Заявлението е одобрено") < page.index("Заявлението е получено")
    assert page.count("Непрочетено:") == 1
    assert "20.11.2026 г., 10:30" in page  # Sofia time (UTC+2 in November)
    assert "cursor=abc" in page
    assert services.notifications.sent("GET", "/api/v1/inbox")[0].token == token


def test_unread_only_is_asked_of_the_service(portal: FlaskClient, services: Any) -> None:
    services.notifications.answer("GET", "/api/v1/inbox", {"items": [], "next_cursor": None})
    sign_in(portal, "buyer")
    page = portal.get("/inbox?unread=1").get_data(as_text=True)
    assert services.notifications.sent("GET", "/api/v1/inbox")[0].params["unread"] == "true"
    assert "Няма съобщения." in page


def test_reading_a_message_marks_it_and_opens_it(portal: FlaskClient, services: Any) -> None:
    services.notifications.answer("POST", "/api/v1/inbox/m-2/read", {"id": "m-2", "read": True})
    sign_in(portal, "buyer")
    response = portal.post("/inbox/m-2/read")
    assert response.status_code == 302
    assert "open=m-2" in response.headers["Location"]
    assert services.notifications.sent("POST", "/api/v1/inbox/m-2/read")


def test_marking_all_read(portal: FlaskClient, services: Any) -> None:
    services.notifications.answer("POST", "/api/v1/inbox/read-all", {"marked": 2})
    sign_in(portal, "buyer")
    assert portal.post("/inbox/read-all").status_code == 302
    assert services.notifications.sent("POST", "/api/v1/inbox/read-all")


def test_the_inbox_asks_people_to_sign_in_first(portal: FlaskClient) -> None:
    response = portal.get("/inbox")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=/inbox")


def test_an_expired_token_signs_the_person_out_with_a_clear_page(portal: FlaskClient, services: Any) -> None:
    from tests.unit.portal.fakes import refusal

    services.notifications.answer("GET", "/api/v1/inbox", refusal(401, message="Токенът е изтекъл."))
    sign_in(portal, "buyer", name="Мария Петкова")
    response = portal.get("/inbox")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Моля, влезте отново" in page
    assert "Мария Петкова" not in portal.get("/").get_data(as_text=True)


def test_a_service_that_does_not_answer_gives_a_clear_page_not_an_error(portal: FlaskClient, services: Any) -> None:
    from services.portal.clients import UNREACHABLE, ServiceError

    services.notifications.answer("GET", "/api/v1/inbox", ServiceError(503, "service_unavailable", UNREACHABLE))
    sign_in(portal, "buyer")
    response = portal.get("/inbox?lang=en")
    assert response.status_code == 503
    assert "The service is not answering at the moment" in response.get_data(as_text=True)


def test_opening_a_message_marks_it_read_and_shows_its_short_text_and_what_it_is_about(
    portal: FlaskClient, services: Any
) -> None:
    message_id = "ev-1:user:rep-maria:inbox"
    approved = {
        "id": message_id, "subject": "Заявлението е одобрено", "read": True, "read_at": "2026-11-20T09:00:00Z",
        "created_at": "2026-11-20T08:30:00Z", "message": "application_approved",
        "text": "Здравейте,\n\nВписахме предприятието.\n\nПоздрави,\nекипът\n\n--\nОфициално уведомление.",
        "summary": "Вписахме предприятието.", "link": "/my/applications/app-1",
    }  # fmt: skip
    services.notifications.answer("POST", "/api/v1/inbox/ev-1%3Auser%3Arep-maria%3Ainbox/read", approved)
    services.notifications.answer("GET", "/api/v1/inbox", {"items": [approved], "next_cursor": None})
    sign_in(portal, "representative")
    listed = portal.get("/inbox").get_data(as_text=True)
    assert f'href="/inbox/{message_id}"' in listed  # each message opens by a link
    assert "Вписахме предприятието." not in listed  # closed until opened
    opened = portal.get(f"/inbox/{message_id}")
    assert opened.status_code == 302
    assert services.notifications.sent("POST", "/api/v1/inbox/ev-1%3Auser%3Arep-maria%3Ainbox/read")
    page = portal.get(opened.headers["Location"]).get_data(as_text=True)
    assert "Вписахме предприятието." in page
    assert 'href="/my/applications/app-1"' in page
    assert "Официално уведомление" not in page and "Поздрави" not in page  # not the e-mail with its footer
