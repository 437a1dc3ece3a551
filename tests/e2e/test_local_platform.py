"""`make run`'s real start-up path: deploy/local/run-platform.sh on the test session's Kafka and database.

Registry demo data, then every process of the Procfile under supervisord, then the marketplace's and
training's demo loaders racing the consumers as on a fresh clone. Every loader must succeed and no
process may log a traceback; a killed process is restarted while the others keep running; `make stop`
(stop-platform.sh) stops everything.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shared.localinfra.supervisor import read_procfile
from tests.e2e.services import BIN, free_port
from tests.faults.figures import record
from tests.polling import wait_until

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PROCFILE = REPO / "deploy" / "local" / "Procfile"
LOADERS = ("marketplace-demo-data", "training-demo-data")
SERVICES = ("registry", "marketplace", "training", "notifications")


@dataclass
class Run:
    run_dir: Path
    script: subprocess.Popen[bytes]
    output: Path
    env: dict[str, str]

    def ctl(self, *args: str) -> str:
        result = subprocess.run(
            [str(BIN / "supervisorctl"), "-c", str(self.run_dir / "supervisord.conf"), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        return result.stdout

    def states(self) -> dict[str, tuple[str, int | None]]:
        """Each process's supervisord state and pid."""
        found: dict[str, tuple[str, int | None]] = {}
        for line in self.ctl("status").splitlines():
            parts = line.split()
            if len(parts) >= 2:
                pid = re.search(r"pid (\d+)", line)
                found[parts[0]] = (parts[1], int(pid.group(1)) if pid else None)
        return found

    def logs(self) -> dict[str, str]:
        files = [*(self.run_dir / "logs").glob("*.log"), *(self.run_dir / f"{name}.log" for name in LOADERS)]
        return {path.name: path.read_text(errors="replace") for path in files if path.exists()}


@pytest.fixture
def local_platform(tmp_path: Path) -> Iterator[Run]:
    """``make run`` as on a fresh clone: it starts a Kafka and a database of its own (the suite's servers hold
    every earlier test's events, which a new consumer group would read through first)."""
    run_dir = tmp_path / "run"
    servers = ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI")
    env = {
        **{name: value for name, value in os.environ.items() if name not in servers},
        "RUN_DIR": str(run_dir),
        "RELAY_LIVENESS_FILE": str(tmp_path / "relay-alive"),
        "NOTIFICATIONS_SENDER_LIVENESS_FILE": str(tmp_path / "sender-alive"),
        **{
            f"{name}_PORT": str(free_port())
            for name in ("PORTAL", "REGISTRY", "MARKETPLACE", "TRAINING", "GRANTS", "EVENTS")
        },
        "NOTIFICATIONS_PORT": str(free_port()),
        "SMTP_PORT": str(free_port()),
    }
    suffix = uuid.uuid4().hex[:8]
    for service in SERVICES:  # databases and consumer groups of its own, as on a fresh clone
        env[f"{service.upper()}_MONGODB_DATABASE"] = f"{service}_platform_{suffix}"
        env[f"{service.upper()}_CONSUMER_GROUP"] = f"{service}-platform-{suffix}"
        env[f"{service.upper()}_LIVENESS_FILE"] = str(tmp_path / f"{service}-alive")
    output = tmp_path / "run-platform.out"
    script = subprocess.Popen(
        ["bash", str(REPO / "deploy" / "local" / "run-platform.sh")],
        cwd=REPO,
        env=env,
        stdout=output.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    run = Run(run_dir, script, output, env)
    try:
        yield run
    finally:
        subprocess.run(["bash", str(REPO / "deploy" / "local" / "stop-platform.sh")], env=env, timeout=60, check=False)
        try:
            script.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(script.pid, signal.SIGKILL)
            script.wait()


@pytest.mark.timeout(900)  # its own waits bound it: the loaders alone may take 6 min on a busy machine
def test_make_run_loads_every_demo_data_restarts_what_dies_and_stops_on_make_stop(local_platform: Run) -> None:
    run = local_platform
    names = [process.name for process in read_procfile(PROCFILE)]

    def loaders_done() -> bool:
        if run.script.poll() is not None:
            pytest.fail(f"run-platform.sh exited: {run.output.read_text()[-3000:]}")
        return all((run.run_dir / f"{name}.exit").exists() for name in LOADERS)

    # Four loaders share two cores with every process of the platform; on a busy CI machine that took over 3 min.
    wait_until(loaders_done, "every demo loader to finish", timeout=360, interval=1)
    for name in LOADERS:
        status = (run.run_dir / f"{name}.exit").read_text().strip()
        assert status == "0", f"{name} failed: {(run.run_dir / f'{name}.log').read_text()[-3000:]}"
    tokens = (run.run_dir / "demo-data.txt").read_text()
    listings = re.search(r"Marketplace demo data: listings (\d+), deals (\d+), needs (\d+)", tokens)
    assert listings and int(listings.group(1)) > 0 and int(listings.group(2)) > 0, tokens[-2000:]
    assert re.search(r"Training demo data: sessions scheduled \d+; enterprise assessed [0-9a-f-]{8,}", tokens), tokens

    states = wait_until(
        lambda: (s := run.states()) and all(s.get(n, ("", None))[0] == "RUNNING" for n in names) and s,
        "every process of the Procfile to run under supervisord",
        timeout=60,
        interval=0.5,
    )
    victim = "marketplace-consumer"
    killed = time.monotonic()
    os.kill(states[victim][1], signal.SIGKILL)
    restarted = wait_until(
        lambda: (s := run.states()).get(victim, ("", None))[0] == "RUNNING" and s[victim][1] != states[victim][1] and s,
        f"supervisord to restart the killed {victim}",
        timeout=30,
        interval=0.5,
    )
    recovered = time.monotonic() - killed
    print(f"{victim} killed: running again after {recovered:.1f} s")
    record(
        f"SIGKILL {victim} under supervisord (make run): every Procfile process RUNNING",
        events_written=0,
        expected={(name, "RUNNING") for name in names},
        found=[(name, state) for name, (state, _) in restarted.items() if name in names],
        seconds_to_recover=recovered,
    ).assert_exactly_once()
    others = {name: pid for name, (_, pid) in restarted.items() if name != victim}
    assert others == {name: pid for name, (_, pid) in states.items() if name != victim}, "the others kept running"

    logs = run.logs()
    broken = {name: text[-2500:] for name, text in logs.items() if "Traceback" in text}
    assert not broken, f"tracebacks in the processes' logs: {broken}"

    pids = [pid for _, pid in restarted.values() if pid]
    stopped = subprocess.run(
        ["bash", str(REPO / "deploy" / "local" / "stop-platform.sh")], env=run.env, timeout=60, check=False
    )
    assert stopped.returncode == 0
    run.script.wait(timeout=40)

    def gone(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    assert all(gone(pid) for pid in pids), "make stop left processes running"
