"""A deal: a buyer's quote request on a listing that may become an order.

Quote:  requested ─make_offer→ offered (a new offer replaces the old) ─accept→ placed;
        requested/offered ─decline_by_seller|decline_by_buyer→ declined; ─expire_if_due→ expired.
Order:  placed ─fulfil→ fulfilled ─confirm_receipt→ received (the buyer may confirm straight from placed);
        placed/fulfilled ─dispute→ disputed ─resolve_dispute→ received | cancelled;
        placed ─cancel→ cancelled. A received order takes one review.

A buyer may also order at a listing's fixed price straight away (``order_directly``): the deal then
starts as ``placed``. An accepted deal keeps its id and gets a human order number from the service
layer. Dates people see (needed by, valid until) are Sofia dates: an offer valid until 30 November is
open all of that day in Bulgaria. Who may act (buyer, seller, admin) is the service layer's check.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from services.marketplace.domain.parties import Buyer, Supplier
from services.marketplace.domain.seller import NOT_IN_GOOD_STANDING
from shared.clock import end_of_sofia_day, sofia_date
from shared.errors import Conflict, InvalidInput, Text
from shared.events.recorded import DomainEvent

REQUEST_LIFETIME = timedelta(days=30)
"""How long a quote request without a "needed by" date stays open."""
TEXT_LIMIT = 2000
MAX_OFFERS = 20
"""Offers a seller may make on one quote request: each is a step of the deal's timeline, which stays bounded."""
"""The longest free text (message, terms, reason, note, review) a deal keeps."""


class DealState(StrEnum):
    REQUESTED = "requested"
    OFFERED = "offered"
    DECLINED = "declined"
    EXPIRED = "expired"
    PLACED = "placed"
    FULFILLED = "fulfilled"
    RECEIVED = "received"
    DISPUTED = "disputed"
    CANCELLED = "cancelled"


STATE_BG = {
    DealState.REQUESTED: "запитване",
    DealState.OFFERED: "оферта",
    DealState.DECLINED: "отказана",
    DealState.EXPIRED: "изтекла",
    DealState.PLACED: "поръчана",
    DealState.FULFILLED: "изпълнена",
    DealState.RECEIVED: "получена",
    DealState.DISPUTED: "оспорена",
    DealState.CANCELLED: "отменена",
}

OPEN_QUOTE_STATES = frozenset({DealState.REQUESTED, DealState.OFFERED})
ORDER_STATES = frozenset(
    {DealState.PLACED, DealState.FULFILLED, DealState.RECEIVED, DealState.DISPUTED, DealState.CANCELLED}
)


class Party(StrEnum):
    """Who declined or cancelled."""

    BUYER = "buyer"
    SELLER = "seller"
    ADMIN = "admin"


class Via(StrEnum):
    """How an order came about."""

    QUOTE = "quote"
    DIRECT = "direct"


class DealEvent(StrEnum):
    """The events a deal records (``marketplace.<name>`` on ``marketplace.order.v1``)."""

    QUOTE_REQUESTED = "QuoteRequested"
    QUOTE_OFFERED = "QuoteOffered"
    QUOTE_DECLINED = "QuoteDeclined"
    QUOTE_EXPIRED = "QuoteExpired"
    ORDER_PLACED = "OrderPlaced"
    ORDER_FULFILLED = "OrderFulfilled"
    ORDER_RECEIVED = "OrderReceived"
    ORDER_DISPUTED = "OrderDisputed"
    ORDER_CANCELLED = "OrderCancelled"
    REVIEW_POSTED = "ReviewPosted"


class DealTransitionNotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, action: Text, state: DealState | None, reason: Text | None = None) -> None:
        if reason is None:
            if state is None:
                raise ValueError("a refusal names the deal's state or a reason")
            reason = Text(f"сделката е „{STATE_BG[state]}“", f"the deal is {state.value}")
        super().__init__(Text(f"Не може да {action.bg}: {reason.bg}.", f"Cannot {action.en}: {reason.en}."))
        self.state = state


