"""Checks of Bulgarian identifiers: ЕИК/БУЛСТАТ (companies) and ЕГН (persons).

The ЕГН check exists only to recognise a personal number typed where a company number belongs
(and say so); the platform never stores personal numbers.
"""

from __future__ import annotations

from datetime import date


def _weighted(digits: list[int], weights: range | list[int]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11


def is_valid_eik(value: str) -> bool:
    """True for a 9-digit ЕИК or a 13-digit branch code whose check digits are right."""
    if not value.isascii() or not value.isdigit() or len(value) not in (9, 13):
        return False
    d = [int(c) for c in value]
    s = _weighted(d[:8], range(1, 9))
    if s == 10:
        s = _weighted(d[:8], range(3, 11))
        s = 0 if s == 10 else s
    if d[8] != s:
        return False
    if len(d) == 9:
        return True
    s = _weighted(d[8:12], [2, 7, 3, 5])
    if s == 10:
        s = _weighted(d[8:12], [4, 9, 5, 7])
        s = 0 if s == 10 else s
    return d[12] == s


def is_valid_egn(value: str) -> bool:
    if not value.isascii() or not value.isdigit() or len(value) != 10:
        return False
    d = [int(c) for c in value]
    if d[9] != (sum(x * w for x, w in zip(d[:9], [2, 4, 8, 5, 10, 9, 7, 3, 6], strict=True)) % 11) % 10:
        return False
    year, month, day = int(value[0:2]), int(value[2:4]), int(value[4:6])
    if month > 40:
        year, month = 2000 + year, month - 40
    elif month > 20:
        year, month = 1800 + year, month - 20
    else:
        year += 1900
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True
