"""/readyz: one round of checks at a time per process, a result reused for a few seconds."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from shared.web.health import Readiness


def test_probes_arriving_together_run_the_checks_once_and_reuse_the_result() -> None:
    calls: list[float] = []
    release = threading.Event()

    def slow_database() -> None:
        calls.append(time.monotonic())
        release.wait(0.5)

    readiness = Readiness({"mongodb": slow_database})
    with ThreadPoolExecutor(4) as pool:
        answers = [pool.submit(readiness.results) for _ in range(4)]
        time.sleep(0.1)
        release.set()
        assert [a.result(timeout=2) for a in answers] == [{"mongodb": "ok"}] * 4
    assert len(calls) == 1
    assert readiness.results() == {"mongodb": "ok"} and len(calls) == 1  # within the cache time: no new check


def test_a_failing_check_is_named_and_checked_again_once_the_result_is_stale() -> None:
    now = [100.0]
    outcomes = [ConnectionError("down"), None]

    def database() -> None:
        outcome = outcomes.pop(0)
        if outcome:
            raise outcome

    readiness = Readiness({"mongodb": database}, cache_seconds=3, clock=lambda: now[0])
    assert readiness.results() == {"mongodb": "unavailable: ConnectionError"}
    now[0] += 1
    assert readiness.results() == {"mongodb": "unavailable: ConnectionError"}
    now[0] += 3
    assert readiness.results() == {"mongodb": "ok"}
