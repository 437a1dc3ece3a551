"""The signed-in person as the services see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

NATIONAL = "national"
"""The explicit ``centre`` claim of a clerk who works for every centre (the ministry)."""


class Role(StrEnum):
    PUBLIC = "public"
    REPRESENTATIVE = "representative"
    BUYER = "buyer"
    TRAINER = "trainer"
    LEARNER = "learner"
    CLERK = "clerk"
    ADMIN = "admin"
    INTEGRATOR = "integrator"
    """A platform integrator: may subscribe webhooks to public events only."""


@dataclass(frozen=True)
class Principal:
    subject: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    name: str = ""
    email: str = ""
    enterprise_id: str | None = None
    """For a representative: the enterprise they act for (None before it exists)."""
    centre: str | None = None
    """For a clerk: the regional centre they work in, or ``national``. Checked against the known centres
    when the token is read; a clerk without one may act in no centre at all (fail closed)."""
    email_verified: bool = False
    """The identity provider vouches that ``email`` belongs to this person."""

    @property
    def is_authenticated(self) -> bool:
        return bool(self.subject)

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_national(self) -> bool:
        """Admins, and clerks whose token says ``centre: national`` explicitly, act for every centre."""
        return self.is_admin or (Role.CLERK in self.roles and self.centre == NATIONAL)

    @property
    def verified_email(self) -> str:
        """The e-mail address, only when the provider verified it (empty otherwise): identity rests on this."""
        return self.email if self.email_verified else ""

    def may_work_in_centre(self, centre: str) -> bool:
        """Clerks act only within their centre; national clerks and admins everywhere; no centre, nowhere."""
        if self.is_national:
            return True
        return Role.CLERK in self.roles and bool(self.centre) and self.centre == centre

    def clerk_scope(self) -> str | None:
        """The centre whose work a clerk may see: a centre id, ``national`` for all, or None for nothing."""
        if self.is_national:
            return NATIONAL
        if Role.CLERK in self.roles and self.centre:
            return self.centre
        return None


ANONYMOUS = Principal(subject="", roles=frozenset({Role.PUBLIC}))
