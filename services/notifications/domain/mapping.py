"""From an event of the platform to the notices it causes: who hears of it and which message they get.

``RULES`` below is the one place to read (and change) it. Each event type names its rules; a rule says
which message (the templates' key, ``templates/<message>.<lang>.*.j2``), which category a person may
opt out of, whether it is a legal notice (register decisions and deletions: never opted out of) and
who receives it. Every address comes from the event itself: notifications keeps no directory of people.

A rule may name a page of the portal (``link``, filled in from the payload, e.g.
``/my/applications/{application_id}``): the inbox message links to it, and the message's context carries
``portal_link``, the portal's address (``NOTIFICATIONS_PORTAL_URL``, passed in by the consumer) followed
by that page. A rule may name a ``thread`` (also filled in from the payload): the messages of one thread
replace each other in a person's inbox, so a resubmitted application's "received" stays one message.

Recipients: a PERSON the registry's event names (``applicant``, ``representatives``) is
``user:<sign-in subject>`` — the inbox they read whatever their enterprise claim — with their own
verified address for the e-mail. The enterprise's contact address (``email:<lower-cased address>``) gets
the legal copy to the entity (decisions, deletions, the certificate), and any register message when
none of the people has an address (their token vouched for none, or an older event names nobody).
Otherwise ``user:<id>``, ``enterprise:<id>`` or ``centre:<id>`` (a trainer and a centre's clerks are
inbox-only). One event never sends two e-mails to one address: a later recipient with an address already
written to gets the inbox message only (a contact copy to a representative's own address: nothing more).
Sellers and a worker's employer are enterprises: their events name the enterprise (``seller_id``,
``enterprise_id``), not its people. The consumer adds the enterprise's representatives, as the registry's
events last named them (notifications' own read model, ``adapters/representatives.py``), under
``seller_representatives`` / ``employer_representatives`` (:func:`with_representatives`); a seller's
message goes to each of them (own inbox, own address) and the contact address gets its copy.

NOT_YET_EVENTS — what the issue asks for but no event makes possible yet (the table does not invent
events; each becomes a rule once its producer publishes the event, with a golden example):

- trainers, "session full": training publishes nothing when the last seat is taken (``EnrolmentConfirmed``
  carries neither the capacity nor the seats left, and a waitlist may also start on a cancelled seat).
  Missing: ``training.SessionFull`` (session_id, course_title, trainer_id, trainer_name, centre, capacity,
  starts_at), or ``seats_left`` on ``training.EnrolmentConfirmed``.

Grants' events name the applicant by her sign-in subject only (``applicant``): the consumer adds the
enterprise's representatives (``grant_representatives``) and the message goes to the one among them who
applied, in her inbox and at her own address; one the register has not named (yet) gets the inbox message.
The centre's staff read new submissions and answers in the centre's inbox, as the register's clerks do,
and there also hear that the ministry closed a call serving their region (``centres`` of ``grants.CallClosed``).
An evaluator the centre assigns hears of it in her own inbox (``grants.EvaluatorAssigned`` names her by
sign-in subject alone: the event vouches for no address, so no e-mail), linked to the application's page.

The centres' events (fairs, bazaars, forums) name an exhibitor by its enterprise (``enterprise_id``): the
consumer adds its representatives (``exhibitor_representatives``) and the enterprise's contact address as the
register last gave it (``exhibitor_contact``, :func:`with_representatives`), so each representative hears in
her own inbox and at her own address and the contact address gets its copy, as a seller's do. A move or a
cancellation names the enterprises (``exhibitors``; the consumer adds ``exhibitors_told``, each with its
people and contact) and the visitors with their sign-in subject (``visitor_roster``). A visitor is told in her
own inbox (``user:<subject>``) and at the verified address she registered with (``visitor``). An enterprise
the register deleted has no representatives any more: its withdrawal from a fair goes to its contact address
alone (whichever of the two events notifications reads first). The organising centre's staff hear of each new
application for a stand in the centre's inbox.

The clerks' "decision deadline in 2 days" and the buyers' "quote expiring" are reminders planned from
``due_at`` and ``valid_until`` (``reminders.py``). A registry event for the deadline would be more exact:
the 14-day clock pauses while information is requested, which ``reminders.py`` follows by dropping the
reminder then and planning it again on resubmission.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from babel.numbers import format_currency

from shared.bg.geography import geography
from shared.clock import SOFIA
from shared.events import Envelope, InvalidEvent

from .notice import Notice, Recipient

Payload = Mapping[str, Any]

# What a person may opt out of: one category per producing service.
REGISTRY = "registry"
MARKETPLACE = "marketplace"
TRAINING = "training"
GRANTS = "grants"
EVENTS = "events"

LEGAL = True
"""Register decisions and deletions, a worker's one invitation, and a cancelled or moved event one takes part
in: sent whatever the person's preferences."""
OPTIONAL = False


