"""An enterprise as the training service knows it, from the registry's events: whose workers are eligible
for funded sessions, and which regional centre serves it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Enterprise:
    enterprise_id: str
    name: str
    register_status: str
    district: str
    region: str
    centre: str
    contact_email: str

    @property
    def active(self) -> bool:
        """Entered in the register and not expired or deleted: its workers may take funded sessions."""
        return self.register_status == "active"

    @classmethod
    def from_registry(cls, payload: dict[str, Any]) -> Enterprise:
        return cls(
            enterprise_id=payload["enterprise_id"],
            name=payload["name"],
            register_status=payload["status"],
            district=payload["district"],
            region=payload["region"],
            centre=payload["centre"],
            contact_email=payload["contact_email"],
        )
