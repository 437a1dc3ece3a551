"""The header's links: what everyone sees, and what each signed-in role adds."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

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
)
BY_ROLE: dict[str, tuple[Link, ...]] = {
    "representative": (
        Link("enterprise.applications", _l("My applications")),
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
    "clerk": (Link("clerk.queue", _l("Applications queue")), Link("needs_review.queue", _l("Needs to check"))),
    "trainer": (Link("trainer.schedule", _l("My sessions")),),
    "learner": (Link("learner.enrolments", _l("My training")),),
    "admin": (Link("disputes.queue", _l("Disputed orders")), Link("reads_audit.reads", _l("Reads of personal data"))),
}


def navigation(person: Person | None) -> list[Link]:
    links = list(PUBLIC)
    if person is None:
        return links
    for role, role_links in BY_ROLE.items():
        if person.has(role):
            links.extend(
                link
                for link in role_links
                if link not in links and (person.enterprise_id or not link.registered_only or role != "representative")
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
