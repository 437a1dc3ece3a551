"""Deal use cases: quotes, orders and reviews; following the register; the buyers' impact report; favourites.

Each use case checks who is asking, loads, lets the domain decide, and saves the new state with its
events in one write. The buyer side of a deal is the signed-in buyer who asked (their token's
subject); the seller side is a representative of the supplying enterprise (or an admin, as for
listings). Anyone else is told the deal does not exist, so nobody learns of other people's deals.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol

from services.marketplace.config import SERVICE
from services.marketplace.domain.deal import (
    ORDER_STATES,
    Deal,
    DealState,
    DealTransitionNotAllowed,
    Party,
)
from services.marketplace.domain.listing import Listing
from services.marketplace.domain.parties import BuyerKind, Supplier
from services.marketplace.domain.seller import NOT_IN_GOOD_STANDING, Seller
from services.marketplace.events.orders import AGGREGATE_TYPE
from services.marketplace.service_layer.buyers import NOT_A_BUYER, buyer_of
from services.marketplace.service_layer.listings import acts_for
from services.marketplace.service_layer.ports import Listings, Sellers
from services.marketplace.service_layer.retries import on_fresh_copy
from shared.auth import Principal, Role
from shared.clock import SOFIA, Clock
from shared.errors import Forbidden, InvalidInput, NotFound, StaleVersion, Text
from shared.events import EventCatalog
from shared.outbox import OutboxEntry
from shared.outbox.entries import to_outbox

QUOTE_STATES = (DealState.REQUESTED, DealState.OFFERED, DealState.DECLINED, DealState.EXPIRED)
"""What ``GET /quotes`` lists: deals that have not (yet) become orders."""
ORDER_LIST_STATES = tuple(s for s in DealState if s in ORDER_STATES)
CLASSES = ("A", "A+")

NO_SUCH_DEAL = Text("Няма такова запитване или поръчка.", "No such quote or order.")
NO_SUCH_ORDER = Text("Няма такава поръчка.", "No such order.")
NO_SUCH_LISTING = Text("Няма такава обява.", "No such listing.")
NO_SUCH_SELLER = Text("Няма такова предприятие.", "No such enterprise.")
ONLY_BUYER = Text("Това може само купувачът.", "Only the buyer may do this.")
ONLY_SELLER = Text("Това може само продавачът.", "Only the seller may do this.")
ONLY_ADMIN = Text("Спорове решава администратор.", "Disputes are resolved by an administrator.")
OTHERS_REPORT = Text("Можете да видите само своя отчет.", "You may only see your own report.")
ON_REQUEST = Text(
    "обявата е с цена при запитване — поискайте оферта", "the listing has no fixed price — ask for a quote"
)
UNAVAILABLE = Text(
    "продуктът в момента не е наличен — поискайте оферта", "the product is not available now — ask for a quote"
)
_INVALID = Text("Данните не са валидни.", "The data is not valid.")


# ---------------------------------------------------------------------- ports
class Deals(Protocol):
    def get(self, deal_id: str) -> Deal: ...

    def add(self, deal: Deal, outbox: list[OutboxEntry]) -> None: ...

    def save(self, deal: Deal, outbox: list[OutboxEntry]) -> None:
        """Write the changed deal and its events atomically; StaleVersion on a lost race."""

    def of_buyer(self, buyer_id: str, states: Iterable[DealState] | None = None, limit: int = 0) -> list[Deal]: ...

    def of_seller(self, seller_id: str, states: Iterable[DealState] | None = None, limit: int = 0) -> list[Deal]: ...

    def all(self, states: Iterable[DealState] | None = None, limit: int = 0) -> list[Deal]: ...

    def due(self, now: datetime) -> list[Deal]: ...

    def open_quotes_of_seller(self, seller_id: str) -> list[Deal]: ...

    def reviewed(
        self, *, listing_id: str | None = None, seller_id: str | None = None, limit: int = 0
    ) -> list[Deal]: ...

    def received_of_buyer(self, buyer_id: str, placed_from: datetime, placed_before: datetime) -> list[Deal]: ...


class NumberSeries(Protocol):
    def next(self, series: str) -> int: ...


class Favourites(Protocol):
    def of(self, buyer_id: str) -> tuple[list[str], list[str]]: ...

    def add(self, buyer_id: str, kind: str, item_id: str) -> None: ...

    def remove(self, buyer_id: str, kind: str, item_id: str) -> None: ...


# ---------------------------------------------------------------------- deals
@dataclass
class DealService:
    listings: Listings
    sellers: Sellers
    deals: Deals
    numbers: NumberSeries
    catalog: EventCatalog
    clock: Clock
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())

    # ------------------------------------------------------------------ starting a deal (buyers)
    def request_quote(
        self,
        principal: Principal,
        *,
        listing_id: str,
        quantity: int,
        needed_by: date | None = None,
        message: str = "",
        organisation: str = "",
        buyer_kind: BuyerKind | str | None = None,
    ) -> Deal:
        buyer = buyer_of(principal, organisation, buyer_kind)
        listing, seller = self._on_offer(listing_id, quantity)
        if not seller.in_good_standing:
            raise DealTransitionNotAllowed(Text("се поиска оферта", "ask for a quote"), None, NOT_IN_GOOD_STANDING)
        now = self.clock.now()
        deal = Deal.request_quote(
            id=self.new_id(),
            listing_id=listing.id,
            listing_title=listing.content.title_bg,
            unit=listing.content.price.unit,
            buyer=buyer,
            supplier=Supplier.of(seller),
            quantity=quantity,
            needed_by=needed_by,
            message=message,
            now=now,
        )
        self.deals.add(deal, self._outbox(deal, now))
        return deal

    def order(
        self,
        principal: Principal,
        *,
        listing_id: str,
        quantity: int,
        message: str = "",
        organisation: str = "",
        buyer_kind: BuyerKind | str | None = None,
    ) -> Deal:
        """Order at the listing's fixed price, without a quote."""
        buyer = buyer_of(principal, organisation, buyer_kind)
        listing, seller = self._on_offer(listing_id, quantity)
        action = Text("се поръча направо", "order directly")
        price = listing.content.price
        if price.cents is None:
            raise DealTransitionNotAllowed(action, None, ON_REQUEST)
        if not listing.content.available:
            raise DealTransitionNotAllowed(action, None, UNAVAILABLE)
        if not seller.in_good_standing:  # checked before an order number is drawn
            raise DealTransitionNotAllowed(action, None, NOT_IN_GOOD_STANDING)
        now = self.clock.now()
        deal = Deal.order_directly(
            id=self.new_id(),
            listing_id=listing.id,
            listing_title=listing.content.title_bg,
            unit=price.unit,
            buyer=buyer,
            supplier=Supplier.of(seller),
            quantity=quantity,
            unit_price_cents=price.cents,
            order_number=self._order_number(now),
            seller_in_good_standing=seller.in_good_standing,
            now=now,
            message=message,
        )
        self.deals.add(deal, self._outbox(deal, now))
        return deal

    def _on_offer(self, listing_id: str, quantity: int) -> tuple[Listing, Seller]:
        """The published listing and its seller as the register last described it; the quantity is enough."""
        listing = self.listings.get(listing_id)
        if not listing.visible:
            raise NotFound(NO_SUCH_LISTING)
        minimum = listing.content.price.minimum_quantity
        if quantity < minimum:
            unit = listing.content.price.unit
            raise InvalidInput(
                _INVALID,
                fields={
                    "quantity": Text(
                        f"Най-малкото количество за поръчка е {minimum} ({unit}).",
                        f"The minimum quantity is {minimum} ({unit}).",
                    )
                },
            )
        return listing, self.sellers.get(listing.seller_id) or listing.seller

    # ------------------------------------------------------------------ reading
    def view(self, principal: Principal, deal_id: str) -> Deal:
        deal = self.deals.get(deal_id)
        _sides(principal, deal)
        return deal

    def view_order(self, principal: Principal, deal_id: str) -> Deal:
        deal = self.view(principal, deal_id)
        if not deal.is_order:
            raise NotFound(NO_SUCH_ORDER)
        return deal

    def mine(
        self, principal: Principal, states: Iterable[DealState], state: DealState | None = None, limit: int = 100
    ) -> list[Deal]:
        """Deals of the asking person, newest first: a buyer's own, those addressed to a representative's
        enterprise (both, for someone who is both); every deal for an admin."""
        wanted = [state] if state is not None else list(states)
        if principal.is_admin:
            return self.deals.all(wanted, limit)
        if not principal.has_any(Role.BUYER, Role.REPRESENTATIVE):
            raise Forbidden(NOT_A_BUYER)
        found: dict[str, Deal] = {}
        if Role.REPRESENTATIVE in principal.roles and principal.enterprise_id:
            found.update((d.id, d) for d in self.deals.of_seller(principal.enterprise_id, wanted, limit))
        if Role.BUYER in principal.roles:
            found.update((d.id, d) for d in self.deals.of_buyer(principal.subject, wanted, limit))
        return sorted(found.values(), key=lambda d: (d.created_at, d.id), reverse=True)[:limit]

    def reviews(self, *, listing_id: str | None = None, seller_id: str | None = None, limit: int = 100) -> list[Deal]:
        """Reviewed deals of a listing or a seller (public: the view shows only what may be shown)."""
        return self.deals.reviewed(listing_id=listing_id, seller_id=seller_id, limit=limit)

    # ------------------------------------------------------------------ the quote
    def make_offer(
        self, principal: Principal, deal_id: str, *, unit_price_cents: int, valid_until: date, terms: str = ""
    ) -> Deal:
        def step(deal: Deal, now: datetime, _: Party) -> None:
            deal.make_offer(unit_price_cents=unit_price_cents, valid_until=valid_until, terms=terms, now=now)

        return self._act(principal, deal_id, (Party.SELLER,), step)

    def decline(self, principal: Principal, deal_id: str, *, reason: str = "") -> Deal:
        """The buyer withdraws or the seller declines, depending on who asks."""

        def step(deal: Deal, now: datetime, side: Party) -> None:
            if side is Party.BUYER:
                deal.decline_by_buyer(reason=reason, now=now)
            else:
                deal.decline_by_seller(reason=reason, now=now)

        return self._act(principal, deal_id, (Party.BUYER, Party.SELLER), step)

    def accept(self, principal: Principal, deal_id: str) -> Deal:
        def step(deal: Deal, now: datetime, _: Party) -> None:
            deal.accept(order_number=self._order_number(now), now=now)

        return self._act(principal, deal_id, (Party.BUYER,), step)

    # ------------------------------------------------------------------ the order
    def fulfil(self, principal: Principal, deal_id: str, *, note: str = "") -> Deal:
        return self._act(principal, deal_id, (Party.SELLER,), lambda deal, now, _: deal.fulfil(note=note, now=now))

    def confirm_receipt(self, principal: Principal, deal_id: str) -> Deal:
        return self._act(principal, deal_id, (Party.BUYER,), lambda deal, now, _: deal.confirm_receipt(now=now))

    def dispute(self, principal: Principal, deal_id: str, *, reason: str) -> Deal:
        """Either party may raise a dispute; an administrator resolves it."""
        return self._act(
            principal, deal_id, (Party.BUYER, Party.SELLER), lambda deal, now, _: deal.dispute(reason=reason, now=now)
        )

    def resolve_dispute(self, principal: Principal, deal_id: str, *, resolution: str, note: str = "") -> Deal:
        def step(deal: Deal, now: datetime, _: Party) -> None:
            deal.resolve_dispute(resolution=resolution, note=note, now=now)

        return self._act(principal, deal_id, (Party.ADMIN,), step)

    def cancel(self, principal: Principal, deal_id: str, *, reason: str = "") -> Deal:
        """The buyer or the seller calls off a placed order, depending on who asks."""

        def step(deal: Deal, now: datetime, side: Party) -> None:
            deal.cancel(by=side, reason=reason, now=now)

        return self._act(principal, deal_id, (Party.BUYER, Party.SELLER), step)

    def review(self, principal: Principal, deal_id: str, *, rating: int, text: str = "") -> Deal:
        def step(deal: Deal, now: datetime, _: Party) -> None:
            deal.post_review(rating=rating, text=text, now=now)

        return self._act(principal, deal_id, (Party.BUYER,), step)

    def _act(
        self,
        principal: Principal,
        deal_id: str,
        allowed: tuple[Party, ...],
        step: Callable[[Deal, datetime, Party], None],
    ) -> Deal:
        def attempt() -> Deal:
            deal = self.deals.get(deal_id)
            side = _side_for(principal, deal, allowed)
            if deal.is_open_quote:  # the seller's standing as the register last told us
                seller = self.sellers.get(deal.supplier.id)
                if seller is not None:
                    deal.follow_register(seller.in_good_standing)
            now = self.clock.now()
            step(deal, now, side)
            self.deals.save(deal, self._outbox(deal, now))
            return deal

        return on_fresh_copy(attempt)  # the consumer or the scheduler saving the deal meanwhile

    def _order_number(self, now: datetime) -> str:
        year = now.astimezone(SOFIA).year
        return f"{year}-{self.numbers.next(f'orders-{year}'):06d}"

    def _outbox(self, deal: Deal, now: datetime) -> list[OutboxEntry]:
        return to_outbox(self.catalog, SERVICE, AGGREGATE_TYPE, deal.id, deal.pull_events(), now)

    # ------------------------------------------------------------------ the scheduler and the register
    def expire_due(self, now: datetime | None = None) -> int:
        """Close every open quote whose date has passed; returns how many expired. Safe to run again."""
        now = now or self.clock.now()
        expired = 0
        for deal in self.deals.due(now):
            expired += self._retry(deal, lambda d: d.expire_if_due(now), now)
        return expired

    def follow_seller(self, seller: Seller) -> int:
        """Mark the seller's open quotes with its standing in the register; returns how many changed.

        State-based, so a replayed event changes nothing more.
        """
        changed = 0
        for deal in self.deals.open_quotes_of_seller(seller.enterprise_id):
            changed += self._retry(deal, lambda d: d.is_open_quote and d.follow_register(seller.in_good_standing))
        return changed

    def _retry(self, deal: Deal, change: Callable[[Deal], bool], now: datetime | None = None) -> int:
        for _ in range(3):  # a party acting on the deal at the same moment wins the race; retry on top of it
            if not change(deal):
                return 0
            try:
                self.deals.save(deal, self._outbox(deal, now or self.clock.now()))
            except StaleVersion:
                deal = self.deals.get(deal.id)
                continue
            return 1
        raise StaleVersion()

    # ------------------------------------------------------------------ the buyer's impact report
    def impact_report(
        self, principal: Principal, buyer_id: str | None, date_from: date | None, date_to: date | None
    ) -> dict[str, Any]:
        """What the buyer's received orders placed in the period (Sofia dates, both included) did.

        Empty periods give zeros. Only the buyer sees their own; an admin may name any buyer.
        """
        buyer_id = buyer_id or principal.subject
        if buyer_id != principal.subject and not principal.is_admin:
            raise Forbidden(OTHERS_REPORT)
        today = self.clock.now().astimezone(SOFIA).date()
        date_to = date_to or today
        date_from = date_from or date(date_to.year, 1, 1)
        if date_from > date_to:
            raise InvalidInput(_INVALID, fields={"to": Text("Краят е преди началото.", "The end is before the start.")})
        deals = self.deals.received_of_buyer(buyer_id, _sofia_midnight(date_from), _sofia_midnight(date_to, 1))
        return {"buyer_id": buyer_id, "from": date_from, "to": date_to, **impact_of(deals)}


