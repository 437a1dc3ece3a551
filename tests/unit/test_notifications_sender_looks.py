"""The sender's idle looks for due e-mails: every quarter second while a look is quick (an e-mail recorded while
it is idle waits an eighth of a second on average, not half a second), less often when looks take long (a
backlog of retries makes each look read more hints), never further apart than ``poll_seconds``."""

from __future__ import annotations

from typing import Any

from services.notifications.service_layer.sending import DeliverySender, SenderSettings


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Deliveries:
    """Due e-mails found by each look (none), each look taking ``look_seconds`` of the sender's clock."""

    def __init__(self, clock: Clock, look_seconds: float) -> None:
        self.clock = clock
        self.look_seconds = look_seconds
        self.looks = 0

    def due(self, limit: int) -> list[str]:
        self.looks += 1
        self.clock.now += self.look_seconds
        return []

    def close_sender(self) -> None:
        pass


class Webhooks:
    def due(self, limit: int, skip_destinations: list[str]) -> list[Any]:
        return []


def looks_in_one_second(look_seconds: float) -> int:
    clock = Clock()
    deliveries = Deliveries(clock, look_seconds)
    sender = DeliverySender(deliveries, Webhooks(), SenderSettings(poll_seconds=1), monotonic=clock)  # type: ignore[arg-type]
    start = clock.now
    try:
        while clock.now < start + 1.0:
            sender.fill()
            clock.now += sender._until_next_look()
    finally:
        sender.close()
    return deliveries.looks


def test_an_idle_sender_looks_for_due_emails_every_quarter_second_while_looks_are_quick() -> None:
    assert looks_in_one_second(0.005) == 4


def test_looks_that_take_long_come_less_often_and_at_least_once_per_poll_interval() -> None:
    assert looks_in_one_second(0.1) == 3  # every 0.4 s
    assert looks_in_one_second(0.5) == 1  # every second
