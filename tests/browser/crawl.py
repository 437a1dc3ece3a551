"""Every portal page a person can reach by links, one of each kind, measured at phone and desktop widths.

A page "kind" is its path with identifiers replaced (``/my/purchases/orders/<id>``), so a list of fifty
orders costs one visit to an order. Exports, sign-out and language switches are not pages to lay out.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Page

PHONE_WIDTH = {"width": 360, "height": 780}
DESKTOP_WIDTH = {"width": 1280, "height": 900}
_IDENTIFIER = re.compile(r"^(?=.*\d)[0-9A-Za-z_-]{6,}$|^\d+$")
_NOT_PAGES = re.compile(r"\.(csv|json|ics|pdf|png|svg|txt)$|/sign-out|/sign-in/oidc|/static/")

# The page's widest element beyond the viewport, named so a failure says what to fix.
_WIDEST = """() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) return null;
  let worst = null, right = root.clientWidth;
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > right + 0.5) {
      right = box.right;
      worst = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    }
  }
  return {scroll: root.scrollWidth, client: root.clientWidth, widest: worst};
}"""


def kind(path: str) -> str:
    """``/my/purchases/orders/9f3c…`` → ``/my/purchases/orders/<id>``; the query is dropped."""
    parts = urlsplit(path).path.rstrip("/").split("/")
    return "/".join("<id>" if _IDENTIFIER.match(part) else part for part in parts) or "/"


def sideways(page: Page) -> str | None:
    """None when the page fits its viewport's width; else how far it scrolls and its widest element."""
    found = page.evaluate(_WIDEST)
    if not found:
        return None
    return f"scrolls sideways ({found['scroll']} px in {found['client']} px; widest: {found['widest']})"


@dataclass
class Crawl:
    base: str
    budget: int = 40
    seen: set[str] = field(default_factory=set)
    """Kinds of page already checked (may be shared between crawls)."""
    visited: list[str] = field(default_factory=list)

    def links(self, page: Page) -> list[str]:
        hrefs: list[str] = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        found = []
        for href in hrefs:
            url = urljoin(page.url, href)
            if not url.startswith(self.base) or _NOT_PAGES.search(urlsplit(url).path) or "lang=" in url:
                continue
            found.append(url.split("#")[0])
        return found

    def run(self, page: Page, starts: list[str], check: Callable[[Page, str], None]) -> None:
        """Visit ``starts`` and what their links lead to (breadth first), one page per kind, calling ``check``."""
        queue = [self.base + path for path in starts]
        tried: set[str] = set()
        while queue and len(self.visited) < self.budget:
            url = queue.pop(0)
            key = kind(url.removeprefix(self.base))
            if key in self.seen or key in tried:
                continue
            tried.add(key)
            response = page.goto(url)
            if response is None or response.status >= 400 or not page.url.startswith(self.base):
                continue  # refused to this person: another may open it
            self.seen.add(key)
            self.visited.append(url.removeprefix(self.base))
            check(page, url.removeprefix(self.base))
            queue += self.links(page)
