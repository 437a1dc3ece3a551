"""The signed-in person as the services see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

NATIONAL = "national"


class Role(StrEnum):
    PUBLIC = "public"
    REPRESENTATIVE = "representative"
    BUYER = "buyer"
    TRAINER = "trainer"
    LEARNER = "learner"
    CLERK = "clerk"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    name: str = ""
    email: str = ""
    enterprise_id: str | None = None
    """For a representative: the enterprise they act for (None before it exists)."""
    centre: str | None = None
    """For a clerk: the regional centre they work in, or ``national``."""

    @property
    def is_authenticated(self) -> bool:
        return bool(self.subject)

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def may_work_in_centre(self, centre: str) -> bool:
        """Clerks act only within their centre; national clerks and admins everywhere."""
        if self.is_admin:
            return True
        return Role.CLERK in self.roles and self.centre in (centre, NATIONAL)


ANONYMOUS = Principal(subject="", roles=frozenset({Role.PUBLIC}))
