"""Districts → planning regions → regional centres, loaded from ``geography.json``.

An enterprise's seat district decides which centre serves it and whose queue its application
enters. The mapping is data: a re-zoning edits the JSON file (or GEOGRAPHY_FILE points elsewhere).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from shared.config import declare

DEFAULT_FILE = Path(__file__).with_name("geography.json")
GEOGRAPHY_FILE = declare(
    "GEOGRAPHY_FILE", "", "A districts → regions → centres JSON file replacing the built-in one (after a re-zoning)."
)


@dataclass(frozen=True)
class Centre:
    id: str
    name_bg: str
    name_en: str
    city_bg: str
    city_en: str
    address_bg: str = ""
    address_en: str = ""
    latitude: float | None = None
    longitude: float | None = None
    """Where the map shows the centre (its town's centre while the street address is not published)."""


@dataclass(frozen=True)
class Region:
    code: str
    name_bg: str
    name_en: str
    centre: str


@dataclass(frozen=True)
class District:
    code: str
    name_bg: str
    name_en: str
    region: str


@dataclass(frozen=True)
class Placement:
    """Where a district sits: used to stamp applications, entries and events."""

    district: District
    region: Region
    centre: Centre


class Geography:
    def __init__(self, data: dict) -> None:
        self.centres = {c["id"]: Centre(**c) for c in data["centres"]}
        contact = data.get("centre_contact", {})
        self.centre_contact: tuple[str, str] = (contact.get("bg", ""), contact.get("en", ""))
        """How to reach a centre (Bulgarian, English): the same for every centre while theirs are not published."""
        self.regions = {r["code"]: Region(**r) for r in data["regions"]}
        self.districts = {d["code"]: District(**d) for d in data["districts"]}
        for district in self.districts.values():
            if self.regions.get(district.region) is None:
                raise ValueError(f"district {district.code} names unknown region {district.region}")
        for region in self.regions.values():
            if self.centres.get(region.centre) is None:
                raise ValueError(f"region {region.code} names unknown centre {region.centre}")

    def place(self, district_code: str) -> Placement:
        district = self.districts[district_code]
        region = self.regions[district.region]
        return Placement(district, region, self.centres[region.centre])


@cache
def geography() -> Geography:
    path = Path(GEOGRAPHY_FILE.text() or DEFAULT_FILE)
    return Geography(json.loads(path.read_text(encoding="utf-8")))
