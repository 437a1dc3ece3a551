"""Digital maturity assessments: taking one, an enterprise's history with its progress since T0, and the
courses recommended for its weakest dimensions.

Who may act for an enterprise (take its assessments, see them and its recommendations):

- its own representative;
- clerks of the regional centre serving it, national clerks and admins, on its behalf.

Anyone else is refused (403); an unknown enterprise is "not found". An assessment asked for by its id is
"not found" for those who may not see it, so its existence is not revealed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from services.training.config import SERVICE
from services.training.domain import questionnaire as questionnaires
from services.training.domain.assessment import Assessment, AssessorRole
from services.training.domain.course import Course
from services.training.domain.enterprise import Enterprise
from services.training.domain.progress import ProgressReport, Track, progress_report
from services.training.domain.questionnaire import Questionnaire
from services.training.domain.recommendation import Recommendations, recommend, weakest
from services.training.domain.session import Session
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.errors import Forbidden, InvalidInput, NotFound, StaleVersion, Text, Unauthorized
from shared.events import EventCatalog
from shared.outbox import OutboxEntry
from shared.outbox.entries import to_outbox

AGGREGATE_TYPE = "assessment"
"""The aggregate type of every ``training.assessment.v1`` event."""
SUBMIT_ATTEMPTS = 3
NO_SUCH_ENTERPRISE = Text(
    "Няма такова предприятие в регистъра на социалните предприятия.",
    "No such enterprise in the register of social enterprises.",
)
NO_SUCH_ASSESSMENT = Text("Няма такава оценка.", "No such assessment.")
NO_SUCH_VERSION = Text("Няма такава версия на въпросника.", "No such version of the questionnaire.")
SIGN_IN = Text("Необходим е вход в системата.", "Sign-in is required.")
NOT_FOR_YOU = Text(
    "Оценките на предприятието вижда и попълва само неговият представител или служител на центъра, който го обслужва.",
    "Only the enterprise's representative or staff of the centre serving it may see and take its assessments.",
)


class Enterprises(Protocol):
    def get(self, enterprise_id: str) -> Enterprise | None: ...

    def served_by(self, centre: str) -> list[str]:
        """The ids of the enterprises the centre serves now."""


class Assessments(Protocol):
    """What the use cases need of the assessments' storage (MongoAssessments in production)."""

    def add(self, assessment: Assessment, outbox: list[OutboxEntry]) -> None:
        """Insert the assessment and its events; StaleVersion when its sequence number was taken meanwhile."""

    def get(self, assessment_id: str) -> Assessment: ...

    def of_enterprise(self, enterprise_id: str) -> list[Assessment]: ...

    def latest(self, enterprise_id: str) -> Assessment | None: ...

    def tracks(self, enterprise_ids: Iterable[str]) -> list[Track]:
        """Each assessed enterprise's first and latest scores."""


class Catalogue(Protocol):
    def courses_improving(self, dimensions: Iterable[str]) -> list[Course]: ...

    def upcoming_sessions(self, course_ids: Iterable[str], centre: str, now: datetime) -> list[Session]: ...


@dataclass(frozen=True)
class EnterpriseRecommendations:
    enterprise: Enterprise
    based_on: Assessment | None
    """The latest assessment; None before the first one (and then nothing is recommended)."""
    recommendations: Recommendations


def role_for(principal: Principal, enterprise_id: str, centre: str) -> AssessorRole | None:
    """In which capacity the principal may act for the enterprise (served by ``centre``), or None."""
    if Role.REPRESENTATIVE in principal.roles and principal.enterprise_id == enterprise_id:
        return AssessorRole.REPRESENTATIVE
    if principal.is_admin:
        return AssessorRole.ADMIN
    if principal.may_work_in_centre(centre):
        return AssessorRole.CLERK
    return None


def questionnaire_version(version: str) -> Questionnaire:
    """A questionnaire version, or NotFound."""
    found = questionnaires.find(version)
    if found is None:
        raise NotFound(NO_SUCH_VERSION)
    return found


