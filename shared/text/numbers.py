"""Document numbers as people type them off paper: ``ду-2026-000001``, ``DU 2026–000001`` and ``ДУ-2026-000001``
are one number.

A number is a prefix of letters, then digits in groups (``ДУ-2026-000147``, ``УСП-2026-00012``). People copy
it in any case, with spaces or any kind of dash, and often with Latin letters for the Cyrillic prefix: look-alikes
(``C`` for ``С``, ``Y`` for ``У``) or the transliteration (``DU`` for ``ДУ``, ``USP`` for ``УСП``). A service
looks a number up in its canonical form, ``canonical_number(typed, prefixes)``, given the prefixes it issues.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

DASHES = "\u002d\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d_/"
"""Hyphen-minus, the Unicode dashes and minus, and the separators people use instead (``_``, ``/``)."""

_SEPARATORS = re.compile(rf"[\s{re.escape(DASHES)}]+")
_SPLIT = re.compile(r"^([^\W\d_]*)-?(.*)$")

# Each letter that may appear in a prefix, Cyrillic or Latin, to one Latin "skeleton" letter: a Cyrillic letter
# to its transliteration, a Latin look-alike of a Cyrillic letter to that letter's transliteration.
_SKELETON = str.maketrans(
    {
        "А": "A",
        "Б": "B",
        "В": "V",
        "Г": "G",
        "Д": "D",
        "Е": "E",
        "З": "Z",
        "И": "I",
        "К": "K",
        "Л": "L",
        "М": "M",
        "Н": "N",
        "О": "O",
        "П": "P",
        "Р": "R",
        "С": "S",
        "Т": "T",
        "У": "U",
        "Ф": "F",
        "Х": "H",
        "C": "S",  # Latin C looks like Cyrillic С
        "Y": "U",  # Latin Y looks like Cyrillic У
        "X": "H",  # Latin X looks like Cyrillic Х
    }
)


def skeleton(letters: str) -> str:
    """The prefix ``letters`` (upper case) reduced to what Cyrillic, Latin and look-alike spellings share."""
    return letters.upper().translate(_SKELETON)


def canonical_number(typed: str, prefixes: Iterable[str]) -> str:
    """``typed`` in the canonical form of a number issued with one of ``prefixes`` (``ДУ-2026-000001``).

    Case, surrounding and inner spaces, the kind of dash and a Latin spelling of the prefix do not matter; a
    prefix that matches none of ``prefixes`` is kept as typed (upper case), so the lookup simply finds nothing.
    """
    text = _SEPARATORS.sub("-", typed.strip().upper()).strip("-")
    found = _SPLIT.match(text)
    if found is None:  # pragma: no cover - the pattern matches every string
        return text
    letters, rest = found.groups()
    if letters:
        wanted = skeleton(letters)
        letters = next((p for p in prefixes if skeleton(p) == wanted), letters)
    return f"{letters}-{rest}" if letters and rest else letters or rest
