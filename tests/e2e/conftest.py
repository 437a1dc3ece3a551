"""End-to-end fixtures shared by the services' tests."""

from collections.abc import Iterator

import pytest

from tests import run_summary
from tests.e2e.registry_flow import registry_api  # noqa: F401 - a fixture
from tests.e2e.web_processes import service_apis  # noqa: F401 - a fixture
from tests.integration.notifications_api import CollectingHandler, start_smtp


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[CollectingHandler, int]]:
    """A real SMTP server in the test's process: what it received, and its port."""
    handler = CollectingHandler()
    controller = start_smtp(handler)
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def pytest_sessionfinish() -> None:
    """The fuzzing's counts (tests/e2e/test_fuzz.py), when it ran."""
    from tests.e2e.test_fuzz import TALLIES

    rows = []
    for service, tally in TALLIES.items():
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(tally.statuses.items()))
        rows.append(
            f"Fuzzing {service}: {tally.cases} cases ({statuses}); {tally.server_errors} answers ≥ 500; "
            f"{len(tally.failures)} operations answering against their document"
        )
    if rows:
        run_summary.add("fuzzing", rows)
