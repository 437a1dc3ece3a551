"""Events of the centres in the portal: the calendar with its filters, an event's page (Sofia times written the
Bulgarian way, the venue's address, exhibitors' products with their cover photos), registering and the
personal calendar entry, an enterprise's stand with its report in euro, and the staff's event form with every
problem at its field."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from services.portal.clients import Download
from services.portal.forms import UNREADABLE
from tests.unit.portal.conftest import sign_in
from tests.unit.portal.fakes import refusal

EVENT_ID, BAKERY, BREAD = "ev1", "ent-1", "lst-1"
EVENT: dict[str, Any] = {
    "id": EVENT_ID,
    "version": 2,
    "kind": "fair",
    "organiser": "plovdiv",
    "title_bg": "Лятно изложение",
    "title_en": "Summer fair",
    "description_bg": "Продукти на социалните предприятия.",
    "description_en": "",
    "venue": {"kind": "hall", "centre": "plovdiv", "url": None, "district": "BG-16"},
    "starts_at": "2099-06-12T07:00:00Z",
    "ends_at": "2099-06-12T15:00:00Z",
    "status": "published",
    "visitor_capacity": 30,
    "registration_required": True,
    "stands": [{"code": "A1", "width_cm": 300, "depth_cm": 200, "price_cents": 5000}],
    "exhibitor_window": {"opens_at": "2020-01-01T00:00:00Z", "closes_at": "2099-06-01T00:00:00Z"},
    "visitor_window": {"opens_at": "2020-01-01T00:00:00Z", "closes_at": "2099-06-12T06:00:00Z"},
    "cancel_reason": "",
    "attendance": None,
    "seats_taken": 4,
    "waiting": 0,
    "seats_free": 26,
}


def _event(services: Any) -> None:
    services.events.answer("GET", f"/api/v1/events/{EVENT_ID}", EVENT)
    services.events.answer(
        "GET",
        f"/api/v1/events/{EVENT_ID}/exhibitors",
        {
            "items": [
                {
                    "enterprise_id": BAKERY,
                    "enterprise_name": "Пекарна Добро",
                    "stand": "A1",
                    "products": [{"listing_id": BREAD, "title_bg": "Пълнозърнест хляб", "title_en": ""}],
                }
            ]
        },
    )
    photo = {"id": "ph1", "alt": "Хляб", "thumb": {"width": 320, "height": 240}}
    services.marketplace.answer(
        "GET", f"/api/v1/sellers/{BAKERY}", {"listings": [{"id": BREAD, "status": "published", "photos": [photo]}]}
    )


def test_the_calendar_filters_by_centre_district_and_kind_and_writes_times_the_bulgarian_way(
    portal: FlaskClient, services: Any
) -> None:
    services.events.answer("GET", "/api/v1/events", {"items": [EVENT]})
    page = portal.get("/events?centre=plovdiv&district=BG-16&kind=fair").get_data(as_text=True)
    [call] = services.events.sent("GET", "/api/v1/events")
    assert call.params == {"centre": "plovdiv", "district": "BG-16", "kind": "fair"}
    assert "петък, 12.06.2099 г., 10:00 – 18:00" in page  # Sofia summer time
    assert "Зала на Регионален център Пловдив, гр. Пловдив" in page
    assert 'href="/events/centres/plovdiv.ics"' in page and 'href="/events/open-data"' in page
    assert '<a href="/events" aria-current="page">Събития</a>' in page


def test_the_event_page_shows_each_exhibitors_products_with_cover_photos_and_the_seats(
    portal: FlaskClient, services: Any
) -> None:
    _event(services)
    page = portal.get(f"/events/{EVENT_ID}").get_data(as_text=True)
    assert "Пекарна Добро" in page and "Щанд A1" in page
    assert f'href="/marketplace/listings/{BREAD}"' in page and "Пълнозърнест хляб" in page
    assert f'src="/marketplace/listings/{BREAD}/photos/ph1/thumb.webp"' in page
    assert "свободни места: 26 от 30" in page
    assert "Влезте, за да се запишете за място" in page


def test_a_visitor_registers_sees_the_waiting_position_and_downloads_the_calendar_entry(
    portal: FlaskClient, services: Any
) -> None:
    _event(services)
    sign_in(portal, "buyer", email="visitor@example.bg")
    with portal.session_transaction() as session:
        session["person"] = {**session["person"], "email_verified": True}
    registration = {"id": "r1", "event_id": EVENT_ID, "state": "waiting", "waiting_position": 3, "name": "Мария"}
    services.events.answer("POST", f"/api/v1/events/{EVENT_ID}/registration", registration)
    answer = portal.post(f"/events/{EVENT_ID}/registration", data={"name": "Мария Иванова"}, follow_redirects=True)
    assert "вие сте под номер 3 в списъка на чакащите" in answer.get_data(as_text=True)
    assert services.events.sent("POST", f"/api/v1/events/{EVENT_ID}/registration")[0].json == {"name": "Мария Иванова"}
    services.events.answer(
        "GET",
        f"/api/v1/events/{EVENT_ID}/registration.ics",
        Download(b"BEGIN:VCALENDAR", "text/calendar; charset=utf-8", "event.ics", "private, no-store"),
    )
    ics = portal.get(f"/events/{EVENT_ID}/registration.ics")
    assert ics.data == b"BEGIN:VCALENDAR" and ics.mimetype == "text/calendar"
    assert services.events.sent("GET", f"/api/v1/events/{EVENT_ID}/registration.ics")[0].token


def test_an_exhibitor_reports_its_sales_in_euro_with_a_decimal_comma(portal: FlaskClient, services: Any) -> None:
    sign_in(portal, "representative", enterprise_id=BAKERY)
    application = {
        "id": f"{EVENT_ID}:{BAKERY}",
        "event_id": EVENT_ID,
        "enterprise_id": BAKERY,
        "enterprise_name": "Пекарна Добро",
        "listings": [BREAD],
        "state": "selected",
        "stand": "A1",
        "reason": "",
        "contacts": None,
        "sales_cents": None,
    }
    services.events.answer("GET", f"/api/v1/exhibitors/{EVENT_ID}:{BAKERY}", application)
    services.events.answer("GET", f"/api/v1/events/{EVENT_ID}", {**EVENT, "status": "held"})
    services.marketplace.answer("GET", f"/api/v1/sellers/{BAKERY}", {"listings": []})
    services.events.answer("POST", f"/api/v1/exhibitors/{EVENT_ID}:{BAKERY}/report", application)
    wrong = portal.post(f"/my/events/stands/{EVENT_ID}:{BAKERY}/report", data={"contacts": "14", "sales": "12,5x"})
    assert wrong.status_code == 422 and 'id="e-sales"' in wrong.get_data(as_text=True)
    assert services.events.sent("POST", f"/api/v1/exhibitors/{EVENT_ID}:{BAKERY}/report") == []
    portal.post(f"/my/events/stands/{EVENT_ID}:{BAKERY}/report", data={"contacts": "14", "sales": "1 212,50"})
    [sent] = services.events.sent("POST", f"/api/v1/exhibitors/{EVENT_ID}:{BAKERY}/report")
    assert sent.json == {"contacts": 14, "sales_cents": 121250}


def test_the_event_form_shows_the_portals_and_the_services_problems_each_at_its_field(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "clerk", centre="plovdiv")
    services.events.answer(
        "POST",
        "/api/v1/events",
        refusal(
            422, {"ends_at": "Краят трябва да е след началото.", "stands.0.code": "Щанд с това означение вече има."}
        ),
    )
    form = {
        "kind": "fair",
        "organiser": "plovdiv",
        "title_bg": "Лятно изложение",
        "description_bg": "Продукти.",
        "venue.kind": "hall",
        "venue.centre": "plovdiv",
        "starts_at.date": "12.06.2099",
        "starts_at.time": "10:00",
        "ends_at.date": "12.06.2099",
        "ends_at.time": "09:00",
        "visitor_capacity": "",
        "stands.0.code": "",
        "stands.2.code": "A1",
        "stands.2.width_cm": "300",
        "stands.2.depth_cm": "2x",
        "stands.2.price": "50,00",
        "exhibitor_window.opens_at.date": "01.05.2099",
        "exhibitor_window.closes_at.date": "31.13.2099",
        "exhibitor_window.closes_at.time": "18:00",
    }
    answer = portal.post("/centre/events/new", data=form)
    page = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert 'id="e-ends_at-date"' in page and "Краят трябва да е след началото." in page
    assert 'id="e-stands-2-code"' in page  # the service's first stand is the form's third row
    assert 'id="e-stands-2-depth_cm"' in page and 'id="e-exhibitor_window-closes_at-date"' in page
    [sent] = services.events.sent("POST", "/api/v1/events")
    assert sent.json["starts_at"] == "2099-06-12T10:00" and sent.json["visitor_capacity"] is None
    assert sent.json["venue"] == {"kind": "hall", "centre": "plovdiv"}
    assert sent.json["stands"] == [{"code": "A1", "width_cm": 300, "depth_cm": UNREADABLE, "price_cents": 5000}]
    assert sent.json["exhibitor_window"] == UNREADABLE


def test_the_period_report_takes_bulgarian_dates_and_counts_the_days_inclusive(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "clerk", centre="plovdiv")
    figures = {
        "events_held": 3,
        "cancelled": 1,
        "exhibitors": 12,
        "visitors": 540,
        "contacts": 96,
        "sales_cents": 123450,
    }
    services.events.answer("GET", "/api/v1/reports", figures)
    page = portal.get("/centre/events/report?since=01.01.2027&until=31.03.2027").get_data(as_text=True)
    [call] = services.events.sent("GET", "/api/v1/reports")
    assert call.params == {"since": "2027-01-01T00:00", "until": "2027-04-01T00:00", "organiser": "plovdiv"}
    assert "1\u00a0234,50\u00a0€" in page and "540" in page
    wrong = portal.get("/centre/events/report?since=31.02.2027&until=31.03.2027").get_data(as_text=True)
    assert 'id="e-since"' in wrong and len(services.events.sent("GET", "/api/v1/reports")) == 1


def test_attendance_that_is_not_a_number_is_shown_at_its_field_and_nothing_is_sent(
    portal: FlaskClient, services: Any
) -> None:
    sign_in(portal, "clerk", centre="plovdiv")
    services.events.answer("GET", f"/api/v1/events/{EVENT_ID}", {**EVENT, "status": "held"})
    services.events.answer("GET", f"/api/v1/events/{EVENT_ID}/applications", {"items": []})
    services.events.answer("GET", f"/api/v1/events/{EVENT_ID}/check-in", {"items": []})
    services.events.answer("GET", f"/api/v1/events/{EVENT_ID}/figures", {"exhibitors": 0, "exhibitors_reported": 0,
                           "contacts": 0, "sales_cents": 0, "registered_visitors": 4, "checked_in": 3,
                           "attendance": 0})  # fmt: skip
    answer = portal.post(f"/centre/events/{EVENT_ID}/attendance", data={"visitors": "триста"})
    assert answer.status_code == 422 and 'id="e-visitors"' in answer.get_data(as_text=True)
    assert services.events.sent("POST", f"/api/v1/events/{EVENT_ID}/attendance") == []
    services.events.answer("POST", f"/api/v1/events/{EVENT_ID}/attendance", {**EVENT, "attendance": 300})
    portal.post(f"/centre/events/{EVENT_ID}/attendance", data={"visitors": "300"})
    assert services.events.sent("POST", f"/api/v1/events/{EVENT_ID}/attendance")[0].json == {"visitors": 300}
