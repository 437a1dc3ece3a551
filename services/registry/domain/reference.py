"""Reference lists of the register (legal forms, vulnerable groups, deletion grounds), read from data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Item:
    code: str
    name_bg: str
    name_en: str


@dataclass(frozen=True)
class ReferenceData:
    legal_forms: dict[str, Item]
    vulnerable_groups: dict[str, Item]
    deletion_reasons: dict[str, Item]


@cache
def reference_data() -> ReferenceData:
    raw = json.loads(Path(__file__).with_name("reference.json").read_text(encoding="utf-8"))

    def items(key: str) -> dict[str, Item]:
        return {i["code"]: Item(**i) for i in raw[key]}

    return ReferenceData(items("legal_forms"), items("vulnerable_groups"), items("deletion_reasons"))
