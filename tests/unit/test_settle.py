"""Demo loaders read a read model only once its consumer has stopped changing it (shared/settle.py)."""

from __future__ import annotations

import time

from shared.settle import settled


def test_an_enterprise_that_expires_while_the_register_arrives_is_not_chosen_as_active() -> None:
    arriving = [["a"], ["a", "b"], ["a", "b", "c"], ["b", "c"]]  # "a" read as active, then its expiry arrives
    calls = iter(arriving)

    def active() -> list[str]:
        return next(calls, arriving[-1])

    assert settled(active, seconds=5, settle=0.2, poll=0.01) == ["b", "c"]


def test_nothing_found_by_the_deadline_is_an_empty_answer_not_a_wait_for_ever() -> None:
    started = time.monotonic()
    assert settled(list, seconds=0.2, settle=0.1, poll=0.01) == []
    assert time.monotonic() - started < 2