DEFAULT_PORTAL_URL = "http://127.0.0.1:8100"
"""The portal as ``make run`` serves it; the consumer passes the configured address."""
LEARNER_ENROLMENTS = "/my/training"
"""The portal's page where a learner sees their enrolments and accepts or declines an invitation."""


@dataclass(frozen=True)
class Rule:
    message: str
    category: str
    legal: bool
    recipients: Callable[[Payload], list[Recipient]]
    link: str | None = None
    """A page of the portal the message points to, ``{field}``s filled in from the payload."""
    thread: str | None = None
    """Messages of one thread (``{field}``s filled in from the payload) replace each other in the inbox."""

    def link_for(self, payload: Payload) -> str | None:
        return _filled(self.link, payload)

    def thread_for(self, payload: Payload) -> str | None:
        return None if self.thread is None else f"{self.message}:{_filled(self.thread, payload)}"


def _filled(template: str | None, payload: Payload) -> str | None:
    """The template with the payload's values; ``None`` when the payload lacks one (an older event)."""
    if template is None:
        return None
    try:
        return template.format_map(payload)
    except (KeyError, IndexError, AttributeError):
        return None


# --- who hears of it -------------------------------------------------------------------------------------

SELLER_REPRESENTATIVES = "seller_representatives"
EMPLOYER_REPRESENTATIVES = "employer_representatives"
GRANT_REPRESENTATIVES = "grant_representatives"
EXHIBITOR_REPRESENTATIVES = "exhibitor_representatives"
EXHIBITOR_CONTACT = "exhibitor_contact"
EXHIBITORS_TOLD = "exhibitors_told"
RepresentativesOf = Callable[[str], list[Mapping[str, Any]]]
"""An enterprise's representatives by its id (``subject``, ``name``, ``email`` or None)."""
ContactOf = Callable[[str], Mapping[str, Any] | None]
"""An enterprise's contact address as its register entry gives it (``email``, ``name``), or None."""


def _someone(email: str | None, otherwise: str, name: str) -> Recipient:
    """By e-mail when the event gives an address; otherwise an inbox-only key."""
    if email and email.strip():
        return Recipient(key=f"email:{email.strip().lower()}", email=email.strip(), name=name)
    return Recipient(key=otherwise, email=None, name=name)


def person(one: Mapping[str, Any]) -> Recipient:
    """A person the event names (``subject``, ``name``, ``email`` or null): their own inbox and address."""
    email = (one.get("email") or "").strip()
    return Recipient(key=f"user:{one['subject']}", email=email or None, name=one["name"])


def _applicant_person(p: Payload) -> list[Recipient]:
    return [person(p["applicant"])] if p.get("applicant") else []


def _representatives(p: Payload) -> list[Recipient]:
    return [person(one) for one in p.get("representatives") or []]


def _or_contact(people: list[Recipient], contact: list[Recipient]) -> list[Recipient]:
    """The people, and the contact address as well when none of them has an address of their own (their
    token vouched for none, or an older event names nobody): someone always gets the e-mail."""
    return people if any(one.email for one in people) else [*people, *contact]


def applicant(p: Payload) -> list[Recipient]:
    """Whoever submitted the application (``applicant``); the application's contact address
    (``applicant_email``) too when she has no address of her own."""
    return _or_contact(_applicant_person(p), application_contact(p))


def application_people(p: Payload) -> list[Recipient]:
    """The applicant and the enterprise's other representatives; the contact address when none has one."""
    return _or_contact([*_applicant_person(p), *_representatives(p)], application_contact(p))


def application_contact(p: Payload) -> list[Recipient]:
    """The contact address typed in the application (``applicant_email``): the entity's copy."""
    return [_someone(p["applicant_email"], f"enterprise:{p['enterprise_id']}", p["name"])]


def decision_recipients(p: Payload) -> list[Recipient]:
    """A register decision: the applicant and the representatives, and the entity's copy at its contact."""
    return [*_applicant_person(p), *_representatives(p), *application_contact(p)]


def enterprise(p: Payload) -> list[Recipient]:
    """A registered enterprise, at the ``contact_email`` of its register entry."""
    return [_someone(p["contact_email"], f"enterprise:{p['enterprise_id']}", p["name"])]


def enterprise_recipients(p: Payload) -> list[Recipient]:
    """The enterprise's representatives, and the entity's copy at the entry's ``contact_email``."""
    return [*_representatives(p), *enterprise(p)]