@dataclass
class _Tally:
    cents: int = 0
    orders: int = 0
    suppliers: dict[str, Supplier] = field(default_factory=dict)

    def add(self, deal: Deal) -> None:
        self.cents += deal.total_cents or 0
        self.orders += 1
        self.suppliers[deal.supplier.id] = deal.supplier  # deals come oldest first: the latest snapshot wins

    def figures(self) -> dict[str, int]:
        return {
            "cents": self.cents,
            "orders": self.orders,
            "enterprises": len(self.suppliers),
            "vulnerable_staff_total": sum(s.vulnerable_staff_total for s in self.suppliers.values()),
            "staff_count": sum(s.staff_count for s in self.suppliers.values()),
        }


def impact_of(deals: Iterable[Deal]) -> dict[str, Any]:
    """Spending and jobs of received orders: in total, by class (A, A+) and by region (largest first).

    Each supplier counts once per group, as the latest of its orders describes it.
    """
    total = _Tally()
    by_class = {c: _Tally() for c in CLASSES}
    by_region: dict[str, _Tally] = {}
    for deal in sorted(deals, key=lambda d: (d.placed_at or d.created_at, d.id)):
        if not deal.counts_for_impact:
            continue
        total.add(deal)
        by_class.setdefault(deal.supplier.enterprise_class, _Tally()).add(deal)
        by_region.setdefault(deal.supplier.region, _Tally()).add(deal)
    regions = sorted(by_region.items(), key=lambda item: (-item[1].cents, item[0]))
    return {
        "total": total.figures(),
        "by_class": {c: tally.figures() for c, tally in by_class.items()},
        "by_region": {code: tally.figures() for code, tally in regions},
    }


