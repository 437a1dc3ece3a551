"""The register's use cases.

Each one checks who is asking, loads the enterprise, lets the domain decide, and saves the new
state together with the events it caused in one write (see ``shared.outbox``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from services.registry.domain.audit import PersonalDataRead, Reader, ReadView
from services.registry.domain.details import EnterpriseDetails
from services.registry.domain.eligibility import EnterpriseClass, Evidence
from services.registry.domain.enterprise import ApplicationRequest, Enterprise
from services.registry.domain.entry import CERTIFICATE_PREFIX, Order
from services.registry.domain.errors import StaleVersion
from services.registry.domain.history import SYSTEM, Actor, Person
from services.registry.domain.policy import RegistryPolicy
from services.registry.service_layer.ports import EnterpriseRepository, NumberSeries, ReadAudit
from services.registry.service_layer.publishing import to_outbox
from shared.auth import Principal, Role
from shared.clock import SOFIA, Clock
from shared.errors import Conflict, Forbidden, NotFound, Text
from shared.events import EventCatalog

NOT_YOURS = Text("Това предприятие не е ваше.", "This enterprise is not yours.")
OUTSIDE_CENTRE = Text(
    "Заявлението е в опашката на друг регионален център.", "The application is in another centre's queue."
)
EIK_ENTERED = Text(
    "Този ЕИК вече е вписан в регистъра от друго предприятие.",
    "This ЕИК is already entered in the register by another enterprise.",
)
EIK_ENTERED_FIELD = Text("ЕИК вече е вписан в регистъра.", "The ЕИК is already entered in the register.")
NO_CENTRE = Text(
    "Профилът ви на служител не посочва регионален център; попитайте администратора.",
    "Your clerk's sign-in names no regional centre; ask an administrator.",
)


def actor_of(principal: Principal) -> Actor:
    role = next(iter(sorted(principal.roles)), Role.PUBLIC)
    if principal.is_admin:
        role = Role.ADMIN
    elif Role.CLERK in principal.roles:
        role = Role.CLERK
    return Actor(subject=principal.subject, name=principal.name, role=role)


def person_of(principal: Principal) -> Person:
    """The representative as their token names them; their address only when the token vouches for it."""
    return Person(subject=principal.subject, name=principal.name, email=principal.verified_email.strip())


@dataclass
class RegistryService:
    repository: EnterpriseRepository
    numbers: NumberSeries
    catalog: EventCatalog
    policy: RegistryPolicy
    clock: Clock
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())
    audit: ReadAudit | None = None
    """Where clerks' and administrators' reads of personal data are recorded (None: not recorded)."""

    # ---------------------------------------------------------------- access rules
    def _today(self, now: datetime) -> date:
        return now.astimezone(SOFIA).date()

    def may_represent(self, principal: Principal, enterprise: Enterprise) -> bool:
        if principal.is_admin:
            return True
        return Role.REPRESENTATIVE in principal.roles and (
            enterprise.is_owned_by(principal.subject) or principal.enterprise_id == enterprise.id
        )

    def may_review(self, principal: Principal, enterprise: Enterprise) -> bool:
        centre = enterprise.application.centre if enterprise.application else enterprise.centre
        return principal.may_work_in_centre(centre)

    def _as_representative(self, principal: Principal, enterprise: Enterprise) -> None:
        """403 unless they may act for it; a representative acting is remembered, so messages reach them."""
        if not self.may_represent(principal, enterprise):
            raise Forbidden(NOT_YOURS)
        self._remember(principal, enterprise)

    @staticmethod
    def _remember(principal: Principal, enterprise: Enterprise) -> None:
        if Role.REPRESENTATIVE in principal.roles:
            enterprise.represented_by(person_of(principal))

    @staticmethod
    def _without_centre(principal: Principal) -> bool:
        """A clerk whose token names no centre: may act in none (fail closed), and is told why."""
        return Role.CLERK in principal.roles and principal.clerk_scope() is None

    def _as_clerk(self, principal: Principal, enterprise: Enterprise) -> None:
        if not self.may_review(principal, enterprise):
            raise Forbidden(NO_CENTRE if self._without_centre(principal) else OUTSIDE_CENTRE)

    def view(self, principal: Principal, enterprise_id: str) -> Enterprise:
        """An enterprise's full file, for its representatives and the clerks who may review it."""
        enterprise = self.repository.get(enterprise_id)
        if not (self.may_represent(principal, enterprise) or self.may_review(principal, enterprise)):
            if self._without_centre(principal):
                raise Forbidden(NO_CENTRE)
            raise NotFound(Text("Няма такова заявление.", "No such application."))
        return enterprise

    def record_reads(self, principal: Principal, view: ReadView, reads: list[tuple[Enterprise, str | None]]) -> None:
        """Record a clerk's or an administrator's read of applicants' personal data (who, when, what, which
        view); a representative reading their own enterprise's data is not recorded."""
        if self.audit is None or not principal.has_any(Role.CLERK, Role.ADMIN):
            return
        now = self.clock.now()
        role = Role.ADMIN if principal.is_admin else Role.CLERK
        reader = Reader(principal.subject, principal.name, role.value, principal.centre)
        self.audit.record(
            [
                PersonalDataRead(now, reader, enterprise.id, application_id, view)
                for enterprise, application_id in reads
                if not self.may_represent(principal, enterprise) or principal.is_admin
            ]
        )

    def view_application(self, principal: Principal, application_id: str) -> Enterprise:
        enterprise = self.repository.get_by_application(application_id)
        return self.view(principal, enterprise.id)

    # ---------------------------------------------------------------- saving
    def _save(self, enterprise: Enterprise, now: datetime, *, new: bool = False) -> Enterprise:
        outbox = to_outbox(self.catalog, enterprise.id, enterprise.take_events(), now)
        if new:
            self.repository.add(enterprise, outbox)
        else:
            self.repository.save(enterprise, outbox)
        return enterprise

    def _number(self, series: str, prefix: str, year: int) -> str:
        return f"{prefix}-{year}-{self.numbers.next(f'{series}-{year}'):05d}"

    # ---------------------------------------------------------------- applications
    def start_application(
        self, principal: Principal, details: EnterpriseDetails, request: ApplicationRequest
    ) -> Enterprise:
        """A draft of one's own. An ЕИК entered in the register is its enterprise's: only its representatives
        apply again with it. An ЕИК not entered yet is nobody's: each representative who applies for it
        has an application of their own (a draft blocks nobody), and the clerk sees the competing ones."""
        now = self.clock.now()
        actor = actor_of(principal)
        existing = self.repository.find_registered_by_eik(details.eik)
        if existing is not None and not self.may_represent(principal, existing):
            raise Conflict(EIK_ENTERED, {"eik": EIK_ENTERED_FIELD})
        if existing is None:
            existing = next(
                (e for e in self.repository.with_eik(details.eik) if e.entry is None and e.is_owned_by(actor.subject)),
                None,
            )
        if existing is None:
            enterprise = Enterprise.start(
                enterprise_id=self.new_id(),
                application_id=self.new_id(),
                owner=actor,
                details=details,
                request=request,
                policy=self.policy,
                now=now,
            )
            self._remember(principal, enterprise)
            return self._save(enterprise, now, new=True)
        existing.reapply(
            application_id=self.new_id(), actor=actor, details=details, request=request, policy=self.policy, now=now
        )
        self._remember(principal, existing)
        return self._save(existing, now)

    def _refuse_entered_elsewhere(self, enterprise: Enterprise, eik: str) -> None:
        """409 when another enterprise is entered in the register with this ЕИК."""
        holder = self.repository.find_registered_by_eik(eik)
        if holder is not None and holder.id != enterprise.id:
            raise Conflict(EIK_ENTERED, {"eik": EIK_ENTERED_FIELD})

    def competing(self, principal: Principal, enterprise: Enterprise) -> list[Enterprise]:
        """For a clerk reviewing it: the other enterprises whose applications for the same ЕИК were submitted
        (or that hold it in the register). Nobody else learns of other applicants."""
        if not self.may_review(principal, enterprise) or self.may_represent(principal, enterprise):
            return []
        return [
            other
            for other in self.repository.with_eik(enterprise.details.eik)
            if other.id != enterprise.id
            and (other.entry is not None or (other.application is not None and other.application.submitted_at))
        ]

    def amend_application(
        self,
        principal: Principal,
        application_id: str,
        details: EnterpriseDetails | None,
        request: ApplicationRequest | None,
        expected_version: int | None = None,
    ) -> Enterprise:
        enterprise = self.repository.get_by_application(application_id)
        self._as_representative(principal, enterprise)
        if details is not None and details.eik != enterprise.details.eik:
            self._refuse_entered_elsewhere(enterprise, details.eik)
        self._check_version(enterprise, expected_version)
        now = self.clock.now()
        enterprise.amend(actor=actor_of(principal), details=details, request=request, now=now)
        return self._save(enterprise, now)

    def submit(self, principal: Principal, application_id: str) -> Enterprise:
        enterprise = self.repository.get_by_application(application_id)
        self._as_representative(principal, enterprise)
        self._refuse_entered_elsewhere(enterprise, enterprise.details.eik)
        now = self.clock.now()
        enterprise.submit(actor=actor_of(principal), now=now)
        return self._save(enterprise, now)

    def answer_information_request(self, principal: Principal, application_id: str, answer: str) -> Enterprise:
        enterprise = self.repository.get_by_application(application_id)
        self._as_representative(principal, enterprise)
        now = self.clock.now()
        enterprise.answer_information_request(actor=actor_of(principal), answer=answer, now=now)
        return self._save(enterprise, now)

    def withdraw(self, principal: Principal, application_id: str) -> Enterprise:
        enterprise = self.repository.get_by_application(application_id)
        self._as_representative(principal, enterprise)
        now = self.clock.now()
        enterprise.withdraw(actor=actor_of(principal), now=now)
        return self._save(enterprise, now)

    def request_information(self, principal: Principal, application_id: str, message: str) -> Enterprise:
        enterprise = self.repository.get_by_application(application_id)
        self._as_clerk(principal, enterprise)
        now = self.clock.now()
        enterprise.request_information(actor=actor_of(principal), message=message, now=now)
        return self._save(enterprise, now)

    def approve(self, principal: Principal, application_id: str, order: Order) -> Enterprise:
        enterprise = self.repository.get_by_application(application_id)
        self._as_clerk(principal, enterprise)
        self._refuse_entered_elsewhere(enterprise, enterprise.details.eik)
        now = self.clock.now()
        today = self._today(now)
        registration_number = (
            enterprise.entry.registration_number if enterprise.entry else f"СП-{self.numbers.next('registration'):05d}"
        )
        enterprise.approve(
            actor=actor_of(principal),
            order=order,
            registration_number=registration_number,
            certificate_number=self._number("certificate", CERTIFICATE_PREFIX, today.year),
            policy=self.policy,
            now=now,
            today=today,
        )
        return self._save(enterprise, now)

    def reject(self, principal: Principal, application_id: str, reasons: list[str]) -> Enterprise:
        enterprise = self.repository.get_by_application(application_id)
        self._as_clerk(principal, enterprise)
        now = self.clock.now()
        enterprise.reject(actor=actor_of(principal), reasons=reasons, now=now)
        return self._save(enterprise, now)

    # ---------------------------------------------------------------- the entry
    def apply_for_renewal(self, principal: Principal, enterprise_id: str, request: ApplicationRequest) -> Enterprise:
        enterprise = self.repository.get(enterprise_id)
        self._as_representative(principal, enterprise)
        now = self.clock.now()
        enterprise.apply_for_renewal(
            application_id=self.new_id(),
            actor=actor_of(principal),
            request=request,
            policy=self.policy,
            now=now,
            today=self._today(now),
        )
        return self._save(enterprise, now)

    def update_details(
        self, principal: Principal, enterprise_id: str, details: EnterpriseDetails, expected_version: int | None
    ) -> Enterprise:
        enterprise = self.repository.get(enterprise_id)
        if not (self.may_represent(principal, enterprise) or self.may_review(principal, enterprise)):
            raise Forbidden(NO_CENTRE if self._without_centre(principal) else NOT_YOURS)
        self._check_version(enterprise, expected_version)
        if self.may_represent(principal, enterprise):
            self._remember(principal, enterprise)
        now = self.clock.now()
        enterprise.update_details(actor=actor_of(principal), details=details, now=now)
        return self._save(enterprise, now)

    def change_class(
        self, principal: Principal, enterprise_id: str, new_class: EnterpriseClass, reason: str
    ) -> Enterprise:
        enterprise = self.repository.get(enterprise_id)
        self._as_clerk(principal, enterprise)
        now = self.clock.now()
        enterprise.change_class(actor=actor_of(principal), new_class=new_class, reason=reason, now=now)
        return self._save(enterprise, now)

    def delete(self, principal: Principal, enterprise_id: str, order: Order, reason_code: str, note: str) -> Enterprise:
        enterprise = self.repository.get(enterprise_id)
        self._as_clerk(principal, enterprise)
        now = self.clock.now()
        enterprise.delete(actor=actor_of(principal), order=order, reason_code=reason_code, note=note, now=now)
        return self._save(enterprise, now)

    def submit_annual_report(
        self, principal: Principal, enterprise_id: str, year: int, evidence: Evidence, note: str
    ) -> Enterprise:
        enterprise = self.repository.get(enterprise_id)
        self._as_representative(principal, enterprise)
        now = self.clock.now()
        this_year = self._today(now).year
        if year >= this_year:
            raise Conflict(
                Text("Годишна информация се подава за приключила година.", "Reports are for a closed year."),
                {"year": Text(f"Годината трябва да е преди {this_year}.", f"The year must be before {this_year}.")},
            )
        enterprise.submit_annual_report(actor=actor_of(principal), year=year, evidence=evidence, note=note, now=now)
        return self._save(enterprise, now)

    # ---------------------------------------------------------------- scheduled checks
    def run_daily_checks(self) -> int:
        """Expiry notices, expiries and overdue yearly reports; safe to run any number of times."""
        changed = 0
        for enterprise_id in list(self.repository.ids_with_active_entries()):
            enterprise = self.repository.get(enterprise_id)
            now = self.clock.now()
            today = self._today(now)
            enterprise.check_certificate(policy=self.policy, today=today, now=now, actor=SYSTEM)
            enterprise.check_annual_report(policy=self.policy, today=today, now=now, actor=SYSTEM)
            if enterprise.events:
                self._save(enterprise, now)
                changed += 1
        return changed

    def expire_drafts(self) -> int:
        """Withdraw drafts nobody touched for the policy's lifetime; safe to run any number of times."""
        expired = 0
        for enterprise_id in list(self.repository.ids_with_drafts()):
            enterprise = self.repository.get(enterprise_id)
            now = self.clock.now()
            if enterprise.expire_draft(policy=self.policy, now=now, actor=SYSTEM):
                try:
                    self._save(enterprise, now)
                except StaleVersion:  # the applicant changed it just now: it is not untouched any more
                    continue
                expired += 1
        return expired

    @staticmethod
    def _check_version(enterprise: Enterprise, expected: int | None) -> None:
        if expected is not None and expected != enterprise.version:
            raise StaleVersion()
