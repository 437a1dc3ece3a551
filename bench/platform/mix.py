"""The platform benchmark's load: ``python -m bench.platform.mix --plan plan.json --out mix.json``.

People act at their own pace for ``warmup + duration`` seconds, each kind of person at a mean rate
(requests per second, exponential gaps, seeded) from threads of its own, each thread with its own keep-alive
HTTP session: people searching the register and the marketplace, buyers asking for quotes and ordering,
representatives applying (create, then submit), the Plovdiv centre's clerks approving what was submitted, and
learners enrolling. Only what starts after the warm-up and ends within the window is counted.

Three cross-service hops are timed from the answer that caused them to the effect a person would see:
- approval → the seller in the marketplace (``GET /sellers/<id>`` answers 200), polled;
- order → the seller's e-mail accepted by the SMTP sink (its subject names the order number), read from the
  sink's log with the sink's own clock;
- enrolment → the confirmation in the learner's inbox (``GET /inbox``), polled.
After the window, hops still on their way get ``drain`` seconds; one that never arrives is lost (an error).
"""

from __future__ import annotations

import argparse
import json
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from bench.load import percentile
from bench.platform.seed import NATIONAL_CLERK, ORDER, application, learner, token
from shared.auth import Role

TIMEOUT = 30.0
POLL_SECONDS = 0.1
HOPS = {
    "approval → seller in marketplace": "approve",
    "order → e-mail accepted by SMTP": "order",
    "enrolment → confirmation in inbox": "enrol",
}
"""Each hop and the operation that starts it."""
OPERATIONS = {
    "register search": ("GET registry /api/v1/register?…", 200),
    "marketplace search": ("GET marketplace /api/v1/listings?…", 200),
    "quote request": ("POST marketplace /api/v1/quotes", 201),
    "order": ("POST marketplace /api/v1/orders", 201),
    "application": ("POST registry /api/v1/applications", 201),
    "submission": ("POST registry /api/v1/applications/<id>/submit", 200),
    "approval": ("POST registry /api/v1/applications/<id>/approve", 200),
    "enrolment": ("POST training /api/v1/sessions/<id>/enrolments", 201),
}
"""Each measured request: what it calls and the status that counts as right."""
RATES = {"search_register": 3.0, "search_market": 3.0, "quote": 0.5, "order": 0.7, "apply": 0.5, "approve": 0.5,
         "enrol": 1.0}  # fmt: skip
"""Mean actions per second of each kind of person (``--rate-scale`` multiplies them)."""
THREADS = {"search_register": 3, "search_market": 3, "quote": 1, "order": 2, "apply": 1, "approve": 1, "enrol": 2}


@dataclass
class Sample:
    operation: str
    started: float
    """Seconds since the start of the window (negative: during the warm-up)."""
    seconds: float
    status: int
    """The HTTP status, or 0 when no answer came (connection error, timeout)."""
    detail: str = ""


@dataclass
class Hop:
    kind: str
    key: str
    started: float
    """time.time() when the causing answer arrived."""
    check: Callable[[], bool] | None = None
    done: float | None = None


@dataclass
class Recorder:
    window_start: float
    window_end: float
    samples: list[Sample] = field(default_factory=list)
    hops: list[Hop] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    caused_at: threading.local = field(default_factory=threading.local)
    """When this thread's last request started: a hop counts when the request that caused it counted."""

    def counted(self, started: float, ended: float) -> bool:
        return self.window_start <= started and ended <= self.window_end

    def request(
        self, session: requests.Session, operation: str, method: str, url: str, **kwargs: Any
    ) -> requests.Response | None:
        started = self.caused_at.started = time.time()
        response: requests.Response | None
        try:
            response = session.request(method, url, timeout=TIMEOUT, **kwargs)
            status, detail = response.status_code, ""
        except requests.RequestException as error:
            response, status, detail = None, 0, f"{type(error).__name__}: {error}"[:300]
        ended = time.time()
        expected = OPERATIONS[operation][1]
        if response is not None and status != expected:
            detail = response.text[:300]
        if ended <= self.window_end:
            with self.lock:
                self.samples.append(Sample(operation, started - self.window_start, ended - started, status, detail))
        return response if status == expected else None

    def hop(self, kind: str, key: str, check: Callable[[], bool] | None = None) -> None:
        now = time.time()
        if getattr(self.caused_at, "started", now) < self.window_start or now > self.window_end:
            return  # caused by a request sent during the warm-up or answered after the window: not measured
        with self.lock:
            self.hops.append(Hop(kind, key, now, check))


