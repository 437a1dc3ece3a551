"""The category taxonomy (two levels), read from ``categories.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Category:
    code: str
    name_bg: str
    name_en: str
    parent: str | None


@cache
def categories() -> dict[str, Category]:
    raw = json.loads(Path(__file__).with_name("categories.json").read_text(encoding="utf-8"))
    found: dict[str, Category] = {}
    for top in raw["categories"]:
        found[top["code"]] = Category(top["code"], top["name_bg"], top["name_en"], None)
        for child in top.get("children", []):
            found[child["code"]] = Category(child["code"], child["name_bg"], child["name_en"], top["code"])
    return found


def with_ancestors(code: str) -> list[str]:
    """A category and its parent: a listing in "food.honey" is found under "food" too."""
    category = categories()[code]
    return [code] if category.parent is None else [category.parent, code]
