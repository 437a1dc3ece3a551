"""Every name a service's configuration module defines is read somewhere: a dead setting misleads operators
(they set it and nothing changes) and reviewers (a list of topics that is not the one the consumer uses)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from tests.deploy.conftest import REPO

CONFIG_MODULES = sorted((REPO / "services").glob("*/config.py"))


@cache
def sources() -> dict[Path, str]:
    """The code of the services and the shared library (tests do not count as readers)."""
    return {p: p.read_text(encoding="utf-8") for p in (*REPO.glob("services/**/*.py"), *REPO.glob("shared/**/*.py"))}


def module_constants(path) -> list[str]:  # type: ignore[no-untyped-def]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in tree.body:
        targets = (
            node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        )
        names += [t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()]
    return names


@pytest.mark.parametrize("config", CONFIG_MODULES, ids=lambda p: p.parent.name)
def test_every_constant_of_a_services_configuration_is_read(config) -> None:  # type: ignore[no-untyped-def]
    texts = sources()
    own = texts[config]
    dead = []
    for name in module_constants(config):
        pattern = re.compile(rf"\b{name}\b")
        used_here = len(pattern.findall(own)) > 1
        used_elsewhere = any(pattern.search(text) for path, text in texts.items() if path != config)
        if not (used_here or used_elsewhere):
            dead.append(name)
    assert not dead, f"{config.relative_to(REPO)} defines what no code reads: {dead}"
