"""Processes sharing one PROMETHEUS_MULTIPROC_DIR (as under `make run`): a web process starting later
deletes nobody else's metrics files (a relay used to die at import when it did)."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.services import BIN, free_port, service_env
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

OTHER_PROCESS = """
import sys, time
from prometheus_client import Counter
Counter("relay_published", "events published").inc(3)
print("counting", flush=True)
time.sleep(120)
"""


@contextmanager
def web_process(env: dict[str, str], log: Path) -> Iterator[str]:
    port = free_port()
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "python:shared.web.gunicorn_conf"],
        env={**env, "WSGI_APP": "services.registry.entrypoints.app:create_app()", "WEB_BIND": f"127.0.0.1:{port}"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if web.poll() is not None:
            pytest.fail(f"a web process exited: {log.read_text()[-2000:]}")
        try:
            return requests.get(f"{base}/healthz", timeout=2).ok
        except requests.RequestException:
            return False

    try:
        wait_until(answers, "the web process to answer", timeout=60)
        yield base
    finally:
        web.send_signal(signal.SIGTERM)
        try:
            web.wait(timeout=25)
        except subprocess.TimeoutExpired:
            web.kill()
            web.wait()


def test_a_web_process_starting_later_keeps_the_metrics_of_the_processes_already_running(
    infra: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    env = {**service_env(infra, "registry", tmp_path), "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    other = subprocess.Popen(
        [sys.executable, "-c", OTHER_PROCESS], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    with ExitStack() as stack:
        stack.callback(other.wait)
        stack.callback(other.kill)
        assert other.stdout is not None and other.stdout.readline().strip() == "counting"
        others_files = {path.name for path in folder.iterdir() if path.is_file()}
        assert others_files, "the other process keeps its figures in the shared folder"

        first = stack.enter_context(web_process(env, tmp_path / "first.log"))
        for _ in range(3):
            assert requests.get(f"{first}/api/v1/register", timeout=10).ok
        counted = 'http_requests_total{endpoint="/api/v1/register",method="GET",status="200"} 3.0'
        assert counted in requests.get(f"{first}/metrics", timeout=10).text

        second = stack.enter_context(web_process(env, tmp_path / "second.log"))
        assert requests.get(f"{second}/api/v1/register", timeout=10).ok

        assert others_files <= {path.name for path in folder.iterdir()}, "the other process's files were deleted"
        first_metrics = requests.get(f"{first}/metrics", timeout=10).text
        assert counted in first_metrics, "the first web process lost the figures it had counted"
        second_metrics = requests.get(f"{second}/metrics", timeout=10).text
        assert 'endpoint="/api/v1/register",method="GET",status="200"} 1.0' in second_metrics
        assert other.poll() is None
