"""The map of Bulgaria's 28 districts: the register's enterprises in each, the six regional centres.

An inline SVG drawn on the server (no tiles, no script): each district is a link into the register
filtered to it, shaded by how many enterprises it has; the same counts stand in a list beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import ngettext

from services.portal.clients import ServiceError
from services.portal.i18n import localised
from services.portal.registry_api import registry
from shared.bg.geography import geography
from shared.bg.places import places
from shared.bg.shapes import district_map

blp = Blueprint("map", __name__, url_prefix="/map")

SHADES = ((0, 0), (1, 1), (2, 4), (5, 9), (10, None))
"""The legend's bands of enterprises per district (from, to; None: and more), lightest first."""


def shade(count: int) -> int:
    return max(i for i, (low, _high) in enumerate(SHADES) if count >= low)


@dataclass(frozen=True)
class DistrictOnMap:
    code: str
    name: str
    count: int | None
    """None when the register could not be asked."""
    path: str
    label: tuple[int, int]
    centre: str
    municipalities: int

    @property
    def shade(self) -> int | str:
        return "unknown" if self.count is None else shade(self.count)

    @property
    def accessible_name(self) -> str:
        if self.count is None:
            return self.name
        return f"{self.name}: " + ngettext("%(num)d enterprise", "%(num)d enterprises", self.count)

    @property
    def register_url(self) -> str:
        return url_for("register.search", district=self.code)

    @property
    def market_url(self) -> str:
        return url_for("market.search", district=self.code)


def _counts() -> dict[str, int] | None:
    try:
        answer: dict[str, Any] = registry().get("/api/v1/register/districts")
    except ServiceError:
        return None
    return {item["code"]: int(item["count"]) for item in answer["districts"]}


@blp.get("")
def show() -> ResponseReturnValue:
    geo, shapes, counts = geography(), district_map(), _counts()
    districts = []
    for code, district in geo.districts.items():
        shape = shapes.districts[code]
        centre = geo.place(code).centre
        districts.append(
            DistrictOnMap(
                code=code,
                name=localised({"bg": district.name_bg, "en": district.name_en}),
                count=None if counts is None else counts.get(code, 0),
                path=shape.path,
                label=shape.label,
                centre=localised({"bg": centre.name_bg, "en": centre.name_en}),
                municipalities=len(places().in_district(code)),
            )
        )
    districts.sort(key=lambda d: d.name)
    centres = [
        {
            "id": c.id,
            "name": localised({"bg": c.name_bg, "en": c.name_en}),
            "town": localised({"bg": c.city_bg, "en": c.city_en}),
            "address": localised({"bg": c.address_bg, "en": c.address_en}),
            "point": shapes.point(c.latitude, c.longitude)
            if c.latitude is not None and c.longitude is not None
            else None,
            "regions": [
                localised({"bg": r.name_bg, "en": r.name_en}) for r in geo.regions.values() if r.centre == c.id
            ],
        }
        for c in geo.centres.values()
    ]
    return render_template(
        "map/map.html",
        shapes=shapes,
        districts=districts,
        centres=centres,
        contact=localised({"bg": geo.centre_contact[0], "en": geo.centre_contact[1]}),
        total=None if counts is None else sum(counts.values()),
        shades=SHADES,
    )
