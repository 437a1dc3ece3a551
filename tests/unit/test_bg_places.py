"""Place names in a query: districts, municipalities and settlements from ЕКАТТЕ, in either script and any case."""

from shared.bg.geography import geography
from shared.bg.places import Kind, places, split_places
from shared.bg.shapes import DATA_FILE, district_map


def test_the_data_holds_every_municipality_in_a_known_district_with_its_centre() -> None:
    municipalities = places().municipalities
    assert len(municipalities) == 265
    assert {m.district for m in municipalities.values()} == set(geography().districts)
    towns = {(m.district, town) for m in municipalities.values() for town in m.towns}
    for m in municipalities.values():  # Марица, Родопи, Тунджа, Добричка are governed from the district's city
        assert m.name_en and (m.centre in (*m.towns, *m.villages) or (m.district, m.centre) in towns), m.code
    assert sum(len(m.towns) + len(m.villages) for m in municipalities.values()) > 5000
    sarnitsa = places().municipality_named("Сърница")
    assert sarnitsa is not None and sarnitsa.district == "BG-13" and "Медени поляни" in sarnitsa.villages


def test_a_district_name_narrows_to_the_district_in_either_script_and_any_case() -> None:
    for query in ("мляко Габрово", "МЛЯКО габрово", "mlyako Gabrovo", "MLYAKO GABROVO"):
        found = split_places(query)
        assert (found.rest, found.districts) == ("mlyako", frozenset({"BG-07"})), query


def test_a_municipality_or_its_centre_narrows_to_its_district() -> None:
    found = split_places("сирене Трявна")
    assert (found.rest, found.districts) == ("sirene", frozenset({"BG-07"}))
    assert {(p.kind, p.municipality) for p in found.places} == {(Kind.MUNICIPALITY, "GAB35"), (Kind.TOWN, "GAB35")}
    assert split_places("med SEVLIEVO").districts == {"BG-07"}
    assert split_places("мед Малко Търново").districts == {"BG-02"}  # the longer name, not Велико Търново


def test_a_municipality_named_like_its_district_is_that_district_not_a_village_elsewhere() -> None:
    # Габрово is a district, a municipality and its town, and also a village near Благоевград and in Кърджали
    found = split_places("Габрово")
    assert found.districts == {"BG-07"} and [p.kind for p in found.places] == [Kind.DISTRICT]
    # written as a village, all the villages and the town of that name
    assert split_places("с. Габрово").districts == {"BG-01", "BG-07", "BG-09"}


def test_an_ambiguous_name_narrows_to_every_district_it_names() -> None:
    assert split_places("Бяла").districts == {"BG-03", "BG-18"}  # the towns near Варна and Русе
    assert split_places("с. Абланица").districts == {"BG-01", "BG-11", "BG-13"}
    assert split_places("София").districts == {"BG-22", "BG-23"}


def test_words_that_are_also_village_names_stay_words() -> None:
    found = split_places("сладко с малина")
    assert (found.rest, found.districts) == ("sladko s malina", frozenset())  # Малина is a village near Добрич
    assert split_places("Родопи мед").districts == frozenset()  # the mountain; the municipality only as "община Родопи"
    assert split_places("община Родопи").districts == {"BG-16"}
    assert split_places("стара къща").districts == frozenset()


def test_a_typed_municipality_is_found_in_its_district() -> None:
    assert places().municipality_named("общ. Трявна").code == "GAB35"  # type: ignore[union-attr]
    assert places().municipality_named("Бяла") is None  # two of them
    assert places().municipality_named("Byala", "BG-18").code == "RSE04"  # type: ignore[union-attr]
    assert places().municipality_named("Добрич-селска").name_bg == "Добричка"  # type: ignore[union-attr]
    assert places().municipality_named("гр. София", "BG-22").code == "SOF46"  # type: ignore[union-attr]  # Столична
    assert places().municipality_named("Пловдив", "BG-16").code == "PDV22"  # type: ignore[union-attr]  # not Марица


def test_the_map_has_every_district_as_a_compact_outline_and_places_the_centres_inside_their_districts() -> None:
    shapes = district_map()
    assert set(shapes.districts) == set(geography().districts)
    assert DATA_FILE.stat().st_size < 40_000
    outlines = {code: _polygons(shape.path) for code, shape in shapes.districts.items()}
    for centre in geography().centres.values():
        assert centre.latitude is not None and centre.longitude is not None
        x, y = shapes.point(centre.latitude, centre.longitude)
        home = next(code for code, r in geography().regions.items() if r.centre == centre.id)
        district = next(d for d in geography().districts.values() if d.region == home and d.name_bg == centre.city_bg)
        assert any(_inside((x, y), ring) for ring in outlines[district.code]), centre.id


def _polygons(path: str) -> list[list[tuple[float, float]]]:
    return [
        [tuple(float(v) for v in point.split(",")) for point in ring.strip("MZ").split()]  # type: ignore[misc]
        for ring in path.split("Z")
        if ring.strip()
    ]


def _inside(point: tuple[int, int], ring: list[tuple[float, float]]) -> bool:
    """Ray casting: the point is inside when a ray from it crosses the ring an odd number of times."""
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside
