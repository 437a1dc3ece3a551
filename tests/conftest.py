"""Fixtures shared by every test suite.

``make test`` runs two pytest-xdist workers (``-n 2``), then the fault suite (``tests/faults``) on two;
``TEST_WORKERS=0 FAULT_WORKERS=0 make test`` runs each part in one process.
Each worker's ``infra`` fixture starts its own Kafka and MongoDB-protocol server on free ports. The suites keep
both cores busy (a third worker made the run longer: the servers' CPU is not in ``time``'s figures), while
the fault suite mostly waits on servers kept stopped, so two of its modules run at once.
A module's tests stay together on one worker (its module fixtures start once); the browser suite stays on
one worker, since its tests share one platform. The longest units are queued first so that no worker is left
with a long tail. The fault suite runs after the others, so that
its scenarios share the machine only with each other: two modules at a time, the one holding servers
stopped longest first."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

# Tests run the services with the built-in development secrets; the refusal outside this mode has tests of its own.
os.environ.setdefault("DEVELOPMENT_MODE", "true")
# Nor are they throttled: the abuse limits have tests of their own with low limits.
os.environ.setdefault("RATE_LIMIT_PUBLIC", "100000/minute")
os.environ.setdefault("RATE_LIMIT_SIGN_IN", "100000/minute")

from shared.localinfra import Infrastructure, InfrastructureError, start_infrastructure
from tests import run_summary
from tests.faults.figures import TITLE as FAULTS_TITLE

#: Folders whose tests share session fixtures (a whole platform): one worker each.
WHOLE_FOLDERS = ("tests/browser/",)
#: Queued first, longest first (about 8 and 3 minutes of a run), then the other process suites; in the fault
#: suite, the module that keeps servers stopped for half of its two minutes.
LONGEST_FIRST = (
    "tests/browser/",
    "tests/e2e/test_local_platform.py",
    "tests/e2e/",
    "tests/faults/test_servers_outages.py",
)


def unit_of(nodeid: str) -> str:
    """The unit of work a worker takes whole: the test's folder if it is one of WHOLE_FOLDERS, else its module."""
    path = nodeid.split("::", maxsplit=1)[0]
    return next((folder for folder in WHOLE_FOLDERS if path.startswith(folder)), path)


def _queue_rank(nodeid: str) -> int:
    return next((rank for rank, prefix in enumerate(LONGEST_FIRST) if nodeid.startswith(prefix)), len(LONGEST_FIRST))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Queue the longest units first (the workers take the units in collection order)."""
    items.sort(key=lambda item: _queue_rank(item.nodeid))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Hand the workers whole units (see :func:`unit_of`) rather than single tests."""
    from xdist.scheduler import LoadScopeScheduling

    class UnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid)

    return UnitScheduling(config, log)


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Infrastructure]:
    """REAL Kafka and MongoDB-protocol servers, started once per test run.

    Deliberately FAILS (never skips) when the servers cannot start: a skipped integration suite
    reads as green while testing nothing. The failure message says what is missing.
    """
    failure: InfrastructureError | None = None
    try:
        infrastructure = start_infrastructure(tmp_path_factory.mktemp("infra"))
    except InfrastructureError as err:
        failure = err  # failed outside the except block, so pytest shows no chained traceback
    if failure is not None:
        pytest.fail(f"The test servers (Kafka, MongoDB) could not be started:\n{failure}", pytrace=False)
    yield infrastructure
    infrastructure.stop()


@pytest.hookimpl(wrapper=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None, None, None]:
    """In an xdist worker, hand the run summary's sections to the controller (after the suites added theirs)."""
    result = yield
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["run_summary"] = run_summary.as_data()
    return result


def pytest_testnodedown(node: Any, error: object) -> None:
    """In the controller: a worker finished; keep its sections for the summary."""
    run_summary.merge(getattr(node, "workeroutput", {}).get("run_summary", []))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if hasattr(config, "workeroutput"):
        return
    for section in run_summary.SECTIONS.values():
        terminalreporter.write_sep("=", section.title)
        for line in section.lines():
            terminalreporter.write_line(line)
    faults = run_summary.SECTIONS.get(FAULTS_TITLE)
    target = os.environ.get("FAULTS_REPORT")
    if faults and target:
        Path(target).write_text("\n".join(faults.lines()) + "\n", encoding="utf-8")
