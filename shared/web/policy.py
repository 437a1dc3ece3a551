"""Who may call each API operation, declared in one table per service and enforced before every request.

A service's table (``services/<service>/entrypoints/api/policies.py``) maps every Flask endpoint under
``/api/`` (``blueprint.view``) to a :class:`Policy`: the roles that may call it (or anyone) and the
ownership rule that applies, in words and as an :class:`Ownership` kind. The app factory refuses to build an
app whose table misses an operation or names one that does not exist, checks the roles before every request
(401 for an anonymous caller, 403 for a wrong role, before the body is read) and writes each policy into its
operation of the OpenAPI document (``x-policy`` and the description). Ownership rules are enforced where
they always were, in the service layer: the table declares them so they can be read and tested.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from apispec import BasePlugin
from flask import Flask, request

from shared.auth import Principal, Role
from shared.errors import Forbidden, Text, Unauthorized
from shared.web.auth import current_principal

API_PREFIX = "/api/"
"""Every rule under this prefix is an API operation and needs a declared policy."""

SIGN_IN_REQUIRED = Text("Необходим е вход в системата.", "Sign-in is required.")
NO_CENTRE = Text(
    "Профилът ви на служител не посочва регионален център; попитайте администратора.",
    "Your clerk's sign-in names no regional centre; ask an administrator.",
)


class Ownership(StrEnum):
    """Which of the objects an operation touches a caller holding the right role may reach."""

    NONE = "none"
    """No ownership rule: every caller the roles admit (public data, or something new the caller creates)."""
    SCOPED = "scoped"
    """The answer holds only the caller's own records (by the token's subject, verified e-mail, enterprise
    or centre): lists, settings, the caller's own favourites or calendar link."""
    CAPABILITY = "capability"
    """Whoever holds the unguessable secret in the address."""
    ENTERPRISE = "enterprise"
    """A representative of the enterprise (the token's enterprise_id, or the applicant)."""
    ENTERPRISE_OR_CENTRE = "enterprise_or_centre"
    """A representative of the enterprise, or a clerk of the enterprise's regional centre."""
    CENTRE = "centre"
    """A clerk of the regional centre the object belongs to."""
    DEAL_PARTY = "deal_party"
    """The deal's buyer, or a representative of its seller."""
    DEAL_BUYER = "deal_buyer"
    """The deal's buyer."""
    DEAL_SELLER = "deal_seller"
    """A representative of the deal's seller."""
    LISTING_SELLER = "listing_seller"
    """A representative of the listing's seller."""
    NEED_BUYER = "need_buyer"
    """The buyer who posted the need."""
    SESSION = "session"
    """The session's own trainer, or a clerk of the session's centre."""
    ENROLMENT = "enrolment"
    """The learner enrolled (by verified e-mail), a representative of their enterprise, or the session's
    trainer or a clerk of its centre."""
    RECIPIENT = "recipient"
    """A message addressed to the caller, their enterprise or their centre."""
    SUBSCRIPTION = "subscription"
    """The subscription's owner."""

    @property
    def rule(self) -> str:
        return _RULES[self]

    @property
    def refuses_others(self) -> bool:
        """The rule is about the object named in the address: anyone else holding the right role is refused."""
        return self not in (Ownership.NONE, Ownership.SCOPED, Ownership.CAPABILITY)


_RULES = {
    Ownership.NONE: "No ownership rule.",
    Ownership.SCOPED: "Only the caller's own records (by the token's subject, verified e-mail, enterprise or centre).",
    Ownership.CAPABILITY: "Whoever holds the secret address.",
    Ownership.ENTERPRISE: "A representative of that enterprise.",
    Ownership.ENTERPRISE_OR_CENTRE: "A representative of that enterprise, or a clerk of its regional centre.",
    Ownership.CENTRE: "A clerk of its regional centre.",
    Ownership.DEAL_PARTY: "The deal's buyer or a representative of its seller.",
    Ownership.DEAL_BUYER: "The deal's buyer.",
    Ownership.DEAL_SELLER: "A representative of the deal's seller.",
    Ownership.LISTING_SELLER: "A representative of the listing's seller.",
    Ownership.NEED_BUYER: "The buyer who posted the need.",
    Ownership.SESSION: "The session's own trainer, or a clerk of its centre.",
    Ownership.ENROLMENT: "The learner, their enterprise's representative, or the session's trainer or centre clerk.",
    Ownership.RECIPIENT: "A message addressed to the caller, their enterprise or their centre.",
    Ownership.SUBSCRIPTION: "The subscription's owner.",
}

SIGNED_IN_ROLES = frozenset(Role) - {Role.PUBLIC}


