"""Where an event takes place: a centre's hall, an address in a settlement of the 28 districts, or online.

Two events at the same venue may not overlap in time (half-open intervals: one ending at 18:00 and another
starting at 18:00 do not). An online event has no venue to book.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol
from urllib.parse import urlsplit

from services.events.domain.timing import span_text
from shared.bg.geography import geography
from shared.bg.places import places
from shared.errors import Conflict, InvalidInput, Text

STREET_LIMIT = 200
URL_LIMIT = 500
INVALID = Text("Някои полета не са попълнени правилно.", "Some fields are not valid.")


class VenueKind(StrEnum):
    HALL = "hall"
    """The hall of one of the six regional centres."""
    ADDRESS = "address"
    ONLINE = "online"


@dataclass(frozen=True)
class Venue:
    kind: VenueKind
    centre: str | None = None
    """For a hall: the centre's id."""
    municipality: str | None = None
    """For an address: ЕКАТТЕ's municipality code (GAB05)."""
    settlement: str | None = None
    """For an address: a town or village of that municipality, as the register of places writes it."""
    street: str | None = None
    url: str | None = None
    """For an online event: where to join (https)."""

    @property
    def district(self) -> str | None:
        """The ISO 3166-2:BG code of the district the venue lies in (None online)."""
        if self.kind is VenueKind.HALL and self.centre:
            centre = geography().centres.get(self.centre)
            for code, district in geography().districts.items():
                if centre is not None and district.name_bg == centre.city_bg:
                    return code
            return None
        if self.kind is VenueKind.ADDRESS and self.municipality:
            municipality = places().municipalities.get(self.municipality)
            return municipality.district if municipality else None
        return None

    @property
    def booking_key(self) -> str | None:
        """What two events must not hold at the same time; None for an online event."""
        if self.kind is VenueKind.HALL:
            return f"hall:{self.centre}"
        if self.kind is VenueKind.ADDRESS:
            street = " ".join((self.street or "").casefold().split())
            return f"address:{self.municipality}:{(self.settlement or '').casefold()}:{street}"
        return None

    def describe(self) -> Text:
        if self.kind is VenueKind.HALL and self.centre:
            centre = geography().centres[self.centre]
            return Text(f"зала на {centre.name_bg}", f"hall of the {centre.name_en}")
        if self.kind is VenueKind.ADDRESS:
            return Text(f"{self.settlement}, {self.street}", f"{self.settlement}, {self.street}")
        return Text("онлайн", "online")

    def as_payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "centre": self.centre,
            "municipality": self.municipality,
            "settlement": self.settlement,
            "street": self.street,
            "district": self.district,
        }


def venue_problems(venue: Venue, prefix: str = "venue") -> dict[str, Text]:
    """What is wrong with a venue, by request field (``venue.centre``, ``venue.settlement``...)."""
    problems: dict[str, Text] = {}
    if venue.kind is VenueKind.HALL:
        if venue.centre not in geography().centres:
            problems[f"{prefix}.centre"] = Text("Няма такъв регионален център.", "No such regional centre.")
    elif venue.kind is VenueKind.ADDRESS:
        municipality = places().municipalities.get(venue.municipality or "")
        if municipality is None:
            problems[f"{prefix}.municipality"] = Text("Няма такава община.", "No such municipality.")
        elif venue.settlement not in (*municipality.towns, *municipality.villages):
            problems[f"{prefix}.settlement"] = Text(
                f"В община {municipality.name_bg} няма такова населено място.",
                f"The municipality of {municipality.name_en} has no such settlement.",
            )
        if not (venue.street or "").strip():
            problems[f"{prefix}.street"] = Text("Посочете адреса.", "Give the street address.")
        elif len(venue.street or "") > STREET_LIMIT:
            problems[f"{prefix}.street"] = Text(
                f"Най-много {STREET_LIMIT} знака.", f"At most {STREET_LIMIT} characters."
            )
    else:
        parts = urlsplit(venue.url or "")
        if parts.scheme != "https" or not parts.netloc or len(venue.url or "") > URL_LIMIT:
            problems[f"{prefix}.url"] = Text(
                "Посочете адрес за участие, започващ с https://.", "Give the address to join, starting with https://."
            )
    return problems


def check_venue(venue: Venue) -> None:
    problems = venue_problems(venue)
    if problems:
        raise InvalidInput(INVALID, problems)


class Booked(Protocol):
    """What the double-booking rule needs to know of another event."""

    id: str
    title_bg: str
    venue: Venue
    starts_at: datetime
    ends_at: datetime

    @property
    def holds_venue(self) -> bool: ...


class VenueTaken(Conflict):
    code = "venue_taken"

    def __init__(self, other: Booked) -> None:
        span = span_text(other.starts_at, other.ends_at)
        super().__init__(
            Text(
                f"Мястото е заето по това време от „{other.title_bg}“ ({span}).",
                f"The venue is booked at that time by “{other.title_bg}” ({span}).",
            ),
            {"venue": Text(f"Заето от „{other.title_bg}“.", f"Booked by “{other.title_bg}”.")},
        )
        self.other_id = other.id


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def check_venue_free(event: Booked, others: Iterable[Booked]) -> None:
    """Refuses ``event`` if another event holding the same venue overlaps it, naming that event."""
    key = event.venue.booking_key
    if key is None:
        return
    for other in others:
        if other.id == event.id or not other.holds_venue or other.venue.booking_key != key:
            continue
        if overlaps(event.starts_at, event.ends_at, other.starts_at, other.ends_at):
            raise VenueTaken(other)
