"""The container image, checked without a Docker engine: the Dockerfile's rules as tests.

What an operator would notice otherwise: an unpinned base that changes under a rebuild, a root process,
compilers or tests shipped to production, dependencies that differ from the ones tested.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from functools import cache

from dockerfile_parse import DockerfileParser
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.conftest import DEPLOY, REPO

DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
REQUIREMENTS = DEPLOY / "docker" / "requirements.txt"
PINNED_PYTHON = re.compile(r"python:3\.11\.\d+-slim-bookworm")
BUILD_TOOLS = ("apt-get install", "apk add", "gcc", "build-essential", "make ")


@cache
def instructions() -> list[dict]:
    return DockerfileParser(str(DOCKERFILE)).structure


def stages() -> list[list[dict]]:
    """The instructions of each stage (a FROM starts one)."""
    found: list[list[dict]] = []
    for instruction in instructions():
        if instruction["instruction"] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def values(stage: list[dict], kind: str) -> list[str]:
    return [i["value"] for i in stage if i["instruction"] == kind]


def test_both_stages_start_from_the_same_exactly_pinned_slim_python() -> None:
    parser = DockerfileParser(str(DOCKERFILE))
    assert len(stages()) == 2, "a build stage and a final stage"
    for base in parser.parent_images:
        assert PINNED_PYTHON.fullmatch(base), f"{base} is not pinned to one Python release"
    assert len(set(parser.parent_images)) == 1


def test_the_final_stage_runs_as_an_unprivileged_numeric_user() -> None:
    final = stages()[-1]
    (user,) = values(final, "USER")
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) >= 10000, user
    assert gid.isdigit() and int(gid) != 0, user


def test_the_final_stage_carries_no_build_tools_tests_or_sources() -> None:
    final = stages()[-1]
    for command in values(final, "RUN"):
        assert not any(tool in command for tool in BUILD_TOOLS), command
    copies = values(final, "COPY")
    assert copies == ["--from=build /opt/venv /opt/venv"], f"the final stage copies only the built venv: {copies}"
    for copy in values(stages()[0], "COPY"):
        assert not any(part.startswith("tests") for part in shlex.split(copy)), copy


def test_dependencies_are_installed_only_from_hash_pinned_requirements() -> None:
    build = stages()[0]
    installs = [run for run in values(build, "RUN") if "pip install" in run]
    assert any("--require-hashes" in run and "requirements.txt" in run for run in installs)
    assert all("--no-deps" in run for run in installs), "every package comes from the pinned list"


def test_the_default_command_serves_the_web_process_with_the_shared_settings() -> None:
    (command,) = values(stages()[-1], "CMD")
    assert command == '["gunicorn", "--config", "python:shared.web.gunicorn_conf"]'
    env = " ".join(values(stages()[-1], "ENV"))
    assert "WEB_BIND=0.0.0.0:8000" in env
    assert 'WSGI_APP="services.${SERVICE}.entrypoints.app:create_app()"' in env
    assert "PROMETHEUS_MULTIPROC_DIR" not in env, "workers are single processes: only web containers set it"


def pinned() -> dict[str, tuple[str, int]]:
    """Requirement name → (pinned version, number of hashes)."""
    text = REQUIREMENTS.read_text(encoding="utf-8").replace("\\\n", " ")
    found = {}
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            requirement, _, rest = line.partition(" ")
            name, _, version = requirement.partition("==")
            found[canonicalize_name(name)] = (version, rest.count("--hash=sha256:"))
    return found


def test_every_runtime_dependency_is_pinned_to_a_version_its_range_allows_with_hashes() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    locked = pinned()
    for line in project["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is missing from {REQUIREMENTS.name}: run `make requirements`"
        version = locked[name][0]
        assert requirement.specifier.contains(version), f"{name}=={version} is outside {requirement.specifier}"
    assert all(version and hashes for version, hashes in locked.values()), "every line has == and its hashes"
    dev_only = {canonicalize_name(Requirement(d).name) for d in project["optional-dependencies"]["dev"]}
    assert not dev_only & set(locked), f"test tools in the image: {dev_only & set(locked)}"


def test_the_build_context_leaves_out_the_virtualenv_history_and_tests() -> None:
    ignored = (REPO / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", ".git", "tests"} <= set(ignored)
    assert "!deploy/docker/requirements.txt" in ignored, "the requirements must stay in the context"
