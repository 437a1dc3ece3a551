"""Buyers' needs (small tenders): posting, checking, matching sellers, interest, and the outcome.

Each use case checks who is asking, loads, lets the domain decide, and saves the new state with its
events in one write. Who sees what:

- the buyer sees its own needs in full (with every interest), clerks and admins see every need;
- a seller (a representative of an enterprise) sees published needs with its own interest only,
  and also any need it expressed interest in, whatever became of it;
- everyone else sees published needs only; any other need is "not found" for them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from services.marketplace.config import SERVICE
from services.marketplace.domain.categories import categories, with_ancestors
from services.marketplace.domain.need import MatchedSeller, Need, NeedStatus
from services.marketplace.domain.parties import BuyerKind
from services.marketplace.domain.seller import NOT_IN_GOOD_STANDING, Seller
from services.marketplace.service_layer.buyers import NOT_A_BUYER, buyer_of
from services.marketplace.service_layer.listings import ListingService
from services.marketplace.service_layer.ports import Sellers
from services.marketplace.service_layer.retries import on_fresh_copy
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.errors import Conflict, Forbidden, InvalidInput, NotFound, StaleVersion, Text
from shared.events import EventCatalog
from shared.outbox import OutboxEntry
from shared.outbox.entries import to_outbox

NO_SUCH_NEED = Text("Няма такава нужда.", "No such need.")
ONLY_STAFF = Text("Нуждите проверяват само служители и администратори.", "Only clerks and admins check needs.")
NOT_YOUR_NEED = Text("Нуждата е на друг купувач.", "The need belongs to another buyer.")
ONLY_SELLERS = Text(
    "Интерес заявяват само представители на социални предприятия.",
    "Only representatives of social enterprises express interest.",
)
UNKNOWN_SELLER = Text(
    "Предприятието ви още не е в регистъра на социалните предприятия.",
    "Your enterprise is not in the register of social enterprises yet.",
)
INTEREST_NOT_IN_GOOD_STANDING = Text(
    f"Не може да се заяви интерес: {NOT_IN_GOOD_STANDING.bg}.",
    f"Cannot express interest: {NOT_IN_GOOD_STANDING.en}.",
)
CLOSE_ATTEMPTS = 3
AGGREGATE_TYPE = "need"
"""The aggregate type of every ``marketplace.need.v1`` event."""


class Needs(Protocol):
    """What the use cases need of the needs' storage (MongoNeeds in production)."""

    def get(self, need_id: str) -> Need: ...

    def add(self, need: Need, outbox: list[OutboxEntry]) -> None: ...

    def save(self, need: Need, outbox: list[OutboxEntry]) -> None:
        """Write the changed need and its events atomically; StaleVersion on a lost race."""

    def of_buyer(self, buyer_id: str, page: int, per_page: int) -> NeedList: ...

    def with_status(self, status: NeedStatus, page: int, per_page: int) -> NeedList: ...

    def published(
        self, categories: list[str] | None, district: str | None, now: datetime, page: int, per_page: int
    ) -> NeedList: ...

    def due(self, now: datetime) -> list[Need]: ...


class NeedList(Protocol):
    @property
    def total(self) -> int: ...

    @property
    def items(self) -> list[Need]: ...


class Audience(StrEnum):
    """Who is looking at a need, which decides how much of it they see."""

    BUYER = "buyer"
    """The buyer who posted it."""
    STAFF = "staff"
    """A clerk or an admin."""
    SELLER = "seller"
    """A representative of an enterprise: its own interest, nobody else's."""
    PUBLIC = "public"


@dataclass(frozen=True)
class NeedRequest:
    """What a buyer asks for, as the HTTP layer validated it."""

    title: str
    description: str
    category: str
    districts: list[str]
    quantity: int
    unit: str
    budget_min_cents: int | None
    budget_max_cents: int | None
    deadline: date
    organisation: str = ""
    kind: BuyerKind = BuyerKind.CITIZEN


