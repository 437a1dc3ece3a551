"""Every page a person can reach, as each kind of person, fits a 360 px phone and a 1280 px desktop.

A page fails when it scrolls sideways (the document is wider than the window) or when axe-core finds a
serious or critical violation on it, at either width. The pages are found by following links from the
person's menu, one page of each kind (one order, one listing...). This file runs after the journeys of
this folder (pytest takes the files in name order), so the lists it opens hold their enterprises,
listings, quotes, orders and enrolments; run it with them.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.accessibility import serious_violations
from tests.browser.conftest import Person
from tests.browser.crawl import DESKTOP_WIDTH, PHONE_WIDTH, Crawl, kind, sideways

pytestmark = pytest.mark.e2e

PUBLIC = [
    "/",
    "/register",
    "/map",
    "/marketplace",
    "/sessions",
    "/courses",
    "/certificates",
    "/sign-in",
    "/grants",
    "/grants/awards",
    "/events",
    "/events/open-data",
]
PLOVDIV = "Регионален център Пловдив"
# Who signs in, how (a demo person's name, or the journeys' people: role, name, e-mail, centre), and which
# page kinds must be among those visited, so the check covers the lists that hold rows.
PEOPLE: dict[str, tuple[tuple[str, ...], list[str]]] = {
    # first: the clerk reaches an approved application from the register's entry, through the enterprise's file
    "clerk": (
        ("Георги Атанасов",),
        [
            "/clerk/applications",
            "/clerk/enterprises/<id>",
            "/clerk/applications/<id>",
            "/clerk/grants",
            "/clerk/grants/calls",
            "/clerk/grants/calls/<id>/regions/BG42",
            "/clerk/grants/applications/<id>",
        ],
    ),
    # the ministry: the form for a new call, opened directly (the clerk checked the pages that link to it)
    "ministry": (("Ваня Петкова (МТСП)",), ["/clerk/grants/calls/new"]),
    # the support call is the grants journey's (this file runs after it)
    # the fair and the forum are the fairs journey's; so is the clerk who organises the fair
    "visitor": (
        (),
        ["/register/<id>", "/marketplace/listings/<id>", "/sessions/<id>", "/grants/calls/<id>", "/events/<id>"],
    ),
    "events-organiser": (
        ("Служител на регионален център", "Десислава Колева", "d.koleva@rc-plovdiv.example.bg", PLOVDIV),
        ["/centre/events", "/centre/events/<id>", "/centre/events/new", "/centre/events/report", "/my/events"],
    ),
    "representative": (
        ("Представител на предприятие", "Стоянка Белчева", "stoyanka@rodopska-bilka.example.bg"),
        [
            "/my/sales/listings",
            "/my/sales/quotes",
            "/my/sales/orders",
            "/my/sales/orders/<id>",
            "/my/applications",
            "/my/grants",
        ],
    ),
    "buyer": (
        ("Купувач", "Мартин Стоев", "zakupki@smolyan.example.bg"),
        ["/my/purchases/quotes", "/my/purchases/orders", "/my/purchases/orders/<id>", "/my/events"],
    ),
    "learner": (("Обучаем", "Снежана Илиева", "snezhana.ilieva@example.bg"), ["/my/training"]),
    "trainer": (
        ("Обучител", "Радостина Колева", "r.koleva@trainers.example.bg", "Регионален център Пловдив"),
        ["/trainer/sessions", "/trainer/sessions/<id>"],
    ),
    "representative-without-entry": (("Петя Стоянова Василева",), ["/my/applications"]),
    "admin": (("Демо администратор",), ["/admin/disputes"]),
}


MORE_STARTS = {"ministry": ["/clerk/grants/calls/new"]}
"""Pages a person reaches only through pages another person checked first (so not visited again)."""
THROUGH = {"events-organiser": ["/centre/events"]}
"""Lists whose rows a person reaches only through the list, which another person may have checked first."""


def sign_in(person: Person, how: tuple[str, ...]) -> None:
    if len(how) == 1:
        person.sign_in_as(how[0])
    elif how:
        role, name, email, *centre = how
        person.sign_in_new(role, name, email, centre=centre[0] if centre else "")


CHECKED: set[str] = set()
"""Kinds of page already checked in this run: a page every person can open (the register, a listing) is
checked once, as the first person who reaches it, so the whole check stays within a few minutes."""


def checked(page: Page, path: str, problems: list[str], *, desktop_axe: bool = False) -> None:
    """Sideways scrolling at both widths; axe-core at phone width (and at desktop width when asked)."""
    for label, size, with_axe in (("360 px", PHONE_WIDTH, True), ("1280 px", DESKTOP_WIDTH, desktop_axe)):
        page.set_viewport_size(size)
        if too_wide := sideways(page):
            problems.append(f"{path} at {label}: {too_wide}")
        if with_axe:
            problems.extend(
                f"{path} at {label}: {v['rule']} ({v['impact']}): {v['help']} at {v['where']}"
                for v in serious_violations(page)
            )


@pytest.mark.parametrize("who", list(PEOPLE))
def test_every_page_fits_a_phone_and_a_desktop_without_serious_violations(people: Any, who: str) -> None:
    how, expected = PEOPLE[who]
    person = people(who)
    sign_in(person, how)
    problems: list[str] = []
    # A clerk's menu now leads to the register, training, support and events: 40 pages left her enterprise
    # pages unreached, so each person may open 60.
    crawl = Crawl(person.base, budget=60, seen=CHECKED)
    page = person.open("/")  # the header as this person sees it: folded into "Menu" on a phone
    checked(page, "/", problems, desktop_axe=True)
    menu = [url.removeprefix(crawl.base) for url in crawl.links(page)]
    starts = PUBLIC if not how else [*menu, "/inbox", "/settings", *MORE_STARTS.get(who, [])]
    for listed in THROUGH.get(who, []):  # a list another person checked first: its rows are starts too
        person.open(listed)
        starts += [url.removeprefix(crawl.base) for url in crawl.links(page)]
    crawl.run(page, starts, lambda page, path: checked(page, path, problems))
    reached = {kind(path) for path in crawl.visited}
    missing = [page_kind for page_kind in expected if page_kind not in reached | CHECKED]
    assert not missing, f"pages not reached as {who} (run this file after the journeys): {missing}"
    assert not problems, f"{len(crawl.visited)} pages checked as {who}:\n" + "\n".join(problems)


def test_the_check_sees_a_page_that_scrolls_sideways(browser: Any) -> None:
    """A table wider than a phone, outside any scrolling container, is found and named."""
    context = browser.new_context(viewport=PHONE_WIDTH)
    page = context.new_page()
    page.set_content(
        '<html lang="bg"><body><main><h1>Х</h1><table class="orders"><tr>'
        + "<td>поръчка</td>" * 30
        + "</tr></table></main></body></html>"
    )
    found = sideways(page)
    page.set_viewport_size({"width": 4000, "height": 800})
    wide = sideways(page)
    context.close()
    assert found is not None and "table.orders" in found
    assert wide is None
