"""The grants programme's use cases: who may do what, and each change saved with its events in one write.

Who sees an application: its enterprise's representatives, clerks of its centre, national clerks and
admins — and an evaluator assigned to it. Whoever declared a conflict of interest on an application
never sees it again, whatever else they are (the application answers 404, as if it did not exist).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from services.grants.adapters.repository import (
    AidLedger,
    EnvelopeLedger,
    Hold,
    MongoApplications,
    MongoAssessments,
    MongoCalls,
    MongoEnterprises,
)
from services.grants.config import SERVICE, GrantsRules
from services.grants.domain import eligibility as rules
from services.grants.domain.application import DECIDED, Application, Delivery, FollowUp, LineChange, Payment, Status
from services.grants.domain.call import Call, validate_call
from services.grants.domain.deminimis import Aid
from services.grants.domain.errors import EnvelopeExhausted, NotAllowedNow
from services.grants.domain.money import euro
from services.grants.domain.plan import BudgetLine, total_cents
from services.grants.domain.ranking import Candidate, Place, Proposal, rank
from shared.auth import Principal, Role
from shared.bg.geography import geography
from shared.clock import Clock, sofia_date
from shared.errors import Conflict, Forbidden, NotFound, Text
from shared.events import EventCatalog
from shared.events.recorded import DomainEvent
from shared.mongo import MongoNumberSeries
from shared.outbox.entries import to_outbox

HOLD_LIFETIME = timedelta(minutes=15)
"""A hold older than this on an application still not awarded belongs to a decision that died halfway."""
_HIDDEN = NotFound(Text("Няма такова заявление.", "No such application."))
_STAFF_ONLY = Forbidden(Text("Само служители на центъра на заявлението.", "Only staff of the application's centre."))
_MINISTRY_ONLY = Forbidden(Text("Само министерството публикува покани.", "Only the ministry publishes calls."))


@dataclass
class GrantsService:
    calls: MongoCalls
    applications: MongoApplications
    ledger: EnvelopeLedger
    enterprises: MongoEnterprises
    assessments: MongoAssessments
    numbers: MongoNumberSeries
    catalog: EventCatalog
    clock: Clock
    rules: GrantsRules
    aid: AidLedger | None = None
    """The aid awarded on the platform per enterprise (the de minimis check's one read)."""
    document_codes: Callable[[str], set[str]] = lambda application_id: set()
    """The codes of the documents sent with an application (``code`` of each; "" for others)."""

    # ------------------------------------------------------------------ helpers
    def _save(self, application: Application) -> Application:
        outbox = to_outbox(
            self.catalog, SERVICE, "application", application.id, application.pull_events(), self.clock.now()
        )
        self.applications.save(application, outbox)
        return application

    def _today(self) -> date:
        return sofia_date(self.clock.now())

    @staticmethod
    def _conflicted(principal: Principal, application: Application) -> bool:
        seat = application.seat(principal.subject)
        return seat is not None and seat.conflict is True

    def _visible(self, principal: Principal, application: Application) -> Application:
        if self._conflicted(principal, application):
            raise _HIDDEN
        if (
            (principal.has_any(Role.REPRESENTATIVE) and principal.enterprise_id == application.enterprise_id)
            or principal.may_work_in_centre(application.centre)
            or application.visible_to_evaluator(principal.subject)
        ):
            return application
        raise _HIDDEN

    def own(self, principal: Principal, application_id: str) -> Application:
        """The application, if the caller represents its enterprise (404 otherwise)."""
        return self._own(principal, application_id)

    def _own(self, principal: Principal, application_id: str) -> Application:
        application = self.applications.get(application_id)
        if not (principal.has_any(Role.REPRESENTATIVE) and principal.enterprise_id == application.enterprise_id):
            raise _HIDDEN
        return application

    def _staff(self, principal: Principal, application_id: str) -> Application:
        application = self._visible(principal, self.applications.get(application_id))
        if not principal.may_work_in_centre(application.centre):
            raise _STAFF_ONLY
        return application

    # ------------------------------------------------------------------ calls
    def publish_call(self, principal: Principal, fields: dict[str, Any]) -> Call:
        if not principal.is_national:
            raise _MINISTRY_ONLY
        regions = geography().regions
        call = Call(id=uuid.uuid4().hex, created_at=self.clock.now(), **fields)
        validate_call(call, regions)
        call.region_centres = {code: regions[code].centre for code in call.envelopes}
        payload = {
            "call_id": call.id,
            "title": call.title,
            "budget_cents": call.budget_cents,
            "envelopes": dict(call.envelopes),
            "max_per_enterprise_cents": call.max_per_enterprise_cents,
            "categories": [c.value for c in call.categories],
            "opens_on": call.opens_on.isoformat(),
            "closes_on": call.closes_on.isoformat(),
        }
        outbox = to_outbox(
            self.catalog, SERVICE, "call", call.id, [DomainEvent("CallPublished", payload)], call.created_at
        )
        for region, amount in call.envelopes.items():  # before the call exists: no award ever finds no ledger
            self.ledger.open(call.id, region, amount)
        self.calls.add(call, outbox)
        return call

    def close_call(self, principal: Principal, call_id: str, reason: str) -> Call:
        """The ministry closes a call early: no new application nor submission; those submitted go on."""
        if not principal.is_national:
            raise Forbidden(Text("Само министерството закрива покани.", "Only the ministry closes calls."))
        call = self.calls.get(call_id)
        now = self.clock.now()
        call.close(reason, now)
        self.calls.save(call, to_outbox(self.catalog, SERVICE, "call", call.id, call.pull_events(), now))
        return call

    def envelopes(self, call_id: str) -> list[dict[str, Any]]:
        self.calls.get(call_id)
        return [
            {
                "region": e["region"],
                "budget_cents": e["budget_cents"],
                "committed_cents": e["committed_cents"],
                "remaining_cents": e["budget_cents"] - e["committed_cents"],
                "awards": len(e["holders"]),
            }
            for e in self.ledger.of_call(call_id)
        ]

    def public_awards(self, call_id: str | None = None) -> list[dict[str, Any]]:
        """Every award made (also contracted, in implementation, completed): beneficiary, amount, date, call."""
        query: dict[str, Any] = {"status": {"$in": [s.value for s in DECIDED]}}
        if call_id:
            query["call_id"] = call_id
        titles = {call.id: call.title for call in self.calls.all()}
        found = sorted(
            (a for a in self.applications.find(query, limit=5000) if a.award is not None),
            key=lambda a: (a.award.awarded_on if a.award else date.min, a.id),
        )
        return [
            {
                "application_id": a.id,
                "beneficiary": a.enterprise_name,
                "enterprise_id": a.enterprise_id,
                "amount_cents": a.award.amount_cents,
                "awarded_on": a.award.awarded_on.isoformat(),
                "contract_number": a.award.contract_number,
                "call_id": a.call_id,
                "call_title": titles.get(a.call_id, ""),
                "region": a.region,
                "status": a.status.value,
            }
            for a in found
            if a.award is not None
        ]

    def figures(self, call_id: str) -> list[dict[str, Any]]:
        """Per region of the call: the envelope, committed, contracted, paid and left; enterprises supported,
        completed and digitalised."""
        self.calls.get(call_id)
        supported = self.applications.find({"call_id": call_id, "status": {"$in": [s.value for s in DECIDED]}}, 5000)
        rows = []
        for envelope in self.ledger.of_call(call_id):
            mine = [a for a in supported if a.region == envelope["region"] and a.award is not None]
            contracted = [a for a in mine if a.award is not None and a.award.contract_number]
            rows.append(
                {
                    "region": envelope["region"],
                    "budget_cents": envelope["budget_cents"],
                    "committed_cents": envelope["committed_cents"],
                    "contracted_cents": sum(a.award.amount_cents for a in contracted if a.award is not None),
                    "paid_cents": sum(a.paid_cents for a in mine),
                    "remaining_cents": envelope["budget_cents"] - envelope["committed_cents"],
                    "enterprises_supported": len(mine),
                    "enterprises_completed": sum(1 for a in mine if a.completion is not None),
                    "enterprises_digitalised": sum(1 for a in mine if a.completion and a.completion.digitalised),
                }
            )
        return rows

    # ------------------------------------------------------------------ eligibility and the plan
    def _aids(self, application: Application) -> list[Aid]:
        assert self.aid is not None
        return [*application.declared_aid, *self.aid.of(application.enterprise_id, excluding=application.id)]

    def eligibility(self, application: Application, requested_cents: int | None = None) -> rules.Eligibility:
        enterprise = self.enterprises.get(application.enterprise_id)
        return rules.assess(
            register_status=None if enterprise is None else enterprise["status"],
            assessments=len(self.assessments.of_enterprise(application.enterprise_id)),
            aids=self._aids(application),
            requested_cents=total_cents(application.lines) if requested_cents is None else requested_cents,
            on=self._today(),
        )

    def start(
        self, principal: Principal, call_id: str, lines: list[BudgetLine], declared_aid: list[Aid]
    ) -> Application:
        if not principal.has_any(Role.REPRESENTATIVE) or not principal.enterprise_id:
            raise Forbidden(Text("Само представител на предприятие.", "Only an enterprise's representative."))
        call = self.calls.get(call_id)
        call.check_accepting(Text("се започне заявление", "start an application"), self.clock.now(), drafts=True)
        enterprise = self.enterprises.get(principal.enterprise_id)
        if enterprise is None or enterprise["status"] != "active":
            raise Conflict(
                Text(
                    "Предприятието не е вписано в регистъра с активен статус.",
                    "The enterprise is not active in the register.",
                )
            )
        if enterprise["region"] not in call.envelopes:
            raise Conflict(
                Text(
                    "Поканата няма средства за района на предприятието.",
                    "The call has no envelope for the enterprise's region.",
                )
            )
        application = Application(
            id=uuid.uuid4().hex,
            call_id=call.id,
            enterprise_id=principal.enterprise_id,
            enterprise_name=enterprise["name"],
            region=enterprise["region"],
            centre=enterprise["centre"],
            applicant=principal.subject,
            created_at=self.clock.now(),
        )
        application.edit_plan(call, lines=lines, declared_aid=declared_aid)
        self.applications.add(application, [])
        return application

    def edit(
        self, principal: Principal, application_id: str, lines: list[BudgetLine] | None, declared_aid: list[Aid] | None
    ) -> Application:
        application = self._own(principal, application_id)
        application.edit_plan(self.calls.get(application.call_id), lines=lines, declared_aid=declared_aid)
        return self._save(application)

    def submit(self, principal: Principal, application_id: str) -> Application:
        application = self._own(principal, application_id)
        outcome = self.eligibility(application)
        call = self.calls.get(application.call_id)
        application.submit(call, self.clock.now(), outcome.eligible, self.document_codes(application.id))
        return self._save(application)

    def answer(
        self, principal: Principal, application_id: str, text: str, lines: list[BudgetLine] | None
    ) -> Application:
        application = self._own(principal, application_id)
        application.answer(self.calls.get(application.call_id), text, self.clock.now(), lines)
        return self._save(application)

    # ------------------------------------------------------------------ reading
    def get(self, principal: Principal, application_id: str) -> Application:
        return self._visible(principal, self.applications.get(application_id))

    def listed(self, principal: Principal, call_id: str | None, status: str | None) -> list[Application]:
        """A representative: its enterprise's; staff: their centre's (national: all); anyone: those they evaluate."""
        query: dict[str, Any] = {}
        if call_id:
            query["call_id"] = call_id
        if status:
            query["status"] = status
        scope = principal.clerk_scope()
        if scope is not None:
            found = self.applications.find(query if scope == "national" else {**query, "centre": scope})
        elif principal.has_any(Role.REPRESENTATIVE) and principal.enterprise_id:
            found = self.applications.find({**query, "enterprise_id": principal.enterprise_id})
        else:
            found = []
        evaluating = self.applications.find({**query, "evaluators.evaluator": principal.subject})
        seen = {a.id for a in found}
        found += [a for a in evaluating if a.id not in seen]
        return [a for a in found if not self._conflicted(principal, a)]

    def call_of(self, application: Application) -> Call:
        return self.calls.get(application.call_id)

    # ------------------------------------------------------------------ administrative check
    def start_check(self, principal: Principal, application_id: str) -> Application:
        application = self._staff(principal, application_id)
        application.start_check()
        return self._save(application)

    def request_information(self, principal: Principal, application_id: str, text: str) -> Application:
        application = self._staff(principal, application_id)
        application.request_information(principal.subject, text, self.clock.now())
        return self._save(application)

    def admit(self, principal: Principal, application_id: str) -> Application:
        application = self._staff(principal, application_id)
        application.admit()
        return self._save(application)

    def reject(self, principal: Principal, application_id: str, reasons: str) -> Application:
        application = self._staff(principal, application_id)
        application.reject(principal.subject, reasons, self.clock.now())
        return self._save(application)

    # ------------------------------------------------------------------ evaluation
    def assign_evaluator(self, principal: Principal, application_id: str, evaluator: str) -> Application:
        application = self._staff(principal, application_id)
        application.assign_evaluator(
            evaluator, self.clock.now(), self.call_of(application), self.rules.margin_hundredths
        )
        return self._save(application)

    def _evaluating(self, principal: Principal, application_id: str) -> Application:
        application = self.applications.get(application_id)
        if not application.visible_to_evaluator(principal.subject):
            raise _HIDDEN
        return application

    def declare(self, principal: Principal, application_id: str, conflict: bool) -> Application:
        application = self._evaluating(principal, application_id)
        application.declare(principal.subject, conflict, self.clock.now())
        return self._save(application)

    def score(self, principal: Principal, application_id: str, points: dict[str, int], comment: str) -> Application:
        application = self._evaluating(principal, application_id)
        application.score(
            principal.subject, points, self.call_of(application), self.rules.margin_hundredths, self.clock.now()
        )
        return self._save(application)

    def rank_region(self, principal: Principal, call_id: str, region: str) -> list[Place]:
        """Rank the region's evaluated applications within what is left of its envelope; failing ones are rejected."""
        call = self.calls.get(call_id)
        centre = call.region_centres.get(region)
        if centre is None:
            raise NotFound(Text("Поканата няма средства за този район.", "The call has no envelope for this region."))
        if not principal.may_work_in_centre(centre):
            raise _STAFF_ONLY
        pending = [
            a
            for a in self.applications.find(
                {"call_id": call_id, "region": region, "status": {"$in": ["evaluation", "ranked"]}}
            )
            if a.evaluated
        ]
        self.reconcile_envelope(call_id, region)
        envelope = self.ledger.get(call_id, region)
        places = rank(
            [
                Candidate(
                    a.id, a.total_hundredths or 0, bool(a.passed), a.requested_cents, a.submitted_at or a.created_at
                )
                for a in pending
            ],
            envelope["budget_cents"] - envelope["committed_cents"],
        )
        by_id = {a.id: a for a in pending}
        for place in places:
            application = by_id[place.application_id]
            if place.proposal == Proposal.REJECT:
                application.reject(principal.subject, "Под минималния резултат при оценката.", self.clock.now())
            else:
                application.place(place.rank)
            self._save(application)
        return places

    # ------------------------------------------------------------------ decisions
    def reserve(self, principal: Principal, application_id: str, reasons: str) -> Application:
        application = self._staff(principal, application_id)
        application.put_in_reserve(principal.subject, reasons, self.clock.now())
        return self._save(application)

    def reconcile_envelope(self, call_id: str, region: str) -> int:
        """Give back money held for decisions that can no longer be saved; how many holds were given back.

        A hold names the application's version it was taken for. If the process crashed between the hold and
        the save, and the application has since changed without being awarded (rejected, reserved, ranked
        again), that decision can never be saved: its money goes back to the envelope. A hold on the
        application's current version may still be saved (or retried) and is kept, as is every award's.
        """
        return self._give_back(self.ledger.get(call_id, region), stale_before=None)

    def give_back_stale_holds(self, older_than: timedelta = HOLD_LIFETIME) -> int:
        """Every envelope: give back the holds of decisions that crashed halfway; how many were given back.

        Besides those :meth:`reconcile_envelope` gives back, a hold older than ``older_than`` on an application
        still not awarded belongs to a decision that died between the hold and the save (a request lives
        seconds: the web server ends one after its timeout). Each release is conditional on the hold still
        being the one found, so two sweeps at once (two consumer pods) give a hold back once.
        """
        stale_before = self.clock.now() - older_than
        return sum(self._give_back(envelope, stale_before) for envelope in self.ledger.holding())

    def _give_back(self, envelope: dict[str, Any], stale_before: datetime | None) -> int:
        released = 0
        states = self.applications.states(envelope["holders"])  # one query, however many hold money
        for application_id in envelope["holders"]:
            token = envelope["tokens"].get(application_id)
            if application_id not in states or token is None:
                continue
            status, version = states[application_id]
            if status in DECIDED:
                continue
            held_at = envelope["held_at"].get(application_id)
            stale = stale_before is not None and held_at is not None and held_at < stale_before
            if token < version or stale:
                amount = envelope["amounts"][application_id]
                if self.ledger.release(envelope["call_id"], envelope["region"], application_id, amount, token):
                    released += 1
                    self._forget_aid(application_id)
        return released

    def _forget_aid(self, application_id: str) -> None:
        """The aid-ledger entry of a decision whose hold was given back (the application was not awarded)."""
        if self.aid is None:
            return
        application = self.applications.get(application_id)
        if application.status not in DECIDED:
            self.aid.forget(application.enterprise_id, application_id)

    def award(self, principal: Principal, application_id: str, amount_cents: int | None, reasons: str) -> Application:
        """Award against the region's envelope: never beyond it, even when decided at the same moment as another.

        The de minimis ceiling is checked at the award's date. The money is held in the envelope's ledger
        first; if the application cannot then be saved (someone changed it meanwhile), it is let go again.
        """
        application = self._staff(principal, application_id)
        amount = application.requested_cents if amount_cents is None else amount_cents
        application.check_award(amount)
        outcome = self.eligibility(application, amount)
        failed = [r for r in outcome.failed() if r.code == "de_minimis"]
        if failed:
            raise Conflict(failed[0].rule, {"amount_cents": failed[0].detail})
        version, now = application.version, self.clock.now()
        hold = self.ledger.commit(application.call_id, application.region, application.id, amount, version, now)
        if hold == Hold.NO_MONEY and self.reconcile_envelope(application.call_id, application.region):
            hold = self.ledger.commit(application.call_id, application.region, application.id, amount, version, now)
        if hold == Hold.BUSY:
            raise Conflict(
                Text(
                    "Друго решение по заявлението е в ход. Презаредете и опитайте отново.",
                    "Another decision on the application is under way. Reload it and try again.",
                )
            )
        if hold == Hold.NO_MONEY:
            envelope = self.ledger.get(application.call_id, application.region)
            left = envelope["budget_cents"] - envelope["committed_cents"]
            raise EnvelopeExhausted(
                Text("Средствата за района не стигат.", "The region's envelope has not enough left."),
                {
                    "amount_cents": Text(
                        f"Остават {euro(left)} от {euro(envelope['budget_cents'])}.",
                        f"{euro(left)} left of {euro(envelope['budget_cents'])}.",
                    )
                },
            )
        try:
            application.grant(amount, principal.subject, reasons, now, self._today())
            assert self.aid is not None
            self.aid.record(application.enterprise_id, application.id, amount, self._today())
            return self._save(application)
        except Exception:
            # Give the money back only if this decision took it and nobody awarded the application meanwhile
            # (a twin request on the same version may have saved first: its award keeps the hold).
            taken_by_us = hold == Hold.TAKEN and self.applications.get(application.id).status != Status.AWARDED
            if taken_by_us and self.ledger.release(
                application.call_id, application.region, application.id, amount, version
            ):
                self._forget_aid(application.id)
            raise

    def sign_contract(self, principal: Principal, application_id: str, signed_on: date) -> Application:
        application = self._staff(principal, application_id)
        number = f"ДП-{signed_on.year}-{self.numbers.next(f'grants-contract-{signed_on.year}'):04d}"
        application.sign_contract(number, signed_on)
        return self._save(application)

    # ------------------------------------------------------------------ implementation
    def record_delivery(self, principal: Principal, application_id: str, delivery: Delivery) -> Application:
        application = self._staff(principal, application_id)
        application.record_delivery(delivery)
        return self._save(application)

    def pay(self, principal: Principal, application_id: str, payment: Payment) -> Application:
        application = self._staff(principal, application_id)
        application.pay(payment)
        return self._save(application)

    def change_lines(
        self, principal: Principal, application_id: str, from_line: str, to_line: str, amount_cents: int, reason: str
    ) -> LineChange:
        application = self._own(principal, application_id)
        change = application.change_lines(
            uuid.uuid4().hex, from_line, to_line, amount_cents, reason, self.rules.tolerance_percent, self.clock.now()
        )
        self._save(application)
        return change

    def settle_change(self, principal: Principal, application_id: str, change_id: str, approve: bool) -> LineChange:
        application = self._staff(principal, application_id)
        change = application.settle_change(change_id, approve)
        self._save(application)
        return change

    def complete(self, principal: Principal, application_id: str) -> Application:
        """Complete with the enterprise's latest follow-up assessment against its first (the baseline)."""
        application = self._staff(principal, application_id)
        taken = self.assessments.of_enterprise(application.enterprise_id)
        baseline = next((a for a in taken if a["sequence"] == 0), None)
        later = [a for a in taken if a["sequence"] > 0]
        if baseline is None or not later:
            raise NotAllowedNow(
                Text("се приключи", "complete"),
                Text("няма последваща оценка на зрялостта", "there is no follow-up assessment"),
            )
        latest = later[-1]
        follow_up = FollowUp(
            latest["_id"],
            datetime.fromisoformat(latest["taken_at"].replace("Z", "+00:00")),
            baseline["overall"],
            latest["overall"],
        )
        application.complete(follow_up, self.rules.digitalised, self._today())
        return self._save(application)
