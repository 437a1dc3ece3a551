"""Who may subscribe a webhook to which event, and what its body may carry: ``WEBHOOK_RULES`` is the table.

A webhook leaves the platform for someone else's server, so it carries only what its receiver may see, and
only to receivers entitled to that very event:

- **public** events (the register, published listings, scheduled sessions, the centres' fairs and forums)
  reach any subscriber, the
  platform integrators (``integrator``) among them;
- an event **about an enterprise** reaches the subscriptions of that enterprise's representatives (the
  token's ``enterprise_id`` at subscription time is the payload's ``enterprise_id`` or ``seller_id``);
- an event **about a buyer's own deal or need** reaches that buyer's subscriptions (the subscriber's subject
  is the payload's ``buyer_id``).

Who subscribes: representatives of an enterprise, buyers and integrators; administrators see, disable and
delete everyone's subscriptions and may subscribe to public events. Learners, trainers, clerks and
anonymous callers may not subscribe at all. An event type missing from the table is never sent by webhook
(learners' enrolments, for example: they are about a person, who is no webhook subscriber).

The body is the envelope's ids and type and the payload's ``fields`` below, nothing else: no person's name,
e-mail or phone, no free text people wrote, no one else's prices. The receiver fetches the details it may
see with its own token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.auth import Principal, Role


class Audience(StrEnum):
    PUBLIC = "public"
    """Anyone who may subscribe at all."""
    ENTERPRISE = "enterprise"
    """The enterprise named in the payload (``Rule.enterprise_field``), through its representatives."""
    BUYER = "buyer"
    """The buyer named in the payload (``buyer_id``: the buyer's subject)."""


SUBSCRIBER_ROLES = frozenset({Role.REPRESENTATIVE, Role.BUYER, Role.INTEGRATOR, Role.ADMIN})
"""Who may subscribe at all (to what, the table says); everyone else gets a 403."""

ENVELOPE_FIELDS = ("event_id", "event_type", "schema_version", "occurred_at", "producer", "aggregate_type")
"""What of the envelope a webhook body keeps (with ``aggregate_id`` and the public payload)."""


@dataclass(frozen=True)
class WebhookRule:
    audiences: frozenset[Audience]
    fields: tuple[str, ...]
    """The payload's fields the body carries (ids and public facts); any other field stays home."""
    enterprise_field: str = "enterprise_id"
    """For ``Audience.ENTERPRISE``: the payload's field naming the enterprise the event concerns."""


def _rule(*audiences: Audience, fields: tuple[str, ...], enterprise_field: str = "enterprise_id") -> WebhookRule:
    return WebhookRule(frozenset(audiences), fields, enterprise_field)


PUBLIC, ENTERPRISE, BUYER = Audience.PUBLIC, Audience.ENTERPRISE, Audience.BUYER

# What each event type's body keeps: ids, states and what the public register or catalogue shows anyway.
REGISTER_ENTRY = (
    "enterprise_id",
    "registration_number",
    "name",
    "eik",
    "legal_form",
    "enterprise_class",
    "status",
    "district",
    "region",
    "centre",
    "certificate",
)
APPLICATION = (
    "application_id",
    "enterprise_id",
    "kind",
    "status",
    "centre",
    "requested_class",
    "due_at",
    "resubmission",
    "registration_number",
    "certificate_number",
    "valid_until",
)
LISTING = (
    "listing_id",
    "seller_id",
    "seller_name",
    "kind",
    "title_bg",
    "title_en",
    "category",
    "price_cents",
    "unit",
    "minimum_quantity",
    "districts_served",
    "status",
)
DEAL = ("deal_id", "listing_id", "seller_id", "state", "order_number")
NEED = ("need_id", "status", "category", "districts", "deadline")
SELLER = "seller_id"
SESSION = ("session_id", "course_id", "course_title", "centre", "meetings", "capacity", "status")
GRANT_CALL = (
    "call_id",
    "title",
    "budget_cents",
    "envelopes",
    "max_per_enterprise_cents",
    "categories",
    "opens_on",
    "closes_on",
)
EVENT = ("event_id", "kind", "organiser", "title_bg", "title_en", "venue", "starts_at", "ends_at", "status")
"""A centre's fair, bazaar or forum as its public page shows it (never who takes part, nor a reason typed)."""
EXHIBITOR = ("participation_id", "event_id", "enterprise_id", "state", "stand", "withdrawn_by", "register_status")
GRANT_AWARD = ("application_id", "call_id", "enterprise_id", "enterprise_name", "region", "amount_cents", "awarded_on")
"""What the public list of awards shows: beneficiary, amount, date, call (never the applicant nor the reasons)."""


def _deal(*extra: str) -> WebhookRule:
    """A quote or an order: its seller's (``seller_id``) and its buyer's (``buyer_id``)."""
    return _rule(ENTERPRISE, BUYER, fields=(*DEAL, *extra), enterprise_field="seller_id")


WEBHOOK_RULES: dict[str, WebhookRule] = {
    # registry: the register is public; applications and the enterprise's own duties are its own
    "registry.EnterpriseRegistered": _rule(PUBLIC, fields=REGISTER_ENTRY),
    "registry.EnterpriseUpdated": _rule(PUBLIC, fields=(*REGISTER_ENTRY, "changed_fields")),
    "registry.EnterpriseRenewed": _rule(PUBLIC, fields=REGISTER_ENTRY),
    "registry.EnterpriseClassChanged": _rule(PUBLIC, fields=(*REGISTER_ENTRY, "previous_class")),
    "registry.EnterpriseDeleted": _rule(PUBLIC, fields=(*REGISTER_ENTRY, "reason_code", "order_number", "order_date")),
    "registry.CertificateExpiring": _rule(ENTERPRISE, fields=(*REGISTER_ENTRY, "days_left")),
    "registry.CertificateExpired": _rule(ENTERPRISE, fields=REGISTER_ENTRY),
    "registry.AnnualReportOverdue": _rule(ENTERPRISE, fields=(*REGISTER_ENTRY, "year", "due_on")),
    "registry.AnnualReportSubmitted": _rule(ENTERPRISE, fields=(*REGISTER_ENTRY, "year")),
    "registry.ApplicationSubmitted": _rule(ENTERPRISE, fields=APPLICATION),
    "registry.InformationRequested": _rule(ENTERPRISE, fields=APPLICATION),
    "registry.ApplicationApproved": _rule(ENTERPRISE, fields=APPLICATION),
    "registry.ApplicationRejected": _rule(ENTERPRISE, fields=APPLICATION),
    "registry.ApplicationWithdrawn": _rule(ENTERPRISE, fields=APPLICATION),
    # marketplace: the catalogue is public; a deal is its seller's and its buyer's; a need its buyer's
    "marketplace.ListingPublished": _rule(PUBLIC, fields=LISTING),
    "marketplace.ListingUpdated": _rule(PUBLIC, fields=LISTING),
    "marketplace.ListingPaused": _rule(PUBLIC, fields=LISTING),
    "marketplace.ListingArchived": _rule(PUBLIC, fields=LISTING),
    "marketplace.QuoteRequested": _deal(),
    "marketplace.QuoteOffered": _deal("valid_until"),
    "marketplace.QuoteDeclined": _deal("declined_by"),
    "marketplace.QuoteExpired": _deal("stage"),
    "marketplace.OrderPlaced": _deal(),
    "marketplace.OrderFulfilled": _deal(),
    "marketplace.OrderReceived": _deal(),
    "marketplace.OrderCancelled": _deal("cancelled_by"),
    "marketplace.OrderDisputed": _deal(),
    "marketplace.ReviewPosted": _deal("rating"),
    "marketplace.NeedSubmitted": _rule(BUYER, fields=NEED),
    "marketplace.NeedPublished": _rule(BUYER, fields=NEED),
    "marketplace.NeedRejected": _rule(BUYER, fields=NEED),
    "marketplace.NeedWithdrawn": _rule(BUYER, fields=NEED),
    "marketplace.NeedOutcomeRequested": _rule(BUYER, fields=NEED),
    "marketplace.NeedOutcomeRecorded": _rule(BUYER, fields=(*NEED, "deal_happened", "seller_id")),
    "marketplace.NeedMatched": _rule(ENTERPRISE, BUYER, fields=(*NEED, "seller_id"), enterprise_field=SELLER),
    "marketplace.InterestExpressed": _rule(ENTERPRISE, BUYER, fields=(*NEED, "seller_id"), enterprise_field=SELLER),
    # training: sessions on offer are public (without their roster or meeting link); an assessment is the
    # enterprise's own
    "training.SessionScheduled": _rule(PUBLIC, fields=SESSION),
    "training.SessionRescheduled": _rule(PUBLIC, fields=SESSION),
    "training.SessionCancelled": _rule(PUBLIC, fields=SESSION),
    "training.AssessmentCompleted": _rule(
        ENTERPRISE, fields=("assessment_id", "enterprise_id", "questionnaire_version", "sequence", "overall", "band")
    ),
    # grants: calls and awards are published (the public list of awards); the rest of an application is the
    # enterprise's own and stays home
    "grants.CallPublished": _rule(PUBLIC, fields=GRANT_CALL),
    "grants.CallClosed": _rule(PUBLIC, fields=("call_id", "title", "status", "closes_on", "closed_at")),
    "grants.AwardGranted": _rule(PUBLIC, fields=GRANT_AWARD),
    # events: the centres' calendar is public; an application for a stand is its enterprise's own
    "events.EventPublished": _rule(PUBLIC, fields=EVENT),
    "events.EventRescheduled": _rule(PUBLIC, fields=(*EVENT, "previous_starts_at", "previous_ends_at")),
    "events.EventCancelled": _rule(PUBLIC, fields=EVENT),
    "events.ExhibitorSelected": _rule(ENTERPRISE, fields=EXHIBITOR),
    "events.ExhibitorWaitlisted": _rule(ENTERPRISE, fields=EXHIBITOR),
    "events.ExhibitorRejected": _rule(ENTERPRISE, fields=EXHIBITOR),
    "events.ExhibitorWithdrawn": _rule(ENTERPRISE, fields=EXHIBITOR),
}


# ---------------------------------------------------------------------- who
@dataclass(frozen=True)
class Subscriber:
    """Whom a subscription speaks for, as the token said when it was made (kept with the subscription)."""

    subject: str
    roles: frozenset[str]
    enterprise_id: str | None

    @classmethod
    def of(cls, principal: Principal) -> Subscriber:
        roles = frozenset(str(role) for role in principal.roles & SUBSCRIBER_ROLES)
        enterprise_id = principal.enterprise_id if Role.REPRESENTATIVE in principal.roles else None
        return cls(principal.subject, roles, enterprise_id or None)

    @property
    def may_subscribe(self) -> bool:
        return bool(self.roles)

    def audiences(self) -> frozenset[Audience]:
        """What kinds of event this subscriber may hear of."""
        if not self.roles:
            return frozenset()
        kinds = {PUBLIC}
        if Role.REPRESENTATIVE in self.roles and self.enterprise_id:
            kinds.add(ENTERPRISE)
        if Role.BUYER in self.roles:
            kinds.add(BUYER)
        return frozenset(kinds)


def may_subscribe_to(subscriber: Subscriber, event_type: str) -> bool:
    """Whether the subscriber may hear of some events of this type (which ones: :func:`entitled`)."""
    rule = WEBHOOK_RULES.get(event_type)
    return rule is not None and bool(rule.audiences & subscriber.audiences())


def entitled(subscriber: Subscriber, event_type: str, payload: Mapping[str, Any]) -> bool:
    """Whether this very event may go to the subscriber: public, or about their enterprise, or their deal."""
    rule = WEBHOOK_RULES.get(event_type)
    if rule is None:
        return False
    allowed = rule.audiences & subscriber.audiences()
    if PUBLIC in allowed:
        return True
    enterprise = subscriber.enterprise_id
    if ENTERPRISE in allowed and enterprise and payload.get(rule.enterprise_field) == enterprise:
        return True
    return BUYER in allowed and bool(subscriber.subject) and payload.get("buyer_id") == subscriber.subject


def webhook_body(event_type: str, envelope: Mapping[str, Any]) -> dict[str, Any]:
    """The smallest body that serves: the envelope's ids and type, the aggregate's id, the public fields."""
    rule = WEBHOOK_RULES[event_type]
    payload = envelope.get("payload") or {}
    return {
        **{name: envelope[name] for name in ENVELOPE_FIELDS if name in envelope},
        "aggregate_id": envelope.get("aggregate_id"),
        "payload": {name: payload[name] for name in rule.fields if name in payload},
    }