def seller_contact(p: Payload) -> list[Recipient]:
    """The enterprise that sells, at its contact address (a deal's or a matched need's ``seller_email``)."""
    return [_someone(p["seller_email"], f"enterprise:{p['seller_id']}", p["seller_name"])]


def seller(p: Payload) -> list[Recipient]:
    """The seller's representatives (each in their own inbox and at their own address), and the enterprise's
    copy at its contact address."""
    return [*(person(one) for one in p.get(SELLER_REPRESENTATIVES) or []), *seller_contact(p)]


def seller_unless_it_cancelled(p: Payload) -> list[Recipient]:
    """A cancelled order: the seller, when the buyer or an administrator cancelled it."""
    return [] if p["cancelled_by"] == "seller" else seller(p)


def employer(p: Payload) -> list[Recipient]:
    """The representatives of the enterprise a learner works for; not the learner herself (she has hers)."""
    learner_address = str(p.get("learner") or "").strip().lower()
    people = [person(one) for one in p.get(EMPLOYER_REPRESENTATIVES) or []]
    return [one for one in people if (one.email or "").lower() != learner_address]


def buyer(p: Payload) -> list[Recipient]:
    """The buyer of a deal or the author of a need: ``buyer_email``, else the user ``buyer_id``."""
    return [_someone(p["buyer_email"], f"user:{p['buyer_id']}", p["buyer_name"])]


def learner(p: Payload) -> list[Recipient]:
    """The learner of an enrolment event (``learner`` is their e-mail address)."""
    return [_someone(p["learner"], f"user:{p['learner']}", p["learner_name"])]


def session_learners(p: Payload) -> list[Recipient]:
    """Each learner on a session's roster (enrolled or waiting), as the session event lists them."""
    return [_someone(one.get("email"), f"user:{one['learner_id']}", one["name"]) for one in p["learners"]]


def trainer(p: Payload) -> list[Recipient]:
    """A session's trainer, in their platform inbox (the events give no trainer's address)."""
    return [Recipient(key=f"user:{p['trainer_id']}", email=None, name=p["trainer_name"])]


def centre_clerks(p: Payload) -> list[Recipient]:
    """The clerks of the regional centre whose queue the application enters: the centre's shared inbox."""
    return [Recipient(key=f"centre:{p['centre']}", email=None, name=_centre_names(p["centre"])[0])]


def call_centres(p: Payload) -> list[Recipient]:
    """The regional centres serving a call's regions (``centres``): each centre's shared inbox."""
    return [Recipient(key=f"centre:{c}", email=None, name=_centre_names(c)[0]) for c in p["centres"]]


def grant_applicant(p: Payload) -> list[Recipient]:
    """The representative who applied for support (``applicant``, her sign-in subject): her own inbox and
    address as the register last named her among the enterprise's representatives; her inbox alone when the
    register has not named her (yet)."""
    subject = p["applicant"]
    for one in p.get(GRANT_REPRESENTATIVES) or []:
        if one.get("subject") == subject:
            return [person(one)]
    return [Recipient(key=f"user:{subject}", email=None, name=p["enterprise_name"])]


def evaluator(p: Payload) -> list[Recipient]:
    """The evaluator the centre assigned (``evaluator``, her sign-in subject): her own inbox only, the event
    vouching for no address of hers."""
    return [Recipient(key=f"user:{p['evaluator']}", email=None, name=_centre_names(p["centre"])[0])]


def _enterprise_people(enterprise_id: str, name: str, people: Any, contact: Any) -> list[Recipient]:
    """An enterprise's representatives (own inbox and address) and its copy at the contact address; its
    shared inbox when the register gave neither."""
    contact = contact if isinstance(contact, Mapping) else {}
    copy = _someone(contact.get("email"), f"enterprise:{enterprise_id}", contact.get("name") or name)
    return [*(person(one) for one in people or []), copy]


def exhibitor(p: Payload) -> list[Recipient]:
    """The exhibiting enterprise: each representative, and the contact address's copy."""
    return _enterprise_people(
        p["enterprise_id"], p["enterprise_name"], p.get(EXHIBITOR_REPRESENTATIVES), p.get(EXHIBITOR_CONTACT)
    )


def exhibitor_unless_it_withdrew(p: Payload) -> list[Recipient]:
    """A withdrawal: nobody when the enterprise withdrew itself; the contact address alone when the register
    deleted it (it has no representatives any more, and they heard of the deletion); the exhibitor otherwise."""
    if p["withdrawn_by"] == "enterprise":
        return []
    if p["withdrawn_by"] == "register" and p.get("register_status") == "deleted":
        return _enterprise_people(p["enterprise_id"], p["enterprise_name"], [], p.get(EXHIBITOR_CONTACT))
    return exhibitor(p)


