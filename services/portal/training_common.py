"""What the training pages share: the training API, labels for its codes, Sofia meeting times, links."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from babel.numbers import format_decimal
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from services.portal.clients import ServiceClient, current_services
from services.portal.formatting import day as format_day
from services.portal.i18n import localised

FORMATS = {"in_person": _l("In person"), "online": _l("Online"), "hybrid": _l("Hybrid (in person and online)")}
LEVELS = {"beginner": _l("Beginner"), "intermediate": _l("Intermediate"), "advanced": _l("Advanced")}
SESSION_STATUS = {
    "scheduled": (_l("Scheduled"), "ok"),
    "cancelled": (_l("Cancelled"), "bad"),
    "completed": (_l("Held"), "ok"),
}
ENROLMENT_STATES = {
    "pending": (_l("Being processed"), "wait"),
    "confirmed": (_l("Seat confirmed"), "ok"),
    "waitlisted": (_l("On the waiting list"), "wait"),
    "cancelled": (_l("Enrolment cancelled"), "bad"),
    "completed": (_l("Completed"), "ok"),
    "invited": (_l("Invited, awaiting the worker"), "wait"),
    "declined": (_l("Invitation declined"), "bad"),
}
ACTIVE_ENROLMENT = ("pending", "confirmed", "waitlisted", "invited")
MAX_ID_LENGTH = 64


def api() -> ServiceClient:
    return current_services().training


def segment(value: str) -> str:
    """A value as one segment of a service path (an enrolment id holds ``:`` and ``@``, a number Cyrillic)."""
    return quote(value, safe=":@")


def public_training_url(path: str) -> str:
    """An address of the training service that people open in their browser (a certificate, a calendar): a path,
    or an address the service made from the host the portal called it on, goes to its public address."""
    config = current_app.extensions["portal_config"]
    public = config.public_training_url.rstrip("/")
    internal = config.training_url.rstrip("/")
    if path.startswith(internal + "/") and public != internal:
        return public + path.removeprefix(internal)
    if path.startswith(("http://", "https://")):
        return path
    return public + path


def is_over(session: dict[str, Any]) -> bool:
    """A scheduled session whose last meeting has ended: held, waiting for its trainer to complete it."""
    return session.get("status") == "scheduled" and bool(session.get("ends_at")) and has_passed(session["ends_at"])


def status_of(session: dict[str, Any]) -> tuple[str, str]:
    if is_over(session):
        return str(_l("Held, to be completed by the trainer")), "wait"
    label, kind = SESSION_STATUS.get(session.get("status", ""), (session.get("status_bg", ""), ""))
    return str(label), kind


def state_of(enrolment: dict[str, Any]) -> tuple[str, str]:
    """An enrolment's state in words, with the waiting position when it waits."""
    label, kind = ENROLMENT_STATES.get(enrolment.get("state", ""), (enrolment.get("state_bg", ""), ""))
    return str(label), kind


def course_title(course: dict[str, Any]) -> str:
    title = course.get("title")
    return localised(title) if isinstance(title, dict) else str(title or "")


@dataclass(frozen=True)
class MeetingTime:
    number: int
    day: str
    start: str
    end: str
    started: bool


def sofia(local_iso: str) -> datetime:
    """A service's ``…_local`` time (Sofia wall clock with its offset) as an aware datetime."""
    return datetime.fromisoformat(local_iso)


def has_passed(utc_iso: str) -> bool:
    """Whether a service's UTC moment (``2026-11-01T08:00:00Z``) has come."""
    return datetime.fromisoformat(utc_iso.replace("Z", "+00:00")) <= datetime.now(UTC)


def meeting_times(session: dict[str, Any], now: datetime | None = None) -> list[MeetingTime]:
    """The session's meetings as Sofia dates and times, numbered from 1, each saying whether it has started."""
    now = now or datetime.now(UTC)
    rows = []
    for number, meeting in enumerate(session.get("meetings", []), start=1):
        starts, ends = sofia(meeting["starts_at_local"]), sofia(meeting["ends_at_local"])
        rows.append(
            MeetingTime(
                number=number,
                day=format_day(starts.date(), "full"),
                start=starts.strftime("%H:%M"),
                end=ends.strftime("%H:%M") if ends.date() == starts.date() else ends.strftime("%d.%m.%Y %H:%M"),
                started=starts <= now,
            )
        )
    return rows


def first_day(session: dict[str, Any]) -> str:
    local = session.get("starts_at_local")
    return format_day(sofia(local).date()) if local else ""


def dimension_choices(courses: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The maturity dimensions the catalogue's courses improve, as ``(code, name)`` in the page's language."""
    seen: dict[str, str] = {}
    for course in courses:
        for dimension in course.get("dimensions", []):
            seen.setdefault(dimension["code"], localised(dimension.get("name")))
    return sorted(seen.items(), key=lambda pair: pair[1])


def points(value: float | None) -> str:
    """A score or a change of score with one decimal, in the page's language (``57,2`` in Bulgarian)."""
    if value is None:
        return ""
    return format_decimal(round(value, 1), format="#,##0.0", locale=str(get_locale() or "bg"))


def training_context() -> dict[str, Any]:
    """Labels and helpers every training template uses (registered on each training blueprint)."""
    return {
        "formats": FORMATS,
        "levels": LEVELS,
        "state_of": state_of,
        "status_of": status_of,
        "is_over": is_over,
        "course_title": course_title,
        "first_day": first_day,
        "training_url": public_training_url,
        "points": points,
    }
