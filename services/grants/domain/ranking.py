"""Ranking one region's applications within its envelope, with a reserve list.

Passing applications are ordered by their total, highest first; equal totals by submission, earliest
first. Going down the list, an application is proposed for award while what it asks for fits in the
envelope still free; one that does not fit goes to the reserve list (and so does every later one:
a smaller later application never jumps over a better one left without money). Failing applications
are proposed for rejection. The proposal decides nothing: each award is taken against the envelope's
ledger, which refuses any award beyond the envelope.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Proposal(StrEnum):
    AWARD = "award"
    RESERVE = "reserve"
    REJECT = "reject"


@dataclass(frozen=True)
class Candidate:
    application_id: str
    total_hundredths: int
    passed: bool
    requested_cents: int
    submitted_at: datetime


@dataclass(frozen=True)
class Place:
    application_id: str
    rank: int | None
    """1, 2, … among passing applications; None for a failing one."""
    proposal: Proposal


def rank(candidates: list[Candidate], free_cents: int) -> list[Place]:
    passing = sorted(
        (c for c in candidates if c.passed), key=lambda c: (-c.total_hundredths, c.submitted_at, c.application_id)
    )
    places: list[Place] = []
    left = free_cents
    reserve = False
    for position, candidate in enumerate(passing, start=1):
        if not reserve and candidate.requested_cents <= left:
            left -= candidate.requested_cents
            places.append(Place(candidate.application_id, position, Proposal.AWARD))
        else:
            reserve = True
            places.append(Place(candidate.application_id, position, Proposal.RESERVE))
    places.extend(Place(c.application_id, None, Proposal.REJECT) for c in candidates if not c.passed)
    return places