def event_exhibitors(p: Payload) -> list[Recipient]:
    """Every enterprise exhibiting, waiting or applied (``exhibitors``), with its people as the consumer added them."""
    told = {one["enterprise_id"]: one for one in p.get(EXHIBITORS_TOLD) or []}
    found: list[Recipient] = []
    for enterprise_id in p["exhibitors"]:
        one = told.get(enterprise_id, {})
        found += _enterprise_people(enterprise_id, "", one.get("people"), one.get("contact"))
    return found


def visitor(p: Payload) -> list[Recipient]:
    """The visitor of a registration event: her own inbox (``visitor_subject``) and the address she registered with."""
    subject = p.get("visitor_subject")
    address = p["visitor"].strip()
    key = f"user:{subject}" if subject else f"email:{address.lower()}"
    return [Recipient(key=key, email=address, name=p["visitor_name"])]


def event_visitors(p: Payload) -> list[Recipient]:
    """Each visitor holding a seat or waiting, as the move or cancellation names them (``visitor_roster``); an
    older event names addresses only (``visitors``)."""
    roster = p.get("visitor_roster")
    if roster is None:
        return [_someone(address, f"email:{address}", "") for address in p["visitors"]]
    return [
        person(one) if one.get("subject") else _someone(one["email"], f"email:{one['email']}", one["name"])
        for one in roster
    ]


def organisers(p: Payload) -> list[Recipient]:
    """The organising centre's staff (``organiser``; the ministry's are ``national``), in the centre's inbox."""
    organiser = p.get("organiser")
    if not organiser:
        return []
    return [Recipient(key=f"centre:{organiser}", email=None, name=_centre_names(organiser)[0])]


# --- the table -------------------------------------------------------------------------------------------

APPLICATION = "/my/applications/{application_id}"
CLERK_APPLICATION = "/clerk/applications/{application_id}"
ENTERPRISE_PAGE = "/my/applications"
SALES_QUOTE, PURCHASE_QUOTE = "/my/sales/quotes/{deal_id}", "/my/purchases/quotes/{deal_id}"
SALES_ORDER, PURCHASE_ORDER = "/my/sales/orders/{deal_id}", "/my/purchases/orders/{deal_id}"
SALES_NEED, PURCHASE_NEED = "/my/sales/needs/{need_id}", "/my/purchases/needs/{need_id}"
SESSION, TRAINER_SESSION = "/sessions/{session_id}", "/trainer/sessions/{session_id}"
LEARNER_TRAINING = "/my/training"
WORKERS = "/my/workers"
"""The representative's page of her enterprise's workers and their training."""
"""The learner's own training page: the certificate's check code, its printable page and QR code."""
GRANT_APPLICATION = "/my/grants/applications/{application_id}"
"""The portal's page of a support application, for the enterprise's representative."""
CENTRE_GRANT_APPLICATION = "/clerk/grants/applications/{application_id}"
"""The same application as the centre's staff check it."""
GRANT_CALL = "/grants/calls/{call_id}"
"""A call for support's page (its state, and the reason when the ministry closed it)."""
PUBLIC_EVENT = "/events/{event_id}"
"""The portal's public page of a fair, bazaar or forum (its exhibitors and their products)."""
MY_EVENTS = "/my/events"
"""The portal's page of an enterprise's applications for stands and of a person's registrations."""

