"""The outlines of Bulgaria's 28 districts as SVG paths (``district_shapes.json``, built from Natural Earth).

The portal draws its map from them inline: no tiles and no script. ``deploy/tools/build_places.py``
says how the file was made.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).with_name("district_shapes.json")


@dataclass(frozen=True)
class DistrictShape:
    code: str
    path: str
    """SVG path data in the map's units (``M x,y x,y … Z`` per ring)."""
    label: tuple[int, int]
    """A point inside the district, for its label."""


@dataclass(frozen=True)
class DistrictMap:
    width: int
    height: int
    districts: dict[str, DistrictShape]
    west: float
    north: float
    scale: float
    k: float

    def point(self, latitude: float, longitude: float) -> tuple[int, int]:
        """Where a place lies on the map (the same projection as the outlines)."""
        return round((longitude - self.west) * self.k * self.scale), round((self.north - latitude) * self.scale)


@cache
def district_map() -> DistrictMap:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    projection = data["projection"]
    return DistrictMap(
        width=int(data["width"]),
        height=int(data["height"]),
        districts={
            code: DistrictShape(code, shape["path"], (int(shape["label"][0]), int(shape["label"][1])))
            for code, shape in data["districts"].items()
        },
        west=float(projection["west"]),
        north=float(projection["north"]),
        scale=float(projection["scale"]),
        k=float(projection["k"]),
    )
