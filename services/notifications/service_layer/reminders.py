"""Reminders: planned from every event by the consumer, sent when due by the scheduler.

``plan`` applies what an event changes (see ``domain.reminders``) to the stored reminders; a replayed or
reordered event changes nothing (each change is conditional on the event being at least as new).

``send_due`` turns each due reminder into a :class:`Notice` whose ``event_id`` is
``<reminder id>@<due time>``, hands it to :meth:`DeliveryService.deliver` and then marks it sent. The
delivery dedupes by that id, so a crash between the two only re-runs a delivery that changes nothing: a
reminder is never sent twice for the same time and never skipped. A moved reminder has a new due time,
hence a new delivery. A reminder whose moment has passed by the time it is found due is skipped.

``plan_many`` plans a consumer's batch of events in order, as ``plan`` would one after the other, but makes the
drops of consecutive events (an application decided: one drop each) with bulk writes; any other change first
writes the drops before it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

from services.notifications.domain.notice import Notice
from services.notifications.domain.reminders import (
    REMINDER_EVENT_TYPE,
    ReminderChanges,
    ReminderPlan,
    reminder_changes,
)
from services.notifications.service_layer.delivering import DeliveryService
from shared.clock import Clock
from shared.events import Envelope


class Reminders(Protocol):
    def schedule(self, plan: ReminderPlan, as_of: datetime, now: datetime) -> bool: ...

    def move(self, plan: ReminderPlan, as_of: datetime, now: datetime) -> bool: ...

    def drop(self, reminder_id: str, as_of: datetime, now: datetime) -> bool: ...

    def drop_many(self, drops: list[tuple[str, datetime]], now: datetime) -> list[bool]:
        """``drop`` for each (reminder id, as of), in order, in bulk: whether each was dropped now."""

    def drop_all(self, prefix: str, as_of: datetime, now: datetime) -> int: ...

    def move_all(
        self, prefix: str, due_at: datetime, moment: datetime, shown: dict[str, str], as_of: datetime, now: datetime
    ) -> int: ...

    def due(self, now: datetime, limit: int) -> list[ReminderPlan]: ...

    def mark_sent(self, reminder_id: str, due_at: datetime, now: datetime) -> bool: ...

    def mark_skipped(self, reminder_id: str, due_at: datetime, now: datetime) -> bool: ...

    def forget_past(self, now: datetime) -> int:
        """Sent reminders whose moment has passed (and dropped ones still holding theirs) forget their recipient;
        how many did now."""


def reminder_notice(plan: ReminderPlan) -> Notice:
    """The notice a due reminder becomes: one delivery per reminder and due time."""
    due_at = plan.due_at.astimezone(UTC)
    return Notice(
        event_id=f"{plan.reminder_id}@{due_at.isoformat()}",
        event_type=REMINDER_EVENT_TYPE,
        message=plan.message,
        category=plan.category,
        legal=False,
        recipient=plan.recipient,
        occurred_at=due_at,
        context=dict(plan.context),
    )


class ReminderService:
    def __init__(self, reminders: Reminders, deliveries: DeliveryService, clock: Clock, batch_size: int = 100) -> None:
        self.reminders = reminders
        self._deliveries = deliveries
        self._clock = clock
        self._batch_size = batch_size

    def plan(self, envelope: Envelope) -> dict[str, int]:
        """Apply what one event changes; counts ``scheduled``, ``moved``, ``dropped``, ``skipped``, ``stale``."""
        now = self._clock.now()
        changes = reminder_changes(envelope, now)
        counts = self._schedule_and_move(changes, now)
        for reminder_id in changes.drop:
            counts["dropped" if self.reminders.drop(reminder_id, changes.as_of, now) else "stale"] += 1
        counts.update(self._under_prefixes(changes, now))
        counts["skipped"] += len(changes.skipped)
        return {key: value for key, value in counts.items() if value}

    def plan_many(self, envelopes: Iterable[Envelope]) -> dict[str, int]:
        """``plan`` for each event in order, the drops of consecutive events written together."""
        now = self._clock.now()
        counts: Counter[str] = Counter()
        drops: list[tuple[str, datetime]] = []

        def write_drops() -> None:
            for dropped in self.reminders.drop_many(drops, now) if drops else []:
                counts["dropped" if dropped else "stale"] += 1
            drops.clear()

        for envelope in envelopes:
            changes = reminder_changes(envelope, now)
            if changes.schedule or changes.move:
                write_drops()
                counts.update(self._schedule_and_move(changes, now))
            drops.extend((reminder_id, changes.as_of) for reminder_id in changes.drop)
            if changes.move_all or changes.drop_all:
                write_drops()
                counts.update(self._under_prefixes(changes, now))
            counts["skipped"] += len(changes.skipped)
        write_drops()
        return {key: value for key, value in counts.items() if value}

    def _schedule_and_move(self, changes: ReminderChanges, now: datetime) -> Counter[str]:
        counts: Counter[str] = Counter()
        for plan in changes.schedule:
            counts["scheduled" if self.reminders.schedule(plan, changes.as_of, now) else "stale"] += 1
        for plan in changes.move:
            counts["moved" if self.reminders.move(plan, changes.as_of, now) else "not_moved"] += 1
        return counts

    def _under_prefixes(self, changes: ReminderChanges, now: datetime) -> Counter[str]:
        counts: Counter[str] = Counter()
        for moved in changes.move_all:
            counts["moved"] += self.reminders.move_all(
                moved.prefix, moved.due_at, moved.moment, moved.shown, changes.as_of, now
            )
        for prefix in changes.drop_all:
            counts["dropped"] += self.reminders.drop_all(prefix, changes.as_of, now)
        return counts

    def send_due(self, now: datetime | None = None) -> int:
        """The scheduler's step: deliver every due reminder once; how many were delivered."""
        now = now or self._clock.now()
        delivered = 0
        for plan in self.reminders.due(now, self._batch_size):
            if plan.moment <= now:
                self.reminders.mark_skipped(plan.reminder_id, plan.due_at, now)
                continue
            self._deliveries.deliver([reminder_notice(plan)])
            if self.reminders.mark_sent(plan.reminder_id, plan.due_at, now):
                delivered += 1
        return delivered

    def forget_past(self, now: datetime | None = None) -> int:
        """The scheduler's step after sending: a sent reminder keeps its recipient only until its moment (a move
        before then sends it again); how many forgot theirs now."""
        return self.reminders.forget_past(now or self._clock.now())
