"""A seller as the marketplace knows it: its own copy of what the register says about an enterprise.

Only an enterprise whose register entry is active may sell; the marketplace learns of every change
from the registry's events and never asks the registry directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.errors import Text

MARK = "Продукт на социално предприятие"
NOT_IN_GOOD_STANDING = Text(
    "предприятието няма действащо вписване в регистъра", "the enterprise has no active entry in the register"
)


@dataclass(frozen=True)
class Seller:
    enterprise_id: str
    registration_number: str
    name: str
    enterprise_class: str
    register_status: str
    district: str
    region: str
    centre: str
    valid_until: str
    staff_count: int
    vulnerable_staff_total: int
    contact_email: str
    activities: tuple[str, ...] = ()
    """What the enterprise does, as entered in the public register: with ``vulnerable_staff``, its social mission."""
    vulnerable_staff: dict[str, int] = field(default_factory=dict)
    """Workers from each vulnerable group (the register's group codes), as the register publishes them."""

    @property
    def in_good_standing(self) -> bool:
        """May publish and keep listings on the marketplace."""
        return self.register_status == "active"

    @property
    def vulnerable_staff_share(self) -> float:
        return self.vulnerable_staff_total / self.staff_count if self.staff_count else 0.0

    @classmethod
    def from_registry(cls, payload: dict[str, Any]) -> Seller:
        """From the payload of any ``registry.enterprise.v1`` event: each carries the whole public picture."""
        return cls(
            enterprise_id=payload["enterprise_id"],
            registration_number=payload["registration_number"],
            name=payload["name"],
            enterprise_class=payload["enterprise_class"],
            register_status=payload["status"],
            district=payload["district"],
            region=payload["region"],
            centre=payload["centre"],
            valid_until=str(payload["certificate"]["valid_until"]),
            staff_count=payload["staff_count"],
            vulnerable_staff_total=payload["vulnerable_staff_total"],
            contact_email=payload["contact_email"],
            activities=tuple(payload.get("activities", [])),
            vulnerable_staff={group: int(n) for group, n in payload.get("vulnerable_staff", {}).items() if n},
        )
