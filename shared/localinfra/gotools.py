"""Command-line tools built with Go from the Go module proxy, once, into the shared cache.

A tool is built under a temporary name and renamed, so a half-written binary is never picked up.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from shared.localinfra.tools import cache_dir, require_tool, run_tool

logger = logging.getLogger(__name__)

Build = Callable[[str, Path, Path], None]
"""``build(go, output, work_dir)`` writes the executable to ``output``."""


def cached_binary(name: str, purpose: str, build: Build) -> Path:
    """``<cache>/bin/<name>``, built by ``build`` on first use."""
    binary = cache_dir() / "bin" / name
    if binary.is_file() and os.access(binary, os.X_OK):
        return binary
    go = require_tool("go", f"{purpose} (once, into {binary})")
    binary.parent.mkdir(parents=True, exist_ok=True)
    fd, partial_name = tempfile.mkstemp(prefix=f".{name}.partial-", dir=binary.parent)
    os.close(fd)
    partial = Path(partial_name)
    try:
        logger.info("Building %s into %s", name, binary)
        with tempfile.TemporaryDirectory(prefix=f"{name}-build-", dir=binary.parent) as work:
            build(go, partial, Path(work))
        partial.chmod(0o755)
        os.replace(partial, binary)
    finally:
        partial.unlink(missing_ok=True)
    return binary


def installed_tool(package: str, version: str) -> Path:
    """A released Go command (``go install package@version``), e.g. kustomize."""
    command = package.rstrip("/").split("/")[-1]
    if command.startswith("v") and command[1:].isdigit():  # .../kustomize/v5 installs "kustomize"
        command = package.rstrip("/").split("/")[-2]

    def build(go: str, output: Path, work: Path) -> None:
        run_tool(
            [go, "install", f"{package}@{version}"], f"Installing {package}@{version} with Go", env={"GOBIN": str(work)}
        )
        (work / command).replace(output)

    return cached_binary(f"{command}-{version}", f"install {package}@{version}", build)


def module_tool(module: Path, name: str) -> Path:
    """A small Go command kept in this repository (its ``go.mod``, ``go.sum`` and ``*.go`` files).

    The cache name carries a digest of those files, so editing them builds a new binary.
    """
    digest = _digest([*sorted(module.glob("*.go")), module / "go.mod", module / "go.sum"])

    def build(go: str, output: Path, work: Path) -> None:
        run_tool([go, "build", "-o", str(output), "."], what=f"Building {name} with Go", cwd=module)

    return cached_binary(f"{name}-{digest}", f"build {name}", build)


def _digest(files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
