"""The outbox relay under faults, against real Kafka and real database processes.

- The database killed while the relay works (a private FerretDB, so other tests keep theirs): the relay
  rides the outage out, stays alive for its probe, and publishes every event exactly once afterwards.
- The relay holding the lease killed with SIGKILL: a standby relay process takes over within seconds.

Each test prints its figures (events written, found, duplicates, lost, seconds to recover).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient
from pymongo.collection import Collection
from pymongo.database import Database

from shared.events.envelope import Envelope
from shared.kafka import make_producer
from shared.localinfra import Infrastructure, ServerProcess, claim_port
from shared.localinfra.ferretdb import launch_ferretdb, mongodb_uri, wait_for_ferretdb
from shared.outbox import OutboxEntry, OutboxRelay, outbox_for_insert
from shared.outbox.lease import Lease
from shared.runtime import LivenessFile, StopSignal, is_fresh
from tests.integration.counters import counter_event, read_topic
from tests.polling import DEADLINE_S, wait_until

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def _create(counters: Collection[dict[str, Any]], counter_id: str, topic: str) -> str:
    event = counter_event(counter_id, 1)
    counters.insert_one({"_id": counter_id, "version": 1, **outbox_for_insert([OutboxEntry(topic, event)])})
    return event.event_id


def _copies(infra: Infrastructure, topic: str) -> Counter[str]:
    return Counter(Envelope.from_json(r.value).event_id for r in read_topic(infra.kafka_bootstrap, topic))


def _drained(counters: Collection[dict[str, Any]]) -> bool:
    return counters.count_documents({"outbox.seq": {"$gte": 1}}) == 0


class PrivateFerretDB:
    """A FerretDB of the test's own, which it may kill and start again on the same port and data."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = run_dir
        self.port = claim_port(None, "FerretDB for a fault test")
        self.uri = mongodb_uri(self.port)
        self.server: ServerProcess | None = None

    def start(self) -> None:
        self.server = launch_ferretdb(self.run_dir, self.port)
        wait_for_ferretdb(self.server, self.uri)

    def kill(self) -> None:
        assert self.server is not None
        os.killpg(self.server.pid, signal.SIGKILL)
        self.server.wait_or_kill(10)

    def stop(self) -> None:
        if self.server is not None and self.server.alive():
            self.server.stop()


@pytest.fixture
def ferretdb(tmp_path: Path) -> Iterator[PrivateFerretDB]:
    database = PrivateFerretDB(tmp_path / "private-ferretdb")
    database.start()
    yield database
    database.stop()


