"""A need: what a buyer (a business, a municipality, a citizen…) wants to buy, posted like a small tender.

States: submitted → published (a clerk or an admin checked it) or rejected; the buyer may withdraw it
while submitted or published. Sellers in its category and districts are matched when it is published,
and any seller may express interest up to the deadline (a Sofia date). Once the deadline has passed the
need awaits its outcome: the buyer is asked whether a deal happened, and recording the answer closes it.

Who may act (buyer, clerk, seller) is the service layer's concern; this module only keeps the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from services.marketplace.domain.categories import categories
from services.marketplace.domain.parties import Buyer
from shared.bg.geography import geography
from shared.clock import end_of_sofia_day, sofia_date
from shared.errors import Conflict, InvalidInput, Text
from shared.events.recorded import DomainEvent


class NeedStatus(StrEnum):
    SUBMITTED = "submitted"
    """Waiting for a clerk or an admin to check it."""
    PUBLISHED = "published"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    AWAITING_OUTCOME = "awaiting_outcome"
    """The deadline has passed; the buyer is asked whether a deal happened."""
    CLOSED = "closed"
    """The outcome is recorded."""


STATUS_BG = {
    NeedStatus.SUBMITTED: "подадена",
    NeedStatus.PUBLISHED: "публикувана",
    NeedStatus.REJECTED: "отхвърлена",
    NeedStatus.WITHDRAWN: "оттеглена",
    NeedStatus.AWAITING_OUTCOME: "с изтекъл срок",
    NeedStatus.CLOSED: "затворена",
}

OPEN_STATUSES = frozenset({NeedStatus.SUBMITTED, NeedStatus.PUBLISHED, NeedStatus.AWAITING_OUTCOME})

DEADLINE_PASSED = Text("срокът на нуждата е изтекъл", "the need's deadline has passed")
ALREADY_INTERESTED = Text("вече сте заявили интерес към тази нужда", "you have already expressed interest in this need")


class NeedTransitionNotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, action: Text, status: NeedStatus, reason: Text | None = None) -> None:
        because = reason or Text(f"нуждата е „{STATUS_BG[status]}“", f"the need is {status.value.replace('_', ' ')}")
        super().__init__(Text(f"Не може да {action.bg}: {because.bg}.", f"Cannot {action.en}: {because.en}."))


def _invalid(problems: dict[str, Text]) -> InvalidInput:
    return InvalidInput(Text("Някои полета не са попълнени правилно.", "Some fields are not valid."), problems)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class MatchedSeller:
    """A seller the service layer found in the need's category and districts when it was published."""

    seller_id: str
    name: str
    email: str


@dataclass(frozen=True)
class Interest:
    seller_id: str
    seller_name: str
    seller_email: str
    message: str
    at: datetime


@dataclass(frozen=True)
class Outcome:
    deal_happened: bool
    seller_id: str | None
    amount_cents: int | None
    note: str
    at: datetime