class People:
    """What each kind of person does once."""

    def __init__(self, plan: dict[str, Any], recorder: Recorder) -> None:
        self.plan = plan
        self.urls = plan["urls"]
        self.rec = recorder
        self.submitted: deque[str] = deque(plan.get("pending_applications", []))
        self._counter = 0
        self._lock = threading.Lock()

    def _next(self) -> int:
        with self._lock:
            self._counter += 1
            return self._counter

    def search_register(self, s: requests.Session, rng: random.Random) -> None:
        path = rng.choice(self.plan["register_paths"])
        self.rec.request(s, "register search", "GET", f"{self.urls['registry']}{path}")

    def search_market(self, s: requests.Session, rng: random.Random) -> None:
        path = rng.choice(self.plan["market_paths"])
        self.rec.request(s, "marketplace search", "GET", f"{self.urls['marketplace']}{path}")

    def _buyer(self, n: int) -> dict[str, str]:
        run = self.plan["run_id"]
        return token(f"buyer-{run}-{n}", Role.BUYER, email=f"buyer{n}.{run}@buyer.example.bg", name=f"Купувач {n}")

    def quote(self, s: requests.Session, rng: random.Random) -> None:
        body = {"listing_id": rng.choice(self.plan["listings"]), "quantity": rng.randint(5, 60),
                "message": "За училищната трапезария, с доставка."}  # fmt: skip
        url = f"{self.urls['marketplace']}/api/v1/quotes"
        self.rec.request(s, "quote request", "POST", url, json=body, headers=self._buyer(rng.randint(1, 200)))

    def order(self, s: requests.Session, rng: random.Random) -> None:
        body = {"listing_id": rng.choice(self.plan["listings"]), "quantity": rng.randint(1, 10)}
        url = f"{self.urls['marketplace']}/api/v1/orders"
        answer = self.rec.request(s, "order", "POST", url, json=body, headers=self._buyer(rng.randint(1, 200)))
        if answer is not None:
            self.rec.hop("order → e-mail accepted by SMTP", f"№ {answer.json()['order_number']}:")

    def apply(self, s: requests.Session, rng: random.Random) -> None:
        n = self._next()
        run = self.plan["run_id"]
        rep = token(f"rep-{run}-{n}", Role.REPRESENTATIVE, email=f"rep{n}.{run}@applicant.example.bg")
        body = application(self.plan["eik_base"] + n, f"Кооперация „Заявител {n}“", f"office{n}.{run}@applicant.bg")
        registry = f"{self.urls['registry']}/api/v1"
        created = self.rec.request(s, "application", "POST", f"{registry}/applications", json=body, headers=rep)
        if created is None:
            return
        application_id = created.json()["id"]
        url = f"{registry}/applications/{application_id}/submit"
        if self.rec.request(s, "submission", "POST", url, headers=rep) is not None:
            self.submitted.append(application_id)

    def approve(self, s: requests.Session, rng: random.Random) -> None:
        try:
            application_id = self.submitted.popleft()
        except IndexError:
            return  # nothing waits for a decision yet
        url = f"{self.urls['registry']}/api/v1/applications/{application_id}/approve"
        answer = self.rec.request(s, "approval", "POST", url, json=ORDER, headers=NATIONAL_CLERK)
        if answer is None:
            return
        seller_url = f"{self.urls['marketplace']}/api/v1/sellers/{answer.json()['enterprise_id']}"
        self.rec.hop("approval → seller in marketplace", seller_url, check=_status_ok(seller_url, {}))

    def enrol(self, s: requests.Session, rng: random.Random) -> None:
        headers = learner(self.plan["run_id"], self._next() + 1_000_000)
        url = f"{self.urls['training']}/api/v1/sessions/{rng.choice(self.plan['sessions'])}/enrolments"
        if self.rec.request(s, "enrolment", "POST", url, json={}, headers=headers) is not None:
            inbox = f"{self.urls['notifications']}/api/v1/inbox"
            self.rec.hop("enrolment → confirmation in inbox", url, check=_inbox_has(inbox, headers))


_poller = threading.local()


def _session() -> requests.Session:
    if not hasattr(_poller, "session"):
        _poller.session = requests.Session()
    return _poller.session


def _status_ok(url: str, headers: dict[str, str]) -> Callable[[], bool]:
    return lambda: _session().get(url, headers=headers, timeout=TIMEOUT).status_code == 200


def _inbox_has(url: str, headers: dict[str, str]) -> Callable[[], bool]:
    wanted = {"training.EnrolmentConfirmed", "training.Waitlisted"}

    def check() -> bool:
        response = _session().get(url, headers=headers, timeout=TIMEOUT)
        return response.status_code == 200 and any(m["event_type"] in wanted for m in response.json()["items"])

    return check


