"""Enrolment in sessions, invitations, waitlists, attendance, certificates (verifiable by anyone with the number
and its check code), and learners' private calendars.

A learner enrols themself; a representative invites workers of its own enterprise, who accept (or decline)
signed in with the invited address. While seats remain an enrolment is confirmed, then learners wait in the
order they came and are promoted automatically when someone cancels. A session's trainer records attendance
per meeting and completes the session; whoever attended at least the configured share of meetings gets a
certificate with a unique number and a random check code.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, url_for
from jinja2 import Environment
from marshmallow import Schema, fields, validate

from services.training.domain.certificate import Certificate, shown_check_code
from services.training.domain.enrolment import STATE_BG, CancelledBy, EnrolmentState
from services.training.entrypoints.api.context import training
from services.training.entrypoints.api.ical import calendar, ics_response
from services.training.service_layer.enrolments import MAX_WORKERS, Completion, Placed, Roster, WorkerResult
from shared.bg.geography import geography
from shared.clock import SOFIA
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.public_links import certificate_check_url, qr_svg
from shared.web.ratelimit import public_limit
from shared.web.schemas import LocalisedMessageSchema, StrictSchema, text

blp = Blueprint(
    "enrolments",
    __name__,
    url_prefix="/api/v1",
    description="Enrolment, waitlists, attendance, certificates and learners' calendars",
)

LIST_LIMIT = 200
MAX_PRESENT = 500


# ---------------------------------------------------------------------- requests
class WorkerRequestSchema(StrictSchema):
    name = text(200, required=True, metadata={"example": "Георги Колев"})
    email = fields.Email(
        required=True, validate=validate.Length(max=254), metadata={"example": "georgi.kolev@dobroutro.example.bg"}
    )


class EnrolRequestSchema(StrictSchema):
    workers = fields.List(
        fields.Nested(WorkerRequestSchema),
        validate=validate.Length(min=1, max=MAX_WORKERS),
        metadata={
            "description": "Only for a representative enrolling workers of its enterprise; "
            "without it the signed-in learner enrols themself."
        },
    )


class EnrolmentListQuerySchema(StrictSchema):
    limit = fields.Integer(validate=validate.Range(min=1, max=LIST_LIMIT), load_default=100)


class CancelEnrolmentSchema(StrictSchema):
    reason = text(2000, min_length=0, load_default="")


class AttendanceRequestSchema(StrictSchema):
    meeting = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(min=1),
        metadata={"description": "The meeting's number, 1 for the first", "example": 2},
    )
    present = fields.List(
        fields.Email(validate=validate.Length(max=254)),
        required=True,
        validate=validate.Length(max=MAX_PRESENT),
        metadata={"description": "E-mail addresses of the seat holders present; the others are marked absent"},
    )


class CompleteSessionSchema(StrictSchema):
    """No fields: anything sent is a mistake worth naming."""


class AnswerInvitationSchema(StrictSchema):
    """No fields: accepting or declining says it all."""


class CertificateQuerySchema(StrictSchema):
    code = fields.String(
        load_default="",
        validate=validate.Length(max=40),
        metadata={"description": "The check code printed on the certificate", "example": "K7QM-2XHD-94RT"},
    )


# ---------------------------------------------------------------------- response shapes (for the OpenAPI document)
class EnrolmentCentreSchema(Schema):
    id = fields.String(metadata={"example": "plovdiv"})
    name = fields.Nested(LocalisedMessageSchema)


class EnrolmentSessionSchema(Schema):
    id = fields.String()
    course_title = fields.String()
    centre = fields.Nested(EnrolmentCentreSchema)
    starts_at = fields.DateTime(metadata={"description": "The first meeting"})


class EnrolmentLearnerSchema(Schema):
    email = fields.String()
    name = fields.String()


class AttendanceMarksSchema(Schema):
    present = fields.List(fields.Integer(), metadata={"description": "Numbers of the meetings attended"})
    absent = fields.List(fields.Integer())


class CertificateLinkSchema(Schema):
    number = fields.String(metadata={"example": "ДУ-2026-000147"})
    check_code = fields.String(
        allow_none=True, metadata={"description": "Needed with the number to verify it", "example": "K7QM-2XHD-94RT"}
    )
    url = fields.String(metadata={"description": "The public check, with the number and the code"})
    html_url = fields.String()


class EnrolmentSchema(Schema):
    id = fields.String(metadata={"description": "<session id>:<learner e-mail>"})
    session = fields.Nested(EnrolmentSessionSchema)
    learner = fields.Nested(EnrolmentLearnerSchema)
    enterprise_id = fields.String(allow_none=True)
    state = fields.String(metadata={"enum": [s.value for s in EnrolmentState]})
    state_bg = fields.String()
    waitlist_position = fields.Integer(allow_none=True, metadata={"description": "1 for the first waiting"})
    invitation_expires_at = fields.DateTime(
        allow_none=True, metadata={"description": "While invited: the invitation lapses when the session starts"}
    )
    enrolled_at = fields.DateTime()
    confirmed_at = fields.DateTime(allow_none=True)
    waitlisted_at = fields.DateTime(allow_none=True)
    cancelled_at = fields.DateTime(allow_none=True)
    cancelled_by = fields.String(allow_none=True, metadata={"enum": [c.value for c in CancelledBy]})
    reason = fields.String(allow_none=True)
    attendance = fields.Nested(AttendanceMarksSchema)
    certificate = fields.Nested(CertificateLinkSchema, allow_none=True)
    version = fields.Integer()


class EnrolmentListSchema(Schema):
    items = fields.List(fields.Nested(EnrolmentSchema))


class WorkerErrorSchema(Schema):
    status = fields.Integer()
    code = fields.String()
    message = fields.Nested(LocalisedMessageSchema)
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), values=fields.Nested(LocalisedMessageSchema))


class WorkerResultSchema(Schema):
    email = fields.String()
    name = fields.String()
    enrolled = fields.Boolean(metadata={"description": "The worker is invited (they accept to enrol)"})
    enrolment = fields.Nested(EnrolmentSchema, allow_none=True)
    error = fields.Nested(WorkerErrorSchema, allow_none=True)


class WorkerResultListSchema(Schema):
    items = fields.List(fields.Nested(WorkerResultSchema))


class ParticipantSchema(Schema):
    enrolment_id = fields.String()
    learner = fields.String()
    name = fields.String()
    enterprise_id = fields.String(allow_none=True)
    state = fields.String()
    present = fields.List(fields.Integer())
    absent = fields.List(fields.Integer())
    attendance_percent = fields.Integer()
    certificate_number = fields.String(allow_none=True)


class WaitingLearnerSchema(Schema):
    position = fields.Integer()
    enrolment_id = fields.String()
    learner = fields.String()
    name = fields.String()
    enterprise_id = fields.String(allow_none=True)


class RosterSchema(Schema):
    session_id = fields.String()
    course_title = fields.String()
    capacity = fields.Integer()
    meetings = fields.Integer()
    threshold_percent = fields.Integer()
    participants = fields.List(fields.Nested(ParticipantSchema), metadata={"description": "In seat order"})
    waitlist = fields.List(fields.Nested(WaitingLearnerSchema), metadata={"description": "First first"})


class CompletedLearnerSchema(Schema):
    enrolment_id = fields.String()
    learner = fields.String()
    name = fields.String()
    certificate_number = fields.String()


class NotCompletedLearnerSchema(Schema):
    enrolment_id = fields.String()
    learner = fields.String()
    name = fields.String()
    attendance_percent = fields.Integer()


class CompletionSchema(Schema):
    session_id = fields.String()
    threshold_percent = fields.Integer()
    completed = fields.List(fields.Nested(CompletedLearnerSchema))
    not_completed = fields.List(fields.Nested(NotCompletedLearnerSchema))


class PublicCertificateSchema(Schema):
    number = fields.String(metadata={"example": "ДУ-2026-000147"})
    check_code = fields.String(metadata={"example": "K7QM-2XHD-94RT"})
    valid = fields.Boolean()
    learner_name = fields.String()
    course_title = fields.String()
    centre = fields.Nested(EnrolmentCentreSchema)
    starts_on = fields.Date()
    ends_on = fields.Date()
    trainer_name = fields.String()
    issued_at = fields.DateTime()
    html_url = fields.String()


class CalendarLinkSchema(Schema):
    active = fields.Boolean(metadata={"description": "Whether the learner has a private link now"})
    created_at = fields.DateTime(allow_none=True)


class NewCalendarLinkSchema(Schema):
    url = fields.String(
        metadata={
            "description": "A secret address, shown only now: anyone who has it can read the calendar "
            "until a new one is made"
        }
    )
    created_at = fields.DateTime()


# ---------------------------------------------------------------------- views
def centre_view(code: str) -> dict[str, Any]:
    found = geography().centres.get(code)
    return {"id": code, "name": {"bg": found.name_bg, "en": found.name_en} if found else {"bg": code, "en": code}}


def _certificate_links(number: str, code: str | None) -> dict[str, Any]:
    shown = shown_check_code(code) if code else None
    return {
        "number": number,
        "check_code": shown,
        "url": url_for("enrolments.certificate", number=number, code=shown),
        "html_url": url_for("enrolments.certificate_html_page", number=number, code=shown),
    }


def enrolment_view(placed: Placed) -> dict[str, Any]:
    e = placed.enrolment
    return {
        "id": e.id,
        "session": {
            "id": e.session_id,
            "course_title": e.course_title,
            "centre": centre_view(e.centre),
            "starts_at": e.starts_at,
        },
        "learner": {"email": e.learner, "name": e.learner_name},
        "enterprise_id": e.enterprise_id,
        "state": e.state.value,
        "state_bg": STATE_BG[e.state],
        "waitlist_position": placed.waitlist_position,
        "invitation_expires_at": e.starts_at if e.state is EnrolmentState.INVITED else None,
        "enrolled_at": e.enrolled_at,
        "confirmed_at": e.confirmed_at,
        "waitlisted_at": e.waitlisted_at,
        "cancelled_at": e.cancelled_at,
        "cancelled_by": e.cancelled_by.value if e.cancelled_by else None,
        "reason": e.reason or None,
        "attendance": {"present": e.present, "absent": e.absent},
        "certificate": _certificate_links(e.certificate_number, placed.check_code) if e.certificate_number else None,
        "version": e.version,
    }


def _error_view(result: WorkerResult) -> dict[str, Any] | None:
    error = result.error
    if error is None:
        return None
    return {
        "status": error.status,
        "code": error.code,
        "message": error.message.as_dict(),
        "fields": {name: message.as_dict() for name, message in error.fields.items()},
    }


def worker_result_view(result: WorkerResult) -> dict[str, Any]:
    return {
        "email": result.email,
        "name": result.name,
        "enrolled": result.placed is not None,
        "enrolment": enrolment_view(result.placed) if result.placed else None,
        "error": _error_view(result),
    }


def roster_view(roster: Roster, threshold_percent: int) -> dict[str, Any]:
    meetings = len(roster.session.meetings)
    return {
        "session_id": roster.session.id,
        "course_title": roster.session.course_title,
        "capacity": roster.session.capacity,
        "meetings": meetings,
        "threshold_percent": threshold_percent,
        "participants": [
            {
                "enrolment_id": e.id,
                "learner": e.learner,
                "name": e.learner_name,
                "enterprise_id": e.enterprise_id,
                "state": e.state.value,
                "present": e.present,
                "absent": e.absent,
                "attendance_percent": e.attended(meetings) * 100 // meetings if meetings else 0,
                "certificate_number": e.certificate_number,
            }
            for e in roster.participants
        ],
        "waitlist": [
            {
                "position": position,
                "enrolment_id": e.id,
                "learner": e.learner,
                "name": e.learner_name,
                "enterprise_id": e.enterprise_id,
            }
            for position, e in enumerate(roster.waiting, start=1)
        ],
    }


def completion_view(completion: Completion) -> dict[str, Any]:
    return {
        "session_id": completion.session.id,
        "threshold_percent": completion.threshold_percent,
        "completed": [
            {
                "enrolment_id": e.id,
                "learner": e.learner,
                "name": e.learner_name,
                "certificate_number": e.certificate_number,
            }
            for e in completion.completed
        ],
        "not_completed": [
            {"enrolment_id": e.id, "learner": e.learner, "name": e.learner_name, "attendance_percent": percent}
            for e, percent in completion.not_completed
        ],
    }


def certificate_view(certificate: Certificate) -> dict[str, Any]:
    code = shown_check_code(certificate.check_code)
    return {
        "number": certificate.number,
        "check_code": code,
        "valid": True,
        "learner_name": certificate.learner_name,
        "course_title": certificate.course_title,
        "centre": centre_view(certificate.centre),
        "starts_on": certificate.starts_on,
        "ends_on": certificate.ends_on,
        "trainer_name": certificate.trainer_name,
        "issued_at": certificate.issued_at,
        "html_url": url_for("enrolments.certificate_html_page", number=certificate.number, code=code),
    }


# ---------------------------------------------------------------------- the printable certificate
_HTML = Environment(autoescape=True, keep_trailing_newline=True).from_string(
    """<!DOCTYPE html>
