"""Every process of the local platform (``deploy/local/Procfile``) on free ports, and what each one costs.

The Procfile is the one list of the platform's processes, as ``make run`` starts them: each line is started
here the way supervisord starts it (``/bin/sh -c 'exec env <line>'``), but without restarting what exits —
a process that dies during the benchmark is an error. The Procfile's ``mail`` process is replaced by the
benchmark's own SMTP sink; the portal runs only with ``--portal``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench.procs import Processes
from shared.localinfra import Infrastructure, claim_ports
from shared.localinfra.supervisor import read_procfile

REPO = Path(__file__).resolve().parents[2]
PROCFILE = REPO / "deploy" / "local" / "Procfile"
SERVICES = ("registry", "marketplace", "training", "notifications", "grants", "events")
"""The services with an API and a database of their own (the portal only calls theirs)."""
WATCHED = ("-consumer", "-relay", "-sender")
"""Processes that touch a liveness file from their loop: started once it exists."""
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Platform:
    """Where the running platform answers, and its databases."""

    urls: dict[str, str]
    databases: dict[str, str]
    smtp_port: int


@dataclass
class Usage:
    """One process group's CPU and memory, sampled from /proc (a gunicorn master and its workers)."""

    name: str
    pid: int
    cpu: dict[int, float] = field(default_factory=dict)
    """Each pid's CPU seconds (user + system) at its last sample: a worker that exits keeps its share."""
    peak_kib: dict[int, int] = field(default_factory=dict)
    rss_kib: dict[int, int] = field(default_factory=dict)
    timeline: list[tuple[float, float, int]] = field(default_factory=list)
    """(time.time(), CPU seconds so far, resident KiB of the group now)."""

    def cpu_at(self, moment: float) -> float:
        """CPU seconds used by ``moment``, interpolated between the samples around it."""
        before = [(t, c) for t, c, _ in self.timeline if t <= moment]
        after = [(t, c) for t, c, _ in self.timeline if t > moment]
        if not before:
            return after[0][1] if after else 0.0
        if not after:
            return before[-1][1]
        (t0, c0), (t1, c1) = before[-1], after[0]
        return c0 + (c1 - c0) * (moment - t0) / (t1 - t0)


def _stat(pid: int) -> tuple[float, int, int] | None:
    """CPU seconds, VmRSS and VmHWM (KiB) of ``pid``, or None once it is gone."""
    try:
        fields_ = (Path(f"/proc/{pid}/stat").read_text()).rsplit(")", 1)[1].split()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    if "VmRSS" not in values:  # a zombie
        return None
    cpu = (int(fields_[11]) + int(fields_[12])) / TICKS  # utime, stime
    return cpu, int(values["VmRSS"].split()[0]), int(values["VmHWM"].split()[0])


def _children_of_all() -> dict[int, list[int]]:
    """Each process's direct children (a gunicorn master's workers), from one pass over /proc."""
    found: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:  # the command name may hold spaces and parentheses: fields start after the last ')'
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            found.setdefault(parent, []).append(int(entry.name))
    return found


class Sampler:
    """Samples every process group once a second in a thread; `mark` notes the CPU used so far."""

    def __init__(self, interval: float = 1.0) -> None:
        self.groups: dict[str, Usage] = {}
        self._interval = interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)

    def watch(self, name: str, pid: int) -> None:
        with self._lock:
            self.groups[name] = Usage(name, pid)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.sample()

    def sample(self) -> None:
        now = time.time()
        kids = _children_of_all()
        with self._lock:
            for usage in self.groups.values():
                rss = 0
                for pid in [usage.pid, *kids.get(usage.pid, ())]:
                    found = _stat(pid)
                    if found is None:
                        continue
                    cpu, resident, peak = found
                    usage.cpu[pid], usage.rss_kib[pid] = cpu, resident
                    usage.peak_kib[pid] = max(peak, usage.peak_kib.get(pid, 0))
                    rss += resident
                usage.timeline.append((now, sum(usage.cpu.values()), rss))

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def figures(self, started: float, ended: float) -> list[dict[str, Any]]:
        """Per process: CPU seconds and share of a core during the mix, peak and final resident memory."""
        rows = []
        window = max(1e-9, ended - started)
        for usage in self.groups.values():
            workers = [pid for pid in usage.peak_kib if pid != usage.pid]
            spent = usage.cpu_at(ended) - usage.cpu_at(started)
            rows.append({
                "process": usage.name,
                "cpu_seconds_total": round(sum(usage.cpu.values()), 2),
                "cpu_seconds_mix": round(spent, 2),
                "cpu_percent_mix": round(100 * spent / window, 1),
                "peak_rss_kib": usage.peak_kib.get(usage.pid, 0),
                "final_rss_kib": usage.rss_kib.get(usage.pid, 0),
                "workers": len(workers),
                "worker_peak_rss_kib": max((usage.peak_kib[p] for p in workers), default=0),
                "worker_final_rss_kib": max((usage.rss_kib[p] for p in workers), default=0),
                "timeline": [(round(t - started, 2), round(c, 3), r) for t, c, r in usage.timeline],
            })  # fmt: skip
        return rows


