"""The units sellers sell by, and how a count of each reads in Bulgarian and in English.

``units.json`` lists each unit as a listing keeps it (Bulgarian, lower case) with its forms per language,
keyed by CLDR plural category; Babel's plural rule of the language picks the form ("1 буркан", "2 буркана",
"5 буркана", "21 буркана"; "1 jar", "3 jars"). The portal's pages and the notifications' e-mails both read
counts through :func:`quantity`; the listing form offers :func:`unit_choices`. A unit typed otherwise is
shown as typed.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale
from babel.numbers import format_decimal

UNITS_FILE = Path(__file__).with_name("units.json")
LANGUAGES = ("bg", "en")
DEFAULT_LANGUAGE = "bg"
NBSP = "\u00a0"

Forms = dict[str, str]
"""A unit's word per CLDR plural category of one language (``one``, ``other``)."""


@cache
def units() -> dict[str, dict[str, Forms]]:
    """``{unit: {language: {plural category: word}}}``, in the order a seller is offered them."""
    return json.loads(UNITS_FILE.read_text(encoding="utf-8"))


def unit_choices() -> list[str]:
    """The units a seller chooses from (as a listing keeps them)."""
    return list(units())


def _language(language: str | None) -> str:
    code = (language or "").strip().lower()[:2]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def counted(count: int | float | Decimal, figure: str, unit: str, language: str | None) -> str | None:
    """``figure`` followed by the unit in the form the count asks for in the language (a no-break space
    between them); ``None`` for a unit not listed. A fraction counts as several ("2,5 килограма")."""
    forms = units().get(unit.strip().lower())
    if forms is None:
        return None
    lang = _language(language)
    whole = int(count) if float(count).is_integer() else count
    category = Locale.parse(lang).plural_form(whole)
    words = forms[lang]
    return f"{figure}{NBSP}{words.get(category, words['other'])}"


def quantity(count: int | float | Decimal | None, unit: str | None, language: str | None) -> str:
    """``30`` and ``брой`` → ``30 броя`` in Bulgarian, ``30 items`` in English (the figure as the language
    writes it: "1 000", "2,5"); a unit not listed is shown as typed after the figure; ``""`` for no count."""
    if count is None:
        return ""
    lang = _language(language)
    figure = format_decimal(count, locale=lang)
    unit = (unit or "").strip()
    if not unit:
        return figure
    return counted(count, figure, unit, lang) or f"{figure}{NBSP}{unit}"
