"""The Docker Compose file, checked without a Docker engine.

``composecheck`` (deploy/tools/composecheck) loads it with the library Docker Compose uses, so what it
accepts ``docker compose`` accepts; the tests then read the normalised project it prints.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.conftest import DEPLOY
from tests.deploy.manifests import DATA_SERVICES, declared_names, project_scripts
from tests.deploy.tools import composecheck

COMPOSE = DEPLOY / "docker-compose.yml"
DATA_STORES = {"kafka", "mongodb", "mailpit"}
PINNED = re.compile(r"[^:]+:v?\d+\.\d+\.\d+(-[\w.-]+)?")


def check(path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(composecheck()), *flags, str(path)], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    done = check(COMPOSE, "-json")
    assert done.returncode == 0, f"Docker Compose would refuse {COMPOSE.name}:\n{done.stderr}"
    return json.loads(done.stdout)["services"]


def command_of(service: dict[str, Any]) -> str:
    return (service.get("command") or ["gunicorn"])[0]


def one_shot(service: dict[str, Any]) -> bool:
    return service.get("restart") in ("no", "on-failure")


def test_the_checker_refuses_what_docker_compose_would_refuse(tmp_path: Path) -> None:
    broken = tmp_path / "docker-compose.yml"
    broken.write_text(COMPOSE.read_text(encoding="utf-8").replace("service_healthy", "service_happy", 1))
    done = check(broken)
    assert done.returncode != 0 and "condition" in done.stderr


def test_every_process_of_every_service_runs(services: dict[str, dict[str, Any]]) -> None:
    commands = {command_of(s) for s in services.values()}
    workers = {s for s in project_scripts() if s.rsplit("-", 1)[-1] in ("consumer", "relay", "scheduler", "sender")}
    assert workers <= commands, f"processes compose never starts: {sorted(workers - commands)}"
    for service in (*DATA_SERVICES, "portal"):
        web = services[f"{service}-web"]
        assert command_of(web) == "gunicorn" and web["image"].startswith(f"solidarity-hub/{service}:")
    for service in DATA_SERVICES:
        indexes = services[f"{service}-indexes"]
        assert command_of(indexes) == f"{service}-indexes"
        for name, other in services.items():
            if name.startswith(f"{service}-") and not one_shot(other):
                condition = other["depends_on"][f"{service}-indexes"]["condition"]
                assert condition == "service_completed_successfully", f"{name} may start before its indexes"


def test_commands_are_console_scripts_of_the_image(services: dict[str, dict[str, Any]]) -> None:
    known = project_scripts() | {"gunicorn"}
    for name, service in services.items():
        if name not in DATA_STORES:
            assert command_of(service) in known, f"{name} runs {command_of(service)}, which the image lacks"
            for probe in service.get("healthcheck", {}).get("test", [])[1:2]:
                assert probe in known | {"python"}, f"{name}'s health check runs {probe}"


def test_data_stores_are_kafka_in_kraft_mode_mongodb_7_and_a_mail_catcher(
    services: dict[str, dict[str, Any]],
) -> None:
    assert not any("zookeeper" in s["image"] for s in services.values())
    assert "controller" in services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"]
    assert services["mongodb"]["image"].startswith("mongo:7.")
    assert services["mailpit"]["image"].startswith("axllent/mailpit:")
    notifications = services["notifications-sender"]["environment"]  # the one process that sends
    assert (notifications["SMTP_HOST"], notifications["SMTP_PORT"]) == ("mailpit", "1025")


def test_images_are_pinned(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        image = service["image"]
        assert PINNED.fullmatch(image), f"{name}: {image} is not pinned to a release"


def test_long_running_services_have_health_checks(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if not one_shot(service):
            assert service.get("healthcheck", {}).get("test"), f"{name} has no health check"
    for name, service in services.items():
        test = service.get("healthcheck", {}).get("test", [])
        if command_of(service) == "gunicorn" and name not in DATA_STORES:
            assert "/readyz" in " ".join(test), f"{name} is healthy only once ready"
        elif "liveness-probe" in test:
            expected = {"relay": "-relay-alive", "sender": "-sender-alive"}.get(name.rsplit("-", 1)[-1], "-alive")
            assert test[2] == f"/tmp/{name.rsplit('-', 1)[0]}{expected}", f"{name} watches {test[2]}"


def test_only_web_processes_share_metrics_through_a_folder(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if name in DATA_STORES:
            continue
        shares = "PROMETHEUS_MULTIPROC_DIR" in service.get("environment", {})
        assert shares == (command_of(service) == "gunicorn"), name


def test_ports_are_published_on_the_laptop_only(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for port in service.get("ports", []):
            assert port.get("host_ip") == "127.0.0.1", f"{name} publishes {port['published']} to the network"


def test_every_variable_set_is_one_the_code_reads(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        if name in DATA_STORES:
            continue
        owner = service["image"].split("/", 1)[1].split(":", 1)[0]
        unread = set(service.get("environment", {})) - declared_names(owner)
        assert not unread, f"{name} sets {sorted(unread)}, which no code reads"
