"""An application to the register (first entry or renewal) and its decision clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from services.registry.domain.details import EnterpriseDetails
from services.registry.domain.eligibility import APlusCriterion, ClassARoute, EnterpriseClass, Evidence
from services.registry.domain.history import Person
from shared.errors import Text


class ApplicationKind(StrEnum):
    REGISTRATION = "registration"
    RENEWAL = "renewal"


class ApplicationStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    INFORMATION_REQUESTED = "information_requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def is_open(self) -> bool:
        return self in OPEN_STATUSES


OPEN_STATUSES = frozenset(
    {ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.INFORMATION_REQUESTED}
)

STATUS_NAMES_BG = {
    ApplicationStatus.DRAFT: "чернова",
    ApplicationStatus.SUBMITTED: "подадено",
    ApplicationStatus.INFORMATION_REQUESTED: "изискана информация",
    ApplicationStatus.APPROVED: "одобрено",
    ApplicationStatus.REJECTED: "отказано",
    ApplicationStatus.WITHDRAWN: "оттеглено",
}


def status_text(status: ApplicationStatus) -> Text:
    return Text(STATUS_NAMES_BG[status], status.value.replace("_", " "))


@dataclass
class InformationRequest:
    requested_at: datetime
    requested_by: str
    message: str
    answered_at: datetime | None = None
    answer: str = ""


@dataclass
class Decision:
    outcome: ApplicationStatus
    decided_at: datetime
    decided_by: str
    order_number: str = ""
    order_date: date | None = None
    certificate_number: str = ""
    reasons: list[str] = field(default_factory=list)


@dataclass
class DecisionClock:
    """The 14-day decision clock.

    It starts at submission and pauses while the applicant is asked for more information; on
    resubmission it resumes with the days that were left (the time the applicant spends answering
    does not count against the clerks). ``due_at`` is set only while the clock runs.
    """

    allowed: timedelta
    used: timedelta = timedelta(0)
    running_since: datetime | None = None

    def start(self, now: datetime) -> None:
        self.running_since = now

    def pause(self, now: datetime) -> None:
        if self.running_since is not None:
            self.used += now - self.running_since
            self.running_since = None

    def stop(self, now: datetime) -> None:
        self.pause(now)

    @property
    def due_at(self) -> datetime | None:
        if self.running_since is None:
            return None
        return self.running_since + (self.allowed - self.used)

    def is_overdue(self, now: datetime) -> bool:
        due = self.due_at
        return due is not None and now > due


@dataclass
class Application:
    id: str
    kind: ApplicationKind
    status: ApplicationStatus
    details: EnterpriseDetails
    requested_class: EnterpriseClass
    class_a_route: ClassARoute
    a_plus_criterion: APlusCriterion | None
    evidence: Evidence
    centre: str
    created_at: datetime
    clock: DecisionClock
    submitted_at: datetime | None = None
    information_requests: list[InformationRequest] = field(default_factory=list)
    decision: Decision | None = None
    touched_at: datetime | None = None
    """When the applicant last started or changed it (None on older documents: then ``created_at``)."""
    applicant: Person | None = None
    """Who submitted it, as their sign-in named them (None until submitted, and on older documents)."""

    @property
    def last_touched(self) -> datetime:
        return self.touched_at or self.created_at

    @property
    def open_information_request(self) -> InformationRequest | None:
        for request in reversed(self.information_requests):
            if request.answered_at is None:
                return request
        return None