@dataclass
class AssessmentService:
    assessments: Assessments
    enterprises: Enterprises
    catalogue: Catalogue
    catalog: EventCatalog
    clock: Clock
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())

    # ------------------------------------------------------------------ the questionnaire
    def questionnaire(self, version: str | None = None) -> Questionnaire:
        """The given version, or the current one (the one new assessments are offered)."""
        return questionnaires.current() if version is None else questionnaire_version(version)

    # ------------------------------------------------------------------ taking an assessment
    def submit(self, principal: Principal, enterprise_id: str, version: str, answers: Any) -> Assessment:
        """Score the answers to ``version`` of the questionnaire and keep them as the enterprise's next assessment.

        InvalidInput naming ``version`` for an unknown version, ``answers.<question id>`` for answers
        that do not fit it; nothing is written then.
        """
        enterprise, role = self._acting_for(principal, enterprise_id)
        questionnaire = questionnaires.find(version)
        if questionnaire is None:
            raise InvalidInput(
                Text("Някои полета не са попълнени правилно.", "Some fields are not valid."),
                {"version": NO_SUCH_VERSION},
            )
        for _ in range(SUBMIT_ATTEMPTS):  # another assessment of the same enterprise may take the number first
            now = self.clock.now()
            assessment = Assessment.take(
                id=self.new_id(),
                enterprise=enterprise,
                questionnaire=questionnaire,
                answers=answers,
                taken_by=principal.subject,
                taken_by_name=principal.name,
                taken_by_role=role,
                previous=self.assessments.latest(enterprise.enterprise_id),
                now=now,
            )
            outbox = to_outbox(self.catalog, SERVICE, AGGREGATE_TYPE, assessment.id, assessment.pull_events(), now)
            try:
                self.assessments.add(assessment, outbox)
            except StaleVersion:
                continue
            return assessment
        raise StaleVersion()

    # ------------------------------------------------------------------ reading
    def history(self, principal: Principal, enterprise_id: str) -> tuple[Enterprise, list[Assessment]]:
        """The enterprise's assessments, T0 first; each later one carries its progress since T0."""
        enterprise, _ = self._acting_for(principal, enterprise_id)
        return enterprise, self.assessments.of_enterprise(enterprise.enterprise_id)

    def view(self, principal: Principal, assessment_id: str) -> Assessment:
        try:
            assessment = self.assessments.get(assessment_id)
        except NotFound:
            raise NotFound(NO_SUCH_ASSESSMENT) from None
        enterprise = self.enterprises.get(assessment.enterprise_id)
        centre = enterprise.centre if enterprise else assessment.centre  # the centre serving it now
        if role_for(principal, assessment.enterprise_id, centre) is None:
            raise NotFound(NO_SUCH_ASSESSMENT)
        return assessment

    def recommendations(self, principal: Principal, enterprise_id: str) -> EnterpriseRecommendations:
        """Courses for the weakest dimensions of the enterprise's latest assessment, with the sessions it can
        still enrol in at its centre or online."""
        enterprise, _ = self._acting_for(principal, enterprise_id)
        latest = self.assessments.latest(enterprise.enterprise_id)
        if latest is None:
            return EnterpriseRecommendations(enterprise, None, Recommendations((), ()))
        now = self.clock.now()
        courses = self.catalogue.courses_improving(w.dimension.value for w in weakest(latest.scores))
        sessions = self.catalogue.upcoming_sessions([c.id for c in courses], enterprise.centre, now) if courses else []
        found = recommend(latest.scores, courses, sessions, enterprise.centre, now)
        return EnterpriseRecommendations(enterprise, latest, found)

    def progress(self, principal: Principal, enterprise_id: str) -> tuple[Enterprise, ProgressReport]:
        """The enterprise's first and latest scores and the change, next to the averages of the other
        enterprises its centre serves (each not given of fewer than three)."""
        enterprise, _ = self._acting_for(principal, enterprise_id)
        served = {*self.enterprises.served_by(enterprise.centre), enterprise.enterprise_id}
        return enterprise, progress_report(enterprise.enterprise_id, self.assessments.tracks(sorted(served)))

    # ------------------------------------------------------------------ internals
    def _acting_for(self, principal: Principal, enterprise_id: str) -> tuple[Enterprise, AssessorRole]:
        if not principal.is_authenticated:
            raise Unauthorized(SIGN_IN)
        enterprise = self.enterprises.get(enterprise_id)
        if enterprise is None:
            raise NotFound(NO_SUCH_ENTERPRISE)
        role = role_for(principal, enterprise.enterprise_id, enterprise.centre)
        if role is None:
            raise Forbidden(NOT_FOR_YOU)
        return enterprise, role
