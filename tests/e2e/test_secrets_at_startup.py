"""A web process started without DEVELOPMENT_MODE and with the built-in secret refuses to serve, and says why."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.e2e.services import BIN, free_port

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    ("app", "setting"),
    [
        ("services.registry.entrypoints.app:create_app()", "JWT_SECRET"),
        ("services.portal.entrypoints.app:create_app()", "PORTAL_SECRET_KEY"),
    ],
)
def test_a_web_process_with_a_default_secret_exits_naming_the_setting(tmp_path: Path, app: str, setting: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DEVELOPMENT_MODE", "JWT_SECRET", "PORTAL_SECRET_KEY"}}
    env.update(
        {
            "WSGI_APP": app,
            "WEB_BIND": f"127.0.0.1:{free_port()}",
            "WEB_CONCURRENCY": "1",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        }
    )
    done = subprocess.run(
        [str(BIN / "gunicorn"), "--config", "python:shared.web.gunicorn_conf"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert f"InsecureSecret: {setting} is not set" in done.stderr + done.stdout
