"""Long-running server processes, each in its own process group with its output in a log file."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from shared.localinfra.errors import InfrastructureError
from shared.localinfra.tools import tail_text

STOP_TIMEOUT_S = 15.0


def log_tail(path: Path, lines: int = 40) -> str:
    """The last ``lines`` lines of a log file (empty if it does not exist)."""
    try:
        data = path.read_bytes()[-64 * 1024 :]
    except OSError:
        return ""
    return tail_text(data.decode(errors="replace"), lines)


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _cmdline(pid: int) -> str | None:
    """The command line of ``pid`` where /proc exists; None where it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return raw.replace(b"\0", b" ").decode(errors="replace")


@dataclass
class ServerProcess:
    """A server started by us (``popen`` set) or re-attached from a pid written earlier.

    ``marker`` is a string found in the server's command line; it guards a re-attached pid
    against having been reused by an unrelated process.
    """

    name: str
    pid: int
    log_path: Path
    marker: str
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @classmethod
    def launch(cls, name: str, argv: list[str], log_path: Path, marker: str, cwd: Path | None = None) -> ServerProcess:
        """Start ``argv`` detached from our terminal and session; it outlives this Python process."""
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("wb") as log:
            popen = subprocess.Popen(  # noqa: S603 - argv is built here from our own paths
                argv,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return cls(name=name, pid=popen.pid, log_path=log_path, marker=marker, popen=popen)

    def alive(self) -> bool:
        if self.popen is not None:
            return self.popen.poll() is None
        if not _pid_exists(self.pid):
            return False
        cmdline = _cmdline(self.pid)
        return cmdline is None or self.marker in cmdline

    def exit_code(self) -> int | None:
        return None if self.popen is None else self.popen.poll()

    def log_tail(self, lines: int = 40) -> str:
        return log_tail(self.log_path, lines) or "(the log is empty)"

    def wait_until_answering(
        self, answers: Callable[[float], bool], address: str, timeout: float, probe_timeout: float
    ) -> None:
        """Block until ``answers(probe_timeout)`` is true; raise with the end of the log if the
        process exits or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.alive():
                raise InfrastructureError(
                    f"{self.name} exited during start-up (exit code {self.exit_code()}); "
                    f"end of {self.log_path}:\n{self.log_tail()}"
                )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise InfrastructureError(
                    f"{self.name} did not answer on {address} within {timeout:g} s; "
                    f"end of {self.log_path}:\n{self.log_tail()}"
                )
            if answers(min(probe_timeout, max(remaining, 0.2))):
                return
            time.sleep(0.1)

    def terminate(self) -> None:
        """Ask the whole process group to stop (SIGTERM); does not wait."""
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)

    def wait_or_kill(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Wait for the process to exit; SIGKILL its group if it is still there after ``timeout``."""
        if self.popen is not None:
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.pid, signal.SIGKILL)
                self.popen.wait()
            return
        if not self._gone_within(timeout):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)
            self._gone_within(5.0)

    def _gone_within(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while self.alive():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        self.terminate()
        self.wait_or_kill(timeout)


def stop_all(servers: list[ServerProcess], timeout: float = STOP_TIMEOUT_S) -> None:
    """Stop several servers concurrently: signal all of them first, then wait for each."""
    for server in servers:
        server.terminate()
    for server in servers:
        server.wait_or_kill(timeout)