OFFER_EXPIRED = Text("офертата е изтекла", "the offer has expired")
TOO_MANY_OFFERS = Text(
    f"по едно запитване се изпращат най-много {MAX_OFFERS} оферти", f"at most {MAX_OFFERS} offers go to one request"
)
ALREADY_REVIEWED = Text("поръчката вече е оценена", "the order has already been reviewed")


@dataclass(frozen=True)
class Offer:
    """The seller's price; a direct order keeps the listing's price as its offer (valid the day it was placed)."""

    unit_price_cents: int
    valid_until: date
    terms: str
    offered_at: datetime


@dataclass(frozen=True)
class Review:
    rating: int
    text: str
    posted_at: datetime


@dataclass(frozen=True)
class TimelineStep:
    """One step the deal went through, as the buyer's and seller's pages show it."""

    at: datetime
    state: DealState
    note: str = ""


@dataclass
class Deal:
    id: str
    listing_id: str
    listing_title: str
    unit: str
    quantity: int
    buyer: Buyer
    supplier: Supplier
    created_at: datetime
    state: DealState = DealState.REQUESTED
    needed_by: date | None = None
    message: str = ""
    offer: Offer | None = None
    order_number: str | None = None
    placed_at: datetime | None = None
    placed_via: Via | None = None
    declined_by: Party | None = None
    cancelled_by: Party | None = None
    reason: str = ""
    """Why the deal was last declined, disputed or cancelled."""
    seller_in_good_standing: bool = True
    review: Review | None = None
    timeline: list[TimelineStep] = field(default_factory=list)
    version: int = 0
    _events: list[DomainEvent] = field(default_factory=list, init=False, repr=False, compare=False)

    # ------------------------------------------------------------------ views
    @property
    def is_open_quote(self) -> bool:
        return self.state in OPEN_QUOTE_STATES

    @property
    def is_order(self) -> bool:
        return self.state in ORDER_STATES and self.order_number is not None

    @property
    def counts_for_impact(self) -> bool:
        """Spending that really happened: the buyer has the goods or the service."""
        return self.state is DealState.RECEIVED

    @property
    def total_cents(self) -> int | None:
        if self.offer is None or (self.state is not DealState.OFFERED and self.state not in ORDER_STATES):
            return None
        return self.offer.unit_price_cents * self.quantity

    @property
    def expires_at(self) -> datetime | None:
        """The UTC instant an open quote becomes due to expire; None when it is not an open quote."""
        if self.state is DealState.OFFERED and self.offer is not None:
            return end_of_sofia_day(self.offer.valid_until)
        if self.state is DealState.REQUESTED:
            if self.needed_by is not None:
                return end_of_sofia_day(self.needed_by)
            return self.created_at.astimezone(UTC) + REQUEST_LIFETIME
        return None

    def pull_events(self) -> list[DomainEvent]:
        """The events recorded since the last call, oldest first; the deal forgets them."""
        events, self._events = self._events, []
        return events

    # ------------------------------------------------------------------ starting a deal
    @classmethod
    def request_quote(
        cls,
        *,
        id: str,
        listing_id: str,
        listing_title: str,
        unit: str,
        buyer: Buyer,
        supplier: Supplier,
        quantity: int,
        needed_by: date | None,
        message: str,
        now: datetime,
    ) -> Deal:
        problems = _quantity_problem(quantity)
        if needed_by is not None and needed_by < sofia_date(now):
            problems["needed_by"] = Text("Датата не може да е в миналото.", "The date cannot be in the past.")
        message = _text(message, "message", problems)
        _raise_if(problems)
        deal = cls(
            id=id,
            listing_id=listing_id,
            listing_title=listing_title,
            unit=unit,
            quantity=quantity,
            buyer=buyer,
            supplier=supplier,
            created_at=now,
            needed_by=needed_by,
            message=message,
        )
        deal.timeline.append(TimelineStep(now, DealState.REQUESTED, message))
        deal._record(
            DealEvent.QUOTE_REQUESTED,
            needed_by=needed_by.isoformat() if needed_by else None,
            message=message,
        )
        return deal

    @classmethod
    def order_directly(
        cls,
        *,
        id: str,
        listing_id: str,
        listing_title: str,
        unit: str,
        buyer: Buyer,
        supplier: Supplier,
        quantity: int,
        unit_price_cents: int,
        order_number: str,
        seller_in_good_standing: bool,
        now: datetime,
        message: str = "",
    ) -> Deal:
        """Order at the listing's fixed price, skipping the quote."""
        if not seller_in_good_standing:
            raise DealTransitionNotAllowed(Text("се направи поръчка", "place the order"), None, NOT_IN_GOOD_STANDING)
        problems = _quantity_problem(quantity)
        if not _is_price(unit_price_cents):
            problems["unit_price_cents"] = _PRICE_PROBLEM
        message = _text(message, "message", problems)
        _raise_if(problems)
        deal = cls(
            id=id,
            listing_id=listing_id,
            listing_title=listing_title,
            unit=unit,
            quantity=quantity,
            buyer=buyer,
            supplier=supplier,
            created_at=now,
            message=message,
            offer=Offer(unit_price_cents, sofia_date(now), "", now),
        )
        deal._place(order_number, Via.DIRECT, now, message)
        return deal

    # ------------------------------------------------------------------ the quote
    def make_offer(self, *, unit_price_cents: int, valid_until: date, terms: str, now: datetime) -> None:
        """The seller's offer; a new offer on an offered deal replaces the old one.

        (Named ``make_offer`` because ``offer`` is the field holding the current offer.)
        """
        action = Text("се изпрати оферта", "send an offer")
        self._require(action, DealState.REQUESTED, DealState.OFFERED)
        if not self.seller_in_good_standing:
            raise DealTransitionNotAllowed(action, self.state, NOT_IN_GOOD_STANDING)
        if sum(step.state is DealState.OFFERED for step in self.timeline) >= MAX_OFFERS:
            raise DealTransitionNotAllowed(action, self.state, TOO_MANY_OFFERS)
        problems: dict[str, Text] = {}
        if not _is_price(unit_price_cents):
            problems["unit_price_cents"] = _PRICE_PROBLEM
        if valid_until < sofia_date(now):
            problems["valid_until"] = Text(
                "Офертата трябва да е валидна поне до днес.", "The offer must be valid at least until today."
            )
        terms = _text(terms, "terms", problems)
        _raise_if(problems)
        self.offer = Offer(unit_price_cents, valid_until, terms, now)
        self._move(DealState.OFFERED, now, terms)
        self._record(
            DealEvent.QUOTE_OFFERED,
            unit_price_cents=unit_price_cents,
            total_cents=self.total_cents,
            valid_until=valid_until.isoformat(),
            terms=terms,
        )

    def decline_by_seller(self, *, reason: str, now: datetime) -> None:
        self._decline(Party.SELLER, reason, now)

    def decline_by_buyer(self, *, reason: str, now: datetime) -> None:
        self._decline(Party.BUYER, reason, now)

    def accept(self, *, order_number: str, now: datetime) -> None:
        """The buyer accepts the current offer: the deal becomes an order."""
        action = Text("се приеме офертата", "accept the offer")
        self._require(action, DealState.OFFERED)
        if self._is_due(now):
            raise DealTransitionNotAllowed(action, self.state, OFFER_EXPIRED)
        if not self.seller_in_good_standing:
            raise DealTransitionNotAllowed(action, self.state, NOT_IN_GOOD_STANDING)
        self._place(order_number, Via.QUOTE, now, "")

    def expire_if_due(self, now: datetime) -> bool:
        """Close an open quote whose date has passed; True when it expired now."""
        if not self._is_due(now):
            return False
        stage = self.state
        self._move(DealState.EXPIRED, now, "")
        self._record(DealEvent.QUOTE_EXPIRED, stage=stage.value)
        return True

    # ------------------------------------------------------------------ the order
    def fulfil(self, *, note: str, now: datetime) -> None:
        """The seller has delivered the goods or done the work."""
        self._require(Text("се отбележи поръчката като изпълнена", "mark the order as fulfilled"), DealState.PLACED)
        note = _checked_text(note, "note")
        self._move(DealState.FULFILLED, now, note)
        self._record(DealEvent.ORDER_FULFILLED, **self._order_fields(), note=note)

    def confirm_receipt(self, *, now: datetime) -> None:
        """The buyer has what was ordered (also when the seller never marked it fulfilled)."""
        self._require(Text("се потвърди получаването", "confirm receipt"), DealState.FULFILLED, DealState.PLACED)
        self._receive(now, "")

    def dispute(self, *, reason: str, now: datetime) -> None:
        self._require(Text("се оспори поръчката", "dispute the order"), DealState.PLACED, DealState.FULFILLED)
        reason = _checked_text(reason, "reason", required=True)
        self.reason = reason
        self._move(DealState.DISPUTED, now, reason)
        self._record(DealEvent.ORDER_DISPUTED, order_number=self.order_number, reason=reason)

    def resolve_dispute(self, *, resolution: DealState | str, note: str, now: datetime) -> None:
        """An administrator's decision: the order counts as received, or it is cancelled."""
        self._require(Text("се реши спорът", "resolve the dispute"), DealState.DISPUTED)
        problems: dict[str, Text] = {}
        if resolution not in (DealState.RECEIVED, DealState.CANCELLED):
            problems["resolution"] = Text(
                "Изберете „received“ (получена) или „cancelled“ (отменена).", "Choose 'received' or 'cancelled'."
            )
        note = _text(note, "note", problems)
        _raise_if(problems)
        if resolution == DealState.RECEIVED:
            self._receive(now, note)
        else:
            self._cancelled(Party.ADMIN, note, now)

    def cancel(self, *, by: Party | str, reason: str, now: datetime) -> None:
        """The buyer or the seller calls off a placed order."""
        self._require(Text("се отмени поръчката", "cancel the order"), DealState.PLACED)
        problems: dict[str, Text] = {}
        if by not in (Party.BUYER, Party.SELLER):
            problems["by"] = Text("Поръчка отменя купувачът или продавачът.", "The buyer or the seller cancels.")
        reason = _text(reason, "reason", problems)
        _raise_if(problems)
        self._cancelled(Party(by), reason, now)

    def post_review(self, *, rating: int, text: str, now: datetime) -> None:
        """The buyer's one review of a received order."""
        action = Text("се публикува отзив", "post a review")
        self._require(action, DealState.RECEIVED)
        if self.review is not None:
            raise DealTransitionNotAllowed(action, self.state, ALREADY_REVIEWED)
        problems: dict[str, Text] = {}
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            problems["rating"] = Text("Оценката е цяло число от 1 до 5.", "The rating is a whole number from 1 to 5.")
        text = _text(text, "text", problems)
        _raise_if(problems)
        self.review = Review(rating, text, now)
        self._record(DealEvent.REVIEW_POSTED, order_number=self.order_number, rating=rating, text=text)

    # ------------------------------------------------------------------ the register
    def follow_register(self, in_good_standing: bool) -> bool:
        """Note whether the seller is in good standing (open quotes show it); True when that changed."""
        if self.seller_in_good_standing == in_good_standing:
            return False
        self.seller_in_good_standing = in_good_standing
        return True

    # ------------------------------------------------------------------ helpers
    def _require(self, action: Text, *allowed: DealState) -> None:
        if self.state not in allowed:
            raise DealTransitionNotAllowed(action, self.state)

    def _is_due(self, now: datetime) -> bool:
        due = self.expires_at
        return due is not None and now >= due

    def _move(self, state: DealState, now: datetime, note: str) -> None:
        self.state = state
        self.timeline.append(TimelineStep(now, state, note))

    def _decline(self, by: Party, reason: str, now: datetime) -> None:
        action = Text("се откаже запитването", "decline the quote")
        self._require(action, DealState.REQUESTED, DealState.OFFERED)
        reason = _checked_text(reason, "reason")
        self.declined_by = by
        self.reason = reason
        self._move(DealState.DECLINED, now, reason)
        self._record(DealEvent.QUOTE_DECLINED, declined_by=by.value, reason=reason)

    def _place(self, order_number: str, via: Via, now: datetime, note: str) -> None:
        if not order_number:
            raise ValueError("an order needs its order number")
        if self.offer is None:
            raise ValueError("an order needs a price: an accepted offer or the listing's")
        self.order_number = order_number
        self.placed_at = now
        self.placed_via = via
        self._move(DealState.PLACED, now, note)
        s = self.supplier
        self._record(
            DealEvent.ORDER_PLACED,
            order_number=order_number,
            unit_price_cents=self.offer.unit_price_cents,
            total_cents=self.total_cents,
            via=via.value,
            enterprise_class=s.enterprise_class,
            district=s.district,
            region=s.region,
        )

    def _receive(self, now: datetime, note: str) -> None:
        self._move(DealState.RECEIVED, now, note)
        s = self.supplier
        self._record(
            DealEvent.ORDER_RECEIVED,
            **self._order_fields(),
            enterprise_class=s.enterprise_class,
            region=s.region,
            vulnerable_staff_total=s.vulnerable_staff_total,
        )

    def _cancelled(self, by: Party, reason: str, now: datetime) -> None:
        self.cancelled_by = by
        self.reason = reason
        self._move(DealState.CANCELLED, now, reason)
        self._record(DealEvent.ORDER_CANCELLED, order_number=self.order_number, cancelled_by=by.value, reason=reason)

    def _order_fields(self) -> dict[str, Any]:
        return {"order_number": self.order_number, "total_cents": self.total_cents}

    def _common_payload(self) -> dict[str, Any]:
        """What every deal event carries: the deal, its listing, both parties and where it stands."""
        return {
            "deal_id": self.id,
            "listing_id": self.listing_id,
            "listing_title": self.listing_title,
            "seller_id": self.supplier.id,
            "seller_name": self.supplier.name,
            "seller_email": self.supplier.email,
            "buyer_id": self.buyer.id,
            "buyer_name": self.buyer.name,
            "buyer_email": self.buyer.email,
            "quantity": self.quantity,
            "unit": self.unit,
            "state": self.state.value,
        }

    def _record(self, name: DealEvent, **extra: Any) -> None:
        self._events.append(DomainEvent(name.value, {**self._common_payload(), **extra}))


