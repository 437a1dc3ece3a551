"""The course catalogue and the timetable over HTTP.

Courses: anyone reads; admins and clerks write. Sessions: anyone reads the timetable; a trainer schedules
their own sessions, admins and the centre's clerks any at their centre; the session's trainer, admins and
the centre's clerks reschedule and cancel. A trainer or a room booked twice at overlapping times gets a 409
naming the other session. Calendar feeds (.ics) are in ``ical.py``.
"""

from __future__ import annotations

from typing import Any

from services.training.entrypoints.api.context import training
from services.training.entrypoints.api.session_schemas import (
    CancelSessionSchema,
    CourseChangesSchema,
    CourseFieldsSchema,
    CourseQuerySchema,
    NewSessionSchema,
    RescheduleSessionSchema,
    SessionQuerySchema,
    TrainerSessionsQuerySchema,
)
from services.training.entrypoints.api.session_views import (
    CourseListSchema,
    CourseSchema,
    SessionListSchema,
    SessionSchema,
    course_view,
    session_view,
)
from services.training.service_layer.sessions import manages
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.ratelimit import public_limit

blp = Blueprint("sessions", __name__, url_prefix="/api/v1", description="Course catalogue and sessions")


def _shown(session: Any) -> dict[str, Any]:
    return session_view(session, training().clock.now(), show_link=manages(current_principal(), session))


# ---------------------------------------------------------------------- courses
@blp.get("/courses")
@blp.arguments(CourseQuerySchema, location="query")
@blp.response(200)
@documented(CourseListSchema)
def list_courses(query: dict[str, Any]) -> dict[str, Any]:
    """The course catalogue, by title; filters by maturity dimension, level and format."""
    return {"items": [course_view(c) for c in training().sessions.list_courses(**query)]}


@blp.post("/courses")
@blp.arguments(CourseFieldsSchema)
@blp.response(201)
@documented(CourseSchema, 201)
def create_course(data: dict[str, Any]) -> dict[str, Any]:
    """Add a course to the catalogue (admins and clerks)."""
    return course_view(training().sessions.create_course(current_principal(), data))


@blp.get("/courses/<course_id>")
@blp.response(200)
@documented(CourseSchema)
def show_course(course_id: str) -> dict[str, Any]:
    """A course of the catalogue (also a withdrawn one)."""
    return course_view(training().sessions.course(course_id))


@blp.patch("/courses/<course_id>")
@blp.arguments(CourseChangesSchema(partial=True))
@blp.response(200)
@documented(CourseSchema)
def edit_course(data: dict[str, Any], course_id: str) -> dict[str, Any]:
    """Change some fields of a course; ``active: false`` withdraws it (its sessions stay as they are)."""
    return course_view(training().sessions.update_course(current_principal(), course_id, data))


# ---------------------------------------------------------------------- sessions
@blp.get("/sessions")
@blp.arguments(SessionQuerySchema, location="query")
@blp.response(200)
@documented(SessionListSchema)
@public_limit
def upcoming(query: dict[str, Any]) -> dict[str, Any]:
    """Scheduled sessions that have not ended, soonest first; filters by course, centre, online, and the Sofia
    dates of the first meeting (``from``, ``to``, both included)."""
    return {"items": [_shown(s) for s in training().sessions.upcoming(**query)]}


@blp.post("/sessions")
@blp.arguments(NewSessionSchema)
@blp.response(201)
@documented(SessionSchema, 201)
def schedule(data: dict[str, Any]) -> dict[str, Any]:
    """Schedule a session of a course: a trainer for themself; an admin or a clerk of the centre for a named
    trainer. Meeting times are Sofia wall-clock times (or carry an offset). 409 names the session already
    holding the trainer or the room at an overlapping time."""
    return _shown(training().sessions.schedule(current_principal(), **data))


@blp.get("/sessions/<session_id>")
@blp.response(200)
@documented(SessionSchema)
def show(session_id: str) -> dict[str, Any]:
    """A session, in any state, with its seats taken and free and how many wait."""
    session = training().sessions.get(session_id)
    return {**_shown(session), "seats": training().enrolments.occupancy(session.id, session.capacity)}


@blp.post("/sessions/<session_id>/reschedule")
@blp.arguments(RescheduleSessionSchema)
@blp.response(200)
@documented(SessionSchema)
def reschedule(data: dict[str, Any], session_id: str) -> dict[str, Any]:
    """Give a session new meetings (send them all; those already held stay). Everyone enrolled is told."""
    return _shown(training().sessions.reschedule(current_principal(), session_id, data["meetings"]))


@blp.post("/sessions/<session_id>/cancel")
@blp.arguments(CancelSessionSchema)
@blp.response(200)
@documented(SessionSchema)
def cancel(data: dict[str, Any], session_id: str) -> dict[str, Any]:
    """Cancel a session with a reason; its trainer and room are free again and everyone enrolled is told."""
    return _shown(training().sessions.cancel(current_principal(), session_id, data["reason"]))


@blp.get("/trainers/<trainer_id>/sessions")
@blp.arguments(TrainerSessionsQuerySchema, location="query")
@blp.response(200)
@documented(SessionListSchema)
def of_trainer(query: dict[str, Any], trainer_id: str) -> dict[str, Any]:
    """A trainer's sessions in every state (from now on unless ``include_past``): for the trainer, admins, and
    clerks (the sessions at their centre)."""
    sessions = training().sessions.of_trainer(current_principal(), trainer_id, query["include_past"])
    return {"items": [_shown(s) for s in sessions]}