def test_the_relay_rides_out_a_database_outage_and_publishes_every_event_exactly_once(
    infra: Infrastructure, topic: str, ferretdb: PrivateFerretDB, tmp_path: Path
) -> None:
    client: MongoClient[dict[str, Any]] = MongoClient(
        ferretdb.uri, serverSelectionTimeoutMS=1000, connectTimeoutMS=1000, tz_aware=True
    )
    db = client["relay_outage"]
    counters = db["counters"]
    written = [_create(counters, f"agg-{n}", topic) for n in range(20)]

    killed_at: list[float] = []

    class KilledBetweenPublishAndMark(OutboxRelay):
        def publish(self, pending: list[Any]) -> None:
            super().publish(pending)
            if not killed_at:  # Kafka has the first round's events; the database goes away before they are marked
                ferretdb.kill()
                killed_at.append(time.monotonic())

    producer = make_producer(infra.kafka_bootstrap, "relay-outage")
    relay = KilledBetweenPublishAndMark([counters], producer)
    liveness_path = tmp_path / "relay-alive"
    stop = StopSignal(install_handlers=False)
    crashed: list[BaseException] = []

    def run() -> None:
        try:
            relay.run(
                stop,
                lease=Lease(db["leases"], "outbox-relay", "relay-1", ttl_seconds=10),
                liveness=LivenessFile(str(liveness_path), min_interval=0.2),
                max_idle_seconds=0.5,
            )
        except BaseException as exc:
            crashed.append(exc)
            raise

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: killed_at, "the relay published its first round")
        outage_ends = killed_at[0] + 5
        while time.monotonic() < outage_ends:  # five seconds without a database
            assert thread.is_alive(), f"the relay died with the database: {crashed}"
            assert is_fresh(liveness_path, 2), "the liveness probe would kill the waiting relay"
            time.sleep(0.5)
        ferretdb.start()
        restarted_at = time.monotonic()
        written += [_create(counters, f"agg-late-{n}", topic) for n in range(5)]
        wait_until(lambda: _drained(counters), "every outbox is drained after the outage", timeout=DEADLINE_S)
        recovered_in = time.monotonic() - restarted_at

        copies = _copies(infra, topic)
        lost = [e for e in written if copies[e] == 0]
        doubled = [e for e in written if copies[e] > 1]
        print(
            f"\ndatabase outage: events written {len(written)}, expected {len(written)}, "
            f"found {sum(1 for e in written if copies[e])}, lost {len(lost)}, doubled {len(doubled)}, "
            f"seconds to recover {recovered_in:.1f}"
        )
        assert (lost, doubled) == ([], []), "an event was lost or published twice"
        assert set(copies) == set(written)

        # Stopped while the database is down again: the relay exits cleanly (the lease just lapses).
        ferretdb.kill()
        stop.set()
        thread.join(DEADLINE_S)
        assert not thread.is_alive()
        assert crashed == [], f"the relay crashed on the way out: {crashed}"
    finally:
        stop.set()
        thread.join(DEADLINE_S)
        producer.close(timeout=5)
        client.close()


def _relay_process(infra: Infrastructure, db: Database[dict[str, Any]], topic: str, tmp_path: Path, n: int) -> Any:
    env = {
        **os.environ,
        **infra.env(),
        "RELAYTEST_MONGODB_DATABASE": db.name,
        "RELAY_LIVENESS_FILE": str(tmp_path / f"relay-{n}-alive"),
        "METRICS_ADDRESS": "",
    }
    log = (tmp_path / f"relay-{n}.log").open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.relay_process", "counters", topic],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_a_standby_relay_process_takes_over_within_seconds_of_the_holder_being_killed(
    infra: Infrastructure, topic: str, db: Database[dict[str, Any]], tmp_path: Path
) -> None:
    counters, leases = db["counters"], db["leases"]

    def holder() -> str:
        lease = leases.find_one({"_id": "outbox-relay"})
        return lease["holder"] if lease else ""

    first = _relay_process(infra, db, topic, tmp_path, 1)
    standby = None
    try:
        wait_until(lambda: holder().endswith(f"-{first.pid}"), "the first relay holds the lease")
        standby = _relay_process(infra, db, topic, tmp_path, 2)
        wait_until((tmp_path / "relay-2-alive").exists, "the standby relay runs")
        before = _create(counters, "agg-before", topic)
        wait_until(lambda: _drained(counters), "the holder publishes")
        assert holder().endswith(f"-{first.pid}")

        first.send_signal(signal.SIGKILL)
        first.wait(10)
        killed_at = time.monotonic()
        after = _create(counters, "agg-after", topic)
        wait_until(lambda: _drained(counters), "the standby publishes after the holder died", timeout=DEADLINE_S)
        took_over_in = time.monotonic() - killed_at

        assert holder().endswith(f"-{standby.pid}")
        copies = _copies(infra, topic)
        print(
            f"\nrelay killed: events written 2, expected 2, found {len(copies)}, "
            f"doubled {sum(1 for c in copies.values() if c > 1)}, seconds to take over {took_over_in:.1f}"
        )
        assert copies == {before: 1, after: 1}
        assert took_over_in < 15, f"the standby took {took_over_in:.1f} s to take over"

        standby.send_signal(signal.SIGTERM)
        assert standby.wait(DEADLINE_S) == 0
        assert holder() == "", "a stopped relay must free the lease"
    finally:
        for process in (first, standby):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait(10)
