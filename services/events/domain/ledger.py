"""The ledgers that hand out stands and seats: one document per event, changed only by conditional updates.

Stands: each stand code is held by at most one exhibitor. Seats: holders up to the capacity, then the
waiting list in the order people came; a freed seat goes to the first waiting. The adapter
(``services.events.adapters.ledgers``) applies exactly these rules in single-document conditional
updates; these pure versions state them and serve the unit tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.errors import Conflict, Text

MAX_WAITING = 500


class StandTaken(Conflict):
    code = "stand_taken"

    def __init__(self, stand: str) -> None:
        super().__init__(
            Text(
                f"Щанд {stand} вече е даден на друг изложител.",
                f"Stand {stand} is already assigned to another exhibitor.",
            ),
            {"stand": Text("Щандът е зает.", "The stand is taken.")},
        )


class WaitingListFull(Conflict):
    code = "waiting_list_full"

    def __init__(self) -> None:
        super().__init__(
            Text(
                "Няма свободни места, а списъкът на чакащите е пълен.",
                "No seats are free and the waiting list is full.",
            )
        )


@dataclass(frozen=True)
class Stands:
    event_id: str
    held: dict[str, str] = field(default_factory=dict)
    """Stand code → exhibitor id."""

    def assign(self, stand: str, exhibitor: str) -> Stands:
        holder = self.held.get(stand)
        if holder == exhibitor:
            return self
        if holder is not None:
            raise StandTaken(stand)
        return Stands(self.event_id, {**{k: v for k, v in self.held.items() if v != exhibitor}, stand: exhibitor})

    def free(self, stand: str, exhibitor: str) -> Stands:
        if self.held.get(stand) != exhibitor:
            return self
        return Stands(self.event_id, {k: v for k, v in self.held.items() if k != stand})


@dataclass(frozen=True)
class Seats:
    event_id: str
    capacity: int
    holders: tuple[str, ...] = ()
    waiting: tuple[str, ...] = ()

    def seat_of(self, registration: str) -> tuple[bool, int | None]:
        """(holds a seat, waiting position from 1)."""
        if registration in self.holders:
            return True, None
        if registration in self.waiting:
            return False, self.waiting.index(registration) + 1
        return False, None

    def claim(self, registration: str) -> Seats:
        if registration in self.holders or registration in self.waiting:
            return self
        if len(self.holders) < self.capacity and not self.waiting:
            return Seats(self.event_id, self.capacity, (*self.holders, registration), self.waiting)
        if len(self.waiting) >= MAX_WAITING:
            raise WaitingListFull()
        return Seats(self.event_id, self.capacity, self.holders, (*self.waiting, registration))

    def release(self, registration: str) -> tuple[Seats, str | None]:
        """Frees the registration's seat or waiting place; returns the ledger and whom a freed seat went to."""
        holders = tuple(r for r in self.holders if r != registration)
        waiting = tuple(r for r in self.waiting if r != registration)
        promoted = None
        if len(holders) < self.capacity and waiting:
            promoted, waiting = waiting[0], waiting[1:]
            holders = (*holders, promoted)
        return Seats(self.event_id, self.capacity, holders, waiting), promoted
