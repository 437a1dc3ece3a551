"""Environment variables: read with clear errors, all declared, and all in the operators' reference."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shared.config import Variable, declare
from shared.config_reference import END, START, declared_variables, reference, with_reference

REPO = Path(__file__).resolve().parents[2]
RUNBOOK = REPO / "deploy" / "README.md"
PACKAGES = ("shared", "services")
READ_ENVIRONMENT_DIRECTLY = ("shared/config.py", "shared/localinfra/")
"""Only the declarations read the environment; local-development tooling is not deployed."""

PORT = declare("TEST_PORT", 1025, "a port")
TLS = declare("TEST_TLS", False, "a switch")
FOLDER = declare("<SERVICE>_TEST_FOLDER", "/tmp/<service>-files", "a folder")


def test_a_variable_reads_its_default_when_unset_or_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_PORT", "  ")
    assert PORT.integer() == 1025
    assert FOLDER.text("registry") == "/tmp/registry-files"
    monkeypatch.setenv("REGISTRY_TEST_FOLDER", "/data")
    assert FOLDER.text("registry") == "/data"
    assert FOLDER.text("marketplace") == "/tmp/marketplace-files"
    assert FOLDER.text("marketplace", default="/elsewhere") == "/elsewhere", "a caller's own fallback wins"


def test_a_bad_value_is_refused_with_the_variables_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_PORT", "twenty")
    with pytest.raises(ValueError, match="TEST_PORT must be an integer, got 'twenty'"):
        PORT.integer()
    monkeypatch.setenv("TEST_TLS", "maybe")
    with pytest.raises(ValueError, match="TEST_TLS must be true or false"):
        TLS.flag()
    for word, value in (("TRUE", True), ("yes", True), ("0", False), ("off", False)):
        monkeypatch.setenv("TEST_TLS", word)
        assert TLS.flag() is value


def test_a_declaration_remembers_its_module() -> None:
    assert PORT.declared_in == __name__


def _python_files() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((REPO / package).rglob("*.py"))]


_ENVIRONMENT_READERS = {"environ", "getenv", "environb", "getenvb"}


def _reads_the_process_environment(node: ast.AST) -> bool:
    """``os.environ``, ``os.getenv`` or ``from os import environ``; a WSGI ``request.environ`` is not the process's."""
    if isinstance(node, ast.Attribute) and node.attr in _ENVIRONMENT_READERS:
        return isinstance(node.value, ast.Name) and node.value.id == "os"
    if isinstance(node, ast.ImportFrom) and node.module == "os":
        return any(alias.name in _ENVIRONMENT_READERS for alias in node.names)
    return False


def test_only_declared_variables_read_the_environment() -> None:
    offenders = []
    for path in _python_files():
        relative = path.relative_to(REPO).as_posix()
        if relative.startswith(READ_ENVIRONMENT_DIRECTLY):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if _reads_the_process_environment(node):
                offenders.append(f"{relative}:{node.lineno}")
    assert offenders == [], "read the environment through shared.config.declare, so the reference lists it"


def test_variables_are_declared_at_module_level_where_the_reference_finds_them() -> None:
    nested = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = {id(node.value) for node in tree.body if isinstance(node, ast.Assign)}
        for node in ast.walk(tree):
            called = isinstance(node, ast.Call) and getattr(node.func, "id", "") == "declare"
            if called and id(node) not in top_level:
                nested.append(f"{path.relative_to(REPO)}:{node.lineno}")
    assert nested == []


def test_the_reference_lists_every_declared_variable_once() -> None:
    variables = declared_variables(PACKAGES)
    names = [v.name for v in variables]
    assert len(names) == len(set(names))
    for expected in ("MONGODB_URI", "KAFKA_SASL_PASSWORD", "SMTP_HOST", "PORTAL_OIDC_ISSUER_URL", "METRICS_ADDRESS"):
        assert expected in names
    text = reference(variables)
    assert "| `<SERVICE>_MONGODB_DATABASE` | `<service>` |" in text
    assert "| `PORTAL_SECURE_COOKIES` | `true` |" in text
    assert "#### `notifications` only" in text


def test_the_runbooks_reference_is_the_one_the_code_generates() -> None:
    generated = reference(declared_variables(PACKAGES))
    document = RUNBOOK.read_text(encoding="utf-8")
    assert with_reference(document, generated) == document, (
        "deploy/README.md's configuration reference is stale: run `make config-reference`"
    )


def test_writing_the_reference_keeps_the_rest_of_the_document() -> None:
    document = f"# Runbook\n\nbefore\n{START}\nold table\n{END}\nafter\n"
    written = with_reference(document, "new table\n")
    assert written == f"# Runbook\n\nbefore\n{START}\n\nnew table\n\n{END}\nafter\n"
    with pytest.raises(ValueError, match="markers"):
        with_reference("# no markers", "x")


def test_a_variable_compares_by_value_not_by_where_it_was_declared() -> None:
    assert Variable("A", 1, "m", declared_in="x") == Variable("A", 1, "m", declared_in="y")