RULES: dict[str, list[Rule]] = {
    # registry → the applicant and the representatives (each in their own inbox and e-mail), the centre's
    # clerks, and the entity's copy at its contact address for decisions, deletions and the certificate
    "registry.ApplicationSubmitted": [
        Rule("application_received", REGISTRY, OPTIONAL, applicant, APPLICATION, thread="{application_id}"),
        Rule("application_queued", REGISTRY, OPTIONAL, centre_clerks, CLERK_APPLICATION),
    ],
    "registry.InformationRequested": [
        Rule("information_requested", REGISTRY, OPTIONAL, application_people, APPLICATION)
    ],
    "registry.ApplicationApproved": [Rule("application_approved", REGISTRY, LEGAL, decision_recipients, APPLICATION)],
    "registry.ApplicationRejected": [Rule("application_rejected", REGISTRY, LEGAL, decision_recipients, APPLICATION)],
    "registry.CertificateExpiring": [
        Rule("certificate_expiring", REGISTRY, OPTIONAL, enterprise_recipients, ENTERPRISE_PAGE)
    ],
    "registry.CertificateExpired": [
        Rule("certificate_expired", REGISTRY, OPTIONAL, enterprise_recipients, ENTERPRISE_PAGE)
    ],
    "registry.EnterpriseDeleted": [Rule("enterprise_deleted", REGISTRY, LEGAL, enterprise_recipients, ENTERPRISE_PAGE)],
    # marketplace → sellers (each representative, and the enterprise's copy at its contact) and buyers (a person)
    "marketplace.QuoteRequested": [Rule("quote_requested", MARKETPLACE, OPTIONAL, seller, SALES_QUOTE)],
    "marketplace.QuoteOffered": [Rule("quote_offered", MARKETPLACE, OPTIONAL, buyer, PURCHASE_QUOTE)],
    "marketplace.OrderPlaced": [Rule("order_placed", MARKETPLACE, OPTIONAL, seller, SALES_ORDER)],
    "marketplace.OrderFulfilled": [Rule("order_fulfilled", MARKETPLACE, OPTIONAL, buyer, PURCHASE_ORDER)],
    "marketplace.OrderCancelled": [
        Rule("order_cancelled", MARKETPLACE, OPTIONAL, seller_unless_it_cancelled, SALES_ORDER)
    ],
    "marketplace.OrderDisputed": [Rule("order_disputed", MARKETPLACE, OPTIONAL, seller, SALES_ORDER)],
    "marketplace.ReviewPosted": [Rule("review_received", MARKETPLACE, OPTIONAL, seller, SALES_ORDER)],
    "marketplace.NeedMatched": [Rule("need_matched", MARKETPLACE, OPTIONAL, seller, SALES_NEED)],
    "marketplace.NeedOutcomeRequested": [Rule("need_outcome_requested", MARKETPLACE, OPTIONAL, buyer, PURCHASE_NEED)],
    # training → learners, trainers, and the representatives of the enterprise a learner works for
    "training.EnrolmentConfirmed": [
        Rule("enrolment_confirmed", TRAINING, OPTIONAL, learner, SESSION),
        Rule("worker_enrolled", TRAINING, OPTIONAL, employer, WORKERS),
    ],
    "training.Waitlisted": [
        Rule("enrolment_waitlisted", TRAINING, OPTIONAL, learner, SESSION),
        Rule("worker_waitlisted", TRAINING, OPTIONAL, employer, WORKERS),
    ],
    "training.PromotedFromWaitlist": [
        Rule("enrolment_promoted", TRAINING, OPTIONAL, learner, SESSION),
        Rule("worker_promoted", TRAINING, OPTIONAL, employer, WORKERS),
    ],
    "training.SessionRescheduled": [Rule("session_rescheduled", TRAINING, OPTIONAL, session_learners, SESSION)],
    "training.SessionCancelled": [
        Rule("session_cancelled", TRAINING, OPTIONAL, session_learners, SESSION),
        Rule("session_cancelled_trainer", TRAINING, OPTIONAL, trainer, TRAINER_SESSION),
    ],
    "training.CertificateIssued": [
        Rule("training_certificate_issued", TRAINING, OPTIONAL, learner, LEARNER_TRAINING),
        Rule("worker_certified", TRAINING, OPTIONAL, employer, WORKERS),
    ],
    # a representative invited a worker: the one message the address gets until its owner accepts
    "training.WorkerInvited": [Rule("worker_invited", TRAINING, LEGAL, learner, link=LEARNER_ENROLMENTS)],
    # grants → the representative who applied (decisions are legal notices, as the register's are) and the
    # centre's staff, in the centre's inbox, of what awaits their check
    "grants.ApplicationSubmitted": [
        Rule("grant_received", GRANTS, OPTIONAL, grant_applicant, GRANT_APPLICATION, thread="{application_id}"),
        Rule("grant_queued", GRANTS, OPTIONAL, centre_clerks, CENTRE_GRANT_APPLICATION),
    ],
    "grants.CallClosed": [Rule("grant_call_closed", GRANTS, OPTIONAL, call_centres, GRANT_CALL)],
    "grants.InformationRequested": [
        Rule("grant_information_requested", GRANTS, OPTIONAL, grant_applicant, GRANT_APPLICATION)
    ],
    "grants.InformationProvided": [
        Rule("grant_information_provided", GRANTS, OPTIONAL, centre_clerks, CENTRE_GRANT_APPLICATION)
    ],
    "grants.EvaluatorAssigned": [Rule("grant_assigned", GRANTS, OPTIONAL, evaluator, CENTRE_GRANT_APPLICATION)],
    "grants.AwardGranted": [Rule("grant_awarded", GRANTS, LEGAL, grant_applicant, GRANT_APPLICATION)],
    "grants.ApplicationReserved": [Rule("grant_reserved", GRANTS, LEGAL, grant_applicant, GRANT_APPLICATION)],
    "grants.ApplicationRejected": [Rule("grant_rejected", GRANTS, LEGAL, grant_applicant, GRANT_APPLICATION)],
    "grants.ContractSigned": [Rule("grant_contract_signed", GRANTS, LEGAL, grant_applicant, GRANT_APPLICATION)],
    "grants.PaymentMade": [Rule("grant_payment_made", GRANTS, OPTIONAL, grant_applicant, GRANT_APPLICATION)],
    "grants.SupportCompleted": [Rule("grant_completed", GRANTS, OPTIONAL, grant_applicant, GRANT_APPLICATION)],
    # events → exhibitors (each representative, and the enterprise's copy at its contact), the organising
    # centre's inbox, visitors (their own inbox and address); a moved or cancelled event whatever the settings
    "events.ExhibitorApplied": [
        Rule("exhibitor_applied", EVENTS, OPTIONAL, exhibitor, MY_EVENTS),
        Rule("exhibitor_queued", EVENTS, OPTIONAL, organisers, PUBLIC_EVENT),
    ],
    "events.ExhibitorSelected": [Rule("exhibitor_selected", EVENTS, OPTIONAL, exhibitor, MY_EVENTS)],
    "events.ExhibitorWaitlisted": [Rule("exhibitor_waitlisted", EVENTS, OPTIONAL, exhibitor, MY_EVENTS)],
    "events.ExhibitorRejected": [Rule("exhibitor_rejected", EVENTS, OPTIONAL, exhibitor, MY_EVENTS)],
    "events.ExhibitorWithdrawn": [
        Rule("exhibitor_withdrawn", EVENTS, OPTIONAL, exhibitor_unless_it_withdrew, MY_EVENTS)
    ],
    "events.VisitorRegistered": [Rule("visitor_registered", EVENTS, OPTIONAL, visitor, MY_EVENTS)],
    "events.VisitorWaitlisted": [Rule("visitor_waitlisted", EVENTS, OPTIONAL, visitor, MY_EVENTS)],
    "events.VisitorCancelled": [Rule("visitor_cancelled", EVENTS, OPTIONAL, visitor, MY_EVENTS)],
    "events.EventRescheduled": [
        Rule("event_rescheduled", EVENTS, LEGAL, event_visitors, PUBLIC_EVENT),
        Rule("exhibitor_event_rescheduled", EVENTS, LEGAL, event_exhibitors, MY_EVENTS),
    ],
    "events.EventCancelled": [
        Rule("event_cancelled", EVENTS, LEGAL, event_visitors, PUBLIC_EVENT),
        Rule("exhibitor_event_cancelled", EVENTS, LEGAL, event_exhibitors, MY_EVENTS),
    ],
}


