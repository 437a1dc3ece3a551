"""axe-core finds no serious or critical WCAG 2.1 AA violation on the portal's main pages, for each role."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.accessibility import serious_violations

pytestmark = pytest.mark.e2e

PUBLIC = ["/", "/register", "/marketplace", "/sessions", "/certificates", "/sign-in", "/?lang=en"]
BY_PERSON = {
    "Петя Стоянова Василева": ["/my/applications", "/my/applications/new", "/inbox"],
    "Георги Атанасов": ["/clerk/applications", "/clerk/needs"],
    "Мария Петкова": ["/my/purchases/quotes", "/my/purchases/orders", "/my/purchases/needs", "/my/purchases/impact"],
    "Обучител (plovdiv)": ["/trainer/sessions"],
    "Иван Петров": ["/my/training"],
    "Демо администратор": ["/admin/disputes"],
}


def check(page: Any, path: str) -> list[str]:
    problems = serious_violations(page)
    return [f"{path}: {p['rule']} ({p['impact']}): {p['help']} at {p['where']}" for p in problems]


def test_main_pages_have_no_serious_accessibility_violations(people: Any) -> None:
    visitor = people("visitor")
    found: list[str] = []
    for path in PUBLIC:
        found += check(visitor.open(path), path)
    for name, paths in BY_PERSON.items():
        person = people(name.split()[0].lower())
        person.sign_in_as(name)
        for path in paths:
            page = person.open(path)
            assert page.locator("h1").count() == 1, f"{path} has no single main heading"
            found += check(page, path)
    assert not found, "\n".join(found)


def test_the_check_itself_reports_what_it_should(browser: Any) -> None:
    """A page with an unlabelled input and an image without text fails the same check."""
    context = browser.new_context()
    page = context.new_page()
    page.set_content('<html lang="bg"><body><main><h1>Х</h1><input type="text"><img src="x.png"></main></body></html>')
    rules = {v["rule"] for v in serious_violations(page)}
    context.close()
    assert {"label", "image-alt"} <= rules
