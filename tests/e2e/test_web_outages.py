"""A web process when what it needs goes away: fast 503s with Retry-After, probes that answer at once.

The registry's gunicorn runs against a FerretDB of its own (stopped and restarted here, the shared
one stays up) and a Kafka address where nothing listens: web processes never produce to Kafka.
"""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from shared.localinfra.ferretdb import launch_ferretdb, mongodb_uri, wait_for_ferretdb
from shared.localinfra.process import ServerProcess
from tests.e2e.services import BIN, free_port, service_env
from tests.integration.registry_api import REP, application
from tests.polling import wait_until

pytestmark = pytest.mark.e2e


@dataclass
class Platform:
    base: str
    log: Path
    run_dir: Path
    port: int
    database: ServerProcess

    def start_database(self) -> None:
        self.database = launch_ferretdb(self.run_dir, self.port)  # the same files: the data comes back
        wait_for_ferretdb(self.database, mongodb_uri(self.port))


@pytest.fixture
def platform(infra: Any, tmp_path: Path) -> Iterator[Platform]:
    port = free_port()
    database = launch_ferretdb(tmp_path, port)
    wait_for_ferretdb(database, mongodb_uri(port))
    web_port = free_port()
    env = {
        **service_env(infra, "registry", tmp_path),
        "MONGODB_URI": mongodb_uri(port),
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{free_port()}",  # nothing listens there
        "WSGI_APP": "services.registry.entrypoints.app:create_app()",
        "WEB_BIND": f"127.0.0.1:{web_port}",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "web-metrics"),
    }
    log = tmp_path / "web.log"
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "python:shared.web.gunicorn_conf"],
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    platform = Platform(f"http://127.0.0.1:{web_port}", log, tmp_path, port, database)

    def alive() -> bool:
        if web.poll() is not None:
            pytest.fail(f"the registry's web process exited: {log.read_text()[-2000:]}")
        try:
            return requests.get(f"{platform.base}/healthz", timeout=2).ok
        except requests.RequestException:
            return False

    try:
        wait_until(alive, "the registry's web process to answer", timeout=60)
        yield platform
    finally:
        web.send_signal(signal.SIGTERM)
        try:
            web.wait(timeout=25)
        except subprocess.TimeoutExpired:
            web.kill()
            web.wait()
        platform.database.stop()


def timed(call: Any) -> tuple[requests.Response, float]:
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_ready_without_kafka_and_a_database_outage_answers_503_fast_then_recovers(platform: Platform) -> None:
    base, api = platform.base, f"{platform.base}/api/v1"
    ready = requests.get(f"{base}/readyz", timeout=5)
    assert ready.status_code == 200, ready.text  # Kafka is unreachable: the web process serves all the same
    assert ready.json()["checks"] == {"mongodb": "ok"}
    before = requests.post(f"{api}/applications", json=application(), headers=REP, timeout=10)
    assert before.status_code == 201, before.text

    platform.database.stop()
    for call in (
        lambda: requests.get(f"{api}/register", params={"q": "pekarna"}, timeout=30),
        lambda: requests.post(f"{api}/applications", json=application(), headers=REP, timeout=30),
        lambda: requests.get(f"{api}/applications", headers=REP, timeout=30),
    ):
        response, seconds = timed(call)
        assert response.status_code == 503, response.text
        assert seconds < 3.5, f"the 503 took {seconds:.1f} s"
        assert response.headers["Retry-After"] == "5"
        body = response.json()
        assert body["code"] == "service_unavailable" and body["message"]["bg"] and body["message"]["en"]

    with ThreadPoolExecutor(6) as pool:  # probes never hold the two workers, nor make each other wait
        probes = [pool.submit(timed, lambda: requests.get(f"{base}/readyz", timeout=30)) for _ in range(4)]
        live = pool.submit(timed, lambda: requests.get(f"{base}/healthz", timeout=30))
        for probe in probes:
            response, seconds = probe.result()
            assert response.status_code == 503 and seconds < 1.5, (response.status_code, f"{seconds:.1f} s")
            assert response.json()["checks"]["mongodb"].startswith("unavailable")
        response, seconds = live.result()
        assert response.status_code == 200 and seconds < 1.5, f"/healthz waited {seconds:.1f} s behind the probes"

    restarted = time.monotonic()
    platform.start_database()  # the same web process, never restarted, serves again
    wait_until(
        lambda: requests.get(f"{base}/readyz", timeout=5).status_code == 200, "the web process to be ready again"
    )
    print(f"database outage: ready again {time.monotonic() - restarted:.1f} s after the restart began")
    mine = requests.get(f"{api}/applications", headers=REP, timeout=10)
    assert mine.status_code == 200, mine.text
    assert [item["id"] for item in mine.json()["items"]] == [before.json()["id"]]  # the refused write left nothing
    assert requests.get(f"{api}/register", timeout=10).status_code == 200

    log = platform.log.read_text()
    assert "Traceback" not in log and "internal_error" not in log, log[-3000:]
    assert "dependency unavailable, answered 503: ServerSelectionTimeoutError" in log
