"""An enterprise's staff list, and enrolling its workers in the sessions recommended for its weakest
dimensions in one step.

Who may read and change the list: the enterprise's representatives, and staff of the centre serving it
(its clerks, national clerks and admins). Anyone else is refused (403); an unknown enterprise is "not
found". Enrolling from the list is the representative's: it goes through the enrolment use case
(``EnrolmentService.enrol_workers``), so each worker is invited by the work e-mail and takes a seat, or a
place on the waiting list, on accepting; a worker already enrolled or invited, a session that is full to
its waitlist's end, closed or funded for others, is refused with its reason, worker by worker.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from services.training.domain.enterprise import Enterprise
from services.training.domain.staff import INVALID, StaffList, Worker, worker_details
from services.training.service_layer.assessments import NO_SUCH_ENTERPRISE, SIGN_IN, role_for
from services.training.service_layer.enrolments import Placed
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound, StaleVersion, Text, Unauthorized

SAVE_ATTEMPTS = 5
MAX_SESSIONS = 20
"""Sessions one enrolment from the gaps names."""
MAX_PICKS = 100
"""Worker–session pairs one enrolment from the gaps makes (as many as one invitation request takes)."""

NOT_YOURS = Text(
    "Списъка на служителите вижда и променя само представител на предприятието или служител на центъра, "
    "който го обслужва.",
    "Only the enterprise's representatives or staff of the centre serving it may see and change its staff list.",
)
ONLY_REPRESENTATIVES = Text(
    "Служителите записва представител на предприятието.", "Workers are enrolled by a representative of the enterprise."
)
NO_EMAIL = Text(
    "Няма служебен имейл: добавете го в списъка, за да бъде поканен.",
    "No work e-mail: add one in the staff list to invite the worker.",
)
HAS_LEFT = Text("Служителят е отбелязан като напуснал.", "The worker is marked as having left.")


class Staff(Protocol):
    def get(self, enterprise_id: str) -> StaffList: ...

    def save(self, staff: StaffList) -> None:
        """StaleVersion when the list changed since it was read."""

    def delete(self, enterprise_id: str) -> None: ...


class Enterprises(Protocol):
    def get(self, enterprise_id: str) -> Enterprise | None: ...


class Invitations(Protocol):
    def enrol_workers(self, principal: Principal, session_id: str, workers: Sequence[dict[str, str]]) -> list[Any]: ...


@dataclass(frozen=True)
class Pick:
    """One worker ticked against one session."""

    worker: Worker
    session_id: str
    placed: Placed | None = None
    error: AppError | None = None


@dataclass
class StaffService:
    staff: Staff
    enterprises: Enterprises
    invitations: Invitations
    clock: Clock
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())

    # ------------------------------------------------------------------ the list
    def list(self, principal: Principal, enterprise_id: str) -> tuple[Enterprise, StaffList]:
        enterprise = self._acting_for(principal, enterprise_id)
        return enterprise, self.staff.get(enterprise.enterprise_id)

    def add(self, principal: Principal, enterprise_id: str, data: Mapping[str, Any]) -> Worker:
        """A new worker on the list; 409 when it holds ``MAX_STAFF`` already."""
        enterprise = self._acting_for(principal, enterprise_id)
        details = worker_details(data)
        worker_id = self.new_id()
        return self._change(enterprise.enterprise_id, lambda staff: staff.add(worker_id, details, self.clock.now()))

    def edit(self, principal: Principal, enterprise_id: str, worker_id: str, data: Mapping[str, Any]) -> Worker:
        enterprise = self._acting_for(principal, enterprise_id)
        details = worker_details(data)
        return self._change(enterprise.enterprise_id, lambda staff: staff.edit(worker_id, details, self.clock.now()))

    def remove(self, principal: Principal, enterprise_id: str, worker_id: str) -> Worker:
        """Delete the worker's entry; nothing of it is kept."""
        enterprise = self._acting_for(principal, enterprise_id)
        return self._change(enterprise.enterprise_id, lambda staff: staff.remove(worker_id))

    def _change(self, enterprise_id: str, change: Callable[[StaffList], Worker]) -> Worker:
        for _ in range(SAVE_ATTEMPTS):
            staff = self.staff.get(enterprise_id)
            worker = change(staff)
            try:
                self.staff.save(staff)
            except StaleVersion:
                continue
            return worker
        raise StaleVersion()

    def forget(self, enterprise_id: str) -> None:
        """Delete the whole list: the enterprise is deleted from the register."""
        self.staff.delete(enterprise_id)

    # ------------------------------------------------------------------ enrolling from the gaps
    def enrol(self, principal: Principal, enterprise_id: str, picks: Sequence[Mapping[str, Any]]) -> list[Pick]:
        """Invite the workers ticked against each session (``[{session_id, worker_ids}]``), session by session.

        The request is refused as a whole (422, naming the field) when it names a worker not on the list;
        otherwise every worker–session pair gets its own result: invited, or refused and why.
        """
        enterprise = self._acting_for(principal, enterprise_id)
        if Role.REPRESENTATIVE not in principal.roles or principal.enterprise_id != enterprise.enterprise_id:
            raise Forbidden(ONLY_REPRESENTATIVES)
        staff = self.staff.get(enterprise.enterprise_id)
        wanted = _checked(picks, staff)
        results: list[Pick] = []
        for session_id, workers in wanted:
            ready = [w for w in workers if w.email and w.active]
            results.extend(Pick(w, session_id, error=_unready(w)) for w in workers if not (w.email and w.active))
            if not ready:
                continue
            try:
                answers = self.invitations.enrol_workers(
                    principal, session_id, [{"name": w.name, "email": w.email or ""} for w in ready]
                )
            except (Conflict, NotFound, InvalidInput) as refused:  # the session as a whole
                results.extend(Pick(w, session_id, error=refused) for w in ready)
                continue
            results.extend(
                Pick(w, session_id, placed=a.placed, error=a.error) for w, a in zip(ready, answers, strict=True)
            )
        order = {(session_id, w.id): i for i, (session_id, ws) in enumerate(wanted) for w in ws}
        return sorted(results, key=lambda p: (order[(p.session_id, p.worker.id)], p.worker.name))

    # ------------------------------------------------------------------ internals
    def _acting_for(self, principal: Principal, enterprise_id: str) -> Enterprise:
        if not principal.is_authenticated:
            raise Unauthorized(SIGN_IN)
        enterprise = self.enterprises.get(enterprise_id)
        if enterprise is None:
            raise NotFound(NO_SUCH_ENTERPRISE)
        if role_for(principal, enterprise.enterprise_id, enterprise.centre) is None:
            raise Forbidden(NOT_YOURS)
        return enterprise