<html lang="bg">
<head>
<meta charset="utf-8">
<title>Сертификат № {{ number }}</title>
<style>
@page { size: A4 landscape; margin: 15mm; }
body { font-family: "DejaVu Serif", Georgia, "Times New Roman", serif; color: #1d2a3a; margin: 0; }
.certificate { border: 6px double #2b5f8a; padding: 28mm 24mm; text-align: center; min-height: 150mm; }
.issuer { font-size: 14pt; letter-spacing: 0.05em; text-transform: uppercase; margin: 0 0 10mm; }
h1 { font-size: 34pt; letter-spacing: 0.2em; margin: 0 0 8mm; color: #2b5f8a; }
.name { font-size: 24pt; font-weight: bold; margin: 4mm 0 6mm; }
.course { font-size: 18pt; font-style: italic; margin: 4mm 0 6mm; }
.facts { margin: 12mm auto 0; font-size: 11pt; }
.facts dt { font-weight: bold; display: inline; }
.facts dd { display: inline; margin: 0 8mm 0 2mm; }
.verify { font-size: 9pt; margin-top: 10mm; color: #555; }
.qr svg { width: 30mm; height: 30mm; }
@media print { .verify a { color: inherit; text-decoration: none; } }
</style>
</head>
<body>
<main class="certificate">
<p class="issuer">{{ centre_name }}</p>
<h1>СЕРТИФИКАТ</h1>
<p>Удостоверява се, че</p>
<p class="name">{{ learner_name }}</p>
<p>успешно завърши обучението по дигитални умения</p>
<p class="course">„{{ course_title }}“</p>
<p>{% if starts_on == ends_on %}проведено на {{ starts_on }} г.{% else %}проведено от {{ starts_on }} г. \
до {{ ends_on }} г.{% endif %}{% if trainer_name %}, обучител {{ trainer_name }}{% endif %}.</p>
<dl class="facts">
<dt>Рег. №</dt><dd>{{ number }}</dd>
<dt>Дата на издаване</dt><dd>{{ issued_on }} г.</dd>
<dt>Издаден от</dt><dd>{{ centre_name }}</dd>
<dt>Код за проверка</dt><dd>{{ check_code }}</dd>
</dl>
<p class="qr">{{ qr_svg }}</p>
<p class="verify">Проверка на сертификата (с QR кода или с номера и кода):
<a href="{{ verify_url }}">{{ verify_url }}</a></p>
</main>
</body>
</html>
"""
)


def _bg_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def certificate_html(certificate: Certificate) -> str:
    """The certificate as a printable page in Bulgarian (every value escaped), with its check code and a QR
    code of the portal's public check (number and code) at its configured public address."""
    centre = geography().centres.get(certificate.centre)
    code = shown_check_code(certificate.check_code)
    verify_url = certificate_check_url(certificate.number, code)
    return _HTML.render(
        number=certificate.number,
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        starts_on=_bg_date(certificate.starts_on),
        ends_on=_bg_date(certificate.ends_on),
        trainer_name=certificate.trainer_name,
        issued_on=_bg_date(certificate.issued_at.astimezone(SOFIA).date()),
        centre_name=centre.name_bg if centre else certificate.centre_name,
        check_code=code,
        verify_url=verify_url,
        qr_svg=qr_svg(verify_url),
    )


# ---------------------------------------------------------------------- enrolling
@blp.post("/sessions/<session_id>/enrolments")
@blp.arguments(EnrolRequestSchema)
@blp.response(201)
@documented(EnrolmentSchema, 201)
@documented(WorkerResultListSchema, 200)
def enrol(data: dict[str, Any], session_id: str) -> Any:
    """Enrol: a learner themself (no body, 201 with the enrolment; their e-mail must be verified), or a
    representative invites workers of its own enterprise (``workers``, 200 with each worker's result: an
    invitation, no seat, until the worker accepts it). Confirmed while seats remain, then waitlisted in the
    order requests come; a second enrolment of the same person is refused (409)."""
    service = training().enrolments
    if "workers" in data:
        results = service.enrol_workers(current_principal(), session_id, data["workers"])
        return {"items": [worker_result_view(r) for r in results]}, 200
    return enrolment_view(service.enrol_self(current_principal(), session_id))


@blp.get("/enrolments")
@blp.arguments(EnrolmentListQuerySchema, location="query")
@blp.response(200)
@documented(EnrolmentListSchema)
def my_enrolments(query: dict[str, Any]) -> dict[str, Any]:
    """My enrolments (a representative: those of its enterprise's workers), newest first."""
    found = training().enrolments.mine(current_principal(), query["limit"])
    return {"items": [enrolment_view(p) for p in found]}


@blp.get("/enrolments/<enrolment_id>")
@blp.response(200)
@documented(EnrolmentSchema)
def show_enrolment(enrolment_id: str) -> dict[str, Any]:
    """One enrolment, with the waitlist position while waiting; "not found" for anyone but those concerned."""
    return enrolment_view(training().enrolments.view(current_principal(), enrolment_id))


@blp.post("/enrolments/<enrolment_id>/cancel")
@blp.arguments(CancelEnrolmentSchema)
@blp.response(200)
@documented(EnrolmentSchema)
def cancel_enrolment(data: dict[str, Any], enrolment_id: str) -> dict[str, Any]:
    """Cancel (the learner, the representative who enrolled them, or an admin): the seat goes to the first
    waiting, who is told."""
    cancelled = training().enrolments.cancel(current_principal(), enrolment_id, reason=data["reason"])
    return enrolment_view(Placed(cancelled))


@blp.post("/enrolments/<enrolment_id>/accept")
@blp.arguments(AnswerInvitationSchema)
@blp.response(200)
@documented(EnrolmentSchema)
def accept_invitation(_: dict[str, Any], enrolment_id: str) -> dict[str, Any]:
    """The invited worker, signed in with the verified address invited, accepts: a seat or the waitlist, as if
    they enrolled now. Refused (409) once the session has started or enrolment closed."""
    return enrolment_view(training().enrolments.accept(current_principal(), enrolment_id))


@blp.post("/enrolments/<enrolment_id>/decline")
@blp.arguments(AnswerInvitationSchema)
@blp.response(200)
@documented(EnrolmentSchema)
def decline_invitation(_: dict[str, Any], enrolment_id: str) -> dict[str, Any]:
    """The invited worker declines; nothing more is sent to them about it."""
    return enrolment_view(training().enrolments.decline(current_principal(), enrolment_id))


# ---------------------------------------------------------------------- the trainer's side
@blp.get("/sessions/<session_id>/roster")
@blp.response(200)
@documented(RosterSchema)
def roster(session_id: str) -> dict[str, Any]:
    """Who holds a seat (in seat order, with attendance) and who waits, for the session's trainer."""
    service = training().enrolments
    return roster_view(service.session_roster(current_principal(), session_id), service.threshold_percent)


@blp.post("/sessions/<session_id>/attendance")
@blp.arguments(AttendanceRequestSchema)
@blp.response(200)
@documented(RosterSchema)
def attendance(data: dict[str, Any], session_id: str) -> dict[str, Any]:
    """Attendance at one meeting: the seat holders listed were present, the others absent."""
    service = training().enrolments
    updated = service.record_attendance(
        current_principal(), session_id, meeting=data["meeting"], present=data["present"]
    )
    return roster_view(updated, service.threshold_percent)


@blp.post("/sessions/<session_id>/complete")
@blp.arguments(CompleteSessionSchema)
@blp.response(200)
@documented(CompletionSchema)
def complete(_: dict[str, Any], session_id: str) -> dict[str, Any]:
    """After the last meeting: certificates for everyone whose attendance reaches the threshold. Safe to repeat."""
    return completion_view(training().enrolments.complete(current_principal(), session_id))


# ---------------------------------------------------------------------- certificates (public)
@blp.get("/certificates/<number>")
@blp.arguments(CertificateQuerySchema, location="query")
@blp.response(200)
@documented(PublicCertificateSchema)
@public_limit
def certificate(query: dict[str, Any], number: str) -> dict[str, Any]:
    """Verify a certificate by its number AND the check code printed on it: who completed which course,
    when, at which centre. A wrong or missing code is answered like an unknown number (404)."""
    return certificate_view(training().enrolments.verify(number, query["code"]))


@blp.get("/certificates/<number>.html")
@blp.arguments(CertificateQuerySchema, location="query")
@blp.doc(responses={"200": {"description": "OK", "content": {"text/html": {"schema": {"type": "string"}}}}})
@public_limit
def certificate_html_page(query: dict[str, Any], number: str) -> Response:
    """The certificate as a printable page in Bulgarian (the number and the check code, as for the check)."""
    page = certificate_html(training().enrolments.verify(number, query["code"]))
    response = Response(page, mimetype="text/html")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


# ---------------------------------------------------------------------- calendars
@blp.get("/learners/me/calendar-link")
@blp.response(200)
@documented(CalendarLinkSchema)
def calendar_link() -> dict[str, Any]:
    """Whether I have a private calendar link, and since when (its address is shown only when it is made)."""
    link = training().calendars.status(current_principal())
    return {"active": link is not None, "created_at": link.created_at if link else None}


@blp.post("/learners/me/calendar-link")
@blp.response(201)
@documented(NewCalendarLinkSchema, 201)
def new_calendar_link() -> dict[str, Any]:
    """A new secret address of my sessions as an iCalendar feed, for a calendar application to subscribe to.
    Any earlier address stops working (404)."""
    made = training().calendars.new_link(current_principal())
    return {
        "url": url_for("enrolments.learner_calendar", token=made.token, _external=True),
        "created_at": made.created_at,
    }


@blp.delete("/learners/me/calendar-link")
@blp.response(204)
def revoke_calendar_link() -> None:
    """Stop my private calendar link; none works until I make a new one."""
    training().calendars.revoke(current_principal())


@blp.get("/learners/<token>/sessions.ics")
@blp.doc(responses={"200": {"description": "OK", "content": {"text/calendar": {"schema": {"type": "string"}}}}})
def learner_calendar(token: str) -> Response:
    """My sessions (those I hold a seat in) as a calendar, at the secret address made by ``calendar-link``."""
    sessions = training().calendars.feed(token)
    response = ics_response(calendar(sessions, "Моите обучения", with_links=True), "sessions.ics")
    response.headers["Cache-Control"] = "private, max-age=300"
    return response