def _sofia_midnight(day: date, days_after: int = 0) -> datetime:
    return datetime.combine(day + timedelta(days=days_after), time(), tzinfo=SOFIA).astimezone(UTC)


# ---------------------------------------------------------------------- who is who in a deal
def is_buyer_of(principal: Principal, deal: Deal) -> bool:
    return principal.is_authenticated and principal.subject == deal.buyer.id


def is_seller_of(principal: Principal, deal: Deal) -> bool:
    """A representative of the supplying enterprise (not an admin: this is about who the parties are)."""
    return Role.REPRESENTATIVE in principal.roles and principal.enterprise_id == deal.supplier.id


def _sides(principal: Principal, deal: Deal) -> list[Party]:
    """The sides the principal may take in the deal (buyer first); NotFound when none."""
    sides = []
    if is_buyer_of(principal, deal):
        sides.append(Party.BUYER)
    if acts_for(principal, deal.supplier.id):
        sides.append(Party.SELLER)
    if principal.is_admin:
        sides.append(Party.ADMIN)
    if not sides:
        raise NotFound(NO_SUCH_DEAL)
    return sides


def _side_for(principal: Principal, deal: Deal, allowed: tuple[Party, ...]) -> Party:
    sides = _sides(principal, deal)
    for side in sides:
        if side in allowed:
            return side
    if Party.ADMIN in allowed:
        raise Forbidden(ONLY_ADMIN)
    raise Forbidden(ONLY_BUYER if Party.BUYER in allowed else ONLY_SELLER)


