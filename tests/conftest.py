"""Fixtures shared by every test suite.

The test run is single-process: the ``infra`` fixture starts one Kafka and one MongoDB-protocol
server for the whole session. (Under pytest-xdist each worker would start its own pair on its own
free ports, which still works but is slower; nothing here depends on it.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

# Tests run the services with the built-in development secrets; the refusal outside this mode has tests of its own.
os.environ.setdefault("DEVELOPMENT_MODE", "true")
# Nor are they throttled: the abuse limits have tests of their own with low limits.
os.environ.setdefault("RATE_LIMIT_PUBLIC", "100000/minute")
os.environ.setdefault("RATE_LIMIT_SIGN_IN", "100000/minute")

from shared.localinfra import Infrastructure, InfrastructureError, start_infrastructure


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
