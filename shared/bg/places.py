"""Bulgaria's municipalities and settlements (``places.json``, from ЕКАТТЕ), and place names in search queries.

One mechanism for every service: :func:`split_places` takes the words of a query that name a district,
a municipality or a settlement ("мляко Габрово", "med Tryavna", "община Родопи", "с. Абланица") out of
it and says which districts they lie in; what a service does with those districts is its own rule.

A name is recognised on its own when it names a district, a municipality (after its centre) or a
town or a municipality's centre. A village that is no municipality's centre is recognised only after
"с."/"село" (many villages are named like things people buy: Малина, Круша, Дрен); a municipality
not named after a settlement (Родопи, Марица, Тунджа, Столична) only after "община". A district's name
wins over a settlement of the same name elsewhere ("Габрово" is the district, not the village near
Благоевград); a name several places share narrows to all their districts ("Бяла": Русе and Варна).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from shared.bg.geography import geography
from shared.text.search import fold, words

DATA_FILE = Path(__file__).with_name("places.json")


class Kind(StrEnum):
    DISTRICT = "district"
    MUNICIPALITY = "municipality"
    TOWN = "town"
    VILLAGE = "village"


@dataclass(frozen=True)
class Municipality:
    code: str
    """ЕКАТТЕ's municipality code, e.g. GAB05."""
    district: str
    """ISO 3166-2:BG code of its district."""
    name_bg: str
    name_en: str
    centre: str
    towns: tuple[str, ...]
    villages: tuple[str, ...]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Place:
    """One place a query named: its kind, its name as written in the data, and where it lies."""

    kind: Kind
    name: str
    district: str
    municipality: str | None = None


@dataclass(frozen=True)
class PlacesInQuery:
    rest: str
    """The query's other words, folded to lower-case Latin and joined by spaces."""
    places: tuple[Place, ...] = ()

    @property
    def districts(self) -> frozenset[str]:
        return frozenset(p.district for p in self.places)


_PREFIXES: dict[tuple[str, ...], Kind] = {
    ("oblast",): Kind.DISTRICT,
    ("obl.",): Kind.DISTRICT,
    ("obshtina",): Kind.MUNICIPALITY,
    ("obsht.",): Kind.MUNICIPALITY,
    ("grad",): Kind.TOWN,
    ("gr.",): Kind.TOWN,
    ("selo",): Kind.VILLAGE,
    ("s.",): Kind.VILLAGE,
}
"""Folded words that say what kind of place follows ("с." only with its dot: "с" alone means "with")."""

_TOKEN = re.compile(r"[0-9a-z]+\.?")
_BRACKETED = re.compile(r"\(([^)]*)\)")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text))


def _bare(token: str) -> str:
    return token.rstrip(".")


