"""The enterprise aggregate: its applications, its register entry and its history in one document.

Keeping them together is what lets approval (application decided + entry created + events
recorded) be a single atomic write on a database without multi-document transactions.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from services.registry.domain.application import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    Decision,
    DecisionClock,
    InformationRequest,
    status_text,
)
from services.registry.domain.details import EnterpriseDetails
from services.registry.domain.eligibility import (
    APlusCriterion,
    Assessment,
    ClassARoute,
    EnterpriseClass,
    Evidence,
    assess,
)
from services.registry.domain.entry import (
    AnnualReport,
    Certificate,
    Deletion,
    EntryStatus,
    Order,
    RegisterEntry,
)
from services.registry.domain.errors import TransitionNotAllowed
from services.registry.domain.events import DomainEvent, EventName
from services.registry.domain.history import Actor, HistoryRecord, Person, diff
from services.registry.domain.payloads import application_payload, enterprise_payload
from services.registry.domain.policy import RegistryPolicy
from shared.bg.geography import geography
from shared.clock import SOFIA
from shared.errors import Text

ENTRY_STATUS_BG = {EntryStatus.ACTIVE: "вписано", EntryStatus.EXPIRED: "изтекло", EntryStatus.DELETED: "заличено"}
NOT_REGISTERED = Text("невписано", "not registered")


def entry_text(status: EntryStatus) -> Text:
    return Text(ENTRY_STATUS_BG[status], status.value)


@dataclass(frozen=True)
class ApplicationRequest:
    """What an applicant asks for: class, route and the evidence behind it."""

    requested_class: EnterpriseClass
    class_a_route: ClassARoute
    a_plus_criterion: APlusCriterion | None
    evidence: Evidence


@dataclass
class Enterprise:
    id: str
    owners: list[str]
    details: EnterpriseDetails
    created_at: datetime
    application: Application | None = None
    past_applications: list[Application] = field(default_factory=list)
    entry: RegisterEntry | None = None
    history: list[HistoryRecord] = field(default_factory=list)
    version: int = 0
    representatives: list[Person] = field(default_factory=list)
    """The people who represented it here, as their sign-in last named them: the register's messages
    reach them in their own inbox and at their own verified address (empty on older documents)."""
    events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    # ------------------------------------------------------------------ placement and views
    @property
    def district(self) -> str:
        return self.details.seat.district

    @property
    def region(self) -> str:
        return geography().place(self.district).region.code

    @property
    def centre(self) -> str:
        return geography().place(self.district).centre.id

    @property
    def is_registered(self) -> bool:
        return self.entry is not None and self.entry.status is EntryStatus.ACTIVE

    def is_owned_by(self, subject: str) -> bool:
        return subject in self.owners

    def represented_by(self, person: Person) -> None:
        """Remember (or refresh) a representative who acts for the enterprise: their name and address."""
        known = [p.subject for p in self.representatives]
        if person.subject in known:
            self.representatives[known.index(person.subject)] = person
        else:
            self.representatives.append(person)

    def _person(self, actor: Actor) -> Person:
        known = next((p for p in self.representatives if p.subject == actor.subject), None)
        return known or Person(actor.subject, actor.name)

    def assessment(self, policy: RegistryPolicy) -> Assessment | None:
        app = self.application
        if app is None:
            return None
        return assess(app.evidence, app.requested_class, app.class_a_route, app.a_plus_criterion, policy.thresholds)

    def current_evidence(self) -> Evidence:
        """The latest figures on file: the newest annual report, else the approved application's."""
        if self.entry and self.entry.annual_reports:
            return max(self.entry.annual_reports, key=lambda r: r.year).evidence
        approved = [a for a in [*self.past_applications, self.application] if a and a.decision]
        approved = [a for a in approved if a.decision and a.decision.outcome is ApplicationStatus.APPROVED]
        return approved[-1].evidence if approved else Evidence()

    # ------------------------------------------------------------------ applications
    @classmethod
    def start(
        cls,
        *,
        enterprise_id: str,
        application_id: str,
        owner: Actor,
        details: EnterpriseDetails,
        request: ApplicationRequest,
        policy: RegistryPolicy,
        now: datetime,
    ) -> Enterprise:
        enterprise = cls(id=enterprise_id, owners=[owner.subject], details=details, created_at=now)
        enterprise._open_application(application_id, ApplicationKind.REGISTRATION, request, policy, now)
        enterprise._note(now, owner, "application_started", public=False)
        return enterprise

    def reapply(
        self,
        *,
        application_id: str,
        actor: Actor,
        details: EnterpriseDetails,
        request: ApplicationRequest,
        policy: RegistryPolicy,
        now: datetime,
    ) -> None:
        """A new application for entry after an earlier one ended without an active entry."""
        action = Text("се подаде ново заявление", "start a new application")
        if self.application and self.application.status.is_open:
            raise TransitionNotAllowed(
                action,
                status_text(self.application.status),
                Text("има незавършено заявление", "an application is still open"),
            )
        if self.is_registered:
            raise TransitionNotAllowed(
                action,
                entry_text(EntryStatus.ACTIVE),
                Text(
                    "предприятието вече е вписано; използвайте подновяване",
                    "the enterprise is already registered; renew instead",
                ),
            )
        if actor.subject not in self.owners:
            self.owners.append(actor.subject)
        self.details = details
        self._open_application(application_id, ApplicationKind.REGISTRATION, request, policy, now)
        self._note(now, actor, "application_started", public=False)

    def apply_for_renewal(
        self,
        *,
        application_id: str,
        actor: Actor,
        request: ApplicationRequest,
        policy: RegistryPolicy,
        now: datetime,
        today: date,
    ) -> None:
        action = Text("се подаде заявление за подновяване", "apply for renewal")
        if self.entry is None or self.entry.status is not EntryStatus.ACTIVE:
            state = entry_text(self.entry.status) if self.entry else NOT_REGISTERED
            raise TransitionNotAllowed(
                action, state, Text("подновява се само действащо вписване", "only an active entry can be renewed")
            )
        if self.application and self.application.status.is_open:
            raise TransitionNotAllowed(
                action,
                status_text(self.application.status),
                Text("има незавършено заявление", "an application is still open"),
            )
        window_opens = self.entry.certificate.valid_until - timedelta(days=policy.renewal_window_days)
        if today < window_opens:
            raise TransitionNotAllowed(
                action,
                entry_text(EntryStatus.ACTIVE),
                Text(
                    f"подновяване може да се поиска от {window_opens.isoformat()}",
                    f"renewal can be applied for from {window_opens.isoformat()}",
                ),
            )
        self._open_application(application_id, ApplicationKind.RENEWAL, request, policy, now)
        self._note(now, actor, "renewal_started", public=False)

    def amend(
        self, *, actor: Actor, details: EnterpriseDetails | None, request: ApplicationRequest | None, now: datetime
    ) -> None:
        app = self._require_application()
        if app.status not in (ApplicationStatus.DRAFT, ApplicationStatus.INFORMATION_REQUESTED):
            raise TransitionNotAllowed(
                Text("се промени заявлението", "change the application"), status_text(app.status)
            )
        before = self._application_view(app)
        if details is not None:
            if app.kind is ApplicationKind.RENEWAL and details.eik != self.details.eik:
                raise TransitionNotAllowed(Text("се промени ЕИК", "change the ЕИК"), status_text(app.status))
            app.details = details
            app.centre = geography().place(details.seat.district).centre.id
            if self.entry is None:
                self.details = details
        if request is not None:
            app.requested_class = request.requested_class
            app.class_a_route = request.class_a_route
            app.a_plus_criterion = request.a_plus_criterion
            app.evidence = request.evidence
        app.touched_at = now
        self._note(now, actor, "application_amended", public=False, changes=diff(before, self._application_view(app)))

    def submit(self, *, actor: Actor, now: datetime) -> None:
        app = self._require_application()
        action = Text("се подаде заявлението", "submit the application")
        if app.status is ApplicationStatus.DRAFT:
            app.submitted_at = now
            resubmission = False
        elif app.status is ApplicationStatus.INFORMATION_REQUESTED:
            request = app.open_information_request
            if request is not None:
                request.answered_at = now
            resubmission = True
        else:
            raise TransitionNotAllowed(action, status_text(app.status))
        app.status = ApplicationStatus.SUBMITTED
        app.applicant = self._person(actor)
        app.clock.start(now)
        self._note(now, actor, "application_resubmitted" if resubmission else "application_submitted", public=False)
        self._record_application(EventName.APPLICATION_SUBMITTED, resubmission=resubmission)

    def answer_information_request(self, *, actor: Actor, answer: str, now: datetime) -> None:
        app = self._require_application()
        request = app.open_information_request
        if app.status is not ApplicationStatus.INFORMATION_REQUESTED or request is None:
            raise TransitionNotAllowed(
                Text("се отговори", "answer"),
                status_text(app.status),
                Text("няма отворено искане за информация", "there is no open request for information"),
            )
        request.answer = answer
        self._note(now, actor, "information_answered", public=False)

    def request_information(self, *, actor: Actor, message: str, now: datetime) -> None:
        app = self._require_application()
        if app.status is not ApplicationStatus.SUBMITTED:
            raise TransitionNotAllowed(Text("се изиска информация", "request information"), status_text(app.status))
        app.status = ApplicationStatus.INFORMATION_REQUESTED
        app.clock.pause(now)
        app.information_requests.append(InformationRequest(now, actor.subject, message))
        self._note(now, actor, "information_requested", public=False, reason=message)
        self._record_application(EventName.INFORMATION_REQUESTED, message=message)

    def approve(
        self,
        *,
        actor: Actor,
        order: Order,
        registration_number: str,
        certificate_number: str,
        policy: RegistryPolicy,
        now: datetime,
        today: date,
    ) -> None:
        app = self._require_application()
        action = Text("се одобри заявлението", "approve the application")
        if app.status is not ApplicationStatus.SUBMITTED:
            raise TransitionNotAllowed(action, status_text(app.status))
        assessment = self.assessment(policy)
        if assessment is None or not assessment.requested_met:
            failed = ", ".join(r.code for r in (assessment.rules if assessment else []) if not r.passed)
            raise TransitionNotAllowed(
                action,
                status_text(app.status),
                Text(
                    f"критериите за клас {app.requested_class} не са изпълнени ({failed})",
                    f"the criteria for class {app.requested_class} are not met ({failed})",
                ),
            )
        app.status = ApplicationStatus.APPROVED
        app.clock.stop(now)
        app.decision = Decision(
            ApplicationStatus.APPROVED, now, actor.subject, order.number, order.date, certificate_number
        )
        if app.kind is ApplicationKind.RENEWAL and self.entry is not None:
            self._renew_entry(actor, app, order, certificate_number, policy, now, today)
        else:
            self._create_entry(actor, app, order, registration_number, certificate_number, policy, now, today)
        self._record_application(EventName.APPLICATION_APPROVED)

    def reject(self, *, actor: Actor, reasons: list[str], now: datetime) -> None:
        app = self._require_application()
        if app.status not in (ApplicationStatus.SUBMITTED, ApplicationStatus.INFORMATION_REQUESTED):
            raise TransitionNotAllowed(Text("се откаже", "reject the application"), status_text(app.status))
        app.status = ApplicationStatus.REJECTED
        app.clock.stop(now)
        app.decision = Decision(ApplicationStatus.REJECTED, now, actor.subject, reasons=list(reasons))
        self._note(now, actor, "application_rejected", public=False, reason="; ".join(reasons))
        self._record_application(EventName.APPLICATION_REJECTED, reasons=list(reasons))

    def withdraw(self, *, actor: Actor, now: datetime) -> None:
        app = self._require_application()
        if not app.status.is_open:
            raise TransitionNotAllowed(
                Text("се оттегли заявлението", "withdraw the application"), status_text(app.status)
            )
        was_draft = app.status is ApplicationStatus.DRAFT
        app.status = ApplicationStatus.WITHDRAWN
        app.clock.stop(now)
        self._note(now, actor, "application_withdrawn", public=False)
        if not was_draft:  # nobody outside heard of a draft
            self._record_application(EventName.APPLICATION_WITHDRAWN)

    def expire_draft(self, *, policy: RegistryPolicy, now: datetime, actor: Actor) -> bool:
        """Withdraw a draft left untouched for the policy's lifetime; True when it did."""
        app = self.application
        if app is None or app.status is not ApplicationStatus.DRAFT or now - app.last_touched < policy.draft_lifetime:
            return False
        app.status = ApplicationStatus.WITHDRAWN
        app.clock.stop(now)
        self._note(now, actor, "draft_expired", public=False, reason=f"{policy.draft_expiry_days} days untouched")
        return True  # nobody outside heard of a draft: no event

    # ------------------------------------------------------------------ the entry's lifecycle
    def update_details(self, *, actor: Actor, details: EnterpriseDetails, now: datetime) -> None:
        entry = self._require_entry(Text("се променят данните", "change the details"))
        if details.eik != self.details.eik:
            raise TransitionNotAllowed(
                Text("се промени ЕИК", "change the ЕИК"),
                entry_text(entry.status),
                Text("ЕИК на вписано предприятие не се променя", "a registered enterprise's ЕИК cannot change"),
            )
        changes = diff(asdict(self.details), asdict(details))
        if not changes:
            return
        public_changes = diff(self.details.public_view(), details.public_view())
        self.details = details
        self._note(now, actor, "details_updated", public=True, changes=changes, public_changes=public_changes)
        self._record_enterprise(EventName.ENTERPRISE_UPDATED, changed_fields=sorted(c["field"] for c in changes))

    def change_class(self, *, actor: Actor, new_class: EnterpriseClass, reason: str, now: datetime) -> None:
        entry = self._require_entry(Text("се промени класът", "change the class"))
        if entry.enterprise_class is new_class:
            raise TransitionNotAllowed(
                Text("се промени класът", "change the class"),
                entry_text(entry.status),
                Text(f"класът вече е {new_class}", f"the class is already {new_class}"),
            )
        if new_class is EnterpriseClass.A_PLUS:
            raise TransitionNotAllowed(
                Text("се повиши класът", "raise the class"),
                entry_text(entry.status),
                Text(
                    "клас А+ се получава със заявление за подновяване", "class A+ is obtained by a renewal application"
                ),
            )
        previous = entry.enterprise_class
        entry.enterprise_class = new_class
        entry.a_plus_criterion = None
        self._note(
            now,
            actor,
            "class_changed",
            public=True,
            reason=reason,
            changes=[{"field": "enterprise_class", "from": previous, "to": new_class}],
        )
        self._record_enterprise(EventName.ENTERPRISE_CLASS_CHANGED, previous_class=previous, reason=reason)

    def delete(self, *, actor: Actor, order: Order, reason_code: str, note: str, now: datetime) -> None:
        entry = self.entry
        if entry is None or entry.status is EntryStatus.DELETED:
            state = entry_text(entry.status) if entry else NOT_REGISTERED
            raise TransitionNotAllowed(Text("се заличи", "delete the entry"), state)
        if self.application and self.application.status.is_open:
            # An open application (e.g. a renewal) cannot go on once the entry is deleted.
            self.withdraw(actor=actor, now=now)
        entry.status = EntryStatus.DELETED
        entry.deletion = Deletion(order, reason_code, note, now)
        self._note(now, actor, "deleted", public=True, reason=reason_code)
        self._record_enterprise(
            EventName.ENTERPRISE_DELETED,
            reason_code=reason_code,
            order_number=order.number,
            order_date=order.date.isoformat(),
        )

    def check_certificate(self, *, policy: RegistryPolicy, today: date, now: datetime, actor: Actor) -> None:
        """Give the 60- and 30-day notices once each, and expire the entry the day after validity ends."""
        entry = self.entry
        if entry is None or entry.status is not EntryStatus.ACTIVE:
            return
        days_left = (entry.certificate.valid_until - today).days
        if days_left < 0:
            entry.status = EntryStatus.EXPIRED
            self._note(now, actor, "certificate_expired", public=True)
            self._record_enterprise(EventName.CERTIFICATE_EXPIRED)
            return
        due = [d for d in policy.expiry_notice_days if days_left <= d and d not in entry.expiry_notices]
        if due:
            entry.expiry_notices.extend(due)
            notice = min(due)
            self._note(now, actor, "certificate_expiring", public=False, reason=f"{days_left} days left")
            self._record_enterprise(EventName.CERTIFICATE_EXPIRING, days_left=days_left, notice_days=notice)

    def submit_annual_report(self, *, actor: Actor, year: int, evidence: Evidence, note: str, now: datetime) -> None:
        entry = self._require_entry(Text("се подаде годишна информация", "submit the yearly report"))
        if entry.report_for(year) is not None:
            raise TransitionNotAllowed(
                Text("се подаде годишна информация", "submit the yearly report"),
                entry_text(entry.status),
                Text(f"информацията за {year} г. вече е подадена", f"the report for {year} was already submitted"),
            )
        entry.annual_reports.append(AnnualReport(year, now, evidence, note))
        if year in entry.overdue_report_years:
            entry.overdue_report_years.remove(year)
        self._note(now, actor, "annual_report_submitted", public=True, reason=str(year))
        self._record_enterprise(EventName.ANNUAL_REPORT_SUBMITTED, year=year)

    def check_annual_report(self, *, policy: RegistryPolicy, today: date, now: datetime, actor: Actor) -> None:
        """Flag the last closed year's report as overdue once its deadline has passed."""
        entry = self.entry
        if entry is None or entry.status is not EntryStatus.ACTIVE:
            return
        year = today.year - 1
        if year < entry.registered_at.astimezone(SOFIA).year or today <= policy.annual_report_due(year):
            return
        if entry.report_for(year) is None and year not in entry.overdue_report_years:
            entry.overdue_report_years.append(year)
            self._note(now, actor, "annual_report_overdue", public=False, reason=str(year))
            self._record_enterprise(
                EventName.ANNUAL_REPORT_OVERDUE, year=year, due_on=policy.annual_report_due(year).isoformat()
            )

    # ------------------------------------------------------------------ internals
    def _open_application(
        self,
        application_id: str,
        kind: ApplicationKind,
        request: ApplicationRequest,
        policy: RegistryPolicy,
        now: datetime,
    ) -> None:
        if self.application is not None:
            self.past_applications.append(self.application)
        self.application = Application(
            id=application_id,
            kind=kind,
            status=ApplicationStatus.DRAFT,
            details=self.details,
            requested_class=request.requested_class,
            class_a_route=request.class_a_route,
            a_plus_criterion=request.a_plus_criterion,
            evidence=request.evidence,
            centre=self.centre,
            created_at=now,
            clock=DecisionClock(allowed=policy.decision_period),
            touched_at=now,
        )

    def _create_entry(
        self,
        actor: Actor,
        app: Application,
        order: Order,
        registration_number: str,
        certificate_number: str,
        policy: RegistryPolicy,
        now: datetime,
        today: date,
    ) -> None:
        self.details = app.details
        self.entry = RegisterEntry(
            registration_number=registration_number,
            registered_at=now,
            enterprise_class=app.requested_class,
            class_a_route=app.class_a_route,
            a_plus_criterion=app.a_plus_criterion if app.requested_class is EnterpriseClass.A_PLUS else None,
            order=order,
            certificate=Certificate(
                certificate_number, today, today, policy.validity_until(app.requested_class, today)
            ),
        )
        self._note(now, actor, "registered", public=True, reason=f"{order.number}/{order.date.isoformat()}")
        self._record_enterprise(EventName.ENTERPRISE_REGISTERED)

    def _renew_entry(
        self,
        actor: Actor,
        app: Application,
        order: Order,
        certificate_number: str,
        policy: RegistryPolicy,
        now: datetime,
        today: date,
    ) -> None:
        entry = self.entry
        assert entry is not None
        valid_from = max(today, entry.certificate.valid_until + timedelta(days=1))
        previous_class = entry.enterprise_class
        entry.certificate = Certificate(
            certificate_number, today, valid_from, policy.validity_until(app.requested_class, valid_from)
        )
        entry.order = order
        entry.enterprise_class = app.requested_class
        entry.class_a_route = app.class_a_route
        entry.a_plus_criterion = app.a_plus_criterion if app.requested_class is EnterpriseClass.A_PLUS else None
        entry.expiry_notices = []
        entry.status = EntryStatus.ACTIVE  # a renewal applied for in time restores an entry that lapsed meanwhile
        self._note(now, actor, "renewed", public=True, reason=f"{order.number}/{order.date.isoformat()}")
        self._record_enterprise(EventName.ENTERPRISE_RENEWED)
        if previous_class is not app.requested_class:
            self._record_enterprise(EventName.ENTERPRISE_CLASS_CHANGED, previous_class=previous_class, reason="renewal")

    def _require_application(self) -> Application:
        if self.application is None:
            raise TransitionNotAllowed(
                Text("се продължи", "continue"), "none", Text("няма заявление", "there is no application")
            )
        return self.application

    def _require_entry(self, action: Text) -> RegisterEntry:
        if self.entry is None or self.entry.status is not EntryStatus.ACTIVE:
            state = entry_text(self.entry.status) if self.entry else NOT_REGISTERED
            raise TransitionNotAllowed(
                action, state, Text("предприятието няма действащо вписване", "the enterprise has no active entry")
            )
        return self.entry

    def _note(
        self,
        now: datetime,
        actor: Actor,
        action: str,
        *,
        public: bool,
        changes: list[dict[str, Any]] | None = None,
        reason: str = "",
        public_changes: list[dict[str, Any]] | None = None,
    ) -> None:
        """Record a change; a public one shows ``public_changes`` (by default all its changes) to everyone."""
        shown = (changes or [] if public_changes is None else public_changes) if public else []
        self.history.append(HistoryRecord(now, actor, action, public, changes or [], reason, shown))

    @staticmethod
    def _application_view(app: Application) -> dict[str, Any]:
        return {
            "details": asdict(app.details),
            "requested_class": app.requested_class,
            "class_a_route": app.class_a_route,
            "a_plus_criterion": app.a_plus_criterion,
            "evidence": asdict(app.evidence),
        }

    def _record_application(self, name: EventName, **extra: Any) -> None:
        app = self._require_application()
        with_certificate = name is EventName.APPLICATION_APPROVED
        self.events.append(DomainEvent(name, {**application_payload(self, app, with_certificate), **extra}))

    def _record_enterprise(self, name: EventName, **extra: Any) -> None:
        self.events.append(DomainEvent(name, {**enterprise_payload(self), **extra}))

    def take_events(self) -> list[DomainEvent]:
        events, self.events = self.events, []
        return events
