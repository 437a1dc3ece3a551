"""axe-core (shipped inside the axe-playwright-python package) run against the page in the browser."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_21_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
_AXE = Axe()


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical violations on the page as it is now, each with the elements concerned."""
    results = _AXE.run(page, options=WCAG_21_AA)
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"], "where": [n["target"] for n in v["nodes"]][:5]}
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
