"""An application for support, from the draft plan to the completed, measured modernisation.

States: draft → submitted → administrative_check ⇄ information_requested → evaluation → ranked →
awarded / reserve / rejected; awarded → contracted → in_implementation → completed; a reserve may
still be awarded when money frees up. The plan's figures (its budget lines and the aid declared from
elsewhere) change only in a draft or while an information request is open; after that only through
the implementation's line changes, which never change the awarded amount.

Every change records the events it causes; the service layer saves both in one write.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from services.grants.domain import evaluation
from services.grants.domain.call import Call
from services.grants.domain.deminimis import Aid
from services.grants.domain.errors import NotAllowedNow
from services.grants.domain.money import euro
from services.grants.domain.plan import BudgetLine, check_lines, total_cents
from shared.clock import sofia_date
from shared.errors import InvalidInput, NotFound, Text
from shared.events.recorded import DomainEvent

MAX_INFORMATION_REQUESTS = 10
MAX_DECLARED_AIDS = 30
MAX_CHANGES = 50
MAX_EVALUATOR_SEATS = 10
"""Evaluators ever assigned to one application (those who declared a conflict included)."""
MAX_PAYMENTS = 24


class Status(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ADMINISTRATIVE_CHECK = "administrative_check"
    INFORMATION_REQUESTED = "information_requested"
    EVALUATION = "evaluation"
    RANKED = "ranked"
    AWARDED = "awarded"
    RESERVE = "reserve"
    REJECTED = "rejected"
    CONTRACTED = "contracted"
    IN_IMPLEMENTATION = "in_implementation"
    COMPLETED = "completed"


STATUS_NAMES: dict[Status, Text] = {
    Status.DRAFT: Text("чернова", "draft"),
    Status.SUBMITTED: Text("подадено", "submitted"),
    Status.ADMINISTRATIVE_CHECK: Text("административна проверка", "administrative check"),
    Status.INFORMATION_REQUESTED: Text("изискана информация", "information requested"),
    Status.EVALUATION: Text("оценяване", "evaluation"),
    Status.RANKED: Text("класирано", "ranked"),
    Status.AWARDED: Text("одобрено", "awarded"),
    Status.RESERVE: Text("резерва", "reserve"),
    Status.REJECTED: Text("отхвърлено", "rejected"),
    Status.CONTRACTED: Text("с договор", "contracted"),
    Status.IN_IMPLEMENTATION: Text("в изпълнение", "in implementation"),
    Status.COMPLETED: Text("завършено", "completed"),
}
FIGURES_OPEN = (Status.DRAFT, Status.INFORMATION_REQUESTED)
DECIDED = (Status.AWARDED, Status.CONTRACTED, Status.IN_IMPLEMENTATION, Status.COMPLETED)


class PaymentKind(StrEnum):
    ADVANCE = "advance"
    INTERIM = "interim"
    FINAL = "final"


class ChangeStatus(StrEnum):
    APPLIED = "applied"
    PENDING = "pending"
    REFUSED = "refused"


@dataclass(frozen=True)
class InformationRequest:
    asked_at: datetime
    asked_by: str
    text: str
    answered_at: datetime | None = None
    answer: str = ""


@dataclass(frozen=True)
class EvaluatorSeat:
    evaluator: str
    assigned_at: datetime
    declared_at: datetime | None = None
    conflict: bool | None = None
    """None until declared; True: the evaluator declared a conflict of interest and never sees it again."""


@dataclass(frozen=True)
class Decision:
    outcome: str
    reasons: str
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True)
class Award:
    amount_cents: int
    awarded_on: date
    contract_number: str = ""
    signed_on: date | None = None


@dataclass(frozen=True)
class Delivery:
    line_id: str
    amount_cents: int
    invoice: str
    protocol: str
    delivered_on: date


@dataclass(frozen=True)
class Payment:
    kind: PaymentKind
    amount_cents: int
    paid_on: date


@dataclass(frozen=True)
class LineChange:
    id: str
    from_line: str
    to_line: str
    amount_cents: int
    reason: str
    status: ChangeStatus
    asked_at: datetime


@dataclass(frozen=True)
class FollowUp:
    assessment_id: str
    taken_at: datetime
    baseline_overall: float
    overall: float


@dataclass(frozen=True)
class DigitalisedRule:
    """The follow-up assessment counts the enterprise as digitalised when its overall score is at least
    ``min_overall`` and has risen by at least ``min_gain`` points since the baseline."""

    min_overall: float = 50.0
    min_gain: float = 10.0

    def passes(self, follow_up: FollowUp) -> bool:
        return follow_up.overall >= self.min_overall and follow_up.overall - follow_up.baseline_overall >= self.min_gain


@dataclass(frozen=True)
class Completion:
    completed_on: date
    follow_up: FollowUp
    digitalised: bool


def _act(bg: str, en: str) -> Text:
    return Text(bg, en)


@dataclass
class Application:
    id: str
    call_id: str
    enterprise_id: str
    enterprise_name: str
    region: str
    centre: str
    applicant: str
    """The sign-in id of the representative who started it."""
    created_at: datetime
    status: Status = Status.DRAFT
    lines: list[BudgetLine] = field(default_factory=list)
    declared_aid: list[Aid] = field(default_factory=list)
    proposed_solutions: list[str] = field(default_factory=list)
    """Solution types the centre proposed from the enterprise's weakest maturity dimensions."""
    submitted_at: datetime | None = None
    requested_cents: int = 0
    """The plan's eligible total, frozen at submission (and at each answer to a request)."""
    information_requests: list[InformationRequest] = field(default_factory=list)
    evaluators: list[EvaluatorSeat] = field(default_factory=list)
    scorings: list[evaluation.Scoring] = field(default_factory=list)
    total_hundredths: int | None = None
    passed: bool | None = None
    rank: int | None = None
    decision: Decision | None = None
    award: Award | None = None
    deliveries: list[Delivery] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    changes: list[LineChange] = field(default_factory=list)
    completion: Completion | None = None
    version: int = 0
    _events: list[DomainEvent] = field(default_factory=list, repr=False)

    # ------------------------------------------------------------------ reading
    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events

    def _record(self, name: str, **extra: Any) -> None:
        payload = {
            "application_id": self.id,
            "call_id": self.call_id,
            "enterprise_id": self.enterprise_id,
            "enterprise_name": self.enterprise_name,
            "region": self.region,
            "centre": self.centre,
            "applicant": self.applicant,
            "status": self.status.value,
            **extra,
        }
        self._events.append(DomainEvent(name, payload))

    def _require(self, action: Text, *allowed: Status) -> None:
        if self.status not in allowed:
            name = STATUS_NAMES[self.status]
            raise NotAllowedNow(action, Text(f"заявлението е в състояние „{name.bg}“", f"the application is {name.en}"))

    def line(self, line_id: str, field: str = "line_id") -> BudgetLine:
        """The budget line; InvalidInput naming ``field`` when the plan has none by that id."""
        for line in self.lines:
            if line.id == line_id:
                return line
        raise InvalidInput(
            Text("Няма такъв бюджетен ред.", "No such budget line."),
            {field: Text(f"Планът няма ред „{line_id}“.", f"The plan has no line '{line_id}'.")},
        )

    def line_amount_cents(self, line_id: str) -> int:
        """The line's eligible amount after the applied changes."""
        amount = self.line(line_id).eligible_cents
        for change in self.changes:
            if change.status == ChangeStatus.APPLIED:
                if change.from_line == line_id:
                    amount -= change.amount_cents
                if change.to_line == line_id:
                    amount += change.amount_cents
        return amount

    def delivered_cents(self, line_id: str | None = None) -> int:
        return sum(d.amount_cents for d in self.deliveries if line_id is None or d.line_id == line_id)

    @property
    def paid_cents(self) -> int:
        return sum(p.amount_cents for p in self.payments)

    @property
    def fully_delivered(self) -> bool:
        delivered = {d.line_id for d in self.deliveries}
        return bool(self.lines) and all(line.id in delivered for line in self.lines)

    def seat(self, evaluator: str) -> EvaluatorSeat | None:
        return next((s for s in self.evaluators if s.evaluator == evaluator), None)

    def visible_to_evaluator(self, evaluator: str) -> bool:
        seat = self.seat(evaluator)
        return seat is not None and seat.conflict is not True

    # ------------------------------------------------------------------ the plan
    def edit_plan(
        self, call: Call, lines: list[BudgetLine] | None = None, declared_aid: list[Aid] | None = None
    ) -> None:
        """Replace the budget lines and/or the declared aid: only in a draft or while information is requested."""
        action = _act("се променят цифрите", "change the figures")
        if self.status not in FIGURES_OPEN:
            name = STATUS_NAMES[self.status]
            raise NotAllowedNow(
                action,
                Text(
                    f"след подаване цифрите се променят само в отговор на искане за информация (сега: „{name.bg}“)",
                    f"after submission the figures change only in answer to a request for information (now: {name.en})",
                ),
            )
        if lines is not None:
            ids = [line.id for line in lines]
            if len(set(ids)) != len(ids):
                raise InvalidInput(
                    Text("Повтарящ се ред.", "A line is repeated."),
                    {"lines": Text("Повтарящ се ред.", "Repeated line.")},
                )
            check_lines(lines, call)
            self.lines = list(lines)
        if declared_aid is not None:
            if len(declared_aid) > MAX_DECLARED_AIDS:
                raise InvalidInput(
                    Text("Твърде много декларирани помощи.", "Too many declared aids."),
                    {"declared_aid": Text(f"Най-много {MAX_DECLARED_AIDS}.", f"At most {MAX_DECLARED_AIDS}.")},
                )
            bad = [i for i, aid in enumerate(declared_aid) if aid.amount_cents <= 0]
            if bad:
                raise InvalidInput(
                    Text("Сумата на помощта е положителна.", "An aid's amount must be positive."),
                    {f"declared_aid.{bad[0]}.amount_cents": Text("Положителна сума.", "A positive amount.")},
                )
            self.declared_aid = list(declared_aid)

    def submit(self, call: Call, now: datetime, eligible: bool, documents: Collection[str] = ()) -> None:
        """Submit, with ``documents`` the codes of the documents sent with it (each the call wants before
        submission must be among them)."""
        action = _act("се подаде заявлението", "submit the application")
        self._require(action, Status.DRAFT)
        call.check_accepting(action, now)
        if not self.lines:
            raise InvalidInput(
                Text("Планът няма бюджетни редове.", "The plan has no budget lines."),
                {"lines": Text("Добавете поне един ред.", "Add at least one line.")},
            )
        missing = call.missing_at_submission(documents)
        if missing:
            names_bg, names_en = "; ".join(d.name_bg for d in missing), "; ".join(d.name_en for d in missing)
            raise InvalidInput(
                Text("Липсват документи, които поканата изисква.", "Documents the call requires are missing."),
                {"documents": Text(f"Приложете: {names_bg}.", f"Attach: {names_en}.")},
            )
        check_lines(self.lines, call)
        if not eligible:
            raise NotAllowedNow(
                action, Text("предприятието не отговаря на условията", "the enterprise is not eligible")
            )
        self.status = Status.SUBMITTED
        self.submitted_at = now
        self.requested_cents = total_cents(self.lines)
        self._record("ApplicationSubmitted", requested_cents=self.requested_cents)

    # ------------------------------------------------------------------ administrative check
    def document_for(self, call: Call, code: str) -> int | None:
        """May a document (of the call's kind ``code``, or "" for any other) be sent now? Only with a draft or with
        the answer to an open request for information (409 otherwise). The request it answers (its index), or
        None for one sent with the draft."""
        self._require(_act("се приложи документ", "attach a document"), *FIGURES_OPEN)
        if code and call.document(code) is None:
            known = ", ".join(d.code for d in call.required_documents) or "—"
            raise InvalidInput(
                Text("Поканата не изисква такъв документ.", "The call asks for no such document."),
                {"code": Text(f"Един от: {known} (или празно).", f"One of: {known} (or empty).")},
            )
        if self.status == Status.INFORMATION_REQUESTED:
            return len(self.information_requests) - 1
        return None

    def start_check(self) -> None:
        self._require(_act("започне проверката", "start the check"), Status.SUBMITTED)
        self.status = Status.ADMINISTRATIVE_CHECK

    def request_information(self, by: str, text: str, now: datetime) -> None:
        action = _act("се изиска информация", "request information")
        self._require(action, Status.SUBMITTED, Status.ADMINISTRATIVE_CHECK)
        if len(self.information_requests) >= MAX_INFORMATION_REQUESTS:
            raise NotAllowedNow(
                action,
                Text(f"вече има {MAX_INFORMATION_REQUESTS} искания", f"{MAX_INFORMATION_REQUESTS} requests were made"),
            )
        self.information_requests.append(InformationRequest(asked_at=now, asked_by=by, text=text))
        self.status = Status.INFORMATION_REQUESTED
        self._record("InformationRequested", text=text)

    def answer(self, call: Call, text: str, now: datetime, lines: list[BudgetLine] | None = None) -> None:
        """The applicant answers the open request (and may correct the plan with it); the check resumes."""
        self._require(_act("се отговори", "answer"), Status.INFORMATION_REQUESTED)
        if lines is not None:
            self.edit_plan(call, lines=lines)
        last = self.information_requests[-1]
        self.information_requests[-1] = InformationRequest(last.asked_at, last.asked_by, last.text, now, text)
        self.requested_cents = total_cents(self.lines)
        self.status = Status.ADMINISTRATIVE_CHECK
        self._record("InformationProvided", requested_cents=self.requested_cents)

    def admit(self) -> None:
        """The documents are complete: on to evaluation."""
        self._require(_act("се допусне до оценка", "admit to evaluation"), Status.ADMINISTRATIVE_CHECK)
        self.status = Status.EVALUATION

    # ------------------------------------------------------------------ evaluation
    def _active_seats(self) -> list[EvaluatorSeat]:
        return [s for s in self.evaluators if s.conflict is not True]

    def assign_evaluator(self, evaluator: str, now: datetime, call: Call, margin_hundredths: int) -> None:
        action = _act("се определи оценител", "assign an evaluator")
        self._require(action, Status.EVALUATION)
        if self.seat(evaluator) is not None:
            raise NotAllowedNow(action, Text("този оценител вече е определян", "this evaluator was assigned before"))
        if len(self.evaluators) >= MAX_EVALUATOR_SEATS:
            raise NotAllowedNow(
                action,
                Text(f"вече са определяни {MAX_EVALUATOR_SEATS} оценители", f"{MAX_EVALUATOR_SEATS} were assigned"),
            )
        wanted = evaluation.EVALUATORS
        outcome = evaluation.result(call, self.scorings, margin_hundredths)
        if outcome is not None and outcome.needs_third:
            wanted = evaluation.MAX_EVALUATORS
        if len(self._active_seats()) >= wanted:
            raise NotAllowedNow(action, Text(f"има {wanted} оценители", f"it has {wanted} evaluators"))
        self.evaluators.append(EvaluatorSeat(evaluator=evaluator, assigned_at=now))
        self._record("EvaluatorAssigned", evaluator=evaluator, assigned_at=now.isoformat())

    def declare(self, evaluator: str, conflict: bool, now: datetime) -> None:
        """The evaluator's declaration of (no) conflict of interest, made once, before scoring."""
        action = _act("се подаде декларация", "declare")
        self._require(action, Status.EVALUATION)
        seat = self.seat(evaluator)
        if seat is None or seat.conflict is True:
            raise NotFound(Text("Няма такова заявление.", "No such application."))
        if seat.declared_at is not None:
            raise NotAllowedNow(action, Text("декларацията вече е подадена", "the declaration was made"))
        index = self.evaluators.index(seat)
        self.evaluators[index] = EvaluatorSeat(evaluator, seat.assigned_at, now, conflict)

    def score(self, evaluator: str, points: dict[str, int], call: Call, margin_hundredths: int, now: datetime) -> None:
        action = _act("се оцени", "score")
        self._require(action, Status.EVALUATION)
        seat = self.seat(evaluator)
        if seat is None or seat.conflict is True:
            raise NotFound(Text("Няма такова заявление.", "No such application."))
        if seat.conflict is None:
            raise NotAllowedNow(
                action,
                Text(
                    "първо декларирайте липса на конфликт на интереси",
                    "declare first that you have no conflict of interest",
                ),
            )
        if any(s.evaluator == evaluator for s in self.scorings):
            raise NotAllowedNow(action, Text("вече сте оценили заявлението", "you scored it already"))
        evaluation.check_points(call, points)
        total = evaluation.weighted_total(call, points)
        self.scorings.append(evaluation.Scoring(evaluator, dict(points), total, now))
        outcome = evaluation.result(call, self.scorings, margin_hundredths)
        if outcome is not None and not outcome.needs_third:
            self.total_hundredths = outcome.total_hundredths
            self.passed = outcome.passed
            self._record("ApplicationEvaluated", total_hundredths=outcome.total_hundredths, passed=outcome.passed)

    @property
    def evaluated(self) -> bool:
        return self.passed is not None

    def place(self, rank: int | None) -> None:
        """The ranking's place: 1, 2… for a passing application, None for a failing one."""
        action = _act("се класира", "rank")
        self._require(action, Status.EVALUATION, Status.RANKED)
        if not self.evaluated:
            raise NotAllowedNow(action, Text("оценяването не е завършено", "the evaluation is not finished"))
        self.rank = rank
        self.status = Status.RANKED

    # ------------------------------------------------------------------ decisions
    def _decide(self, outcome: str, by: str, reasons: str, now: datetime) -> None:
        self.decision = Decision(outcome, reasons, by, now)

    def reject(self, by: str, reasons: str, now: datetime) -> None:
        self._require(
            _act("се отхвърли", "reject"),
            Status.SUBMITTED,
            Status.ADMINISTRATIVE_CHECK,
            Status.INFORMATION_REQUESTED,
            Status.EVALUATION,
            Status.RANKED,
            Status.RESERVE,
        )
        self.status = Status.REJECTED
        self._decide("rejected", by, reasons, now)
        self._record("ApplicationRejected", reasons=reasons)

    def put_in_reserve(self, by: str, reasons: str, now: datetime) -> None:
        action = _act("се включи в резервния списък", "put in reserve")
        self._require(action, Status.RANKED)
        if not self.passed:
            raise NotAllowedNow(action, Text("заявлението не е преминало оценката", "the application did not pass"))
        self.status = Status.RESERVE
        self._decide("reserve", by, reasons, now)
        self._record("ApplicationReserved", rank=self.rank, reasons=reasons)

    def check_award(self, amount_cents: int) -> None:
        """Raise unless ``amount_cents`` may be awarded now (the envelope is the service layer's to check)."""
        action = _act("се одобри", "award")
        self._require(action, Status.RANKED, Status.RESERVE)
        if not self.passed:
            raise NotAllowedNow(action, Text("заявлението не е преминало оценката", "the application did not pass"))
        if not 0 < amount_cents <= self.requested_cents:
            raise InvalidInput(
                Text("Сумата надхвърля исканата.", "The amount is above the one asked for."),
                {
                    "amount_cents": Text(
                        f"От 0,01 € до исканите {euro(self.requested_cents)}.",
                        f"From €0.01 to the {euro(self.requested_cents)} asked for.",
                    )
                },
            )

    def grant(self, amount_cents: int, by: str, reasons: str, now: datetime, on: date) -> None:
        self.check_award(amount_cents)
        self.status = Status.AWARDED
        self.award = Award(amount_cents=amount_cents, awarded_on=on)
        self._decide("awarded", by, reasons, now)
        self._record("AwardGranted", amount_cents=amount_cents, awarded_on=on.isoformat(), reasons=reasons)

    def sign_contract(self, contract_number: str, signed_on: date) -> None:
        self._require(_act("се сключи договор", "sign the contract"), Status.AWARDED)
        assert self.award is not None
        if signed_on < self.award.awarded_on:
            raise InvalidInput(
                Text("Договорът е преди решението.", "The contract predates the award."),
                {
                    "signed_on": Text(
                        f"Не по-рано от {self.award.awarded_on:%d.%m.%Y}.",
                        f"Not before {self.award.awarded_on:%d.%m.%Y}.",
                    )
                },
            )
        self.award = Award(self.award.amount_cents, self.award.awarded_on, contract_number, signed_on)
        self.status = Status.CONTRACTED
        self._record(
            "ContractSigned",
            amount_cents=self.award.amount_cents,
            contract_number=contract_number,
            signed_on=signed_on.isoformat(),
        )

    # ------------------------------------------------------------------ implementation
    def _implementing(self, action: Text) -> None:
        self._require(action, Status.CONTRACTED, Status.IN_IMPLEMENTATION)

    def record_delivery(self, delivery: Delivery) -> None:
        action = _act("се отчете доставка", "record a delivery")
        self._implementing(action)
        self.line(delivery.line_id)
        if any(d.line_id == delivery.line_id for d in self.deliveries):
            raise NotAllowedNow(action, Text("редът вече е доставен", "the line is delivered already"))
        limit = self.line_amount_cents(delivery.line_id)
        if not 0 < delivery.amount_cents <= limit:
            raise InvalidInput(
                Text("Сумата на доставката надхвърля реда.", "The delivery is above its line."),
                {"amount_cents": Text(f"От 0,01 € до {euro(limit)}.", f"From €0.01 to {euro(limit)}.")},
            )
        self.deliveries.append(delivery)
        self.status = Status.IN_IMPLEMENTATION
        self._record(
            "DeliveryRecorded",
            line_id=delivery.line_id,
            amount_cents=delivery.amount_cents,
            delivered_on=delivery.delivered_on.isoformat(),
        )

    def pay(self, payment: Payment) -> None:
        """Advance (first, once), interims, and a final payment once everything is delivered; never above the
        award, and interim and final payments never above what was delivered."""
        action = _act("се плати", "pay")
        self._implementing(action)
        assert self.award is not None
        kinds = [p.kind for p in self.payments]
        if PaymentKind.FINAL in kinds:
            raise NotAllowedNow(action, Text("окончателното плащане е направено", "the final payment was made"))
        if len(kinds) >= MAX_PAYMENTS - 1 and payment.kind != PaymentKind.FINAL:
            raise NotAllowedNow(
                action,
                Text(
                    f"остава само окончателното плащане (до {MAX_PAYMENTS} плащания)",
                    f"only the final payment is left (at most {MAX_PAYMENTS} payments)",
                ),
            )
        if payment.kind == PaymentKind.ADVANCE and kinds:
            raise NotAllowedNow(action, Text("авансът е само първото плащане", "an advance is only the first payment"))
        if payment.kind == PaymentKind.FINAL and not self.fully_delivered:
            raise NotAllowedNow(action, Text("не всички редове са доставени", "not every line is delivered"))
        ceiling = self.award.amount_cents
        if payment.kind != PaymentKind.ADVANCE:
            ceiling = min(ceiling, self.delivered_cents())
        left = ceiling - self.paid_cents
        if not 0 < payment.amount_cents <= left:
            raise InvalidInput(
                Text("Плащането надхвърля допустимото.", "The payment is above what may be paid."),
                {
                    "amount_cents": Text(
                        f"От 0,01 € до {euro(max(left, 0))} (одобрени {euro(self.award.amount_cents)}, "
                        f"платени {euro(self.paid_cents)}).",
                        f"From €0.01 to {euro(max(left, 0))} ({euro(self.award.amount_cents)} awarded, "
                        f"{euro(self.paid_cents)} paid).",
                    )
                },
            )
        self.payments.append(payment)
        self.status = Status.IN_IMPLEMENTATION
        self._record(
            "PaymentMade",
            kind=payment.kind.value,
            amount_cents=payment.amount_cents,
            paid_cents=self.paid_cents,
            paid_on=payment.paid_on.isoformat(),
        )

    def change_lines(
        self,
        change_id: str,
        from_line: str,
        to_line: str,
        amount_cents: int,
        reason: str,
        tolerance_percent: int,
        now: datetime,
    ) -> LineChange:
        """Move money between two lines; within ``tolerance_percent`` of the giving line's original amount it is
        applied at once, above it it waits for the centre's approval. The award never changes."""
        action = _act("се промени бюджетът", "change the budget")
        self._implementing(action)
        if len(self.changes) >= MAX_CHANGES:
            raise NotAllowedNow(action, Text(f"вече има {MAX_CHANGES} промени", f"{MAX_CHANGES} changes were made"))
        giving = self.line(from_line, "from_line")
        self.line(to_line, "to_line")
        if from_line == to_line:
            raise InvalidInput(
                Text("Редовете трябва да са различни.", "The lines must differ."),
                {"to_line": Text("Същият ред.", "The same line.")},
            )
        available = self.line_amount_cents(from_line) - self.delivered_cents(from_line)
        if not 0 < amount_cents <= available:
            raise InvalidInput(
                Text("Сумата надхвърля наличното по реда.", "The amount is above what the line has left."),
                {
                    "amount_cents": Text(
                        f"От 0,01 € до {euro(max(available, 0))}.", f"From €0.01 to {euro(max(available, 0))}."
                    )
                },
            )
        if any(d.line_id == to_line for d in self.deliveries):
            raise NotAllowedNow(
                action, Text("получаващият ред вече е доставен", "the receiving line is delivered already")
            )
        within = amount_cents * 100 <= giving.eligible_cents * tolerance_percent
        change = LineChange(
            change_id,
            from_line,
            to_line,
            amount_cents,
            reason,
            ChangeStatus.APPLIED if within else ChangeStatus.PENDING,
            now,
        )
        self.changes.append(change)
        return change

    def settle_change(self, change_id: str, approve: bool) -> LineChange:
        action = _act("се реши промяната", "decide the change")
        self._implementing(action)
        for i, change in enumerate(self.changes):
            if change.id == change_id:
                if change.status != ChangeStatus.PENDING:
                    raise NotAllowedNow(action, Text("промяната вече е решена", "the change was decided"))
                if approve:
                    available = self.line_amount_cents(change.from_line) - self.delivered_cents(change.from_line)
                    if change.amount_cents > available:
                        raise NotAllowedNow(
                            action, Text("редът вече няма толкова средства", "the line no longer has that much left")
                        )
                status = ChangeStatus.APPLIED if approve else ChangeStatus.REFUSED
                self.changes[i] = LineChange(
                    change.id,
                    change.from_line,
                    change.to_line,
                    change.amount_cents,
                    change.reason,
                    status,
                    change.asked_at,
                )
                return self.changes[i]
        raise NotFound(Text("Няма такава промяна.", "No such change."))

    def complete(self, follow_up: FollowUp, rule: DigitalisedRule, on: date) -> None:
        """Everything delivered and a follow-up assessment made after the contract: the support is complete."""
        action = _act("се приключи", "complete")
        self._require(action, Status.IN_IMPLEMENTATION)
        assert self.award is not None and self.award.signed_on is not None
        if not self.fully_delivered:
            raise NotAllowedNow(action, Text("не всички редове са доставени", "not every line is delivered"))
        if sofia_date(follow_up.taken_at) < self.award.signed_on:  # both days as people in Bulgaria count them
            raise NotAllowedNow(
                action,
                Text("няма последваща оценка на зрялостта след договора", "no follow-up assessment after the contract"),
            )
        digitalised = rule.passes(follow_up)
        self.completion = Completion(on, follow_up, digitalised)
        self.status = Status.COMPLETED
        self._record(
            "SupportCompleted",
            amount_cents=self.award.amount_cents,
            paid_cents=self.paid_cents,
            completed_on=on.isoformat(),
            baseline_overall=follow_up.baseline_overall,
            follow_up_overall=follow_up.overall,
            digitalised=digitalised,
        )
