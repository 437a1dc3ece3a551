"""Listing use cases: the seller's own listings, following the register, and search.

Each use case checks who is asking, loads, lets the domain decide, and saves the new state with
its events in one write; the search index is brought up to date right after (see ``reindex``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from services.marketplace.config import SERVICE
from services.marketplace.domain.listing import Listing, ListingContent
from services.marketplace.domain.search import (
    TERMS_VERSION,
    SearchPage,
    SearchRequest,
    category_term,
    district_mask,
    listing_keys,
    listing_terms,
    run_search,
)
from services.marketplace.domain.seller import Seller
from services.marketplace.events.listings import AGGREGATE_TYPE
from services.marketplace.service_layer.ports import NOT_INDEXED, Indexed, Listings, SearchIndex, Sellers
from services.marketplace.service_layer.retries import on_fresh_copy
from shared.auth import Principal, Role
from shared.clock import Clock
from shared.errors import Forbidden, NotFound, StaleVersion, Text
from shared.events import EventCatalog
from shared.outbox import OutboxEntry
from shared.outbox.entries import to_outbox

NOT_YOURS = Text("Обявата е на друго предприятие.", "The listing belongs to another enterprise.")
UNKNOWN_SELLER = Text(
    "Предприятието още не е в регистъра на социалните предприятия.",
    "The enterprise is not in the register of social enterprises yet.",
)
NO_ENTERPRISE = Text("Профилът ви не е свързан с предприятие.", "Your account is not linked to an enterprise.")


def acts_for(principal: Principal, seller_id: str) -> bool:
    """A representative acts only for the enterprise their account is linked to; admins for any."""
    return principal.is_admin or (Role.REPRESENTATIVE in principal.roles and principal.enterprise_id == seller_id)


@dataclass
class ListingService:
    listings: Listings
    sellers: Sellers
    index: SearchIndex
    catalog: EventCatalog
    clock: Clock
    new_id: Callable[[], str] = lambda: str(uuid.uuid4())

    # ------------------------------------------------------------------ the seller's own listings
    def create(self, principal: Principal, seller_id: str | None, content: ListingContent) -> Listing:
        seller_id = seller_id or principal.enterprise_id
        if seller_id is None:
            raise Forbidden(NO_ENTERPRISE)
        if not acts_for(principal, seller_id):
            raise Forbidden(NOT_YOURS)
        seller = self.sellers.get(seller_id)
        if seller is None:
            raise Forbidden(UNKNOWN_SELLER)
        now = self.clock.now()
        listing = Listing(id=self.new_id(), seller=seller, content=content, created_at=now, updated_at=now)
        self.listings.add(listing, self._outbox(listing, now))
        self.reindex(listing)
        return listing

    def view(self, principal: Principal, listing_id: str) -> Listing:
        """A published listing for anyone; any other state only for the seller's representatives."""
        listing = self.listings.get(listing_id)
        if not listing.visible and not acts_for(principal, listing.seller_id):
            raise NotFound(Text("Няма такава обява.", "No such listing."))
        return listing

    def edit(self, principal: Principal, listing_id: str, change: Callable[[Listing], ListingContent]) -> Listing:
        return self._act(principal, listing_id, lambda listing, now: listing.edit(change(listing), now))

    def publish(self, principal: Principal, listing_id: str) -> Listing:
        return self._act(principal, listing_id, lambda listing, now: listing.publish(now))

    def pause(self, principal: Principal, listing_id: str) -> Listing:
        return self._act(principal, listing_id, lambda listing, _: listing.pause())

    def archive(self, principal: Principal, listing_id: str) -> Listing:
        return self._act(principal, listing_id, lambda listing, _: listing.archive())

    def own(self, principal: Principal, listing_id: str) -> Listing:
        """The listing, read for one of its seller's representatives (anyone else: 403)."""
        listing = self.listings.get(listing_id)
        if not acts_for(principal, listing.seller_id):
            raise Forbidden(NOT_YOURS)
        return listing

    def act(self, principal: Principal, listing_id: str, step: Callable[[Listing, datetime], None]) -> Listing:
        """A change of the seller's own listing by one of its representatives, saved with its events."""
        return self._act(principal, listing_id, step)

    def of_seller(self, principal: Principal, seller_id: str) -> list[Listing]:
        """All of a seller's listings for its representatives; only the published ones for everyone else."""
        listings = self.listings.of_seller(seller_id)
        if acts_for(principal, seller_id):
            return listings
        return [listing for listing in listings if listing.visible]

    def _act(self, principal: Principal, listing_id: str, step: Callable[[Listing, datetime], None]) -> Listing:
        def attempt() -> Listing:
            listing = self.listings.get(listing_id)
            if not acts_for(principal, listing.seller_id):
                raise Forbidden(NOT_YOURS)
            # The seller's standing as the register last told us, so publishing checks the newest picture.
            seller = self.sellers.get(listing.seller_id)
            if seller is not None:
                listing.follow_seller(seller)
            now = self.clock.now()
            step(listing, now)
            listing.updated_at = now
            self.listings.save(listing, self._outbox(listing, now))
            return listing

        listing = on_fresh_copy(attempt)  # the consumer aligning the listing with its seller meanwhile
        self.reindex(listing)
        return listing

    def _outbox(self, listing: Listing, now: datetime) -> list[OutboxEntry]:
        return to_outbox(self.catalog, SERVICE, AGGREGATE_TYPE, listing.id, listing.pull_events(), now)

    # ------------------------------------------------------------------ following the register
    def follow_seller(self, seller: Seller) -> int:
        """Bring every listing of the seller in line with the register's latest picture; returns how many changed.

        State-based, so running it again (a replayed event, the scheduler's pass) changes nothing more.
        """
        changed = 0
        for listing in self.listings.of_seller(seller.enterprise_id):
            changed += self._follow(listing, seller)
        return changed

    def _follow(self, listing: Listing, seller: Seller) -> int:
        for _ in range(3):  # a seller editing the listing at the same moment wins the race; retry on top of it
            if not listing.follow_seller(seller):
                return 0
            now = self.clock.now()
            try:
                self.listings.save(listing, self._outbox(listing, now))
            except StaleVersion:
                listing = self.listings.get(listing.id)
                continue
            self.reindex(listing)
            return 1
        raise StaleVersion()

    # ------------------------------------------------------------------ search
    def reindex(self, listing: Listing) -> None:
        """Make the search index hold the listing as saved: its terms if it is published, nothing otherwise.

        Not atomic with the save (no transactions): a crash in between leaves the listing marked
        ``search_dirty`` for ``repair_index``; search also skips any listing no longer published.
        """
        previous = self.listings.indexed(listing.id)
        if listing.visible:
            now = Indexed(listing_terms(listing), listing_keys(listing).encode())
            if now != previous:
                self.index.put(listing.id, listing_keys(listing), now.terms, previous.terms)
            else:  # a change the index does not show (a price, a new contact e-mail): search pages show it
                self.index.touch(listing.id)
        else:
            now = NOT_INDEXED
            self.index.remove(listing.id, previous.terms)
        self.listings.mark_indexed(listing.id, listing.version, now)

    def repair_index(self) -> int:
        repaired = 0
        for listing_id in self.listings.dirty_ids():
            self.reindex(self.listings.get(listing_id))
            repaired += 1
        return repaired

    def upgrade_index(self) -> int:
        """After a release that indexes listings by more terms (``TERMS_VERSION``), index every listing anew.

        One counter read a pass otherwise; a listing whose terms did not change costs one read.
        """
        if self.index.terms_version() >= TERMS_VERSION:
            return 0
        upgraded = 0
        for listing_id in self.listings.all_ids():
            try:
                self.reindex(self.listings.get(listing_id))
            except NotFound:
                continue
            upgraded += 1
        self.index.set_terms_version(TERMS_VERSION)
        return upgraded

    def search(self, request: SearchRequest) -> tuple[SearchPage, list[Listing]]:
        groups = request.driver_terms()
        postings, keys = self.index.matches(term for group in groups for term in group)
        page = run_search(request, [[postings[term] for term in group] for group in groups], keys)
        shown = []
        for listing_id in page.ids:
            try:
                listing = self.listings.shown(listing_id)
            except NotFound:
                continue
            if listing.visible:  # the index may lag a moment behind a pause
                shown.append(listing)
        return page, shown

    # ------------------------------------------------------------------ matching buyers' needs
    def sellers_offering(self, category: str, districts: list[str]) -> list[Seller]:
        """Sellers in good standing with a published listing in ``category`` (or one of its sub-categories)
        serving any of ``districts``: read from the category's posting and the listings' keys, never by
        scanning the listings. The seller's standing is the register's latest picture, not the listing's copy."""
        term = category_term(category)
        postings, keys = self.index.matches([term])
        posting = postings.get(term, {})
        wanted = district_mask(districts)
        checked: set[str] = set()
        found: list[Seller] = []
        for listing_id in sorted(posting):
            item = keys.get(listing_id)
            if item is None or not item.districts & wanted:
                continue
            try:
                listing = self.listings.get(listing_id)
            except NotFound:
                continue
            if not listing.visible or listing.seller_id in checked:  # the index may lag a moment behind a pause
                continue
            checked.add(listing.seller_id)
            seller = self.sellers.get(listing.seller_id)
            if seller is not None and seller.in_good_standing:
                found.append(seller)
        return found
