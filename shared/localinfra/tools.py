"""Where the server artefacts live, and the external programs that fetch, build and run them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from shared.localinfra.errors import InfrastructureError, MissingToolError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY_LOCAL = REPO_ROOT / "deploy" / "local"


def cache_dir() -> Path:
    """Downloaded jars and built binaries, shared by every checkout: ``$SOLIDARITY_CACHE_DIR``."""
    configured = os.environ.get("SOLIDARITY_CACHE_DIR")
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "solidarity-hub"


def require_tool(tool: str, purpose: str) -> str:
    """Absolute path of ``tool`` on PATH, or a `MissingToolError` saying what it was needed for."""
    found = shutil.which(tool)
    if found is None:
        raise MissingToolError(tool, purpose)
    return found


def tail_text(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


def run_tool(
    argv: list[str], what: str, cwd: Path | None = None, timeout: float = 1800.0, env: dict[str, str] | None = None
) -> str:
    """Run a short-lived command (``env`` added to this process's environment); on failure raise with its output."""
    try:
        done = subprocess.run(  # noqa: S603 - argv is built by this package, never from user input
            argv,
            cwd=cwd,
            env={**os.environ, **env} if env else None,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as err:
        raise InfrastructureError(f"{what} took longer than {timeout:.0f} s: {' '.join(argv)}") from err
    output = done.stdout.decode(errors="replace")
    if done.returncode != 0:
        raise InfrastructureError(f"{what} failed (exit code {done.returncode}): {' '.join(argv)}\n{tail_text(output)}")
    return output