REPRESENTED_BY: dict[str, tuple[str, str]] = {
    **{
        event_type: ("seller_id", SELLER_REPRESENTATIVES)
        for event_type, rules in RULES.items()
        if any(rule.recipients in (seller, seller_unless_it_cancelled) for rule in rules)
    },
    **{
        event_type: ("enterprise_id", EMPLOYER_REPRESENTATIVES)
        for event_type, rules in RULES.items()
        if any(rule.recipients is employer for rule in rules)
    },
    **{
        event_type: ("enterprise_id", GRANT_REPRESENTATIVES)
        for event_type, rules in RULES.items()
        if any(rule.recipients is grant_applicant for rule in rules)
    },
    **{
        event_type: ("enterprise_id", EXHIBITOR_REPRESENTATIVES)
        for event_type, rules in RULES.items()
        if any(rule.recipients in (exhibitor, exhibitor_unless_it_withdrew) for rule in rules)
    },
}
"""Event types whose messages go to an enterprise's representatives: the payload field naming the
enterprise, and where :func:`with_representatives` puts its people."""


TELLS_EXHIBITORS = frozenset(
    event_type for event_type, rules in RULES.items() if any(rule.recipients is event_exhibitors for rule in rules)
)
"""Event types naming a list of exhibiting enterprises (``exhibitors``): each gets its people and contact."""


def _no_contact(enterprise_id: str) -> None:
    return None