def chosen(portal: bool, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """The Procfile's (name, command) lines the benchmark runs."""
    skipped = set(skip)
    lines = []
    for process in read_procfile(PROCFILE):
        service = process.name.split("-", 1)[0]
        if process.name == "mail" or (service == "portal" and not portal) or service in skipped:
            continue
        lines.append((process.name, process.command))
    return lines


def environment(
    infra: Infrastructure, run_id: str, work_dir: Path, web_workers: int
) -> tuple[dict[str, str], Platform]:
    """The environment every process shares (as run-platform.sh exports it), on free ports and run-own names."""
    names = [*(f"{s.upper()}_PORT" for s in (*SERVICES, "portal")), "SMTP_PORT"]
    ports = claim_ports(dict.fromkeys(names))
    metrics = work_dir / "metrics"
    metrics.mkdir(exist_ok=True)
    env = {
        **infra.env(),
        **{name: str(port) for name, port in ports.items()},
        "SMTP_HOST": "127.0.0.1",
        "PROMETHEUS_MULTIPROC_DIR": str(metrics),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "DEVELOPMENT_MODE": "true",
        "LOG_LEVEL": "WARNING",
        "WEB_CONCURRENCY": str(web_workers),
        # Every simulated person comes from 127.0.0.1: the per-client limit of public endpoints would stop them.
        "RATE_LIMIT_PUBLIC": "100000000/minute",
        "PORTAL_DEV_SIGN_IN": "true",
        "PORTAL_SECURE_COOKIES": "false",
    }
    databases = {}
    for service in SERVICES:
        upper = service.upper()
        databases[service] = env[f"{upper}_MONGODB_DATABASE"] = f"bench_{run_id}_{service}"
        env[f"{upper}_CONSUMER_GROUP"] = f"{service}-bench-{run_id}"
        env[f"PORTAL_{upper}_URL"] = f"http://127.0.0.1:{ports[f'{upper}_PORT']}"
    urls = {service: f"http://127.0.0.1:{ports[f'{service.upper()}_PORT']}" for service in (*SERVICES, "portal")}
    return env, Platform(urls, databases, ports["SMTP_PORT"])


class PlatformProcesses:
    """Starts the chosen Procfile lines, waits until each is ready, and notices one that dies."""

    def __init__(self, processes: Processes, env: dict[str, str], work_dir: Path, sampler: Sampler) -> None:
        self._processes = processes
        self._env = env
        self._alive_dir = work_dir / "alive"
        self._alive_dir.mkdir(exist_ok=True)
        self._sampler = sampler
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, lines: list[tuple[str, str]]) -> None:
        for name, command in lines:
            alive = str(self._alive_dir / name)
            service = name.split("-", 1)[0].upper()
            own = {f"{service}_LIVENESS_FILE": alive, "RELAY_LIVENESS_FILE": alive,
                   "NOTIFICATIONS_SENDER_LIVENESS_FILE": alive}  # fmt: skip
            process = self._processes.start(name, ["/bin/sh", "-c", f"exec env {command}"], {**self._env, **own})
            self.running[name] = process
            self._sampler.watch(name, process.pid)

    def stop(self, grace: float = 25.0) -> None:
        """SIGTERM every process group at once, then wait for them (SIGKILL after ``grace`` seconds)."""
        for process in self.running.values():
            if process.poll() is None:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.running.values():
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            self._processes.stop(process, grace=5)

    def check(self) -> None:
        """Raise if a process has exited: the platform is not what it should be."""
        for name, process in self.running.items():
            if process.poll() is not None:
                raise RuntimeError(f"{name} exited with {process.returncode} (its log: {name}.log in the work dir)")

    def wait_ready(self, urls: dict[str, str], timeout: float) -> float:
        """Every web process answers /readyz with 200 and every loop has touched its liveness file."""
        started = time.monotonic()
        waiting = set(self.running)
        while waiting:
            self.check()
            for name in sorted(waiting):
                if name.endswith("-web"):
                    try:
                        ready = requests.get(f"{urls[name.removesuffix('-web')]}/readyz", timeout=5).status_code == 200
                    except requests.RequestException:
                        ready = False
                elif name.endswith(WATCHED):
                    ready = (self._alive_dir / name).exists()
                else:
                    ready = True  # a scheduler: running is all it shows
                if ready:
                    waiting.discard(name)
            if waiting and time.monotonic() - started > timeout:
                raise TimeoutError(f"not ready after {timeout:.0f} s: {', '.join(sorted(waiting))}")
            if waiting:
                time.sleep(0.5)
        return time.monotonic() - started
