"""The whole platform as real processes, driven by Debian's Chromium through Playwright.

Every service runs as in production (gunicorn web, relays, consumers) against the test session's
real Kafka and MongoDB-protocol servers, and the portal calls them over HTTP. Screenshots at phone
and desktop widths go to a folder printed at the end of the run (``SCREENSHOTS_DIR`` to choose it).
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests import run_summary
from tests.browser.accessibility import serious_violations
from tests.e2e.services import BIN, Service, running_service, running_services, service_env
from tests.integration.notifications_api import LOCALHOST, CollectingHandler, start_smtp

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=bg",
]  # fmt: skip
SERVICES = {
    "registry": {"relay": "registry-relay"},
    "marketplace": {"relay": "marketplace-relay", "consumer": "marketplace-consumer"},
    "training": {"relay": "training-relay", "consumer": "training-consumer"},
    "notifications": {"consumer": "notifications-consumer", "sender": "notifications-sender"},
    "grants": {"relay": "grants-relay", "consumer": "grants-consumer"},
    "events": {"relay": "events-relay", "consumer": "events-consumer"},
}


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not path:
        pytest.fail("Chromium is not installed: run `bash tests/browser/ensure-chromium.sh`", pytrace=False)
    return path


@dataclass(frozen=True)
class Platform:
    portal: str
    apis: dict[str, str]
    mailbox: CollectingHandler
    """The mail server the notifications sender delivers to: every e-mail the journeys cause."""


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or ROOT / ".run" / "screenshots")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    run_summary.add("browser journeys", [f"Screenshots (phone and desktop widths): {folder}"])
    return folder


@pytest.fixture(scope="package")
def platform(infra: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    """Every service with its processes, then the portal pointed at them; yields their addresses."""
    with ExitStack() as stack:
        mailbox = CollectingHandler()
        smtp = start_smtp(mailbox)
        stack.callback(smtp.stop)
        smtp_port = smtp.port
        started = []
        for service, extra in SERVICES.items():
            logs = tmp_path_factory.mktemp(f"browser-{service}")
            env = service_env(infra, service, logs)
            # Consumer groups of their own: other suites' consumers of the same topics share none of them.
            env[f"{service.upper()}_CONSUMER_GROUP"] = f"{service}-browser-{uuid.uuid4().hex[:8]}"
            if service == "notifications":
                env.update({"SMTP_HOST": LOCALHOST, "SMTP_PORT": str(smtp_port), "SMTP_STARTTLS": "false"})
            processes = {name: [str(BIN / command)] for name, command in extra.items()}
            started.append(Service(service, logs, env, processes, [f"{name}-alive" for name in extra]))
        apis = dict(zip(SERVICES, stack.enter_context(running_services(started)), strict=True))
        logs = tmp_path_factory.mktemp("browser-portal")
        env = {
            **os.environ,
            "PORTAL_REGISTRY_URL": apis["registry"],
            "PORTAL_MARKETPLACE_URL": apis["marketplace"],
            "PORTAL_TRAINING_URL": apis["training"],
            "PORTAL_NOTIFICATIONS_URL": apis["notifications"],
            "PORTAL_GRANTS_URL": apis["grants"],
            "PORTAL_EVENTS_URL": apis["events"],
            "PORTAL_DEV_SIGN_IN": "true",
            "PORTAL_SECURE_COOKIES": "false",
        }
        portal = stack.enter_context(running_service("portal", logs, env, {}, alive=[]))
        yield Platform(portal=portal, apis=apis, mailbox=mailbox)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
    yield browser
    browser.close()


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


class Person:
    """One person in their own browser context (their own cookies), signed in through the sign-in page."""

    def __init__(self, browser: Browser, platform: Platform, screenshots: Path, journey: str) -> None:
        self.context = browser.new_context(viewport=DESKTOP, locale="bg-BG", timezone_id="Europe/Sofia")
        self.context.set_default_timeout(20_000)
        self.page: Page = self.context.new_page()
        self.base = platform.portal
        self.folder = screenshots / journey
        self.folder.mkdir(exist_ok=True)
        self.violations: list[str] = []

    def open(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page

    def menu(self, link: str) -> Page:
        """Follow a link of the header's main menu."""
        self.page.get_by_role("navigation", name="Основно меню").get_by_role("link", name=link, exact=True).click()
        return self.page

    def sign_in_as(self, demo_person: str) -> None:
        self.open("/sign-in")
        self.page.get_by_label(demo_person, exact=False).check()
        self.page.get_by_role("button", name="Вход като този потребител").click()

    def sign_in_new(self, role_label: str, name: str, email: str, centre: str = "", enterprise: str = "") -> None:
        self.open("/sign-in")
        form = self.page.locator("form", has=self.page.get_by_label("Роля"))
        form.get_by_label("Роля").select_option(label=role_label)
        form.get_by_label(re.compile(r"^Име( |$)")).fill(name)
        form.get_by_label(re.compile(r"^Имейл")).fill(email)
        if centre:
            form.get_by_label(re.compile(r"^Регионален център")).select_option(label=centre)
        if enterprise:
            form.get_by_label(re.compile(r"^Предприятие")).fill(enterprise)
        form.get_by_role("button", name="Вход").click()

    def shot(self, name: str) -> None:
        """The page as it is now, at desktop and at phone width; axe-core checks it too."""
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            self.page.set_viewport_size(size)
            self.page.screenshot(path=str(self.folder / f"{name}-{label}.png"), full_page=True)
        self.page.set_viewport_size(DESKTOP)
        self.violations += [f"{name} ({self.page.url}): {v}" for v in serious_violations(self.page)]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def people(browser: Browser, platform: Platform, screenshots: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``people("clerk")`` opens a new person's browser; all are closed after the test."""
    opened: list[Person] = []
    journey = request.node.name.removeprefix("test_")

    def person(label: str) -> Person:
        someone = Person(browser, platform, screenshots, f"{journey}/{label}")
        opened.append(someone)
        return someone

    (screenshots / journey).mkdir(exist_ok=True)
    yield person
    for someone in opened:
        someone.close()
    violations = [v for someone in opened for v in someone.violations]
    assert not violations, "serious accessibility violations:\n" + "\n".join(violations)
