"""Who takes part in a deal or a need, as the marketplace records them at the time."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.marketplace.domain.seller import Seller


class BuyerKind(StrEnum):
    BUSINESS = "business"
    MUNICIPALITY = "municipality"
    PUBLIC_BODY = "public_body"
    NGO = "ngo"
    CITIZEN = "citizen"


@dataclass(frozen=True)
class Buyer:
    """A signed-in buyer; ``id`` is the subject of their token."""

    id: str
    name: str
    email: str
    organisation: str = ""
    kind: BuyerKind = BuyerKind.CITIZEN


@dataclass(frozen=True)
class Supplier:
    """The seller as it stood in the register when the deal was made: what a buyer's impact report counts."""

    id: str
    name: str
    email: str
    enterprise_class: str
    district: str
    region: str
    staff_count: int
    vulnerable_staff_total: int

    @classmethod
    def of(cls, seller: Seller) -> Supplier:
        return cls(
            id=seller.enterprise_id,
            name=seller.name,
            email=seller.contact_email,
            enterprise_class=seller.enterprise_class,
            district=seller.district,
            region=seller.region,
            staff_count=seller.staff_count,
            vulnerable_staff_total=seller.vulnerable_staff_total,
        )
