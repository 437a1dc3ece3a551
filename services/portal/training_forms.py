"""Forms of several rows: a session's meetings (Sofia date, start and end) and the workers to enrol.

Rows are named ``meetings.<row>.date`` and ``workers.<row>.email``; empty rows are skipped, so the index the
service names in an error (``meetings.1.starts_at``) may differ from the row: the aliases returned map it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _

from services.portal.forms import FormState
from services.portal.training_common import sofia

BLANK_MEETING_ROWS = 3
BLANK_WORKER_ROWS = 5
MAX_ROWS = 60
_ROW = re.compile(r"^(?P<group>[a-z_]+)\.(?P<row>\d{1,3})\.", re.ASCII)
_DAY_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", re.ASCII)
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$", re.ASCII)


@dataclass
class Rows:
    """What the rows of a form send: the payload items and where the service's field names land."""

    items: list[dict[str, Any]] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)

    def add(self, group: str, row: int, item: dict[str, Any], fields: dict[str, str], whole: str = "") -> None:
        """Send ``item``, entered in ``row`` of ``group``. What the service says of one of its fields
        (``group.<index>.<field>``) lands at the row's input ``fields`` names for it; of the item as a whole
        (``group.<index>``), at the row's input ``whole``, or at the row itself."""
        sent, entered = f"{group}.{len(self.items)}", f"{group}.{row}"
        self.items.append(item)
        self.aliases[sent] = f"{entered}.{whole}" if whole else entered
        for name, shown_at in fields.items():
            self.aliases[f"{sent}.{name}"] = f"{entered}.{shown_at}"


def used_rows(values: dict[str, Any], group: str) -> list[int]:
    """The row numbers of ``group`` the form sent, in order."""
    rows = set()
    for name in values:
        found = _ROW.match(name)
        if found and found["group"] == group and int(found["row"]) < MAX_ROWS:
            rows.add(int(found["row"]))
    return sorted(rows)


def rows_to_show(values: dict[str, Any], group: str, blank: int, add: bool = False) -> list[int]:
    """The rows a form shows again: those sent (at least ``blank``), one more when asked for."""
    sent = used_rows(values, group)
    count = max(blank, (sent[-1] + 1) if sent else 0) + (1 if add else 0)
    return list(range(min(count, MAX_ROWS)))


def parse_day(raw: str) -> date | None:
    """``2027-03-28`` (a date input) or ``28.03.2027`` (typed)."""
    text = raw.strip()
    try:
        if dotted := _DAY_DOTTED.match(text):
            return date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_time(raw: str) -> str | None:
    """``9:30``, ``09:30`` or ``09.30`` → ``09:30``."""
    found = _TIME.match(raw.strip())
    if not found or int(found[1]) > 23 or int(found[2]) > 59:
        return None
    return f"{int(found[1]):02d}:{found[2]}"


def read_meetings(state: FormState) -> Rows:
    """The meetings entered, as the Sofia wall-clock times the API takes (``2027-03-28T10:00``), soonest first.

    Sent in time order because the service names a double-booked meeting by its place in that order.
    """
    entered: list[tuple[int, dict[str, str]]] = []
    for row in used_rows(state.values, "meetings"):
        raw = {part: str(state.value(f"meetings.{row}.{part}", "")).strip() for part in ("date", "start", "end")}
        if not any(raw.values()):
            continue
        day, start, end = parse_day(raw["date"]), parse_time(raw["start"]), parse_time(raw["end"])
        if day is None:
            state.add(f"meetings.{row}.date", _("Enter the date, e.g. 28.03.2027."))
        if start is None:
            state.add(f"meetings.{row}.start", _("Enter the time as hours and minutes, e.g. 10:00."))
        if end is None:
            state.add(f"meetings.{row}.end", _("Enter the time as hours and minutes, e.g. 10:00."))
        if day is not None and start is not None and end is not None:
            entered.append((row, {"starts_at": f"{day.isoformat()}T{start}", "ends_at": f"{day.isoformat()}T{end}"}))
    rows = Rows()
    for row, meeting in sorted(entered, key=lambda pair: pair[1]["starts_at"]):
        rows.add("meetings", row, meeting, {"starts_at": "start", "ends_at": "end"})
    if not rows.items and state.ok:
        state.add("meetings", _("Give at least one meeting."))
    return rows


def meetings_as_values(session: dict[str, Any]) -> dict[str, str]:
    """A session's meetings as the form's fields, to change them."""
    values = {}
    for row, meeting in enumerate(session.get("meetings", [])):
        starts, ends = sofia(meeting["starts_at_local"]), sofia(meeting["ends_at_local"])
        values[f"meetings.{row}.date"] = starts.date().isoformat()
        values[f"meetings.{row}.start"] = starts.strftime("%H:%M")
        values[f"meetings.{row}.end"] = ends.strftime("%H:%M")
    return values


def read_workers(state: FormState) -> Rows:
    """The workers entered (name and e-mail), each row complete or reported on its empty field."""
    rows = Rows()
    for row in used_rows(state.values, "workers"):
        name = str(state.value(f"workers.{row}.name", "")).strip()
        email = str(state.value(f"workers.{row}.email", "")).strip()
        if not name and not email:
            continue
        if not name:
            state.add(f"workers.{row}.name", _("Enter the worker's name."))
        if not email:
            state.add(f"workers.{row}.email", _("Enter the worker's e-mail address."))
        elif "@" not in email:
            state.add(f"workers.{row}.email", _("Enter an e-mail address such as name@example.bg."))
        if not name or not email or "@" not in email:
            continue
        rows.add("workers", row, {"name": name, "email": email}, {"name": "name", "email": "email"}, whole="email")
    if not rows.items and state.ok:
        state.add("workers.0.name", _("Enter at least one worker."))
    return rows
