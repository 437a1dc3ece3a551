"""How figures look on the pages: euro amounts, Sofia dates and times, in the page's language."""

from __future__ import annotations

from datetime import date, datetime

from babel.numbers import format_currency, format_decimal
from flask_babel import format_date, format_datetime, get_locale

from shared.clock import SOFIA


def euro(cents: int | None) -> str:
    """1250 → ``12,50 €`` in Bulgarian, ``€12.50`` in English."""
    if cents is None:
        return ""
    return format_currency(cents / 100, "EUR", locale=str(get_locale() or "bg"))


def cents_as_input(cents: int | None) -> str:
    """The value an amount input shows again: ``12,50`` (Bulgarian decimal comma)."""
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}" if str(get_locale()) == "bg" else f"{cents // 100}.{cents % 100:02d}"


# Four-digit years and no seconds in both languages ("20 ноември 2026, 10:30" / "20.11.2026, 10:30").
DATETIME_PATTERNS = {"medium": "d MMMM y, HH:mm", "short": "dd.MM.y, HH:mm"}
DATE_PATTERNS = {"medium": "d MMMM y", "short": "dd.MM.y"}


def when(value: str | datetime | None, style: str = "medium") -> str:
    """An ISO instant from a service, shown as Sofia wall-clock time."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return format_datetime(moment.astimezone(SOFIA), DATETIME_PATTERNS[style])


def day(value: str | date | None, style: str = "medium") -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, DATE_PATTERNS[style])


def number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return ""
    return format_decimal(round(value, digits), locale=str(get_locale() or "bg"))


FILTERS = {"euro": euro, "cents_as_input": cents_as_input, "when": when, "day": day, "number": number}
