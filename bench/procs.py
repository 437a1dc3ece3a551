"""Child processes of a benchmark run: started in their own process group, always stopped, measured."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import TextIO

QUIET_LOGGERS = ("kafka", "pymongo", "shared.localinfra", "mail.log", "aiosmtpd")
"""Chatty libraries of the benchmark's own process: only their warnings reach the log file."""


def memory_kib(pid: int | None = None) -> dict[str, int]:
    """Resident memory now (VmRSS) and at its peak (VmHWM), in KiB, from /proc/<pid>/status."""
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    return {
        "rss_kib": int(fields["VmRSS"].split()[0]),
        "peak_rss_kib": int(fields["VmHWM"].split()[0]),
    }


def children(pid: int) -> list[int]:
    """The direct children of ``pid`` (e.g. a gunicorn master's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: fields start after the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


@contextlib.contextmanager
def quiet_terminal(log_path: Path, progress: str = "bench") -> Iterator[TextIO]:
    """Everything the process logs or writes to stderr goes to ``log_path``; only the ``progress`` logger's
    lines (short, timed) also reach the terminal, which is yielded for the few words meant for a person.

    Code run in this process may install its own handlers (``shared.logs.configure_logging`` writes to
    ``sys.stderr``): they write to the file too, since ``sys.stderr`` is the file until the block ends.
    """
    terminal = sys.stderr
    with log_path.open("a", encoding="utf-8", buffering=1) as log_file:
        root = logging.getLogger()
        saved_handlers, saved_level = root.handlers[:], root.level
        to_file = logging.StreamHandler(log_file)
        to_file.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        root.handlers[:] = [to_file]
        root.setLevel(logging.INFO)
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
        logging.getLogger("kafka.conn").setLevel(logging.ERROR)  # clients reconnecting while the run shuts down
        to_terminal = logging.StreamHandler(terminal)
        to_terminal.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
        to_terminal.setLevel(logging.INFO)
        logging.getLogger(progress).addHandler(to_terminal)
        sys.stderr = log_file
        try:
            yield terminal
        finally:
            sys.stderr = terminal
            logging.getLogger(progress).removeHandler(to_terminal)
            root.handlers[:] = saved_handlers
            root.setLevel(saved_level)


class Interrupted(BaseException):
    """SIGTERM turned into an exception, so that the same clean-up as for Ctrl-C runs."""


def raise_on_sigterm() -> None:
    def _handle(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(f"signal {signum}")

    signal.signal(signal.SIGTERM, _handle)


def ignore_sigint() -> None:
    """For helper processes (data generation): Ctrl-C is the main process's to handle; it stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Processes:
    """Every process the run starts, each leading its own process group; `stop_all` ends them all."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._running: list[subprocess.Popen[bytes]] = []

    def start(self, name: str, argv: Sequence[str], env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
        """Start ``argv`` with output in ``<log_dir>/<name>.log`` (its own session: Ctrl-C reaches only us)."""
        log_path = self._log_dir / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(  # argv is built by the benchmark itself
                list(argv),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env={**os.environ, **(env or {})},
                start_new_session=True,
            )
        self._running.append(process)
        return process

    def run_python(self, name: str, args: Sequence[str], timeout: float) -> str:
        """Run ``python <args>`` to completion (tracked, so Ctrl-C stops it); return its stdout."""
        out_path = self._log_dir / f"{name}.out"
        err_path = self._log_dir / f"{name}.log"
        with out_path.open("wb") as out, err_path.open("wb") as err:
            process = subprocess.Popen(
                [sys.executable, *args], stdin=subprocess.DEVNULL, stdout=out, stderr=err, start_new_session=True
            )
            self._running.append(process)
            try:
                code = process.wait(timeout=timeout)
            finally:
                self.stop(process)
        if code != 0:
            tail = err_path.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name} exited with {code}:\n{tail}")
        return out_path.read_text()

    def stop(self, process: subprocess.Popen[bytes], grace: float = 10.0) -> None:
        """SIGTERM the process group, SIGKILL it after ``grace`` seconds."""
        if process in self._running:
            self._running.remove(process)
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=grace)
        # Workers of a server that died on its own may still be there: end the whole group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    def stop_all(self) -> None:
        for process in reversed(list(self._running)):
            self.stop(process)


def wait_until(condition: Callable[[], bool], timeout: float, what: str, interval: float = 0.2) -> None:
    """Poll ``condition()`` until it is true; raise TimeoutError naming ``what``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)
