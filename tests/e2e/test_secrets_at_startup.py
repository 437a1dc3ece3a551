"""A web process started without DEVELOPMENT_MODE and with the built-in secret refuses to serve, and says why;
with the prod overlay's environment (its Secrets as random values) every web process starts."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
import requests

from shared.localinfra import Infrastructure
from tests.deploy.conftest import K8S, Manifest, render
from tests.deploy.manifests import SERVICES, deployments, service_of
from tests.deploy.test_secrets_at_startup import start_up_environment
from tests.deploy.tools import kustomize
from tests.e2e.services import BIN, free_port
from tests.polling import wait_until

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
    assert f"InsecureSecret: {setting} is not set" in _refused_output(env)


@pytest.fixture(scope="module")
def prod_manifests() -> list[Manifest]:
    return render(kustomize(), K8S / "overlays" / "prod")


def prod_environment(manifests: list[Manifest], service: str, infra: Infrastructure, tmp_path: Path) -> dict[str, str]:
    """The prod overlay's environment of a service's web container (Secrets as random values), with only the
    addresses of MongoDB and Kafka replaced by the test servers' (no TLS or SASL there)."""
    (web,) = [d for d in deployments(manifests, "web") if service_of(d) == service]
    env = {k: v for k, v in os.environ.items() if k != "DEVELOPMENT_MODE" and not k.startswith(("JWT_", "PORTAL_"))}
    env.update(start_up_environment(web, manifests))
    for name in [n for n in env if n.startswith("KAFKA_") and n != "KAFKA_BOOTSTRAP_SERVERS"]:
        del env[name]
    env.update(
        {
            "MONGODB_URI": infra.mongodb_uri,
            f"{service.upper()}_MONGODB_DATABASE": f"{service}_prod_{uuid.uuid4().hex[:8]}",
            "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
            "WEB_BIND": f"127.0.0.1:{free_port()}",
            "WEB_CONCURRENCY": "1",  # one worker is enough to show the process starts
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        }
    )
    return env


@pytest.mark.parametrize("service", SERVICES)
def test_every_web_process_starts_with_the_prod_overlays_environment(
    prod_manifests: list[Manifest], infra: Infrastructure, tmp_path: Path, service: str
) -> None:
    env = prod_environment(prod_manifests, service, infra, tmp_path)
    assert "DEVELOPMENT_MODE" not in env
    log = (tmp_path / "web.log").open("w")
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "python:shared.web.gunicorn_conf"], env=env, stdout=log, stderr=log
    )
    base = f"http://{env['WEB_BIND']}"

    def healthy() -> bool:
        if process.poll() is not None:
            pytest.fail(f"{service} exited with the prod environment: {(tmp_path / 'web.log').read_text()[-3000:]}")
        try:
            return requests.get(f"{base}/healthz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    try:
        wait_until(healthy, f"{service}'s web process to answer", timeout=60)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_with_the_prod_environment_a_shared_token_key_is_refused_naming_the_setting(
    prod_manifests: list[Manifest], infra: Infrastructure, tmp_path: Path
) -> None:
    env = {**prod_environment(prod_manifests, "registry", infra, tmp_path), "JWT_ALGORITHM": "HS256"}
    assert "InsecureSecret: JWT_ALGORITHM=HS256 with JWT_JWKS_URL" in _refused_output(env)


def _refused_output(env: dict[str, str]) -> str:
    """Start gunicorn with ``env``; it must exit with an error: what it printed."""
    done = subprocess.run(
        [str(BIN / "gunicorn"), "--config", "python:shared.web.gunicorn_conf"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0, "the web process started"
    return done.stderr + done.stdout
