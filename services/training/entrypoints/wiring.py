"""The training service's use cases wired to MongoDB: one place for the web app, the consumer and the scheduler."""

from __future__ import annotations

from dataclasses import dataclass

from pymongo.database import Database

from services.training.adapters.assessments import INDEXES as ASSESSMENT_INDEXES
from services.training.adapters.assessments import CatalogueReader, MongoAssessments
from services.training.adapters.catalogue import INDEXES as CATALOGUE_INDEXES
from services.training.adapters.catalogue import MongoBookings, MongoCourses, MongoSessions
from services.training.adapters.enrolments import INDEXES as ENROLMENT_INDEXES
from services.training.adapters.enrolments import MongoCalendarLinks, MongoCertificates, MongoEnrolments, SeatLedger
from services.training.adapters.enterprises import INDEXES as ENTERPRISE_INDEXES
from services.training.adapters.enterprises import MongoEnterprises
from services.training.adapters.programme import MongoProgrammeRecords
from services.training.adapters.staff import MongoStaff
from services.training.config import completion_threshold_percent
from services.training.events.catalog import TRAINING_EVENTS
from services.training.service_layer.assessments import AssessmentService
from services.training.service_layer.calendars import CalendarService
from services.training.service_layer.enrolments import EnrolmentService
from services.training.service_layer.programme import ProgrammeService
from services.training.service_layer.sessions import SessionService
from services.training.service_layer.staff import StaffService
from shared.clock import Clock, SystemClock
from shared.mongo import IndexSpec, MongoNumberSeries, ensure_indexes

INDEXES: list[IndexSpec] = [*CATALOGUE_INDEXES, *ASSESSMENT_INDEXES, *ENROLMENT_INDEXES, *ENTERPRISE_INDEXES]


@dataclass(frozen=True)
class Training:
    enterprises: MongoEnterprises
    clock: Clock
    assessments: AssessmentService
    courses: MongoCourses
    sessions: SessionService
    """The catalogue and the timetable (its ``sessions`` is the sessions' repository)."""
    enrolments: EnrolmentService
    programme: ProgrammeService
    """The programme's figures for the ministry and the centres."""
    calendars: CalendarService
    """Learners' private calendar links."""
    staff: StaffService
    """Enterprises' staff lists, and enrolling workers from the maturity gaps."""


def build(db: Database, clock: Clock | None = None) -> Training:
    ensure_indexes(db, INDEXES)
    clock = clock or SystemClock()
    enterprises = MongoEnterprises(db)
    assessments = AssessmentService(MongoAssessments(db), enterprises, CatalogueReader(db), TRAINING_EVENTS, clock)
    courses = MongoCourses(db)
    enrolments = EnrolmentService(
        enrolments=MongoEnrolments(db),
        seats=SeatLedger(db),
        certificates=MongoCertificates(db),
        sessions=MongoSessions(db),
        enterprises=enterprises,
        numbers=MongoNumberSeries(db),
        catalog=TRAINING_EVENTS,
        clock=clock,
        threshold_percent=completion_threshold_percent(),
    )
    sessions = SessionService(
        courses=courses,
        sessions=MongoSessions(db),
        bookings=MongoBookings(db),
        catalog=TRAINING_EVENTS,
        clock=clock,
        roster=enrolments.roster,
    )
    return Training(
        enterprises=enterprises,
        clock=clock,
        assessments=assessments,
        courses=courses,
        sessions=sessions,
        enrolments=enrolments,
        programme=ProgrammeService(MongoProgrammeRecords(db), clock),
        calendars=CalendarService(MongoCalendarLinks(db), enrolments.learner_of, enrolments.learner_sessions, clock),
        staff=StaffService(MongoStaff(db), enterprises, enrolments, clock),
    )
