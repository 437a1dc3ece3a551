"""The units sellers sell by, and how a count of each reads in the page's language.

Each unit has a plural entry in the catalogue (``translations/units``): Babel's plural rule of the language
picks the form (Bulgarian: "1 буркан", "2 буркана", "5 буркана", "21 буркана"; English: "1 jar", "3 jars").
A listing keeps its unit as the seller chose it, in Bulgarian; the listing form offers these units
(:func:`unit_choices`), and a unit typed otherwise is shown as typed.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import ngettext

Counted = Callable[[int, str], str]
"""A unit's reading of a count: the plural-rule number and the figure as the page writes it."""

# The key is the unit as a listing keeps it (Bulgarian, lower case). Abbreviations do not change with the count.
UNITS: dict[str, Counted] = {
    "брой": lambda n, figure: ngettext("%(figure)s item", "%(figure)s items", n, figure=figure),
    "бр.": lambda n, figure: ngettext("%(figure)s pc.", "%(figure)s pcs.", n, figure=figure),
    "парче": lambda n, figure: ngettext("%(figure)s piece", "%(figure)s pieces", n, figure=figure),
    "пакет": lambda n, figure: ngettext("%(figure)s packet", "%(figure)s packets", n, figure=figure),
    "опаковка": lambda n, figure: ngettext("%(figure)s pack", "%(figure)s packs", n, figure=figure),
    "кутия": lambda n, figure: ngettext("%(figure)s box", "%(figure)s boxes", n, figure=figure),
    "кашон": lambda n, figure: ngettext("%(figure)s carton", "%(figure)s cartons", n, figure=figure),
    "торба": lambda n, figure: ngettext("%(figure)s bag", "%(figure)s bags", n, figure=figure),
    "щайга": lambda n, figure: ngettext("%(figure)s crate", "%(figure)s crates", n, figure=figure),
    "палет": lambda n, figure: ngettext("%(figure)s pallet", "%(figure)s pallets", n, figure=figure),
    "бутилка": lambda n, figure: ngettext("%(figure)s bottle", "%(figure)s bottles", n, figure=figure),
    "буркан": lambda n, figure: ngettext("%(figure)s jar", "%(figure)s jars", n, figure=figure),
    "кошница": lambda n, figure: ngettext("%(figure)s basket", "%(figure)s baskets", n, figure=figure),
    "чифт": lambda n, figure: ngettext("%(figure)s pair", "%(figure)s pairs", n, figure=figure),
    "комплект": lambda n, figure: ngettext("%(figure)s set", "%(figure)s sets", n, figure=figure),
    "ролка": lambda n, figure: ngettext("%(figure)s roll", "%(figure)s rolls", n, figure=figure),
    "порция": lambda n, figure: ngettext("%(figure)s portion", "%(figure)s portions", n, figure=figure),
    "торта": lambda n, figure: ngettext("%(figure)s cake", "%(figure)s cakes", n, figure=figure),
    "хляб": lambda n, figure: ngettext("%(figure)s loaf", "%(figure)s loaves", n, figure=figure),
    "сапун": lambda n, figure: ngettext("%(figure)s bar of soap", "%(figure)s bars of soap", n, figure=figure),
    "килограм": lambda n, figure: ngettext("%(figure)s kilogram", "%(figure)s kilograms", n, figure=figure),
    "кг": lambda n, figure: ngettext("%(figure)s kg", "%(figure)s kg", n, figure=figure),
    "грам": lambda n, figure: ngettext("%(figure)s gram", "%(figure)s grams", n, figure=figure),
    "г": lambda n, figure: ngettext("%(figure)s g", "%(figure)s g", n, figure=figure),
    "тон": lambda n, figure: ngettext("%(figure)s tonne", "%(figure)s tonnes", n, figure=figure),
    "литър": lambda n, figure: ngettext("%(figure)s litre", "%(figure)s litres", n, figure=figure),
    "л": lambda n, figure: ngettext("%(figure)s l", "%(figure)s l", n, figure=figure),
    "метър": lambda n, figure: ngettext("%(figure)s metre", "%(figure)s metres", n, figure=figure),
    "м": lambda n, figure: ngettext("%(figure)s m", "%(figure)s m", n, figure=figure),
    "м²": lambda n, figure: ngettext("%(figure)s m²", "%(figure)s m²", n, figure=figure),
    "кв. м": lambda n, figure: ngettext("%(figure)s sq. m", "%(figure)s sq. m", n, figure=figure),
    "дка": lambda n, figure: ngettext("%(figure)s decare", "%(figure)s decares", n, figure=figure),
    "час": lambda n, figure: ngettext("%(figure)s hour", "%(figure)s hours", n, figure=figure),
    "ден": lambda n, figure: ngettext("%(figure)s day", "%(figure)s days", n, figure=figure),
    "седмица": lambda n, figure: ngettext("%(figure)s week", "%(figure)s weeks", n, figure=figure),
    "месец": lambda n, figure: ngettext("%(figure)s month", "%(figure)s months", n, figure=figure),
    "нощувка": lambda n, figure: ngettext("%(figure)s night", "%(figure)s nights", n, figure=figure),
    "човек": lambda n, figure: ngettext("%(figure)s person", "%(figure)s people", n, figure=figure),
    "урок": lambda n, figure: ngettext("%(figure)s lesson", "%(figure)s lessons", n, figure=figure),
    "консултация": lambda n, figure: ngettext("%(figure)s consultation", "%(figure)s consultations", n, figure=figure),
    "услуга": lambda n, figure: ngettext("%(figure)s service", "%(figure)s services", n, figure=figure),
    "курс": lambda n, figure: ngettext("%(figure)s course", "%(figure)s courses", n, figure=figure),
    "проект": lambda n, figure: ngettext("%(figure)s project", "%(figure)s projects", n, figure=figure),
    "страница": lambda n, figure: ngettext("%(figure)s page", "%(figure)s pages", n, figure=figure),
}


def unit_choices() -> list[str]:
    """The units a seller chooses from (as a listing keeps them), in the catalogue's order."""
    return list(UNITS)


def counted(count: int | float, figure: str, unit: str) -> str | None:
    """``figure`` followed by the unit in the form the count asks for (a no-break space between them);
    ``None`` for a unit not listed. A fraction counts as several ("2,5 килограма")."""
    reading = UNITS.get(unit.strip().lower())
    if reading is None:
        return None
    whole = int(count) if float(count).is_integer() else 2
    text = reading(whole, figure)
    return text.replace(f"{figure} ", f"{figure}\u00a0", 1)
