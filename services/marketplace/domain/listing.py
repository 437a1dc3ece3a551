"""A listing: a product or service a registered enterprise offers, and the states it goes through.

States: draft → published ⇄ paused → archived. A pause is either the seller's own or the system's
(when the enterprise leaves good standing in the register); only the system's pause is lifted by
the system when the enterprise is in good standing again, so a seller's own pause is never undone
behind its back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from shared.errors import Conflict, Text


class ListingStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    PAUSED = "paused"
    ARCHIVED = "archived"


STATUS_BG = {
    ListingStatus.DRAFT: "чернова",
    ListingStatus.PUBLISHED: "публикувана",
    ListingStatus.PAUSED: "спряна",
    ListingStatus.ARCHIVED: "архивирана",
}


class PauseReason(StrEnum):
    SELLER = "seller"
    REGISTER = "register"
    """The enterprise is no longer in good standing (certificate expired, entry deleted)."""


class ListingTransitionNotAllowed(Conflict):
    code = "transition_not_allowed"

    def __init__(self, action: Text, status: ListingStatus, reason: Text | None = None) -> None:
        because = reason or Text(f"обявата е „{STATUS_BG[status]}“", f"the listing is {status.value}")
        super().__init__(Text(f"Не може да {action.bg}: {because.bg}.", f"Cannot {action.en}: {because.en}."))


NOT_IN_GOOD_STANDING = Text(
    "предприятието няма действащо вписване в регистъра", "the enterprise has no active entry in the register"
)


@dataclass(frozen=True)
class Price:
    """Euro cents per unit, or ``None`` for "price on request"."""

    cents: int | None
    unit: str
    minimum_quantity: int = 1

    @property
    def on_request(self) -> bool:
        return self.cents is None


@dataclass
class Listing:
    id: str
    seller_id: str
    kind: str  # "product" or "service"
    title_bg: str
    description_bg: str
    category: str
    price: Price
    districts_served: list[str]
    created_at: datetime
    title_en: str = ""
    description_en: str = ""
    image_urls: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    available: bool = True
    status: ListingStatus = ListingStatus.DRAFT
    pause_reason: PauseReason | None = None
    published_at: datetime | None = None

    @property
    def visible(self) -> bool:
        """Shown in search and on pages."""
        return self.status is ListingStatus.PUBLISHED

    def publish(self, *, seller_in_good_standing: bool, now: datetime) -> None:
        action = Text("се публикува обявата", "publish the listing")
        if self.status not in (ListingStatus.DRAFT, ListingStatus.PAUSED):
            raise ListingTransitionNotAllowed(action, self.status)
        if not seller_in_good_standing:
            raise ListingTransitionNotAllowed(action, self.status, NOT_IN_GOOD_STANDING)
        self.status = ListingStatus.PUBLISHED
        self.pause_reason = None
        self.published_at = self.published_at or now

    def pause(self) -> None:
        if self.status is not ListingStatus.PUBLISHED:
            raise ListingTransitionNotAllowed(Text("се спре обявата", "pause the listing"), self.status)
        self.status = ListingStatus.PAUSED
        self.pause_reason = PauseReason.SELLER

    def archive(self) -> None:
        if self.status is ListingStatus.ARCHIVED:
            raise ListingTransitionNotAllowed(Text("се архивира обявата", "archive the listing"), self.status)
        self.status = ListingStatus.ARCHIVED
        self.pause_reason = None

    def follow_register(self, *, seller_in_good_standing: bool) -> bool:
        """Pause a published listing when its seller leaves good standing; bring it back when the seller
        returns, but only if the system paused it. Returns True when the state changed."""
        if not seller_in_good_standing and self.status is ListingStatus.PUBLISHED:
            self.status = ListingStatus.PAUSED
            self.pause_reason = PauseReason.REGISTER
            return True
        if seller_in_good_standing and self.pause_reason is PauseReason.REGISTER:
            self.status = ListingStatus.PUBLISHED
            self.pause_reason = None
            return True
        return False
