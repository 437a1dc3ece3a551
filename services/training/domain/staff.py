"""An enterprise's staff list: the workers its representatives enrol in training.

One list per enterprise, at most ``MAX_STAFF`` workers. Each worker has a name, a work e-mail (optional:
an invitation to a session needs one), a role or position, the maturity dimensions they work in
(optional) and whether they still work there. Nothing else is kept: a worker who left can be removed,
and removing deletes the record.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.training.domain.dimensions import Dimension
from shared.errors import Conflict, InvalidInput, NotFound, Text

MAX_STAFF = 500
"""Workers a staff list holds: it is one document, and must stay bounded."""
NAME_LIMIT = 200
ROLE_LIMIT = 120
EMAIL_LIMIT = 254

INVALID = Text("Данните не са валидни.", "The data is not valid.")
NAME_REQUIRED = Text("Името е задължително.", "The name is required.")
BAD_EMAIL = Text("Не е валиден имейл адрес.", "Not a valid email address.")
EMAIL_TAKEN = Text("Служител с този имейл вече е в списъка.", "A worker with this e-mail is already listed.")
BAD_DIMENSION = Text("Няма такова измерение.", "No such dimension.")
STAFF_FULL = Text(
    f"Списъкът на служителите е пълен ({MAX_STAFF} души). Премахнете напусналите, за да добавите нови.",
    f"The staff list is full ({MAX_STAFF} people). Remove those who left to add others.",
)
NO_SUCH_WORKER = Text("Няма такъв служител в списъка.", "No such worker in the staff list.")


class StaffFull(Conflict):
    code = "staff_full"

    def __init__(self) -> None:
        super().__init__(STAFF_FULL)


@dataclass(frozen=True)
class WorkerDetails:
    """What a representative tells of a worker, checked."""

    name: str
    email: str | None
    role: str
    dimensions: tuple[Dimension, ...]
    active: bool


@dataclass
class Worker:
    id: str
    name: str
    email: str | None
    """The work e-mail, lower-cased; None when the worker has none."""
    role: str
    dimensions: list[str]
    active: bool
    added_at: datetime
    changed_at: datetime


@dataclass
class StaffList:
    enterprise_id: str
    workers: list[Worker] = field(default_factory=list)
    version: int = 0

    def find(self, worker_id: str) -> Worker:
        for worker in self.workers:
            if worker.id == worker_id:
                return worker
        raise NotFound(NO_SUCH_WORKER)

    def add(self, worker_id: str, details: WorkerDetails, now: datetime) -> Worker:
        """A new worker; StaffFull at ``MAX_STAFF``, InvalidInput on ``email`` when another has the address."""
        self._ensure_email_free(details.email, None)
        if len(self.workers) >= MAX_STAFF:
            raise StaffFull()
        worker = Worker(
            id=worker_id,
            name=details.name,
            email=details.email,
            role=details.role,
            dimensions=[d.value for d in details.dimensions],
            active=details.active,
            added_at=now,
            changed_at=now,
        )
        self.workers.append(worker)
        return worker

    def edit(self, worker_id: str, details: WorkerDetails, now: datetime) -> Worker:
        worker = self.find(worker_id)
        self._ensure_email_free(details.email, worker_id)
        worker.name, worker.email, worker.role = details.name, details.email, details.role
        worker.dimensions = [d.value for d in details.dimensions]
        worker.active = details.active
        worker.changed_at = now
        return worker

    def remove(self, worker_id: str) -> Worker:
        """Delete the worker's record (nothing of it is kept)."""
        worker = self.find(worker_id)
        self.workers = [w for w in self.workers if w.id != worker_id]
        return worker

    def _ensure_email_free(self, email: str | None, other_than: str | None) -> None:
        if email and any(w.email == email and w.id != other_than for w in self.workers):
            raise InvalidInput(INVALID, fields={"email": EMAIL_TAKEN})


def worker_details(data: Mapping[str, Any]) -> WorkerDetails:
    """Check a worker's details; every problem at once, by field (InvalidInput)."""
    problems: dict[str, Text] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        problems["name"] = NAME_REQUIRED
    elif len(name) > NAME_LIMIT:
        problems["name"] = Text(f"Най-много {NAME_LIMIT} знака.", f"At most {NAME_LIMIT} characters.")
    email = str(data.get("email") or "").strip().lower() or None
    if email is not None and (len(email) > EMAIL_LIMIT or not _valid_email(email)):
        problems["email"] = BAD_EMAIL
    role = str(data.get("role") or "").strip()
    if len(role) > ROLE_LIMIT:
        problems["role"] = Text(f"Най-много {ROLE_LIMIT} знака.", f"At most {ROLE_LIMIT} characters.")
    dimensions: list[Dimension] = []
    for code in data.get("dimensions") or []:
        try:
            dimension = Dimension(code)
        except ValueError:
            problems["dimensions"] = BAD_DIMENSION
            continue
        if dimension not in dimensions:
            dimensions.append(dimension)
    if problems:
        raise InvalidInput(INVALID, fields=problems)
    ordered = tuple(d for d in Dimension if d in dimensions)
    return WorkerDetails(name, email, role, ordered, bool(data.get("active", True)))


_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def _valid_email(email: str) -> bool:
    return _EMAIL.fullmatch(email) is not None