@dataclass
class Need:
    id: str
    buyer: Buyer
    title: str
    description: str
    category: str
    districts: list[str]
    quantity: int
    unit: str
    budget_min_cents: int | None
    budget_max_cents: int | None
    deadline: date
    """The last Sofia date on which sellers may express interest."""
    created_at: datetime
    status: NeedStatus = NeedStatus.SUBMITTED
    validated_by: str | None = None
    validated_at: datetime | None = None
    """When a clerk or an admin checked it: published or rejected."""
    rejection_reason: str | None = None
    matches: list[MatchedSeller] = field(default_factory=list)
    interests: list[Interest] = field(default_factory=list)
    outcome: Outcome | None = None
    version: int = 0
    _events: list[DomainEvent] = field(default_factory=list, init=False, repr=False, compare=False)

    # ------------------------------------------------------------------ views
    @property
    def is_visible_to_sellers(self) -> bool:
        return self.status is NeedStatus.PUBLISHED

    @property
    def is_open(self) -> bool:
        """Not finished yet: it still waits for a check, for sellers or for the buyer's outcome."""
        return self.status in OPEN_STATUSES

    def accepts_interest(self, now: datetime) -> bool:
        return self.status is NeedStatus.PUBLISHED and sofia_date(now) <= self.deadline

    @property
    def due_at(self) -> datetime | None:
        """The UTC instant the deadline has passed (the start of the next Sofia day); None unless published."""
        if self.status is not NeedStatus.PUBLISHED:
            return None
        return end_of_sofia_day(self.deadline)

    def interest_of(self, seller_id: str) -> Interest | None:
        return next((i for i in self.interests if i.seller_id == seller_id), None)

    # ------------------------------------------------------------------ transitions
    @classmethod
    def post(
        cls,
        id: str,
        buyer: Buyer,
        title: str,
        description: str,
        category: str,
        districts: list[str],
        quantity: int,
        unit: str,
        budget_min_cents: int | None,
        budget_max_cents: int | None,
        deadline: date,
        now: datetime,
    ) -> Need:
        title, description, unit = title.strip(), description.strip(), unit.strip()
        districts = list(dict.fromkeys(districts))
        problems: dict[str, Text] = {}
        if not title:
            problems["title"] = Text("Въведете заглавие.", "Enter a title.")
        if category not in categories():
            problems["category"] = Text("Непозната категория.", "Unknown category.")
        if not districts:
            problems["districts"] = Text("Изберете поне една област.", "Choose at least one district.")
        elif unknown := [d for d in districts if d not in geography().districts]:
            problems["districts"] = Text(
                f"Непознати области: {', '.join(unknown)}.", f"Unknown districts: {', '.join(unknown)}."
            )
        if not _is_int(quantity) or quantity < 1:
            problems["quantity"] = Text(
                "Количеството трябва да е цяло число поне 1.", "The quantity must be 1 or more."
            )
        if not unit:
            problems["unit"] = Text("Въведете мерна единица.", "Enter a unit.")
        for name, cents in (("budget_min_cents", budget_min_cents), ("budget_max_cents", budget_max_cents)):
            if cents is not None and (not _is_int(cents) or cents < 0):
                problems[name] = Text(
                    "Бюджетът трябва да е неотрицателно число в евроцентове.",
                    "The budget must be a non-negative number of euro cents.",
                )
        if (
            not problems.keys() & {"budget_min_cents", "budget_max_cents"}
            and budget_min_cents is not None
            and budget_max_cents is not None
            and budget_min_cents > budget_max_cents
        ):
            problems["budget_max_cents"] = Text(
                "Горната граница на бюджета е по-малка от долната.", "The maximum budget is below the minimum."
            )
        if not isinstance(deadline, date) or isinstance(deadline, datetime):
            problems["deadline"] = Text("Въведете дата.", "Enter a date.")
        elif deadline <= sofia_date(now):
            problems["deadline"] = Text("Крайният срок трябва да е след днес.", "The deadline must be after today.")
        if problems:
            raise _invalid(problems)

        need = cls(
            id=id,
            buyer=buyer,
            title=title,
            description=description,
            category=category,
            districts=districts,
            quantity=quantity,
            unit=unit,
            budget_min_cents=budget_min_cents,
            budget_max_cents=budget_max_cents,
            deadline=deadline,
            created_at=now,
        )
        need._record("NeedSubmitted", description=need.description)
        return need

    def validate(self, validated_by: str, matches: list[MatchedSeller], now: datetime) -> None:
        """A clerk or an admin publishes the need; ``matches`` are the sellers the service layer found."""
        if self.status is not NeedStatus.SUBMITTED:
            raise NeedTransitionNotAllowed(Text("се публикува нуждата", "publish the need"), self.status)
        unique: dict[str, MatchedSeller] = {}
        for match in matches:
            unique.setdefault(match.seller_id, match)
        self.status = NeedStatus.PUBLISHED
        self.validated_by = validated_by
        self.validated_at = now
        self.matches = list(unique.values())
        self._record("NeedPublished", description=self.description, match_count=len(self.matches))
        for match in self.matches:
            self._record("NeedMatched", seller_id=match.seller_id, seller_name=match.name, seller_email=match.email)

    def reject(self, reason: str, now: datetime) -> None:
        if self.status is not NeedStatus.SUBMITTED:
            raise NeedTransitionNotAllowed(Text("се отхвърли нуждата", "reject the need"), self.status)
        reason = reason.strip()
        if not reason:
            raise _invalid({"reason": Text("Посочете причина за отказа.", "Give a reason for the rejection.")})
        self.status = NeedStatus.REJECTED
        self.rejection_reason = reason
        self.validated_at = now
        self._record("NeedRejected", reason=reason)

    def withdraw(self, now: datetime) -> None:
        if self.status not in (NeedStatus.SUBMITTED, NeedStatus.PUBLISHED):
            raise NeedTransitionNotAllowed(Text("се оттегли нуждата", "withdraw the need"), self.status)
        self.status = NeedStatus.WITHDRAWN
        self._record("NeedWithdrawn")

    def express_interest(
        self, seller_id: str, seller_name: str, seller_email: str, message: str, now: datetime
    ) -> Interest:
        action = Text("се заяви интерес", "express interest")
        if self.status is not NeedStatus.PUBLISHED:
            raise NeedTransitionNotAllowed(action, self.status)
        if sofia_date(now) > self.deadline:
            raise NeedTransitionNotAllowed(action, self.status, DEADLINE_PASSED)
        if self.interest_of(seller_id) is not None:
            raise NeedTransitionNotAllowed(action, self.status, ALREADY_INTERESTED)
        message = message.strip()
        if not message:
            raise _invalid({"message": Text("Напишете съобщение до купувача.", "Write a message to the buyer.")})
        interest = Interest(seller_id, seller_name, seller_email, message, now)
        self.interests.append(interest)
        self._record(
            "InterestExpressed",
            seller_id=seller_id,
            seller_name=seller_name,
            seller_email=seller_email,
            message=message,
        )
        return interest

    def close_if_due(self, now: datetime) -> bool:
        """After the deadline a published need stops taking interest and the buyer is asked for the outcome.
        Returns True when the state changed (the scheduler may call it any number of times)."""
        if self.status is not NeedStatus.PUBLISHED or sofia_date(now) <= self.deadline:
            return False
        self.status = NeedStatus.AWAITING_OUTCOME
        self._record("NeedOutcomeRequested", interest_count=len(self.interests))
        return True

    def record_outcome(
        self, deal_happened: bool, seller_id: str | None, amount_cents: int | None, note: str, now: datetime
    ) -> Outcome:
        """The buyer says whether a deal happened (the seller and the amount are optional even then)."""
        if self.status not in (NeedStatus.PUBLISHED, NeedStatus.AWAITING_OUTCOME):
            raise NeedTransitionNotAllowed(Text("се запише резултатът", "record the outcome"), self.status)
        problems: dict[str, Text] = {}
        if not deal_happened and seller_id is not None:
            problems["seller_id"] = Text("Без сделка не се посочва продавач.", "No seller without a deal.")
        if not deal_happened and amount_cents is not None:
            problems["amount_cents"] = Text("Без сделка не се посочва сума.", "No amount without a deal.")
        elif amount_cents is not None and (not _is_int(amount_cents) or amount_cents < 0):
            problems["amount_cents"] = Text(
                "Сумата трябва да е неотрицателно число в евроцентове.",
                "The amount must be a non-negative number of euro cents.",
            )
        if problems:
            raise _invalid(problems)
        outcome = Outcome(bool(deal_happened), seller_id, amount_cents, note.strip(), now)
        self.status = NeedStatus.CLOSED
        self.outcome = outcome
        self._record(
            "NeedOutcomeRecorded",
            deal_happened=outcome.deal_happened,
            seller_id=outcome.seller_id,
            amount_cents=outcome.amount_cents,
            note=outcome.note,
        )
        return outcome

    # ------------------------------------------------------------------ events
    def pull_events(self) -> list[DomainEvent]:
        events, self._events = self._events, []
        return events

    def _common_payload(self) -> dict[str, Any]:
        """What every ``marketplace.need.v1`` event carries: the need as it stands after the change."""
        return {
            "need_id": self.id,
            "title": self.title,
            "category": self.category,
            "districts": list(self.districts),
            "quantity": self.quantity,
            "unit": self.unit,
            "budget_min_cents": self.budget_min_cents,
            "budget_max_cents": self.budget_max_cents,
            "deadline": self.deadline.isoformat(),
            "buyer_id": self.buyer.id,
            "buyer_name": self.buyer.name,
            "buyer_email": self.buyer.email,
            "status": self.status.value,
        }

    def _record(self, name: str, **extra: Any) -> None:
        self._events.append(DomainEvent(name, {**self._common_payload(), **extra}))