_PRICE_PROBLEM = Text(
    "Цената е цяло неотрицателно число евроценти.", "The price is a whole, non-negative number of euro cents."
)
_INVALID = Text("Данните не са валидни.", "The data is not valid.")


def _is_price(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _quantity_problem(quantity: object) -> dict[str, Text]:
    if isinstance(quantity, int) and not isinstance(quantity, bool) and quantity >= 1:
        return {}
    return {"quantity": Text("Количеството е цяло число, поне 1.", "The quantity is a whole number, at least 1.")}


def _text(value: str | None, name: str, problems: dict[str, Text], *, required: bool = False) -> str:
    """The trimmed text; a problem under ``name`` when it is missing but required, or too long."""
    value = (value or "").strip()
    if required and not value:
        problems[name] = Text("Полето е задължително.", "This field is required.")
    elif len(value) > TEXT_LIMIT:
        problems[name] = Text(f"Най-много {TEXT_LIMIT} знака.", f"At most {TEXT_LIMIT} characters.")
    return value


def _checked_text(value: str | None, name: str, *, required: bool = False) -> str:
    problems: dict[str, Text] = {}
    value = _text(value, name, problems, required=required)
    _raise_if(problems)
    return value


def _raise_if(problems: dict[str, Text]) -> None:
    if problems:
        raise InvalidInput(_INVALID, fields=problems)
