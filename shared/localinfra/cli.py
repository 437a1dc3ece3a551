"""solidarity-stack: run Kafka and FerretDB in the background for the local stack.

``up`` starts both servers detached and records them in ``<run-dir>/infra.json``; ``down`` stops
them; ``env`` prints the ``KAFKA_BOOTSTRAP_SERVERS=`` and ``MONGODB_URI=`` lines. Standard output
carries only those lines (usable as a ``.env`` file or with ``set -a; . file``); progress goes to
standard error.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from shared.localinfra.errors import InfrastructureError
from shared.localinfra.ferretdb import mongodb_answers
from shared.localinfra.infrastructure import KAFKA_ENV, MONGODB_ENV
from shared.localinfra.kafka import KAFKA_READY_TIMEOUT_S, kafka_answers
from shared.localinfra.ports import claim_port
from shared.localinfra.process import ServerProcess, stop_all
from shared.localinfra.stack import infrastructure_from_env, start_local

STATE_FILE = "infra.json"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _print_env(kafka_bootstrap: str, mongodb_uri: str) -> None:
    print(f"{KAFKA_ENV}={shlex.quote(kafka_bootstrap)}")
    print(f"{MONGODB_ENV}={shlex.quote(mongodb_uri)}", flush=True)


def _load_state(run_dir: Path) -> dict[str, Any] | None:
    try:
        state = json.loads((run_dir / STATE_FILE).read_text())
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) else None


def _write_state(run_dir: Path, state: dict[str, Any]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{STATE_FILE}.", dir=run_dir)
    with os.fdopen(fd, "w") as out:
        json.dump(state, out, indent=2)
        out.write("\n")
    os.replace(tmp, run_dir / STATE_FILE)


def _attached(state: dict[str, Any]) -> list[ServerProcess]:
    """The servers recorded in ``state`` (alive or not); empty if the record is unreadable."""
    try:
        return [
            ServerProcess(
                name=name,
                pid=int(state[name]["pid"]),
                log_path=Path(state[name]["log"]),
                marker=str(state[name]["marker"]),
            )
            for name in ("kafka", "ferretdb")
        ]
    except (KeyError, TypeError, ValueError):
        return []


def _running(state: dict[str, Any] | None) -> bool:
    """True if both recorded servers are alive and answer."""
    if state is None:
        return False
    servers = _attached(state)
    if not servers or not all(server.alive() for server in servers):
        return False
    try:
        return kafka_answers(str(state["kafka_bootstrap"])) and mongodb_answers(str(state["mongodb_uri"]))
    except (KeyError, ValueError):  # a hand-edited or truncated infra.json
        return False


def _previous_port(state: dict[str, Any] | None, server: str, key: str) -> int | None:
    try:
        return int((state or {})[server][key])
    except (KeyError, TypeError, ValueError):
        return None


def _port(requested: int | None, previous: int | None, purpose: str) -> int | None:
    """A requested port as is; otherwise the previous run's port if it is free, so URLs stay stable."""
    if requested is not None or previous is None:
        return requested
    try:
        return claim_port(previous, purpose)
    except InfrastructureError:
        return None


def cmd_up(args: argparse.Namespace) -> int:
    from_env = infrastructure_from_env()
    if from_env is not None:
        _say(f"Using the servers named by {KAFKA_ENV} and {MONGODB_ENV}; nothing started.")
        _print_env(from_env.kafka_bootstrap, from_env.mongodb_uri)
        return 0
    run_dir: Path = args.run_dir.resolve()
    state = _load_state(run_dir)
    if state is not None and _running(state):
        _say(f"Kafka and FerretDB are already running (see {run_dir / STATE_FILE}).")
        _print_env(state["kafka_bootstrap"], state["mongodb_uri"])
        return 0
    if state is not None:
        stop_all(_attached(state))  # whatever is left of a half-dead earlier stack
    _say(f"Starting Kafka and FerretDB in {run_dir} ...")
    started_at = time.monotonic()
    kafka_port = _port(args.kafka_port, _previous_port(state, "kafka", "port"), "Kafka broker")
    controller_port = _port(
        args.kafka_controller_port, _previous_port(state, "kafka", "controller_port"), "Kafka controller"
    )
    mongodb_port = _port(args.mongodb_port, _previous_port(state, "ferretdb", "port"), "FerretDB")
    try:
        infra = start_local(
            run_dir,
            kafka_port=kafka_port,
            kafka_controller_port=controller_port,
            mongodb_port=mongodb_port,
            kafka_timeout=args.timeout,
            stop_at_exit=False,
        )
    except InfrastructureError as err:
        _say(f"error: {err}")
        return 1
    kafka, ferretdb = (next(s for s in infra.servers if s.name == name) for name in ("kafka", "ferretdb"))
    _write_state(
        run_dir,
        {
            "kafka_bootstrap": infra.kafka_bootstrap,
            "mongodb_uri": infra.mongodb_uri,
            "kafka": {
                "pid": kafka.pid,
                "port": infra.ports["kafka"],
                "controller_port": infra.ports["kafka_controller"],
                "log": str(kafka.log_path),
                "marker": kafka.marker,
            },
            "ferretdb": {
                "pid": ferretdb.pid,
                "port": infra.ports["mongodb"],
                "log": str(ferretdb.log_path),
                "marker": ferretdb.marker,
            },
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
    )
    _say(f"Ready in {time.monotonic() - started_at:.1f} s; stop with: solidarity-stack down --run-dir {args.run_dir}")
    _print_env(infra.kafka_bootstrap, infra.mongodb_uri)
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    run_dir: Path = args.run_dir.resolve()
    state = _load_state(run_dir)
    servers = [server for server in _attached(state or {}) if server.alive()]
    if not servers:
        _say(f"Nothing is running for {run_dir}.")
        return 0
    stop_all(servers)
    _say("Stopped " + " and ".join(f"{server.name} (pid {server.pid})" for server in servers) + ".")
    return 0


def cmd_env(args: argparse.Namespace) -> int:
    from_env = infrastructure_from_env()
    if from_env is not None:
        _print_env(from_env.kafka_bootstrap, from_env.mongodb_uri)
        return 0
    state = _load_state(args.run_dir.resolve())
    servers = _attached(state or {})
    if state is None or not servers or not all(server.alive() for server in servers):
        _say(f"The servers are not running; start them with: solidarity-stack up --run-dir {args.run_dir}")
        return 1
    _print_env(state["kafka_bootstrap"], state["mongodb_uri"])
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="solidarity-stack", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("--run-dir", type=Path, default=Path(".run"), help="data, logs and infra.json")
        return sub

    up = command("up", "start Kafka and FerretDB in the background (or reuse running ones)")
    up.add_argument("--kafka-port", type=int, help="Kafka client port (default: previous or free)")
    up.add_argument("--kafka-controller-port", type=int, help="KRaft controller port")
    up.add_argument("--mongodb-port", type=int, help="FerretDB port (default: previous or free)")
    up.add_argument("--timeout", type=float, default=KAFKA_READY_TIMEOUT_S, help="seconds to wait for Kafka")
    up.set_defaults(handler=cmd_up)
    command("down", "stop the servers recorded in infra.json").set_defaults(handler=cmd_down)
    command("env", "print the KAFKA_BOOTSTRAP_SERVERS and MONGODB_URI lines").set_defaults(handler=cmd_env)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