@dataclass(frozen=True)
class Policy:
    """Who may call one operation: ``roles`` (``{PUBLIC}``: anyone, even without signing in) and whose
    objects they reach (``ownership``, with ``rule`` in words; admins only where listed among the roles)."""

    roles: frozenset[Role]
    ownership: Ownership = Ownership.NONE
    rule: str = ""

    @property
    def is_public(self) -> bool:
        return Role.PUBLIC in self.roles

    @property
    def any_signed_in(self) -> bool:
        return self.roles >= SIGNED_IN_ROLES

    @property
    def words(self) -> str:
        return self.rule or self.ownership.rule

    def callers(self) -> list[str]:
        if self.is_public:
            return [Role.PUBLIC.value]
        return sorted(role.value for role in self.roles)

    def admits(self, principal: Principal) -> bool:
        """The role part: may ``principal`` call the operation at all?"""
        if self.is_public:
            return True
        if not principal.is_authenticated:
            return False
        return self.any_signed_in or bool(acting_roles(principal) & self.roles)

    def check(self, principal: Principal) -> None:
        """401 for an anonymous caller, 403 for one without any of the roles; the ownership is checked later."""
        if self.admits(principal):
            return
        if not principal.is_authenticated:
            raise Unauthorized(SIGN_IN_REQUIRED)
        if Role.CLERK in self.roles and Role.CLERK in principal.roles:
            raise Forbidden(NO_CENTRE)
        allowed = ", ".join(self.callers())
        raise Forbidden(Text(f"Необходима е роля: {allowed}.", f"One of these roles is required: {allowed}."))

    def document(self) -> dict[str, Any]:
        """The ``x-policy`` of the operation in the OpenAPI document."""
        return {"roles": self.callers(), "ownership": self.ownership.value, "rule": self.words}

    def describe(self) -> str:
        """The same in a sentence for the operation's description."""
        if self.is_public:
            who = "anyone, no sign-in needed"
        elif self.any_signed_in:
            who = "any signed-in person"
        else:
            who = ", ".join(self.callers())
        return f"**Who may call:** {who}. **Whose:** {self.words}"


def acting_roles(principal: Principal) -> frozenset[Role]:
    """The roles a principal acts in. A clerk whose token names no centre acts as a clerk nowhere (fail closed)."""
    if Role.CLERK in principal.roles and principal.clerk_scope() is None:
        return principal.roles - {Role.CLERK}
    return principal.roles


# ---------------------------------------------------------------------- the words of the tables
def public(ownership: Ownership = Ownership.NONE, rule: str = "") -> Policy:
    """Anyone, signed in or not."""
    return Policy(frozenset({Role.PUBLIC}), ownership, rule)


def signed_in(ownership: Ownership = Ownership.SCOPED, rule: str = "") -> Policy:
    """Any signed-in person, whatever their roles."""
    return Policy(SIGNED_IN_ROLES, ownership, rule)


def allow(*roles: Role, ownership: Ownership = Ownership.NONE, rule: str = "") -> Policy:
    """Signed-in people holding one of ``roles`` (admins only when listed)."""
    if not roles or Role.PUBLIC in roles:
        raise ValueError("allow() names the roles of signed-in callers; use public() for anyone")
    return Policy(frozenset(roles), ownership, rule)


# ---------------------------------------------------------------------- the app's side
class UndeclaredPolicy(RuntimeError):
    """An API operation without a policy, or a policy for an operation that does not exist."""


def api_endpoints(app: Flask) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules() if rule.rule.startswith(API_PREFIX)}


def check_declared(app: Flask, policies: Mapping[str, Policy]) -> None:
    """Every API operation has a policy and every policy an operation, or the app does not start."""
    endpoints = api_endpoints(app)
    missing = sorted(endpoints - set(policies))
    unknown = sorted(set(policies) - endpoints)
    problems = []
    if missing:
        problems.append(f"operations without a declared policy: {', '.join(missing)}")
    if unknown:
        problems.append(f"policies for operations that do not exist: {', '.join(unknown)}")
    if problems:
        raise UndeclaredPolicy(f"{app.name}: " + "; ".join(problems))


def enforce_roles(policies: Mapping[str, Policy]) -> Any:
    """A before_request function: the role part of the endpoint's policy, for every API request."""

    def _enforce() -> None:
        rule = request.url_rule
        if rule is None or not rule.rule.startswith(API_PREFIX) or request.method == "OPTIONS":
            return  # no such route (404/405 follow), or not an API operation
        policy = policies.get(str(rule.endpoint))
        if policy is None:  # fail closed: check_declared makes this impossible at start-up
            raise Forbidden(Text("Операцията няма обявени права.", "The operation declares no policy."))
        policy.check(current_principal())

    return _enforce


class PolicyPlugin(BasePlugin):
    """Writes each operation's policy into the OpenAPI document (``x-policy`` and its description)."""

    def __init__(self, policies: Mapping[str, Policy]) -> None:
        self.policies = policies

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        rule = kwargs.get("rule")
        policy = self.policies.get(str(rule.endpoint)) if rule is not None else None
        if policy is None or not operations:
            return
        for operation in operations.values():
            operation["x-policy"] = policy.document()
            described = operation.get("description", "")
            operation["description"] = f"{described}\n\n{policy.describe()}".strip()