def is_staff(principal: Principal) -> bool:
    """Admins and clerks who work in a centre (any: needs are checked nationally); a clerk whose token names
    no centre is not staff anywhere (fail closed)."""
    return principal.is_admin or principal.clerk_scope() is not None


def seller_of(principal: Principal) -> str | None:
    """The enterprise a representative acts for, if any."""
    return principal.enterprise_id if Role.REPRESENTATIVE in principal.roles else None


def audience(principal: Principal, need: Need) -> Audience:
    if principal.is_authenticated and principal.subject == need.buyer.id:
        return Audience.BUYER
    if is_staff(principal):
        return Audience.STAFF
    if seller_of(principal):
        return Audience.SELLER
    return Audience.PUBLIC


def may_see(principal: Principal, need: Need) -> bool:
    seen_by = audience(principal, need)
    if seen_by in (Audience.BUYER, Audience.STAFF) or need.is_visible_to_sellers:
        return True
    seller_id = seller_of(principal)
    return seller_id is not None and need.interest_of(seller_id) is not None


def category_and_below(code: str) -> list[str]:
    """A category's code and its sub-categories' codes: the board filter shows all of them."""
    return sorted(c for c in categories() if code in with_ancestors(c))


@dataclass
class NeedService:
    needs: Needs
    sellers: Sellers
    listings: ListingService
    """Finds the sellers offering a need's category in its districts."""
    catalog: EventCatalog
    clock: Clock
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())

    # ------------------------------------------------------------------ the buyer
    def post(self, principal: Principal, request: NeedRequest) -> Need:
        buyer = buyer_of(principal, request.organisation, request.kind)
        now = self.clock.now()
        need = Need.post(
            id=self.new_id(),
            buyer=buyer,
            title=request.title,
            description=request.description,
            category=request.category,
            districts=list(request.districts),
            quantity=request.quantity,
            unit=request.unit,
            budget_min_cents=request.budget_min_cents,
            budget_max_cents=request.budget_max_cents,
            deadline=request.deadline,
            now=now,
        )
        self.needs.add(need, self._outbox(need, now))
        return need

    def withdraw(self, principal: Principal, need_id: str) -> Need:
        return self._apply(self._own(principal, need_id), lambda need, now: need.withdraw(now))

    def record_outcome(
        self,
        principal: Principal,
        need_id: str,
        deal_happened: bool,
        seller_id: str | None,
        amount_cents: int | None,
        note: str,
    ) -> Need:
        """The buyer says whether a deal happened, and with which seller (one the marketplace knows)."""
        need = self._own(principal, need_id)
        if seller_id is not None and self.sellers.get(seller_id) is None:
            raise InvalidInput(
                Text("Някои полета не са попълнени правилно.", "Some fields are not valid."),
                {"seller_id": Text("Няма такова предприятие.", "No such enterprise.")},
            )
        return self._apply(
            need, lambda need, now: need.record_outcome(deal_happened, seller_id, amount_cents, note, now)
        )

    def _own(self, principal: Principal, need_id: str) -> Need:
        need = self.view(principal, need_id)
        if audience(principal, need) is not Audience.BUYER:
            raise Forbidden(NOT_YOUR_NEED)
        return need

    # ------------------------------------------------------------------ clerks and admins
    def validate(self, principal: Principal, need_id: str) -> Need:
        """Publish a submitted need and tell every seller offering its category in its districts."""
        need = self._as_staff(principal, need_id)
        matches = [
            MatchedSeller(seller.enterprise_id, seller.name, seller.contact_email)
            for seller in self.listings.sellers_offering(need.category, list(need.districts))
        ]
        return self._apply(need, lambda need, now: need.validate(principal.subject, matches, now))

    def reject(self, principal: Principal, need_id: str, reason: str) -> Need:
        need = self._as_staff(principal, need_id)
        return self._apply(need, lambda need, now: need.reject(reason, now))

    def _as_staff(self, principal: Principal, need_id: str) -> Need:
        if not is_staff(principal):
            raise Forbidden(ONLY_STAFF)
        return self.needs.get(need_id)

    # ------------------------------------------------------------------ sellers
    def express_interest(self, principal: Principal, need_id: str, message: str) -> Need:
        """A representative of an enterprise in good standing tells the buyer it can help."""
        seller_id = seller_of(principal)
        if seller_id is None:
            raise Forbidden(ONLY_SELLERS)
        need = self.view(principal, need_id)
        seller = self._seller_in_good_standing(seller_id)
        return self._apply(
            need,
            lambda need, now: need.express_interest(
                seller.enterprise_id, seller.name, seller.contact_email, message, now
            ),
        )

    def _seller_in_good_standing(self, seller_id: str) -> Seller:
        seller = self.sellers.get(seller_id)
        if seller is None:
            raise Forbidden(UNKNOWN_SELLER)
        if not seller.in_good_standing:
            raise Conflict(INTEREST_NOT_IN_GOOD_STANDING)
        return seller

    # ------------------------------------------------------------------ reading
    def view(self, principal: Principal, need_id: str) -> Need:
        """A need the principal may see; any other is "not found", so its existence is not revealed."""
        try:
            need = self.needs.get(need_id)
        except NotFound:
            raise NotFound(NO_SUCH_NEED) from None
        if not may_see(principal, need):
            raise NotFound(NO_SUCH_NEED)
        return need

    def board(self, category: str | None, district: str | None, page: int = 1, per_page: int = 20) -> NeedList:
        """Published needs still taking interest, for everyone."""
        codes = category_and_below(category) if category else None
        return self.needs.published(codes, district, self.clock.now(), page, per_page)

    def mine(self, principal: Principal, page: int = 1, per_page: int = 20) -> NeedList:
        if Role.BUYER not in principal.roles:
            raise Forbidden(NOT_A_BUYER)
        return self.needs.of_buyer(principal.subject, page, per_page)

    def queue(self, principal: Principal, status: NeedStatus, page: int = 1, per_page: int = 20) -> NeedList:
        """Needs in one state, oldest first: the submitted ones are the clerks' queue."""
        if not is_staff(principal):
            raise Forbidden(ONLY_STAFF)
        return self.needs.with_status(status, page, per_page)

    # ------------------------------------------------------------------ the scheduler
    def close_due(self, now: datetime | None = None) -> int:
        """Ask the buyer of every need whose deadline has passed for the outcome; returns how many changed.

        State-based, so running it again (or two schedulers at once) changes nothing more.
        """
        now = now or self.clock.now()
        closed = 0
        for need in self.needs.due(now):
            closed += self._close(need, now)
        return closed

    def _close(self, need: Need, now: datetime) -> int:
        for _ in range(CLOSE_ATTEMPTS):  # the buyer or a seller may act at the same moment; retry on top of it
            if not need.close_if_due(now):
                return 0
            try:
                self.needs.save(need, self._outbox(need, now))
            except StaleVersion:
                need = self.needs.get(need.id)
                continue
            return 1
        raise StaleVersion()

    # ------------------------------------------------------------------ internals
    def _apply(self, need: Need, step: Callable[[Need, datetime], object]) -> Need:
        """Apply ``step`` to the need the caller checked, and again to a fresh copy after a lost race
        (the scheduler closing it, a seller's interest saved meanwhile): whose need it is never changes."""
        loaded = [need]

        def attempt() -> Need:
            current = loaded.pop() if loaded else self.needs.get(need.id)
            now = self.clock.now()
            step(current, now)
            self.needs.save(current, self._outbox(current, now))
            return current

        return on_fresh_copy(attempt)

    def _outbox(self, need: Need, now: datetime) -> list[OutboxEntry]:
        return to_outbox(self.catalog, SERVICE, AGGREGATE_TYPE, need.id, need.pull_events(), now)
