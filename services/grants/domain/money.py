"""Money as integer euro cents, and how people read it."""

from __future__ import annotations

LEV_PER_EURO = "1.95583"
MAX_AID_PER_ENTERPRISE_CENTS = 4_601_627
"""90 000 лв. at 1.95583 лв./€, rounded down to the cent: the project's cap per enterprise."""
DE_MINIMIS_CEILING_CENTS = 30_000_000
"""€300 000: Regulation (EU) 2023/2831, Art. 3(2), per single undertaking over three years."""


def euro(cents: int) -> str:
    """``46 016,27 €``: Bulgarian grouping with a (non-breaking) space and a decimal comma."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    grouped = f"{whole:,}".replace(",", "\u00a0")
    return f"{sign}{grouped},{part:02d}\u00a0€"
