"""The header's links: what everyone sees, and what each signed-in role adds.

A representative's token names the enterprise she acts for (``enterprise_id``), and it does so from the
first application on: the id is the enterprise's before the centre has decided. The token does not say
whether the enterprise is entered in the register, so the register is asked (its public entry), and the
answer kept in the session for a minute: the seller's links show only once it is entered, and the
seller's pages explain instead of refusing while it is not (:func:`not_yet_registered`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import render_template, request, session
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from services.portal import auth
from services.portal.auth import Person
from services.portal.clients import ServiceError, current_services


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: str
    registered_only: bool = False
    """Only for representatives of an enterprise entered in the register (the pages refuse the others)."""


PUBLIC = (
    Link("register.search", _l("Register")),
    Link("market.search", _l("Marketplace")),
    Link("courses.sessions", _l("Courses")),
    Link("courses.verify", _l("Verify a certificate")),
    Link("grants.calls", _l("Support")),
    Link("events.calendar", _l("Events")),
)
SIGNED_IN = (Link("events.mine", _l("My events")),)
"""For every signed-in person: the events they registered for (and a representative's stands)."""
BY_ROLE: dict[str, tuple[Link, ...]] = {
    "representative": (
        Link("enterprise.applications", _l("My applications")),
        Link("grants.mine", _l("My support")),
        Link("seller.listings", _l("My listings"), registered_only=True),
        Link("seller.quotes", _l("Quote requests"), registered_only=True),
        Link("seller.orders", _l("Sales"), registered_only=True),
        Link("seller.needs", _l("Buyers' needs"), registered_only=True),
        Link("maturity.overview", _l("Digital maturity"), registered_only=True),
        Link("workers.enrolments", _l("Workers' training"), registered_only=True),
    ),
    "buyer": (
        Link("buyer.quotes", _l("My quotes")),
        Link("buyer.orders", _l("My orders")),
        Link("buyer.favourites", _l("Favourites")),
        Link("buyer.needs", _l("My needs")),
        Link("buyer.impact", _l("Impact report")),
    ),
    "clerk": (
        Link("clerk.queue", _l("Applications queue")),
        Link("needs_review.queue", _l("Needs to check")),
        Link("grants.staff_calls", _l("Calls for support")),
        Link("grants.centre_queue", _l("Support applications")),
        Link("grants.evaluations", _l("Applications I evaluate")),
        Link("events.staff", _l("Centre's events")),
    ),
    "trainer": (Link("trainer.schedule", _l("My sessions")),),
    "learner": (Link("learner.enrolments", _l("My training")),),
    "admin": (
        Link("disputes.queue", _l("Disputed orders")),
        Link("reads_audit.reads", _l("Reads of personal data")),
        Link("grants.staff_calls", _l("Calls for support")),
    ),
}


REGISTRATION_KEY = "registration"
REGISTRATION_CHECK_SECONDS = 60
"""How long the register's answer is trusted: a newly entered enterprise's seller links appear within it."""
IN_THE_REGISTER = frozenset({"active", "expired"})
"""Entries whose representatives sell and train (an expired one's listings are paused, its sales go on)."""
SELLERS_PAGES = frozenset({"seller"})
"""Blueprints only for representatives of an enterprise entered in the register."""


def enterprise_registered(person: Person | None) -> bool:
    """Whether the person represents an enterprise entered in the register (not merely applied, not deleted).

    Asked of the register's public entry at most once a minute per session; when the register cannot be
    reached the token's claim is trusted (the services still refuse what is not allowed) and nothing is kept.
    """
    if person is None or not person.has("representative") or not person.enterprise_id:
        return False
    kept = session.get(REGISTRATION_KEY)
    now = auth.now()
    if (
        isinstance(kept, dict)
        and kept.get("enterprise_id") == person.enterprise_id
        and now - float(kept.get("at", 0)) < REGISTRATION_CHECK_SECONDS
    ):
        return bool(kept.get("registered"))
    try:
        entry = current_services().registry.get(
            "/api/v1/register/" + quote(person.enterprise_id, safe=""), person.token
        )
    except ServiceError as error:
        if error.status != 404:
            return True
        entry = {}
    registered = isinstance(entry, dict) and entry.get("status") in IN_THE_REGISTER
    session[REGISTRATION_KEY] = {"enterprise_id": person.enterprise_id, "registered": registered, "at": now}
    return registered


def not_yet_registered() -> ResponseReturnValue | None:
    """Before a seller's page: a representative whose enterprise is not (yet) in the register is told why
    and what to do, instead of a refusal. Others pass (the page's own checks apply)."""
    if request.blueprint not in SELLERS_PAGES:
        return None
    person = auth.current_person()
    if person is None or not person.has("representative") or person.has("admin") or not person.enterprise_id:
        return None
    if enterprise_registered(person):
        return None
    return render_template("seller/not_yet_registered.html")


def navigation(person: Person | None) -> list[Link]:
    links = list(PUBLIC)
    if person is None:
        return links
    links.extend(SIGNED_IN)
    for role, role_links in BY_ROLE.items():
        if person.has(role):
            links.extend(
                link
                for link in role_links
                if link not in links
                and (not link.registered_only or role != "representative" or enterprise_registered(person))
            )
    return links


def unread_count(person: Person | None) -> int | None:
    """The inbox's unread count for the header; None when the inbox cannot be reached just now."""
    if person is None:
        return None
    try:
        answer = current_services().notifications.get("/api/v1/inbox/unread-count", person.token)
    except ServiceError:
        return None
    return int(answer.get("unread", 0)) if isinstance(answer, dict) else None
