"""Calendars and open data: a visitor's .ics entry, each centre's .ics feed, past events as CSV and JSON.

Calendar entries keep a UID for the life of the event and a SEQUENCE that grows with each change, so a
rescheduled event moves in the subscriber's calendar and a cancelled one is marked cancelled. Times are UTC.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from flask import Response
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from services.events.domain.event import KIND_NAMES, NATIONAL, Event, Status
from services.events.entrypoints.api.context import events
from services.events.entrypoints.api.responses import OBJECT
from shared.bg.geography import geography
from shared.errors import NotFound, Text
from shared.events.envelope import utc_iso
from shared.text import spreadsheet
from shared.web.auth import current_principal
from shared.web.blueprint import TEXT_BODY, Blueprint, documented
from shared.web.public_links import public_portal_url
from shared.web.ratelimit import public_limit

PRODID = "-//Solidarity Hub//Events//BG"
CONTENT_TYPE = "text/calendar; charset=utf-8"
FEED_BACK = timedelta(days=62)

blp = Blueprint("feeds", __name__, url_prefix="/api/v1", description="Calendar feeds and open data of events")


def calendar(found: Iterable[Event], name: str, now: datetime, *, with_links: bool = False) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", " ".join(name.split()))
    cal.add("x-published-ttl", "PT1H")
    for event in found:
        page = public_portal_url(f"/events/{quote(event.id, safe='')}")
        entry = CalendarEvent()
        entry.add("uid", f"{event.id}@solidarity-hub")
        entry.add("dtstamp", now)
        entry.add("dtstart", event.starts_at.astimezone(UTC))
        entry.add("dtend", event.ends_at.astimezone(UTC))
        entry.add("summary", event.plan.title_bg)
        place = event.venue.describe().bg
        if with_links and event.venue.url:
            place = f"{place}: {event.venue.url}"
        entry.add("location", place)
        lines = [KIND_NAMES[event.plan.kind].bg, event.plan.description_bg]
        if event.status is Status.CANCELLED:
            lines.append(f"Отменено: {event.cancel_reason}")
        lines.append(f"Събитието в платформата: {page}")
        entry.add("description", "\n".join(lines))
        entry.add("url", page)
        entry.add("status", "CANCELLED" if event.status is Status.CANCELLED else "CONFIRMED")
        entry.add("sequence", max(event.version - 1, 0))
        cal.add_component(entry)
    return cal.to_ical()


def ics_response(body: bytes, filename: str, *, private: bool = False) -> Response:
    cache = "private, no-store" if private else "public, max-age=300"
    return Response(
        body,
        content_type=CONTENT_TYPE,
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": cache},
    )


_ICS = {"200": {"description": "OK", "content": {"text/calendar": {"schema": TEXT_BODY}}}}


@blp.get("/centres/<centre>/events.ics")
@blp.doc(responses=_ICS)
@public_limit
def centre_feed(centre: str) -> Response:
    """A centre's events (`national`: the ministry's) as a calendar to subscribe to, from two months back."""
    found = geography().centres.get(centre)
    if found is None and centre != NATIONAL:
        raise NotFound(Text("Няма такъв център.", "No such centre."))
    service = events()
    now = service.clock.now()
    listed = service.calendar(now - FEED_BACK, now + timedelta(days=366), centre, None, None)
    name = found.name_bg if found else "Министерство"
    return ics_response(calendar(listed, f"Събития — {name}", now), "events.ics")


@blp.get("/events/<event_id>/registration.ics")
@blp.doc(responses=_ICS)
def registration_ics(event_id: str) -> Response:
    """The caller's registered event as a calendar entry (with the address to join an online event)."""
    service = events()
    service.my_registration(current_principal(), event_id)
    event = service.events.get(event_id)
    return ics_response(
        calendar([event], event.plan.title_bg, service.clock.now(), with_links=True), "event.ics", private=True
    )


def open_rows() -> list[dict[str, Any]]:
    service = events()
    rows = []
    for event in service.past_events(service.clock.now()):
        report = service.event_report(event)
        rows.append(
            {
                "id": event.id,
                "kind": event.plan.kind.value,
                "title_bg": event.plan.title_bg,
                "organiser": event.plan.organiser,
                "district": event.venue.district or "",
                "venue": event.venue.describe().bg,
                "starts_at": utc_iso(event.starts_at),
                "ends_at": utc_iso(event.ends_at),
                "exhibitors": report.exhibitors,
                "visitors": event.attendance if event.attendance is not None else report.checked_in,
                "sales_cents": report.sales_cents,
            }
        )
    return rows


@blp.get("/events/past.json")
@blp.response(200)
@documented(OBJECT)
@public_limit
def past_json() -> dict[str, Any]:
    """Open data: every event held, with its exhibitors, visitors and reported sales (euro cents)."""
    return {"items": open_rows()}


COLUMNS = [
    ("id", "Идентификатор"),
    ("kind", "Вид"),
    ("title_bg", "Заглавие"),
    ("organiser", "Организатор"),
    ("district", "Област"),
    ("venue", "Място"),
    ("starts_at", "Начало (UTC)"),
    ("ends_at", "Край (UTC)"),
    ("exhibitors", "Изложители"),
    ("visitors", "Посетители"),
    ("sales", "Продажби (€)"),
]


@blp.get("/events/past.csv")
@blp.doc(responses={"200": {"description": "OK", "content": {"text/csv": {"schema": TEXT_BODY}}}})
@public_limit
def past_csv() -> Response:
    """The same as CSV for Bulgarian spreadsheets (UTF-8 with BOM, `;` between fields, a decimal comma); a
    cell that could start a formula begins with `'`."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = spreadsheet.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([title for _, title in COLUMNS])
    for row in open_rows():
        euros, cents = divmod(row["sales_cents"], 100)
        full = {**row, "sales": f"{euros},{cents:02d}"}
        writer.writerow([full[key] for key, _ in COLUMNS])
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="events-past.csv"'},
    )
