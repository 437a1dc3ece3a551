"""A request field for a time people enter as Europe/Sofia wall-clock time (or ISO 8601 with an offset).

``"2027-06-12T10:00"`` is 10:00 in Sofia that day (07:00 UTC in summer, 08:00 UTC in winter); a time with an
offset (``"2027-06-12T07:00Z"``) is taken as it is. A wall-clock time the clocks skip in spring, or one they
pass twice in autumn, is refused, naming the field: give an offset for those. Loads as an aware UTC datetime.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from marshmallow import ValidationError, fields

from shared.clock import SOFIA
from shared.web.translations import bilingual

NONEXISTENT = bilingual(
    "Този час не съществува в София (часовниците се местят напред).",
    "This time does not exist in Sofia (the clocks go forward).",
)
AMBIGUOUS = bilingual(
    "Този час настъпва два пъти в София (часовниците се връщат назад); посочете отместване (+03:00 или +02:00).",
    "This time happens twice in Sofia (the clocks go back); give an offset (+03:00 or +02:00).",
)
NOT_A_TIME = bilingual(
    "Очакват се дата и час, напр. 2027-06-12T10:00 (час в София) или с отместване.",
    "Expected a date and time such as 2027-06-12T10:00 (Sofia time) or one with an offset.",
)


def sofia_wall_clock_to_utc(wall_clock: datetime) -> datetime:
    """The UTC instant of a naive Sofia time; ValidationError where it names no instant or two."""
    earlier = wall_clock.replace(tzinfo=SOFIA, fold=0)
    later = wall_clock.replace(tzinfo=SOFIA, fold=1)
    if earlier.utcoffset() != later.utcoffset():
        if earlier.astimezone(UTC).astimezone(SOFIA).replace(tzinfo=None) != wall_clock:
            raise ValidationError(NONEXISTENT)
        raise ValidationError(AMBIGUOUS)
    return earlier.astimezone(UTC)


class SofiaDateTime(fields.DateTime):
    default_error_messages = {"invalid": NOT_A_TIME}  # noqa: RUF012  # marshmallow merges these per class

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is None:
            return sofia_wall_clock_to_utc(moment)
        return moment.astimezone(UTC)