def _unready(worker: Worker) -> AppError:
    if not worker.active:
        return Conflict(HAS_LEFT)
    return Conflict(NO_EMAIL)


def _checked(picks: Sequence[Mapping[str, Any]], staff: StaffList) -> list[tuple[str, list[Worker]]]:
    """The sessions with the workers ticked against each, in the order given; every problem at once."""
    problems: dict[str, Text] = {}
    if not picks:
        problems["picks"] = Text("Отметнете поне един служител за сесия.", "Tick at least one worker for a session.")
    elif len(picks) > MAX_SESSIONS:
        problems["picks"] = Text(
            f"Най-много {MAX_SESSIONS} сесии наведнъж.", f"At most {MAX_SESSIONS} sessions at once."
        )
    by_id = {w.id: w for w in staff.workers}
    wanted: dict[str, list[Worker]] = {}
    for i, pick in enumerate(picks):
        session_id = str(pick.get("session_id") or "")
        ids = list(pick.get("worker_ids") or [])
        unknown = [worker_id for worker_id in ids if worker_id not in by_id]
        if not ids:
            problems[f"picks.{i}.worker_ids"] = Text("Отметнете поне един служител.", "Tick at least one worker.")
        elif unknown:
            problems[f"picks.{i}.worker_ids"] = Text(
                "Някои от отметнатите не са в списъка на служителите.",
                "Some of those ticked are not on the staff list.",
            )
        chosen = wanted.setdefault(session_id, [])
        chosen.extend(by_id[w] for w in ids if w in by_id and by_id[w] not in chosen)
    if sum(len(ws) for ws in wanted.values()) > MAX_PICKS:
        problems["picks"] = Text(f"Най-много {MAX_PICKS} записвания наведнъж.", f"At most {MAX_PICKS} at once.")
    if problems:
        raise InvalidInput(INVALID, fields=problems)
    return list(wanted.items())
