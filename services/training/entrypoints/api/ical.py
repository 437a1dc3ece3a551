"""iCalendar (RFC 5545) feeds of sessions that calendar programs subscribe to: a trainer's and a centre's.

One VEVENT per meeting, with a UID that stays the same for the life of the session (``<session id>-<n>``,
meetings counted from 1 in time order) and a SEQUENCE that grows with every change, so a rescheduled
meeting moves in the subscriber's calendar instead of appearing twice, and a cancelled session stays in
the feed with ``STATUS:CANCELLED`` (calendar programs then strike it through or remove it). Times are UTC
(``...Z``), which every program shows in its own time zone, so no VTIMEZONE is needed.

The public feeds name an online session's place as „Онлайн“ without its link: the link is for the people
running the session and for its learners (the learner's own feed passes ``with_links=True``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import quote

from flask import Response
from icalendar import Calendar, Event

from services.training.domain.session import Session, SessionStatus
from services.training.entrypoints.api.context import training
from shared.bg.geography import geography
from shared.errors import NotFound, Text
from shared.web.blueprint import Blueprint
from shared.web.public_links import public_portal_url

PRODID = "-//Solidarity Hub//Training//BG"
UID_DOMAIN = "solidarity-hub"
ONLINE = "Онлайн"
CONTENT_TYPE = "text/calendar; charset=utf-8"
REFRESH = "PT1H"
"""How often calendar programs are asked to fetch the feed again."""

blp = Blueprint("calendars", __name__, url_prefix="/api/v1", description="Calendar feeds (.ics) of sessions")
_ICS_RESPONSE = {"200": {"description": "OK", "content": {"text/calendar": {"schema": {"type": "string"}}}}}


def location(session: Session, *, with_links: bool = True) -> str:
    """„Регионален център Пловдив, Зала 2“, „Онлайн: https://…“, or both for a hybrid session."""
    parts = []
    if session.room is not None:
        centre = geography().centres.get(session.centre)
        parts.append(f"{centre.name_bg if centre else session.centre}, {session.room}")
    if session.online_link is not None or session.room is None:
        parts.append(f"{ONLINE}: {session.online_link}" if with_links and session.online_link else ONLINE)
    return " / ".join(parts)


def event_uid(session: Session, number: int) -> str:
    return f"{session.id}-{number}@{UID_DOMAIN}"


def calendar(sessions: Iterable[Session], name: str, *, with_links: bool = True, now: datetime | None = None) -> bytes:
    """An iCalendar file with one event per meeting of ``sessions``, named ``name`` (X-WR-CALNAME)."""
    stamp = now or datetime.now(UTC)
    name = " ".join(name.split())  # one line: it may hold the address's own text (a trainer id)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("name", name)  # RFC 7986's name for the same thing
    cal.add("x-published-ttl", REFRESH)
    for session in sessions:
        total = len(session.meetings)
        place = location(session, with_links=with_links)
        page = public_portal_url(f"/sessions/{quote(session.id, safe='')}")  # the portal's public address
        for number, meeting in enumerate(sorted(session.meetings, key=lambda m: m.starts_at), start=1):
            event = Event()
            event.add("uid", event_uid(session, number))
            event.add("dtstamp", stamp)
            event.add("dtstart", meeting.starts_at.astimezone(UTC))
            event.add("dtend", meeting.ends_at.astimezone(UTC))
            event.add("summary", session.course_title)
            event.add("location", place)
            lines = [f"Обучител: {session.trainer_name}"]
            if total > 1:
                lines.append(f"Среща {number} от {total}")
            if session.status is SessionStatus.CANCELLED and session.cancellation_reason:
                lines.append(f"Отменена: {session.cancellation_reason}")
            if with_links and session.online_link:
                lines.append(session.online_link)
                event.add("url", session.online_link)
            else:
                event.add("url", page)
            lines.append(f"Сесията в платформата: {page}")
            event.add("description", "\n".join(lines))
            event.add("status", "CANCELLED" if session.status is SessionStatus.CANCELLED else "CONFIRMED")
            event.add("sequence", max(session.version - 1, 0))
            event.add("transp", "OPAQUE")
            cal.add_component(event)
    return cal.to_ical()


def ics_response(body: bytes, filename: str) -> Response:
    return Response(
        body,
        content_type=CONTENT_TYPE,
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "public, max-age=300"},
    )


@blp.get("/trainers/<trainer_id>/sessions.ics")
@blp.doc(responses=_ICS_RESPONSE)
def trainer_feed(trainer_id: str) -> Response:
    """A trainer's sessions as a calendar to subscribe to (from two months back; cancelled ones marked)."""
    ctx = training()
    sessions = ctx.sessions.trainer_calendar(trainer_id)
    who = sessions[-1].trainer_name if sessions else trainer_id
    body = calendar(sessions, f"Обучения — {who}", with_links=False, now=ctx.clock.now())
    return ics_response(body, "sessions.ics")


@blp.get("/centres/<centre>/sessions.ics")
@blp.doc(responses=_ICS_RESPONSE)
def centre_feed(centre: str) -> Response:
    """A regional centre's sessions (its rooms and its online sessions) as a calendar to subscribe to."""
    found = geography().centres.get(centre)
    if found is None:
        raise NotFound(Text("Няма такъв център.", "No such centre."))
    ctx = training()
    sessions = ctx.sessions.centre_calendar(centre)
    body = calendar(sessions, f"Обучения — {found.name_bg}", with_links=False, now=ctx.clock.now())
    return ics_response(body, "sessions.ics")