def with_representatives(
    envelope: Envelope, representatives_of: RepresentativesOf, contact_of: ContactOf = _no_contact
) -> Envelope:
    """The event with the representatives of the enterprise it names, for the rules that write to them (and,
    for an exhibitor, the enterprise's contact address; for a move or cancellation, each exhibitor's).

    Only the consumer's copy of the payload gets them: they are never published, nor sent to webhooks,
    nor shown in a message (``PRIVATE_FIELDS``).
    """
    if envelope.event_type in TELLS_EXHIBITORS:
        enterprises = envelope.payload.get("exhibitors")
        if not isinstance(enterprises, list):
            return envelope
        told = [
            {
                "enterprise_id": one,
                "people": [dict(p) for p in representatives_of(one)],
                "contact": _plain(contact_of(one)),
            }
            for one in dict.fromkeys(e for e in enterprises if isinstance(e, str) and e)
        ]
        return replace(envelope, payload={**envelope.payload, EXHIBITORS_TOLD: told})
    named = REPRESENTED_BY.get(envelope.event_type)
    if named is None:
        return envelope
    field_name, into = named
    enterprise_id = envelope.payload.get(field_name)
    if not isinstance(enterprise_id, str) or not enterprise_id:
        return envelope
    people = [dict(one) for one in representatives_of(enterprise_id)]
    added: dict[str, Any] = {into: people}
    if into == EXHIBITOR_REPRESENTATIVES:
        added[EXHIBITOR_CONTACT] = _plain(contact_of(enterprise_id))
    return replace(envelope, payload={**envelope.payload, **added})


def _plain(contact: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return None if contact is None else dict(contact)


def messages() -> set[str]:
    """Every message the table names: each has its templates."""
    return {rule.message for rules in RULES.values() for rule in rules}


def notices_for(envelope: Envelope, portal_url: str = DEFAULT_PORTAL_URL) -> list[Notice]:
    """The notices one event causes; none for an event type the table does not name.

    A recipient hears of an event once, by the first rule that names them. A payload that lacks what
    a rule needs raises ``InvalidEvent``: it is poison and goes to the dead-letter topic.
    """
    rules = RULES.get(envelope.event_type, [])
    if not rules:
        return []
    payload = envelope.payload
    try:
        occurred_at = parsed_moment(envelope.occurred_at)
        shared_context = message_context(payload, occurred_at)
        notices: list[Notice] = []
        seen: set[str] = set()
        written_to: set[str] = set()
        for rule in rules:
            link = rule.link_for(payload)
            for named in rule.recipients(payload):
                address = (named.email or "").lower()
                if named.key in seen or (address in written_to and named.key.startswith("email:")):
                    continue  # heard of it already; or a contact copy to an address already written to
                seen.add(named.key)
                # never two e-mails to one address: a second person with it gets the inbox message only
                recipient = replace(named, email=None) if address in written_to else named
                if address:
                    written_to.add(address)
                notices.append(
                    Notice(
                        event_id=envelope.event_id,
                        event_type=envelope.event_type,
                        message=rule.message,
                        category=rule.category,
                        legal=rule.legal,
                        recipient=recipient,
                        occurred_at=occurred_at,
                        context={
                            **shared_context,
                            "recipient_name": recipient.name,
                            **({"portal_link": portal_url.rstrip("/") + link} if link else {}),
                        },
                        link=link,
                        thread=rule.thread_for(payload),
                    )
                )
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError) as exc:  # a moment past year 9999
        raise InvalidEvent(f"{envelope.event_type} {envelope.event_id} lacks what its notices need: {exc!r}") from exc
    return notices


# --- what the templates show -----------------------------------------------------------------------------

PRIVATE_FIELDS = frozenset(
    {
        "learners",
        "representatives",
        "applicant",
        SELLER_REPRESENTATIVES,
        EMPLOYER_REPRESENTATIVES,
        GRANT_REPRESENTATIVES,
        EXHIBITOR_REPRESENTATIVES,
        EXHIBITOR_CONTACT,
        EXHIBITORS_TOLD,
        "visitor_roster",
        "visitors",
        "exhibitors",
    }
)
"""Left out of the context: a learner's notice, kept in their inbox, must not carry the whole roster, nor
a register message the other representatives' addresses."""

DELETION_REASONS: dict[str, tuple[str, str]] = {
    # the registry's reference list (``reason_code`` of ``EnterpriseDeleted``): Bulgarian, English
    "own_request": ("по искане на предприятието", "at the enterprise's own request"),
    "dissolution": ("прекратяване, ликвидация или несъстоятелност", "dissolution, liquidation or bankruptcy"),
    "criteria_not_met": ("предприятието вече не отговаря на критериите", "the criteria are no longer met"),
    "certificate_expired": ("изтекло удостоверение без подновяване", "the certificate expired without renewal"),
    "false_data": ("представени неверни данни", "false data were submitted"),
    "annual_information_missing": ("неподадена годишна информация", "the annual information was not submitted"),
    "mark_misuse": ("злоупотреба със знака", "misuse of the mark"),
}

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}.*")


def euro(cents: int) -> str:
    """ "1 234,50 €" as people in Bulgaria write it (Babel's Bulgarian format: no-break spaces)."""
    return format_currency(Decimal(cents) / 100, "EUR", locale="bg_BG")


def shown_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def shown_time(moment: datetime) -> str:
    """A moment as a Sofia date and time: "07.12.2026, 09:30"."""
    local = moment.astimezone(SOFIA)
    return f"{shown_date(local.date())}, {local:%H:%M}"


