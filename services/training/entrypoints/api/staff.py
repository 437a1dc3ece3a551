"""An enterprise's staff list, and enrolling its workers in the recommended sessions in one step.

The list is for the enterprise's representatives and staff of the centre serving it (national clerks and
admins everywhere); enrolling from it is the representative's, through the usual invitations.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from services.training.domain.dimensions import Dimension
from services.training.domain.staff import EMAIL_LIMIT, MAX_STAFF, NAME_LIMIT, ROLE_LIMIT, StaffList, Worker
from services.training.entrypoints.api.assessments import (
    AssessedEnterpriseSchema,
    MaturityCodeNameSchema,
    dimension_view,
    enterprise_view,
)
from services.training.entrypoints.api.context import training
from services.training.entrypoints.api.enrolments import EnrolmentSchema, WorkerErrorSchema, enrolment_view
from services.training.service_layer.staff import MAX_PICKS, MAX_SESSIONS, Pick
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.schemas import StrictSchema, text

blp = Blueprint("staff", __name__, url_prefix="/api/v1", description="Enterprises' staff lists and enrolling them")

ID_LIMIT = 64


# ---------------------------------------------------------------------- requests
class StaffWorkerRequestSchema(StrictSchema):
    name = text(NAME_LIMIT, required=True, metadata={"example": "Гергана Илиева"})
    email = fields.Email(
        allow_none=True,
        validate=validate.Length(max=EMAIL_LIMIT),
        metadata={"example": "gergana.ilieva@pekarna.example.bg", "description": "The work e-mail (optional)"},
    )
    role = text(ROLE_LIMIT, min_length=0, metadata={"example": "Счетоводител"})
    dimensions = fields.List(
        fields.String(validate=validate.OneOf([d.value for d in Dimension])),
        validate=validate.Length(max=len(Dimension)),
        metadata={"description": "The maturity dimensions the worker works in"},
    )
    active = fields.Boolean(load_default=True, metadata={"description": "False once the worker has left"})


class PickSchema(StrictSchema):
    session_id = text(ID_LIMIT, required=True)
    worker_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=ID_LIMIT)),
        required=True,
        validate=validate.Length(min=1, max=MAX_PICKS),
    )


class EnrolStaffSchema(StrictSchema):
    picks = fields.List(
        fields.Nested(PickSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_SESSIONS),
        metadata={"description": "For each session, the workers of the list ticked against it"},
    )


# ---------------------------------------------------------------------- responses
class StaffWorkerSchema(Schema):
    id = fields.String()
    name = fields.String()
    email = fields.String(allow_none=True)
    role = fields.String()
    dimensions = fields.List(fields.Nested(MaturityCodeNameSchema))
    active = fields.Boolean()
    added_at = fields.DateTime()
    changed_at = fields.DateTime()


class StaffListSchema(Schema):
    enterprise = fields.Nested(AssessedEnterpriseSchema)
    limit = fields.Integer(metadata={"description": "The most workers the list holds", "example": MAX_STAFF})
    items = fields.List(fields.Nested(StaffWorkerSchema), metadata={"description": "By name"})


class PickResultSchema(Schema):
    worker_id = fields.String()
    name = fields.String()
    session_id = fields.String()
    outcome = fields.String(metadata={"enum": ["invited", "confirmed", "waitlisted", "refused"]})
    enrolment = fields.Nested(EnrolmentSchema, allow_none=True)
    error = fields.Nested(WorkerErrorSchema, allow_none=True)


class PickResultListSchema(Schema):
    items = fields.List(fields.Nested(PickResultSchema))


# ---------------------------------------------------------------------- views
def worker_view(worker: Worker) -> dict[str, Any]:
    return {
        "id": worker.id,
        "name": worker.name,
        "email": worker.email,
        "role": worker.role,
        "dimensions": [dimension_view(d) for d in worker.dimensions],
        "active": worker.active,
        "added_at": worker.added_at,
        "changed_at": worker.changed_at,
    }


def staff_view(enterprise: Any, staff: StaffList) -> dict[str, Any]:
    workers = sorted(staff.workers, key=lambda w: (not w.active, w.name.casefold(), w.id))
    return {"enterprise": enterprise_view(enterprise), "limit": MAX_STAFF, "items": [worker_view(w) for w in workers]}


def pick_view(pick: Pick) -> dict[str, Any]:
    error = pick.error
    placed = pick.placed
    return {
        "worker_id": pick.worker.id,
        "name": pick.worker.name,
        "session_id": pick.session_id,
        "outcome": "refused" if placed is None else placed.enrolment.state.value,
        "enrolment": enrolment_view(placed) if placed else None,
        "error": None
        if error is None
        else {
            "status": error.status,
            "code": error.code,
            "message": error.message.as_dict(),
            "fields": {name: message.as_dict() for name, message in error.fields.items()},
        },
    }


# ---------------------------------------------------------------------- endpoints
@blp.get("/enterprises/<enterprise_id>/staff")
@blp.response(200)
@documented(StaffListSchema)
def list_staff(enterprise_id: str) -> dict[str, Any]:
    """The enterprise's workers: who is still there first, then by name."""
    return staff_view(*training().staff.list(current_principal(), enterprise_id))


@blp.post("/enterprises/<enterprise_id>/staff")
@blp.arguments(StaffWorkerRequestSchema)
@blp.response(201)
@documented(StaffWorkerSchema, 201)
def add_worker(data: dict[str, Any], enterprise_id: str) -> dict[str, Any]:
    """Add a worker to the list (409 when it holds 500 already; 422 naming the field for a bad value or an
    e-mail already listed)."""
    return worker_view(training().staff.add(current_principal(), enterprise_id, data))


@blp.put("/enterprises/<enterprise_id>/staff/<worker_id>")
@blp.arguments(StaffWorkerRequestSchema)
@blp.response(200)
@documented(StaffWorkerSchema)
def edit_worker(data: dict[str, Any], enterprise_id: str, worker_id: str) -> dict[str, Any]:
    """Change a worker's details (mark one who left with ``active: false``)."""
    return worker_view(training().staff.edit(current_principal(), enterprise_id, worker_id, data))


@blp.delete("/enterprises/<enterprise_id>/staff/<worker_id>")
@blp.response(200)
@documented(StaffListSchema)
def remove_worker(enterprise_id: str, worker_id: str) -> dict[str, Any]:
    """Remove a worker from the list: their entry is deleted. Answers with the list that remains."""
    service = training().staff
    service.remove(current_principal(), enterprise_id, worker_id)
    return staff_view(*service.list(current_principal(), enterprise_id))


@blp.post("/enterprises/<enterprise_id>/staff/enrolments")
@blp.arguments(EnrolStaffSchema)
@blp.response(200)
@documented(PickResultListSchema)
def enrol_staff(data: dict[str, Any], enterprise_id: str) -> dict[str, Any]:
    """Enrol workers of the list in sessions in one step (the representative): each worker ticked against a
    session is invited by the work e-mail (a seat or the waiting list on accepting) or refused with the
    reason (already enrolled or invited, no e-mail, left, session closed or full, funded for others)."""
    picks = training().staff.enrol(current_principal(), enterprise_id, data["picks"])
    return {"items": [pick_view(p) for p in picks]}