# ---------------------------------------------------------------------- favourites
@dataclass
class FavouriteService:
    """A buyer's favourite listings and sellers: only published listings and known sellers may be added."""

    listings: Listings
    sellers: Sellers
    favourites: Favourites

    def of(self, principal: Principal) -> tuple[list[Listing], list[Seller], list[str], list[str]]:
        """The favourite listings still published and the sellers still known, with all the ids kept."""
        listing_ids, seller_ids = self.favourites.of(_favourer(principal))
        listings = []
        for listing_id in listing_ids:
            try:
                listing = self.listings.get(listing_id)
            except NotFound:
                continue
            if listing.visible:
                listings.append(listing)
        sellers = [s for s in (self.sellers.get(i) for i in seller_ids) if s is not None]
        return listings, sellers, listing_ids, seller_ids

    def add_listing(self, principal: Principal, listing_id: str) -> None:
        if not self.listings.get(listing_id).visible:
            raise NotFound(NO_SUCH_LISTING)
        self.favourites.add(_favourer(principal), "listing", listing_id)

    def remove_listing(self, principal: Principal, listing_id: str) -> None:
        self.favourites.remove(_favourer(principal), "listing", listing_id)

    def add_seller(self, principal: Principal, seller_id: str) -> None:
        if self.sellers.get(seller_id) is None:
            raise NotFound(NO_SUCH_SELLER)
        self.favourites.add(_favourer(principal), "seller", seller_id)

    def remove_seller(self, principal: Principal, seller_id: str) -> None:
        self.favourites.remove(_favourer(principal), "seller", seller_id)


def _favourer(principal: Principal) -> str:
    if not principal.is_authenticated or not (principal.is_admin or Role.BUYER in principal.roles):
        raise Forbidden(NOT_A_BUYER)
    return principal.subject
