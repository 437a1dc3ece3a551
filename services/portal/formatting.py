"""How figures look on the pages: euro amounts, Sofia dates and times, in the page's language."""

from __future__ import annotations

from datetime import date, datetime

from babel.numbers import format_currency, format_decimal
from flask_babel import format_date, format_datetime, get_locale

from shared.bg import units
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


# One date style a language: "21.12.2029 г." in Bulgarian, "21 December 2029" in English; times without
# seconds ("21.12.2029 г., 10:30"); "full" adds the weekday ("събота, 21.12.2029 г.").
DATE_PATTERNS = {
    "bg": {"date": "dd.MM.y 'г.'", "full": "EEEE, dd.MM.y 'г.'", "datetime": "dd.MM.y 'г.', HH:mm"},
    "en": {"date": "d MMMM y", "full": "EEEE, d MMMM y", "datetime": "d MMMM y, HH:mm"},
}


def _patterns() -> dict[str, str]:
    return DATE_PATTERNS.get(str(get_locale() or "bg"), DATE_PATTERNS["bg"])


def when(value: str | datetime | None, style: str = "medium") -> str:
    """An ISO instant from a service, shown as Sofia wall-clock time (``style`` is kept for old callers)."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else value
    return format_datetime(moment.astimezone(SOFIA), _patterns()["datetime"])


def day(value: str | date | None, style: str = "medium") -> str:
    """A date in the page's one style; ``style="full"`` names the weekday too."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, _patterns()["full" if style == "full" else "date"])


def number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return ""
    return format_decimal(round(value, digits), locale=str(get_locale() or "bg"))


def percent(value: float | int | None, digits: int = 1) -> str:
    """44.44 → ``44,4 %`` in Bulgarian (decimal comma, a no-break space before the sign), ``44.4%`` in English."""
    if value is None:
        return ""
    locale = str(get_locale() or "bg")
    figure = format_decimal(round(value, digits), format="#,##0." + "#" * digits, locale=locale)
    return f"{figure}\u00a0%" if locale == "bg" else f"{figure}%"


def quantity(count: int | float | None, unit: str | None) -> str:
    """``30`` and ``брой`` → ``30 броя``, ``3 items`` in English: the unit's forms chosen by Babel's plural rule
    of the page's language (``shared.bg.units``, which the e-mails read too); a unit not listed there is
    shown as typed."""
    return units.quantity(count, unit, str(get_locale() or "bg"))


FILTERS = {
    "euro": euro,
    "cents_as_input": cents_as_input,
    "when": when,
    "day": day,
    "number": number,
    "percent": percent,
    "quantity": quantity,
}
