"""Choosing and starting the servers: environment URLs, else Docker, else local processes."""

from __future__ import annotations

import atexit
import logging
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from shared.localinfra.containers import docker_available, start_containers
from shared.localinfra.errors import InfrastructureError
from shared.localinfra.ferretdb import (
    FERRETDB_READY_TIMEOUT_S,
    ferretdb_binary,
    launch_ferretdb,
    mongodb_uri,
    wait_for_ferretdb,
)
from shared.localinfra.infrastructure import KAFKA_ENV, MONGODB_ENV, Infrastructure
from shared.localinfra.kafka import KAFKA_READY_TIMEOUT_S, launch_kafka, prepare_kafka, wait_for_kafka
from shared.localinfra.ports import LOCALHOST, claim_ports
from shared.localinfra.process import ServerProcess, stop_all

logger = logging.getLogger(__name__)

# Keys of `Infrastructure.ports` for local servers, and how error messages name them.
PORT_PURPOSES = {
    "kafka": "Kafka broker",
    "kafka_controller": "Kafka controller",
    "mongodb": "FerretDB (MongoDB protocol)",
}


def infrastructure_from_env() -> Infrastructure | None:
    """The servers named by the environment, if both URLs are set."""
    kafka, mongodb = os.environ.get(KAFKA_ENV), os.environ.get(MONGODB_ENV)
    if kafka and mongodb:
        return Infrastructure(kafka, mongodb, "environment")
    if kafka or mongodb:
        logger.warning("Only one of %s and %s is set; ignoring it", KAFKA_ENV, MONGODB_ENV)
    return None


def start_infrastructure(run_dir: Path, *, use_docker: bool = True, stop_at_exit: bool = True) -> Infrastructure:
    """Kafka and a MongoDB-protocol server, from the first source that works.

    1. ``KAFKA_BOOTSTRAP_SERVERS`` and ``MONGODB_URI`` from the environment (nothing started);
    2. Docker containers, if a Docker engine answers (and ``use_docker``);
    3. local processes with their data under ``run_dir``.

    With ``stop_at_exit`` local servers are also stopped when the interpreter exits, in case the
    caller never reaches `Infrastructure.stop` (an aborted test session, a script that forgets).
    """
    from_env = infrastructure_from_env()
    if from_env is not None:
        return from_env
    if use_docker and docker_available():
        return start_containers()
    return start_local(run_dir, stop_at_exit=stop_at_exit)


def start_local(
    run_dir: Path,
    *,
    kafka_port: int | None = None,
    kafka_controller_port: int | None = None,
    mongodb_port: int | None = None,
    kafka_timeout: float = KAFKA_READY_TIMEOUT_S,
    mongodb_timeout: float = FERRETDB_READY_TIMEOUT_S,
    stop_at_exit: bool = True,
) -> Infrastructure:
    """Start Kafka and FerretDB as local processes on 127.0.0.1 and wait until both answer.

    Ports left as ``None`` are picked free; a requested port that is taken raises `PortInUseError`.
    The processes run in their own sessions (a Ctrl-C in the terminal does not reach them); with
    ``stop_at_exit=False`` they keep running after this Python process exits, as ``solidarity-stack
    up`` needs.
    """
    run_dir = run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    claimed = claim_ports(
        {
            PORT_PURPOSES["kafka"]: kafka_port,
            PORT_PURPOSES["kafka_controller"]: kafka_controller_port,
            PORT_PURPOSES["mongodb"]: mongodb_port,
        }
    )
    ports = {key: claimed[purpose] for key, purpose in PORT_PURPOSES.items()}
    bootstrap = f"{LOCALHOST}:{ports['kafka']}"
    uri = mongodb_uri(ports["mongodb"])

    started_at = time.monotonic()
    # On a cold cache, download the Kafka jars and build FerretDB at the same time.
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="localinfra") as pool:
        preparing = [pool.submit(prepare_kafka), pool.submit(ferretdb_binary)]
    failures = [err for err in (future.exception() for future in preparing) if err is not None]
    if len(failures) == 1:
        raise failures[0]
    if failures:
        raise InfrastructureError("\n".join(str(err) for err in failures)) from failures[0]

    # Both servers boot side by side; FerretDB is usually ready long before Kafka.
    servers: list[ServerProcess] = []
    try:
        ferretdb = launch_ferretdb(run_dir, ports["mongodb"])
        servers.append(ferretdb)
        kafka = launch_kafka(run_dir, ports["kafka"], ports["kafka_controller"])
        servers.append(kafka)
        wait_for_ferretdb(ferretdb, uri, mongodb_timeout)
        wait_for_kafka(kafka, bootstrap, kafka_timeout)
    except BaseException:
        stop_all(servers)
        raise
    logger.info("Kafka on %s and FerretDB on %s ready in %.1f s", bootstrap, uri, time.monotonic() - started_at)
    infra = Infrastructure(
        bootstrap, uri, "local", servers=tuple(servers), ports=ports, on_stop=[lambda: stop_all(servers)]
    )
    if stop_at_exit:
        atexit.register(infra.stop)
    return infra