class Places:
    def __init__(self, data: dict) -> None:
        self.municipalities = {
            m["code"]: Municipality(
                code=m["code"],
                district=m["district"],
                name_bg=m["name_bg"],
                name_en=m["name_en"],
                centre=m["centre"],
                towns=tuple(m["towns"]),
                villages=tuple(m["villages"]),
                aliases=tuple(m.get("aliases", ())),
            )
            for m in data["municipalities"]
        }
        districts = geography().districts
        for m in self.municipalities.values():
            if m.district not in districts:
                raise ValueError(f"municipality {m.code} names unknown district {m.district}")
        self._phrases: dict[Kind, dict[tuple[str, ...], set[Place]]] = {kind: {} for kind in Kind}
        for code, district in districts.items():
            for name in (district.name_bg, district.name_en):
                base = tuple(words(_BRACKETED.sub(" ", name)))
                for phrase in {base, tuple(words(name)), base[-1:]}:
                    self._add(Kind.DISTRICT, phrase, Place(Kind.DISTRICT, district.name_bg, code))
        for m in self.municipalities.values():
            for name in (m.name_bg, m.name_en, *m.aliases):
                place = Place(Kind.MUNICIPALITY, m.name_bg, m.district, m.code)
                self._add(Kind.MUNICIPALITY, tuple(words(name)), place)
            for kind, names in ((Kind.TOWN, m.towns), (Kind.VILLAGE, m.villages)):
                for name in names:
                    self._add(kind, tuple(words(name)), Place(kind, name, m.district, m.code))
        self._longest = max(len(p) for table in self._phrases.values() for p in table)
        self._bare = self._bare_names()
        self._after_prefix = {
            kind: {p: frozenset(found) for p, found in table.items()} for kind, table in self._phrases.items()
        }
        villages = self._after_prefix[Kind.VILLAGE]
        for phrase, found in self._phrases[Kind.TOWN].items():  # "с. Сърница": people write "с." loosely
            villages[phrase] = villages.get(phrase, frozenset()) | found

    def _bare_names(self) -> dict[tuple[str, ...], frozenset[Place]]:
        """The names recognised without a word saying what kind of place follows."""
        bare = {phrase: frozenset(found) for phrase, found in self._phrases[Kind.DISTRICT].items()}
        for kind in (Kind.MUNICIPALITY, Kind.TOWN, Kind.VILLAGE):
            for phrase, found in self._phrases[kind].items():
                if phrase in self._phrases[Kind.DISTRICT]:
                    continue  # the district's name wins
                chosen = frozenset(p for p in found if self._recognised_alone(p, phrase))
                if chosen:
                    bare[phrase] = bare.get(phrase, frozenset()) | chosen
        return bare

    def _recognised_alone(self, place: Place, phrase: tuple[str, ...]) -> bool:
        if place.kind is Kind.TOWN or place.municipality is None:
            return True
        m = self.municipalities[place.municipality]
        if place.kind is Kind.VILLAGE:
            return place.name == m.centre  # Малина, Круша: only after "с."
        return phrase in {tuple(words(n)) for n in (*m.towns, *m.villages)}  # Родопи: only after "община"

    def _add(self, kind: Kind, phrase: tuple[str, ...], place: Place) -> None:
        if phrase:
            self._phrases[kind].setdefault(phrase, set()).add(place)

    def split(self, query: str) -> PlacesInQuery:
        """The query without its place names, and the places they name (longest names first)."""
        tokens = _tokens(query)
        kept: list[str] = []
        places: list[Place] = []
        i = 0
        while i < len(tokens):
            kind = _PREFIXES.get((tokens[i],))
            if kind is not None:
                size, found = self._longest_match(tokens, i + 1, self._after_prefix[kind])
                if found:
                    places.extend(sorted(found, key=_order))
                    i += 1 + size
                    continue
            size, found = self._longest_match(tokens, i, self._bare)
            if found:
                places.extend(sorted(found, key=_order))
                i += size
            else:
                kept.append(_bare(tokens[i]))
                i += 1
        return PlacesInQuery(" ".join(w for w in kept if w), tuple(dict.fromkeys(places)))

    def _longest_match(
        self, tokens: list[str], start: int, table: dict[tuple[str, ...], frozenset[Place]]
    ) -> tuple[int, frozenset[Place]]:
        for size in range(min(self._longest, len(tokens) - start), 0, -1):
            found = table.get(tuple(_bare(t) for t in tokens[start : start + size]))
            if found:
                return size, found
        return 0, frozenset()

    def municipality_named(self, name: str, district: str | None = None) -> Municipality | None:
        """The municipality a typed name means ("общ. Трявна", "Tryavna"), in ``district`` when given; failing
        that, the one governed from a town of that name ("София": Столична)."""
        phrase = tuple(_bare(t) for t in _tokens(name) if (t,) not in _PREFIXES)
        found = {
            p.municipality
            for p in self._phrases[Kind.MUNICIPALITY].get(phrase, set())
            if p.municipality and (district is None or p.district == district)
        }
        if not found:
            found = {
                m.code
                for m in self.municipalities.values()
                if tuple(words(m.centre)) == phrase and m.centre in m.towns and district in (None, m.district)
            }
        return self.municipalities[found.pop()] if len(found) == 1 else None

    def in_district(self, district: str) -> list[Municipality]:
        return sorted((m for m in self.municipalities.values() if m.district == district), key=lambda m: m.name_bg)


def _order(place: Place) -> tuple[str, str, str]:
    return (place.district, place.kind.value, place.name)


@cache
def places() -> Places:
    return Places(json.loads(DATA_FILE.read_text(encoding="utf-8")))


def split_places(query: str) -> PlacesInQuery:
    return places().split(query)
