"""The local platform's processes under supervisord, from the one list of them, ``deploy/local/Procfile``.

A process that exits is started again (a crash within ``START_SECONDS`` backs off: 1 s, 2 s, 3 s…),
the way Kubernetes restarts a pod's container; the others keep running. Each process logs to
``<run-dir>/logs/<name>.log``; ``supervisorctl -c <run-dir>/supervisord.conf status`` shows their states.

    python -m shared.localinfra.supervisor --procfile deploy/local/Procfile --run-dir .run

writes ``<run-dir>/supervisord.conf`` and prints its path.
"""

from __future__ import annotations

import argparse
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

CONFIG_NAME = "supervisord.conf"
START_SECONDS = 5
"""A process that runs this long counts as started; one that exits sooner is retried with a growing wait."""
START_RETRIES = 60
"""Starts in a row that fail before a process is left stopped (FATAL): about half an hour of backing off."""
STOP_SECONDS = 25
"""How long a process may take to stop after SIGTERM (gunicorn's graceful timeout is 20 s)."""
_LINE = re.compile(r"^(?P<name>[A-Za-z0-9_-]+):\s*(?P<command>\S.*)$")


@dataclass(frozen=True)
class Process:
    name: str
    command: str
    """A shell command line, as in the Procfile (``${VARIABLES}`` are the environment's)."""


def read_procfile(path: Path) -> list[Process]:
    """The Procfile's processes in order; blank lines and ``#`` comments are skipped."""
    processes: list[Process] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            raise ValueError(f"{path}:{number}: expected `name: command`, got {raw!r}")
        if any(p.name == match["name"] for p in processes):
            raise ValueError(f"{path}:{number}: the process {match['name']!r} is listed twice")
        processes.append(Process(match["name"], match["command"]))
    return processes


def _value(text: str) -> str:
    return text.replace("%", "%%")  # supervisord expands %(name)s in its values


def render(processes: list[Process], run_dir: Path, workdir: Path) -> str:
    """supervisord's configuration: every process started at once, restarted when it exits."""
    run_dir, workdir = run_dir.resolve(), workdir.resolve()
    logs = run_dir / "logs"
    sections = [
        f"""[supervisord]
nodaemon=true
silent=true
logfile={_value(str(run_dir / "supervisord.log"))}
pidfile={_value(str(run_dir / "supervisord.pid"))}
childlogdir={_value(str(logs))}
directory={_value(str(workdir))}

[unix_http_server]
file={_value(str(run_dir / "supervisor.sock"))}
chmod=0700

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://{_value(str(run_dir / "supervisor.sock"))}
"""
    ]
    for process in processes:
        # The shell expands the Procfile's ${VARIABLES} and applies its NAME=value prefixes, then gives way
        # to the process itself (exec), so supervisord's signals reach it.
        command = "/bin/sh -c " + shlex.quote(f"exec env {process.command}")
        sections.append(
            f"""[program:{process.name}]
command={_value(command)}
directory={_value(str(workdir))}
autostart=true
autorestart=true
startsecs={START_SECONDS}
startretries={START_RETRIES}
stopsignal=TERM
stopwaitsecs={STOP_SECONDS}
stopasgroup=true
killasgroup=true
redirect_stderr=true
stdout_logfile={_value(str(logs / f"{process.name}.log"))}
stdout_logfile_maxbytes=20MB
stdout_logfile_backups=2
"""
        )
    return "\n".join(sections)


def write_config(procfile: Path, run_dir: Path, workdir: Path) -> Path:
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    path = run_dir / CONFIG_NAME
    path.write_text(render(read_procfile(procfile), run_dir, workdir), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write supervisord's configuration for the local platform.")
    parser.add_argument("--procfile", type=Path, default=Path("deploy/local/Procfile"))
    parser.add_argument("--run-dir", type=Path, default=Path(".run"))
    parser.add_argument("--workdir", type=Path, default=Path.cwd(), help="where the processes run")
    args = parser.parse_args(argv)
    print(write_config(args.procfile, args.run_dir, args.workdir))


if __name__ == "__main__":
    main()