def parsed_moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError(f"time without a zone: {text}")
    return moment


def _shown(text: str) -> str | None:
    """An ISO date or time as people read it; ``None`` for any other text."""
    if _DATE.fullmatch(text):
        return shown_date(date.fromisoformat(text))
    if _DATETIME.fullmatch(text):
        return shown_time(parsed_moment(text))
    return None


def _meeting(meeting: Mapping[str, Any]) -> str:
    """ "28.03.2027, 09:00–12:00" (Sofia time)."""
    starts, ends = parsed_moment(meeting["starts_at"]), parsed_moment(meeting["ends_at"])
    return f"{shown_time(starts)}–{ends.astimezone(SOFIA):%H:%M}"


def _centre_names(centre: str) -> tuple[str, str]:
    if centre == "national":
        return NATIONAL
    known = geography().centres.get(centre)
    return (known.name_bg, known.name_en) if known else (centre, centre)


NATIONAL = ("Министерството на труда и социалната политика", "the Ministry of Labour and Social Policy")
"""Who organises an event of ``national`` (the ministry's conferences and campaigns)."""


def _venue(venue: Mapping[str, Any]) -> tuple[str, str]:
    """Where an event is held, as people read it: a centre's hall, an address, or online."""
    if venue.get("kind") == "hall" and isinstance(venue.get("centre"), str):
        known = geography().centres.get(venue["centre"])
        if known is not None:
            return (
                f"залата на {known.name_bg}, {known.address_bg}",
                f"the hall of the {known.name_en}, {known.address_en}",
            )
    if venue.get("kind") == "address":
        place = ", ".join(str(part) for part in (venue.get("settlement"), venue.get("street")) if part)
        return place, place
    return "онлайн", "online"


def display_values(payload: Payload) -> dict[str, Any]:
    """What the payload's raw values look like to a reader.

    ``<x>_cents`` → ``<x>_eur`` ("46,00 €"); an ISO date or time ``<x>`` → ``<x>_display`` ("01.03.2028",
    "07.12.2026, 09:30" in Sofia; a time also ``<x>_date_display``), also one level down
    (``certificate_valid_until_display``); a list of meetings → ``<x>_display`` (["28.03.2027, 09:00–12:00"]);
    a roster → ``learner_count`` (the roster itself stays out of the context); ``centre`` →
    ``centre_bg``/``centre_en``; a deletion's ``reason_code`` → ``reason_bg``/``reason_en``.
    """
    derived: dict[str, Any] = {}
    for key, value in payload.items():
        if key.endswith("_cents") and isinstance(value, int) and not isinstance(value, bool):
            derived[f"{key.removesuffix('_cents')}_eur"] = euro(value)
        elif isinstance(value, str) and (shown := _shown(value)) is not None:
            derived[f"{key}_display"] = shown
            if _DATETIME.fullmatch(value):
                derived[f"{key}_date_display"] = shown_date(parsed_moment(value).astimezone(SOFIA).date())
        elif isinstance(value, Mapping):
            for inner, inner_value in value.items():
                if isinstance(inner_value, str) and (shown := _shown(inner_value)) is not None:
                    derived[f"{key}_{inner}_display"] = shown
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) and "starts_at" in v for v in value):
            derived[f"{key}_display"] = [_meeting(v) for v in value]
    if isinstance(payload.get("learners"), list):
        derived["learner_count"] = len(payload["learners"])
    if isinstance(payload.get("centre"), str):
        derived["centre_bg"], derived["centre_en"] = _centre_names(payload["centre"])
    derived.update(_event_values(payload))
    if isinstance(payload.get("reason_code"), str):
        code = payload["reason_code"]
        derived["reason_bg"], derived["reason_en"] = DELETION_REASONS.get(code, (code, code))
    return derived


def _event_values(payload: Payload) -> dict[str, str]:
    """A centre's event: who organises it (``organiser_bg``/``_en``) and where (``venue_bg``/``_en``)."""
    derived: dict[str, str] = {}
    if isinstance(payload.get("organiser"), str):
        derived["organiser_bg"], derived["organiser_en"] = _centre_names(payload["organiser"])
    if isinstance(payload.get("venue"), Mapping):
        derived["venue_bg"], derived["venue_en"] = _venue(payload["venue"])
    return derived


def message_context(payload: Payload, occurred_at: datetime) -> dict[str, Any]:
    shown = {key: value for key, value in payload.items() if key not in PRIVATE_FIELDS}
    return {
        **shown,
        **display_values(payload),
        "occurred_on_display": shown_date(occurred_at.astimezone(SOFIA).date()),
    }
