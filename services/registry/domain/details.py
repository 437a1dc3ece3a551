"""What an enterprise tells the register about itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Seat:
    district: str
    """ISO 3166-2:BG district code, e.g. BG-16; decides region and regional centre."""
    municipality: str
    settlement: str
    address: str
    postcode: str = ""


@dataclass(frozen=True)
class Contacts:
    email: str
    phone: str = ""
    website: str = ""
    email_public: bool = True
    phone_public: bool = False


@dataclass(frozen=True)
class Representative:
    full_name: str
    position: str = ""


@dataclass(frozen=True)
class EnterpriseDetails:
    name: str
    legal_form: str
    eik: str
    seat: Seat
    contacts: Contacts
    representative: Representative
    activities: list[str] = field(default_factory=list)
    description: str = ""

    def public_contacts(self) -> dict[str, str]:
        """Only what the enterprise chose to show; the public register never reveals the rest."""
        shown = {"website": self.contacts.website}
        if self.contacts.email_public:
            shown["email"] = self.contacts.email
        if self.contacts.phone_public:
            shown["phone"] = self.contacts.phone
        return {k: v for k, v in shown.items() if v}

    def public_view(self) -> dict[str, Any]:
        """What the public register shows of these details (the history's public changes are a diff of it)."""
        return {
            "name": self.name,
            "legal_form": self.legal_form,
            "eik": self.eik,
            "seat": asdict(self.seat),
            "representative": {"full_name": self.representative.full_name},
            "contacts": self.public_contacts(),
            "activities": list(self.activities),
            "description": self.description,
        }
