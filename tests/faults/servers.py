"""Servers a fault scenario may stop and start again, and the services' processes running on them.

``PrivateServers`` is a Kafka broker and a FerretDB of the scenario's own (the session's shared ``infra``
stays up for every other test): each can be stopped and started again on the same port with the same
files, so the topics, the committed offsets and the documents come back. ``Platform`` runs the services'
processes as production does (gunicorn web, relays, consumers, the notifications sender), each a
separate process whose pid a scenario can check, with Prometheus metrics on a port of its own.
``Tally`` reads what the relays published during a scenario and what the consumers made of it.
"""

from __future__ import annotations

import ast
import json
import re
import signal
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests
from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from shared.localinfra.ferretdb import launch_ferretdb, mongodb_uri, wait_for_ferretdb
from shared.localinfra.kafka import launch_kafka, wait_for_kafka
from shared.localinfra.ports import LOCALHOST
from shared.localinfra.process import ServerProcess, stop_all
from shared.localinfra.stack import start_local
from tests.e2e.services import BIN, free_port
from tests.polling import wait_until


@dataclass
class PrivateServers:
    """A Kafka and a FerretDB on ports of their own, under ``run_dir``; restartable on the same files."""

    run_dir: Path
    ports: dict[str, int]
    kafka: ServerProcess
    database: ServerProcess

    @classmethod
    @contextmanager
    def running(cls, run_dir: Path) -> Iterator[PrivateServers]:
        infra = start_local(run_dir, stop_at_exit=False)
        kafka, database = (next(s for s in infra.servers if s.name == name) for name in ("kafka", "ferretdb"))
        servers = cls(run_dir.resolve(), infra.ports, kafka, database)
        try:
            yield servers
        finally:
            stop_all([servers.kafka, servers.database])

    @property
    def kafka_bootstrap(self) -> str:
        return f"{LOCALHOST}:{self.ports['kafka']}"

    @property
    def mongodb_uri(self) -> str:
        return mongodb_uri(self.ports["mongodb"])

    @contextmanager
    def kafka_away(self) -> Iterator[None]:
        """Kafka stopped for the block, then the same broker again (its storage is not formatted twice).

        It comes back however the block ends, so a failed scenario does not leave the next one without Kafka.
        """
        self.kafka.stop()
        try:
            yield
        finally:
            self.kafka = launch_kafka(self.run_dir, self.ports["kafka"], self.ports["kafka_controller"])
            wait_for_kafka(self.kafka, self.kafka_bootstrap)

    @contextmanager
    def database_away(self) -> Iterator[None]:
        """The database stopped for the block, then started again on the same files, however the block ends."""
        self.database.stop()
        try:
            yield
        finally:
            self.database = launch_ferretdb(self.run_dir, self.ports["mongodb"])
            wait_for_ferretdb(self.database, self.mongodb_uri)


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    metrics: str = ""
    """``host:port`` of its ``/metrics`` (a web process: its own address)."""
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.popen = subprocess.Popen(self.command, env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def exited(self) -> int | None:
        return None if self.popen is None else self.popen.poll()


@dataclass
class Platform:
    """The services' processes on ``servers``; ``api[service]`` is a web process's ``/api/v1`` base."""

    servers: PrivateServers
    logs: Path
    processes: dict[str, Process] = field(default_factory=dict)
    api: dict[str, str] = field(default_factory=dict)
    databases: dict[str, str] = field(default_factory=dict)

    def env(self, service: str, **extra: str) -> dict[str, str]:
        import os

        folder = self.logs / service
        folder.mkdir(exist_ok=True)
        self.databases[service] = f"{service}_faults"
        return {
            **os.environ,
            "MONGODB_URI": self.servers.mongodb_uri,
            "KAFKA_BOOTSTRAP_SERVERS": self.servers.kafka_bootstrap,
            f"{service.upper()}_MONGODB_DATABASE": self.databases[service],
            f"{service.upper()}_LIVENESS_FILE": str(folder / "consumer-alive"),
            "RELAY_LIVENESS_FILE": str(folder / "relay-alive"),
            "NOTIFICATIONS_SENDER_LIVENESS_FILE": str(folder / "sender-alive"),
            **extra,
        }

    def add(self, service: str, role: str, env: dict[str, str], *, workers: int = 1) -> None:
        """``role`` is ``web`` (gunicorn with the service's app, ``workers`` of them) or the console script's suffix."""
        name = f"{service}-{role}"
        port = free_port()
        if role == "web":
            command = [str(BIN / "gunicorn"), "--config", "python:shared.web.gunicorn_conf"]
            env = {
                **env,
                "WSGI_APP": f"services.{service}.entrypoints.app:create_app()",
                "WEB_BIND": f"{LOCALHOST}:{port}",
                "WEB_CONCURRENCY": str(workers),
                "PROMETHEUS_MULTIPROC_DIR": str(self.logs / service / "web-metrics"),
            }
            self.api[service] = f"http://{LOCALHOST}:{port}/api/v1"
        else:
            command = [str(BIN / name)]
            env = {**env, "METRICS_ADDRESS": f"{LOCALHOST}:{port}"}
        self.processes[name] = Process(name, command, env, self.logs / f"{name}.log", f"{LOCALHOST}:{port}")

    def start(self) -> None:
        for process in self.processes.values():
            process.start()
        for service, base in self.api.items():
            wait_until(lambda base=base: self._ready(base), f"the {service} web process to be ready", timeout=90)
        for process in self.processes.values():
            if not process.name.endswith("-web"):
                wait_until(lambda p=process: self._started(p), f"{process.name} to start", timeout=90)

    def _started(self, process: Process) -> bool:
        """A consumer holds partitions; a relay or a sender has touched its liveness file."""
        metrics = self._metrics(process)
        if metrics is None:
            return False
        if process.name.endswith("-consumer"):
            held = re.search(r"^consumer_assigned_partitions\{[^}]*\} ([0-9.]+)$", metrics, re.MULTILINE)
            return held is not None and float(held.group(1)) > 0
        service, _, role = process.name.partition("-")
        return (self.logs / service / f"{role}-alive").exists()

    def _ready(self, base: str) -> bool:
        self.assert_running()
        try:
            return requests.get(f"{base.removesuffix('/api/v1')}/readyz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def _metrics(self, process: Process) -> str | None:
        self.assert_running()
        try:
            response = requests.get(f"http://{process.metrics}/metrics", timeout=5)
        except requests.RequestException:
            return None
        return response.text if response.ok else None

    def assert_running(self) -> None:
        for process in self.processes.values():
            code = process.exited()
            if code is not None:
                pytest.fail(f"{process.name} exited ({code}): {process.log.read_text()[-3000:]}")

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.processes.items()}

    def process_counter(self, name: str, metric: str, **labels: str) -> dict[str, float]:
        """A worker process's counter by topic, over the samples with ``labels`` (none if it does not answer)."""
        totals: dict[str, float] = {}
        pattern = re.compile(rf"^{metric}\{{([^}}]*)\}} ([0-9.e+]+)$", re.MULTILINE)
        for found, value in pattern.findall(self._metrics(self.processes[name]) or ""):
            have = dict(re.findall(r'(\w+)="([^"]*)"', found))
            if all(have.get(k) == v for k, v in labels.items()):
                totals[have.get("topic", "")] = totals.get(have.get("topic", ""), 0.0) + float(value)
        return totals

    def subscriptions(self, name: str) -> list[str]:
        """The topics a consumer process said it reads (its start-up line); none for other processes."""
        if not name.endswith("-consumer"):
            return []
        started = re.search(r"consumer started for (\[[^\]]*\])", self.processes[name].log.read_text())
        assert started is not None, f"{name} has not said what it reads"
        return list(ast.literal_eval(started.group(1)))

    def logs_text(self) -> str:
        return "\n".join(f"==> {p.name}\n{p.log.read_text()}" for p in self.processes.values())

    def stop(self) -> None:
        for process in self.processes.values():
            if process.popen is not None and process.popen.poll() is None:
                process.popen.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            if process.popen is None:
                continue
            try:
                process.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait()


@dataclass
class Tally:
    """What the relays published on every topic from the scenario's start, read back from Kafka."""

    bootstrap: str
    start: dict[TopicPartition, int] = field(default_factory=dict)

    @classmethod
    def begin(cls, bootstrap: str) -> Tally:
        tally = cls(bootstrap)
        reader = tally._reader()
        try:
            partitions = tally._partitions(reader)
            tally.start = dict(reader.end_offsets(partitions)) if partitions else {}
        finally:
            reader.close()
        return tally

    def _reader(self) -> KafkaConsumer:
        return KafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False, consumer_timeout_ms=2000)

    @staticmethod
    def _partitions(reader: KafkaConsumer) -> list[TopicPartition]:
        topics = [t for t in reader.topics() if not t.startswith("__")]
        return [TopicPartition(t, p) for t in topics for p in reader.partitions_for_topic(t) or ()]

    def records(self) -> list[dict[str, Any]]:
        """Every envelope published since ``begin`` (repeats included), with its ``topic``."""
        reader = self._reader()
        try:
            partitions = self._partitions(reader)
            ends = reader.end_offsets(partitions)
            reader.assign(partitions)
            for tp in partitions:
                reader.seek(tp, self.start.get(tp, 0))
            found: list[dict[str, Any]] = []
            waiting = {tp for tp in partitions if ends[tp] > self.start.get(tp, 0)}
            deadline = time.monotonic() + 30
            while waiting and time.monotonic() < deadline:
                for tp, batch in reader.poll(timeout_ms=500).items():
                    for record in batch:
                        if record.offset < ends[tp] and record.value:
                            found.append({**json.loads(record.value), "topic": tp.topic})
                    if reader.position(tp) >= ends[tp]:
                        waiting.discard(tp)
            assert not waiting, f"could not read back {sorted(map(str, waiting))}"
            return found
        finally:
            reader.close()


def published(records: list[dict[str, Any]]) -> tuple[int, int, dict[str, list[dict[str, Any]]]]:
    """(records, distinct events, events by topic): repeats are what the relays published twice."""
    distinct: dict[str, dict[str, Any]] = {}
    for record in records:
        distinct.setdefault(record["event_id"], record)
    by_topic: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in distinct.values():
        by_topic[event["topic"]].append(event)
    return len(records), len(distinct), by_topic
