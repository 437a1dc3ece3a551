"""Every service's web process, as in production (gunicorn), on the test session's Kafka and database.

Shared by the suites that only talk to the services' HTTP APIs (fuzzing, hostile input): started once for
the package, with public rate limits far above what those suites send.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.deploy.manifests import DATA_SERVICES
from tests.e2e.services import Service, running_services, service_env

SERVICES = DATA_SERVICES
"""Every service with an API of its own (the portal only calls theirs), from the local platform's Procfile."""
DATABASES: dict[str, str] = {}
"""Each running service's database name, for tests that seed what the services learn from Kafka."""


@pytest.fixture(scope="package")
def service_apis(infra: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """``{service: base URL}`` of the services' web processes."""
    started = []
    for service in SERVICES:
        logs = tmp_path_factory.mktemp(f"web-{service}")
        env = {**service_env(infra, service, logs), "RATE_LIMIT_PUBLIC": "1000000/minute"}
        DATABASES[service] = env[f"{service.upper()}_MONGODB_DATABASE"]
        started.append(Service(service, logs, env))
    with running_services(started) as bases:
        yield dict(zip(SERVICES, bases, strict=True))
