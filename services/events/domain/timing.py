"""Times as people read them: Sofia wall-clock time."""

from __future__ import annotations

from datetime import datetime

from shared.clock import SOFIA


def sofia_text(moment: datetime) -> str:
    """„28.03.2027 10:00“."""
    return moment.astimezone(SOFIA).strftime("%d.%m.%Y %H:%M")


def span_text(starts_at: datetime, ends_at: datetime) -> str:
    """„28.03.2027 10:00–12:00“ (the end's date too when it is another Sofia day)."""
    start, end = starts_at.astimezone(SOFIA), ends_at.astimezone(SOFIA)
    end_shown = end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%d.%m.%Y %H:%M")
    return f"{start.strftime('%d.%m.%Y %H:%M')}–{end_shown}"