def watch(recorder: Recorder, smtp_log: Path, until: Callable[[], bool]) -> int:
    """Complete hops as their effects show, until ``until()``; returns the polls made."""
    offset, polls = 0, 0
    subjects: list[tuple[float, str]] = []
    while not until():
        began = time.monotonic()
        with smtp_log.open("rb") as log:
            log.seek(offset)
            chunk = log.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        offset += len(complete)
        subjects += [(m["at"], m["subject"]) for m in map(json.loads, complete.decode().splitlines())]
        with recorder.lock:
            pending = [hop for hop in recorder.hops if hop.done is None]
        for hop in pending:
            if hop.check is None:  # an e-mail: the first whose subject names the order
                hop.done = next((at for at, subject in subjects if hop.key in subject), None)
                continue
            try:
                polls += 1
                if hop.check():
                    hop.done = time.time()
            except requests.RequestException:
                pass  # the next round asks again
        time.sleep(max(0.0, POLL_SECONDS - (time.monotonic() - began)))
    return polls


def act(people: People, kind: str, rate: float, threads: int, stop_at: float, seed: int) -> None:
    """``threads`` people of one kind, together acting ``rate`` times a second on average."""
    action = getattr(people, kind)

    def person(index: int) -> None:
        rng = random.Random(seed * 7919 + index)
        session = requests.Session()
        next_at = time.time() + rng.uniform(0, threads / rate)
        while True:
            pause = next_at - time.time()
            if pause > 0:
                time.sleep(pause)
            if time.time() >= stop_at:
                return
            action(session, rng)
            next_at = max(next_at + rng.expovariate(rate / threads), time.time() - 1.0)

    workers = [threading.Thread(target=person, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=max(0.0, stop_at - time.time()) + 2 * TIMEOUT + 5)


def summarise(recorder: Recorder, duration: float, polls: int) -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for name, (call, expected) in OPERATIONS.items():
        mine = [s for s in recorder.samples if s.operation == name and s.started >= 0]
        good = sorted(s.seconds for s in mine if s.status == expected)
        wrong: dict[str, int] = {}
        for s in mine:
            if s.status != expected:
                wrong[str(s.status)] = wrong.get(str(s.status), 0) + 1
        operations[name] = {
            "call": call,
            "requests": len(mine),
            "ok": len(good),
            "errors": sum(wrong.values()),
            "error_statuses": wrong,
            "error_samples": [f"{s.status} {s.detail}" for s in mine if s.status != expected][:5],
            "requests_per_second": len(good) / duration,
            "latency_ms": {
                "p50": percentile(good, 0.50) * 1000,
                "p90": percentile(good, 0.90) * 1000,
                "p99": percentile(good, 0.99) * 1000,
                "max": (good[-1] if good else float("nan")) * 1000,
            },
            "samples": [(round(s.started, 3), round(s.seconds * 1000, 2), s.status) for s in mine],
        }
    hops: dict[str, Any] = {}
    for name in HOPS:
        mine = [h for h in recorder.hops if h.kind == name]
        seconds = sorted(max(0.0, h.done - h.started) for h in mine if h.done is not None)
        hops[name] = {
            "started": len(mine),
            "arrived": len(seconds),
            "lost": len(mine) - len(seconds),
            "latency_ms": {
                "p50": percentile(seconds, 0.50) * 1000,
                "p90": percentile(seconds, 0.90) * 1000,
                "p99": percentile(seconds, 0.99) * 1000,
                "max": (seconds[-1] if seconds else float("nan")) * 1000,
            },
            "samples_ms": [round(s * 1000, 1) for s in seconds],
        }
    return {"operations": operations, "hops": hops, "observer_polls": polls}


def run(plan: dict[str, Any]) -> dict[str, Any]:
    warmup, duration, drain = plan["warmup"], plan["duration"], plan["drain"]
    scale = plan.get("rate_scale", 1.0)
    began = time.time()
    recorder = Recorder(window_start=began + warmup, window_end=began + warmup + duration)
    people = People(plan, recorder)
    kinds = [
        threading.Thread(
            target=act,
            args=(people, kind, rate * scale, THREADS[kind], recorder.window_end, n),
            name=kind,
            daemon=True,
        )
        for n, (kind, rate) in enumerate(RATES.items())
    ]
    for thread in kinds:
        thread.start()
    smtp_log = Path(plan["smtp_log"])
    drain_until = recorder.window_end + drain

    def finished() -> bool:
        if any(t.is_alive() for t in kinds):
            return False
        with recorder.lock:
            waiting = any(h.done is None for h in recorder.hops)
        return not waiting or time.time() > drain_until

    polls = watch(recorder, smtp_log, finished)
    result = summarise(recorder, duration, polls)
    result["window"] = {"start": recorder.window_start, "end": recorder.window_end,
                        "warmup_s": warmup, "duration_s": duration, "drain_s": drain,
                        "rates_per_second": {k: v * scale for k, v in RATES.items()}, "threads": THREADS}  # fmt: skip
    result["waiting_for_decision_at_end"] = len(people.submitted)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.platform.mix")
    parser.add_argument("--plan", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    plan = json.loads(args.plan.read_text(encoding="utf-8"))
    for url in plan["urls"].values():
        if not url.startswith("http://127.0.0.1:"):
            parser.error("the platform benchmark only sends requests to this machine (127.0.0.1)")
    result = run(plan)
    args.out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
