"""Notifications: every golden example to its notices, and every message rendered in Bulgarian and English."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from services.notifications.domain import mapping
from services.notifications.domain.mapping import (
    RULES,
    Rule,
    display_values,
    euro,
    messages,
    notices_for,
    with_representatives,
)
from services.notifications.domain.notice import Notice, Recipient
from services.notifications.domain.reminders import reminder_messages
from services.notifications.domain.rendering import (
    TEMPLATES_DIR,
    UnknownMessage,
    UnrenderableValues,
    language_of,
    render,
    subjects,
)
from services.notifications.entrypoints.consumer import subscribed_event_types
from services.notifications.events.consumed import consumed, topic_of
from shared.events import Envelope, InvalidEvent

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_FILES = sorted(ROOT.glob("services/*/events/examples/*.json"))


def _load(path: Path) -> Envelope:
    return Envelope.from_dict(json.loads(path.read_text(encoding="utf-8")))


EXAMPLES: dict[str, Envelope] = {envelope.event_type: envelope for envelope in map(_load, EXAMPLE_FILES)}
MAPPED = sorted(set(EXAMPLES) & set(RULES))
UNMAPPED = sorted(set(EXAMPLES) - set(RULES))

MARITSA = "office@maritsa.example.bg"
PCHELA = "office@rodopska-pchela.example.bg"
PETROVA = "m.petrova@smolyan.example.bg"
KOLEVA = "d.koleva@gabrovo.example.bg"
PLETENI = "office@pleteni-mechti.example.bg"
RADOSTINA = "radostina.dimitrova@dobroutro.example.bg"
KOLEV = "georgi.kolev@dobroutro.example.bg"
ROSTER = ["g.petrov@dobroutro.example.bg", "elena@pleteni-mechti.example.bg"]


PCHELA_ID = "3c8f1e5a-9b24-4d7c-a6e1-0f5b2d8c4e17"
PLETENI_ID = "c3a9e1d4-7b2f-4c8a-b5e6-0d9f8a7b6c51"
DOBROUTRO_ID = "0d6a3f2e-8b41-4c97-a5e3-7f1b9c2d4e68"
IVANKA = ("user:rep-pchela-1", "ivanka@rodopska-pchela.example.bg")
"""The seller's representative (her own verified address); the golden examples name the seller only."""
ELENA = ("user:rep-pleteni-1", "elena.rep@pleteni-mechti.example.bg")
STEFAN = ("user:rep-dobroutro-1", "s.nikolov@dobroutro.example.bg")
DIRECTORY: dict[str, list[dict[str, str | None]]] = {
    PCHELA_ID: [{"subject": IVANKA[0][5:], "name": "Иванка Стоянова", "email": IVANKA[1]}],
    PLETENI_ID: [{"subject": ELENA[0][5:], "name": "Елена Попова", "email": ELENA[1]}],
    DOBROUTRO_ID: [{"subject": STEFAN[0][5:], "name": "Стефан Николов", "email": STEFAN[1]}],
    "ent-1": [
        {"subject": "rep-2", "name": "Петя Георгиева", "email": "petya@pekarna.example.bg"},
        {"subject": "rep-1", "name": "Пенка Колева", "email": "penka@pekarna.example.bg"},
    ],
}
"""Who represents the enterprises of the golden examples, as the consumer's read model would say."""


CONTACTS: dict[str, dict[str, str]] = {"ent-1": {"email": "office@pekarna.example.bg", "name": "Пекарна Добро"}}
"""The enterprises' contact addresses as the register gave them (the copy of an exhibitor's messages)."""


def represented(envelope: Envelope) -> Envelope:
    return with_representatives(
        envelope,
        lambda enterprise_id: DIRECTORY.get(enterprise_id, []),
        CONTACTS.get,
    )


def notices_of(envelope: Envelope) -> list[Notice]:
    """The notices as the consumer makes them: with the representatives of the enterprise the event names."""
    return notices_for(represented(envelope))


def by_mail(message: str, address: str, legal: bool = False) -> tuple[str, str, str | None, bool]:
    return (message, f"email:{address}", address, legal)


# What each golden example causes: (message, recipient key, e-mail address, legal), in order.
MARIA = ("user:rep-maritsa-1", "maria.ivanova@example.bg")
"""The representative who applied (her verified address), and her colleague whose token vouched for none."""
PETAR = ("user:rep-maritsa-2", None)
PENKA = ("user:rep-1", "penka@pekarna.example.bg")
"""The representative who applied for support in the grants examples (``applicant: rep-1``)."""
PETYA = ("user:rep-2", "petya@pekarna.example.bg")
PEKARNA = "office@pekarna.example.bg"
"""The exhibiting enterprise of the events' examples (``ent-1``): its two representatives and its contact."""
VISITOR = ("user:visitor-maria", "maria@example.bg")


def people(message: str, *who: tuple[str, str | None], legal: bool = False) -> list[tuple[str, str, str | None, bool]]:
    return [(message, key, address, legal) for key, address in who]


EXPECTED: dict[str, list[tuple[str, str, str | None, bool]]] = {
    "registry.ApplicationSubmitted": [
        *people("application_received", MARIA),
        ("application_queued", "centre:plovdiv", None, False),
    ],
    "registry.InformationRequested": people("information_requested", MARIA, PETAR),
    "registry.ApplicationApproved": [
        *people("application_approved", MARIA, PETAR, legal=True),
        by_mail("application_approved", MARITSA, legal=True),
    ],
    "registry.ApplicationRejected": [
        *people("application_rejected", MARIA, PETAR, legal=True),
        by_mail("application_rejected", MARITSA, legal=True),
    ],
    "registry.CertificateExpiring": [
        *people("certificate_expiring", MARIA, PETAR),
        by_mail("certificate_expiring", MARITSA),
    ],
    "registry.CertificateExpired": [
        *people("certificate_expired", MARIA, PETAR),
        by_mail("certificate_expired", MARITSA),
    ],
    "registry.EnterpriseDeleted": [
        *people("enterprise_deleted", MARIA, PETAR, legal=True),
        by_mail("enterprise_deleted", MARITSA, legal=True),
    ],
    "marketplace.QuoteRequested": [*people("quote_requested", IVANKA), by_mail("quote_requested", PCHELA)],
    "marketplace.QuoteOffered": [by_mail("quote_offered", PETROVA)],
    "marketplace.OrderPlaced": [*people("order_placed", IVANKA), by_mail("order_placed", PCHELA)],
    "marketplace.OrderFulfilled": [by_mail("order_fulfilled", PETROVA)],
    "marketplace.OrderCancelled": [*people("order_cancelled", IVANKA), by_mail("order_cancelled", PCHELA)],
    "marketplace.OrderDisputed": [*people("order_disputed", IVANKA), by_mail("order_disputed", PCHELA)],
    "marketplace.ReviewPosted": [*people("review_received", IVANKA), by_mail("review_received", PCHELA)],
    "marketplace.NeedMatched": [*people("need_matched", ELENA), by_mail("need_matched", PLETENI)],
    "marketplace.NeedOutcomeRequested": [by_mail("need_outcome_requested", KOLEVA)],
    "training.EnrolmentConfirmed": [by_mail("enrolment_confirmed", RADOSTINA), *people("worker_enrolled", STEFAN)],
    "training.Waitlisted": [by_mail("enrolment_waitlisted", KOLEV), *people("worker_waitlisted", STEFAN)],
    "training.PromotedFromWaitlist": [by_mail("enrolment_promoted", KOLEV), *people("worker_promoted", STEFAN)],
    "training.SessionRescheduled": [by_mail("session_rescheduled", address) for address in ROSTER],
    "training.SessionCancelled": [
        *(by_mail("session_cancelled", address) for address in ROSTER),
        ("session_cancelled_trainer", "user:trainer-maria-ivanova", None, False),
    ],
    "training.CertificateIssued": [
        by_mail("training_certificate_issued", RADOSTINA),
        *people("worker_certified", STEFAN),
    ],
    "training.WorkerInvited": [by_mail("worker_invited", KOLEV, legal=True)],
    # grants: only the representative who applied (her colleague rep-2 hears nothing), and the centre's inbox
    "grants.ApplicationSubmitted": [
        *people("grant_received", PENKA),
        ("grant_queued", "centre:lovech", None, False),
    ],
    "grants.CallClosed": [
        ("grant_call_closed", "centre:gabrovo", None, False),
        ("grant_call_closed", "centre:lovech", None, False),
    ],
    "grants.InformationRequested": people("grant_information_requested", PENKA),
    "grants.InformationProvided": [("grant_information_provided", "centre:lovech", None, False)],
    "grants.EvaluatorAssigned": [("grant_assigned", "user:clerk-evaluator-1", None, False)],
    "grants.AwardGranted": people("grant_awarded", PENKA, legal=True),
    "grants.ApplicationReserved": people("grant_reserved", PENKA, legal=True),
    "grants.ApplicationRejected": people("grant_rejected", PENKA, legal=True),
    "grants.ContractSigned": people("grant_contract_signed", PENKA, legal=True),
    "grants.PaymentMade": people("grant_payment_made", PENKA),
    "grants.SupportCompleted": people("grant_completed", PENKA),
    # events: each representative of the exhibitor and its contact's copy; the organising centre's inbox; the
    # visitor in her own inbox and at her own address; a deleted enterprise's withdrawal at its contact only
    "events.ExhibitorApplied": [
        *people("exhibitor_applied", PETYA, PENKA),
        by_mail("exhibitor_applied", PEKARNA),
        ("exhibitor_queued", "centre:plovdiv", None, False),
    ],
    "events.ExhibitorSelected": [*people("exhibitor_selected", PETYA, PENKA), by_mail("exhibitor_selected", PEKARNA)],
    "events.ExhibitorWaitlisted": [
        *people("exhibitor_waitlisted", PETYA, PENKA),
        by_mail("exhibitor_waitlisted", PEKARNA),
    ],
    "events.ExhibitorRejected": [*people("exhibitor_rejected", PETYA, PENKA), by_mail("exhibitor_rejected", PEKARNA)],
    "events.ExhibitorWithdrawn": [by_mail("exhibitor_withdrawn", PEKARNA)],
    "events.VisitorRegistered": people("visitor_registered", VISITOR),
    "events.VisitorWaitlisted": people("visitor_waitlisted", VISITOR),
    "events.VisitorCancelled": people("visitor_cancelled", VISITOR),
    "events.EventRescheduled": [
        ("event_rescheduled", "user:visitor-maria", "m@example.bg", True),
        *people("exhibitor_event_rescheduled", PETYA, PENKA, legal=True),
        by_mail("exhibitor_event_rescheduled", PEKARNA, legal=True),
    ],
    "events.EventCancelled": [
        ("event_cancelled", "user:visitor-maria", "m@example.bg", True),
        *people("exhibitor_event_cancelled", PETYA, PENKA, legal=True),
        by_mail("exhibitor_event_cancelled", PEKARNA, legal=True),
    ],
}


def seen(notices: list[Notice]) -> list[tuple[str, str, str | None, bool]]:
    return [(n.message, n.recipient.key, n.recipient.email, n.legal) for n in notices]


# --- the table -------------------------------------------------------------------------------------------


def test_the_golden_examples_are_found() -> None:
    assert {"registry", "marketplace", "training"} <= {name.partition(".")[0] for name in EXAMPLES}
    assert len(EXAMPLE_FILES) == len(EXAMPLES)


def test_every_event_type_in_the_table_has_a_golden_example() -> None:
    """The table cannot name an event that no service publishes."""
    assert set(RULES) - set(EXAMPLES) == set()


def test_every_event_type_in_the_table_is_on_a_consumed_topic() -> None:
    """The consumer subscribes to the topics of the event types it handles: the table's are among them."""
    assert {topic_of(event_type) for event_type in RULES} <= consumed(subscribed_event_types()).topics()


def test_the_expectations_cover_the_whole_table() -> None:
    assert set(EXPECTED) == set(RULES)


def test_message_keys_are_unique_per_rule_and_legal_only_for_decisions_deletion_and_the_invitation() -> None:
    keys = [rule.message for rules in RULES.values() for rule in rules]
    assert len(keys) == len(set(keys))
    legal = {rule.message for rules in RULES.values() for rule in rules if rule.legal}
    assert legal == {
        "application_approved",
        "application_rejected",
        "enterprise_deleted",
        "worker_invited",
        "grant_awarded",
        "grant_reserved",
        "grant_rejected",
        "grant_contract_signed",
        "event_rescheduled",
        "exhibitor_event_rescheduled",
        "event_cancelled",
        "exhibitor_event_cancelled",
    }
    assert {rule.category for rules in RULES.values() for rule in rules} == {
        "registry",
        "marketplace",
        "training",
        "grants",
        "events",
    }


@pytest.mark.parametrize("event_type", MAPPED)
def test_each_golden_example_reaches_the_expected_people(event_type: str) -> None:
    envelope = EXAMPLES[event_type]
    notices = notices_of(envelope)
    assert seen(notices) == EXPECTED[event_type]
    for notice in notices:
        assert notice.event_id == envelope.event_id
        assert notice.event_type == event_type
        assert notice.occurred_at.tzinfo is not None
        assert notice.category == event_type.partition(".")[0]
        assert notice.delivery_key == f"{envelope.event_id}:{notice.recipient.key}"
        assert notice.recipient.language == "bg"
        if notice.recipient.key.startswith("email:"):
            assert notice.recipient.key == notice.recipient.key.lower()


@pytest.mark.parametrize("event_type", UNMAPPED)
def test_an_event_type_the_table_does_not_name_causes_nothing(event_type: str) -> None:
    assert notices_for(EXAMPLES[event_type]) == []


def test_an_approval_tells_the_applicant_in_her_own_inbox_and_mail_and_copies_the_contact() -> None:
    notice, _colleague, copy = notices_for(EXAMPLES["registry.ApplicationApproved"])
    assert notice.message == "application_approved"
    assert notice.legal is True
    assert notice.recipient == Recipient(
        key="user:rep-maritsa-1", email="maria.ivanova@example.bg", name="Мария Иванова"
    )
    assert notice.context["valid_until_display"] == "01.03.2028"
    assert notice.context["certificate_number"] == "УСП-2026-00001"
    assert notice.link == "/my/applications/e8d1bb89-a38e-41fb-89a5-0698920c8bea"
    assert notice.context["portal_link"] == "http://127.0.0.1:8100/my/applications/e8d1bb89-a38e-41fb-89a5-0698920c8bea"
    assert (copy.recipient.key, copy.recipient.email) == (f"email:{MARITSA}", MARITSA)
    for each in (notice, copy):  # no one's message carries the representatives' addresses
        assert "representatives" not in each.context
        assert "applicant" not in each.context


def _with(event_type: str, **changes: object) -> Envelope:
    envelope = EXAMPLES[event_type]
    payload = {key: value for key, value in {**envelope.payload, **changes}.items() if value is not None}
    return replace(envelope, payload=payload)


def test_the_contact_copy_is_not_sent_again_to_a_representative_whose_own_address_it_is() -> None:
    """One e-mail per address: the applicant's own address is the contact's, so no second copy."""
    envelope = _with("registry.ApplicationApproved", applicant_email="Maria.Ivanova@example.bg", representatives=[])
    assert seen(notices_for(envelope)) == people("application_approved", MARIA, legal=True)


def test_two_representatives_with_one_address_get_one_e_mail_and_each_their_inbox_message() -> None:
    twin = {"subject": "rep-maritsa-3", "name": "Мария И.", "email": "MARIA.IVANOVA@example.bg"}
    envelope = _with(
        "registry.CertificateExpiring",
        representatives=[*EXAMPLES["registry.CertificateExpiring"].payload["representatives"], twin],
    )
    assert seen(notices_for(envelope)) == [
        *people("certificate_expiring", MARIA, PETAR, ("user:rep-maritsa-3", None)),
        by_mail("certificate_expiring", MARITSA),
    ]


@pytest.mark.parametrize(
    "event_type", ["registry.ApplicationSubmitted", "registry.InformationRequested", "registry.ApplicationApproved"]
)
def test_an_older_event_naming_no_person_still_reaches_the_contact_address(event_type: str) -> None:
    envelope = _with(event_type, applicant=None, representatives=None)
    assert [n.recipient.key for n in notices_for(envelope) if not n.recipient.key.startswith("centre:")] == [
        f"email:{MARITSA}"
    ]


def test_an_older_enterprise_event_naming_no_representative_reaches_the_contact_address() -> None:
    envelope = _with("registry.EnterpriseDeleted", representatives=None)
    assert seen(notices_for(envelope)) == [by_mail("enterprise_deleted", MARITSA, legal=True)]


def test_each_message_links_to_what_it_is_about() -> None:
    links = {n.message: n.link for envelope in EXAMPLES.values() for n in notices_of(envelope)}
    assert links["application_received"] == "/my/applications/e8d1bb89-a38e-41fb-89a5-0698920c8bea"
    assert links["application_queued"] == "/clerk/applications/e8d1bb89-a38e-41fb-89a5-0698920c8bea"
    deal = EXAMPLES["marketplace.OrderPlaced"].payload["deal_id"]
    assert links["order_placed"] == f"/my/sales/orders/{deal}"
    assert links["order_fulfilled"] == f"/my/purchases/orders/{deal}"
    assert links["quote_offered"] == f"/my/purchases/quotes/{EXAMPLES['marketplace.QuoteOffered'].payload['deal_id']}"
    assert links["enrolment_confirmed"] == f"/sessions/{EXAMPLES['training.EnrolmentConfirmed'].payload['session_id']}"
    assert links["order_disputed"] == f"/my/sales/orders/{EXAMPLES['marketplace.OrderDisputed'].payload['deal_id']}"
    assert links["worker_enrolled"] == "/my/workers"
    assert all(links.values()), [message for message, link in links.items() if not link]


def test_a_resubmissions_received_message_is_of_the_same_thread_as_the_first() -> None:
    first = notices_for(EXAMPLES["registry.ApplicationSubmitted"])
    again = notices_for(
        replace(
            _with("registry.ApplicationSubmitted", resubmission=True), event_id="5d0c5a1e-2f7b-4c2a-9e1d-000000000002"
        )
    )
    received = next(n for n in first if n.message == "application_received")
    received_again = next(n for n in again if n.message == "application_received")
    assert received.inbox_key == received_again.inbox_key  # one inbox message, replaced
    assert received.delivery_key != received_again.delivery_key
    queued = [n for n in (*first, *again) if n.message == "application_queued"]
    assert queued[0].inbox_key != queued[1].inbox_key  # the clerks hear of each submission


def test_the_inbox_shows_the_message_without_greeting_signature_or_footer() -> None:
    notice = notices_for(EXAMPLES["registry.ApplicationApproved"])[0]
    rendered = render(notice.message, "bg", notice.context)
    assert rendered.summary.startswith("С удоволствие ви съобщаваме, че заявлението на Шивашка кооперация Марица")
    assert "Регистрационен номер: СП-00001" in rendered.summary
    for left_out in ("Здравейте", "Поздрави", "екипът на Солидарна платформа", "Изпраща се независимо от настройките"):
        assert left_out in rendered.text
        assert left_out not in rendered.summary


def test_a_quote_request_tells_the_sellers_representative_and_copies_its_contact_address() -> None:
    representative, contact = notices_of(EXAMPLES["marketplace.QuoteRequested"])
    assert (representative.message, representative.category, representative.legal) == (
        "quote_requested",
        "marketplace",
        False,
    )
    assert representative.recipient == Recipient(key=IVANKA[0], email=IVANKA[1], name="Иванка Стоянова")
    assert representative.context["recipient_name"] == "Иванка Стоянова"
    assert contact.recipient == Recipient(key=f"email:{PCHELA}", email=PCHELA, name="Сдружение „Родопска пчела“")
    for notice in (representative, contact):  # no one's message carries the representatives
        assert "seller_representatives" not in notice.context


def test_a_seller_nobody_represents_yet_is_told_at_its_contact_address() -> None:
    (notice,) = notices_for(with_representatives(EXAMPLES["marketplace.OrderPlaced"], lambda enterprise_id: []))
    assert notice.recipient == Recipient(key=f"email:{PCHELA}", email=PCHELA, name="Сдружение „Родопска пчела“")


def test_a_representative_whose_own_address_is_the_contact_gets_one_e_mail_and_her_inbox_message() -> None:
    own = [{"subject": "rep-pchela-1", "name": "Иванка Стоянова", "email": "Office@Rodopska-Pchela.example.bg"}]
    notices = notices_for(with_representatives(EXAMPLES["marketplace.OrderPlaced"], lambda enterprise_id: own))
    assert seen(notices) == [("order_placed", "user:rep-pchela-1", "Office@Rodopska-Pchela.example.bg", False)]


def test_an_order_the_seller_cancelled_itself_tells_it_nothing() -> None:
    envelope = _with("marketplace.OrderCancelled", cancelled_by="seller")
    assert notices_of(envelope) == []


def test_a_worker_who_represents_her_enterprise_hears_of_her_enrolment_once_as_the_learner() -> None:
    envelope = EXAMPLES["training.EnrolmentConfirmed"]
    herself = {"subject": "rep-radostina", "name": "Радостина Димитрова", "email": RADOSTINA.upper()}
    notices = notices_for(with_representatives(envelope, lambda enterprise_id: [herself, *DIRECTORY[DOBROUTRO_ID]]))
    assert seen(notices) == [by_mail("enrolment_confirmed", RADOSTINA), *people("worker_enrolled", STEFAN)]


def test_a_learner_of_no_enterprise_tells_no_representative() -> None:
    envelope = _with("training.EnrolmentConfirmed", enterprise_id=None)
    assert seen(notices_of(envelope)) == [by_mail("enrolment_confirmed", RADOSTINA)]


def test_a_cancelled_session_tells_each_learner_of_the_roster_and_the_trainers_inbox() -> None:
    notices = notices_for(EXAMPLES["training.SessionCancelled"])
    learners = [n for n in notices if n.message == "session_cancelled"]
    assert [(n.recipient.email, n.recipient.name) for n in learners] == [
        ("g.petrov@dobroutro.example.bg", "Георги Петров"),
        ("elena@pleteni-mechti.example.bg", "Елена Димитрова"),
    ]
    (trainer,) = [n for n in notices if n.message == "session_cancelled_trainer"]
    assert trainer.recipient.key == "user:trainer-maria-ivanova"
    assert trainer.recipient.email is None  # inbox only
    assert trainer.context["learner_count"] == 2
    for notice in notices:
        assert "learners" not in notice.context  # no one's notice carries the others' addresses
    assert learners[0].context["recipient_name"] == "Георги Петров"


def test_a_new_application_reaches_the_clerks_of_its_centre_in_their_inbox() -> None:
    notices = notices_for(EXAMPLES["registry.ApplicationSubmitted"])
    (clerks,) = [n for n in notices if n.message == "application_queued"]
    assert clerks.recipient.key == "centre:plovdiv"
    assert clerks.recipient.email is None
    assert clerks.recipient.name == "Регионален център Пловдив"
    assert clerks.context["due_at_date_display"] == "16.03.2026"


def test_addresses_are_keyed_lower_cased() -> None:
    envelope = replace(
        EXAMPLES["marketplace.QuoteOffered"],
        payload={**EXAMPLES["marketplace.QuoteOffered"].payload, "buyer_email": " M.Petrova@Smolyan.example.BG "},
    )
    (notice,) = notices_for(envelope)
    assert notice.recipient.key == f"email:{PETROVA}"
    assert notice.recipient.email == "M.Petrova@Smolyan.example.BG"


def test_without_an_address_the_buyer_is_reached_by_their_user_id() -> None:
    envelope = EXAMPLES["marketplace.QuoteOffered"]
    (notice,) = notices_for(replace(envelope, payload={**envelope.payload, "buyer_email": ""}))
    assert notice.recipient.key == f"user:{envelope.payload['buyer_id']}"
    assert notice.recipient.email is None


def test_a_recipient_hears_once_per_event_even_if_two_rules_name_them(monkeypatch: pytest.MonkeyPatch) -> None:
    envelope = EXAMPLES["registry.ApplicationApproved"]
    monkeypatch.setitem(
        RULES,
        envelope.event_type,
        [
            Rule("application_approved", "registry", True, mapping.applicant),
            Rule("application_received", "registry", False, mapping.applicant),
        ],
    )
    assert seen(notices_for(envelope)) == people("application_approved", MARIA, legal=True)


def test_a_learner_listed_twice_on_a_roster_hears_once() -> None:
    envelope = EXAMPLES["training.SessionCancelled"]
    twice = [
        *envelope.payload["learners"],
        {"learner_id": "again", "name": "Георги", "email": "G.Petrov@DobroUtro.example.bg"},
    ]
    notices = notices_for(replace(envelope, payload={**envelope.payload, "learners": twice}))
    assert [n.recipient.key for n in notices].count("email:g.petrov@dobroutro.example.bg") == 1


def test_a_payload_lacking_what_a_rule_needs_is_poison() -> None:
    envelope = EXAMPLES["marketplace.QuoteRequested"]
    payload = {k: v for k, v in envelope.payload.items() if k != "seller_email"}
    with pytest.raises(InvalidEvent, match="seller_email"):
        notices_for(replace(envelope, payload=payload))


# --- the values templates show ---------------------------------------------------------------------------


def test_euro_amounts_are_written_as_in_bulgaria() -> None:
    assert euro(123450) == "1\u00a0234,50\u00a0€"
    assert euro(1150) == "11,50\u00a0€"
    assert euro(5) == "0,05\u00a0€"


def test_display_values_show_sofia_dates_and_euro() -> None:
    shown = display_values(
        {
            "total_cents": 46000,
            "budget_min_cents": None,
            "valid_until": "2026-11-30",
            "starts_at": "2026-11-23T22:30:00Z",
            "certificate": {"valid_until": "2028-03-01"},
            "meetings": [{"starts_at": "2027-03-28T07:00:00Z", "ends_at": "2027-03-28T10:00:00Z"}],
            "centre": "varna",
            "reason_code": "own_request",
            "eik": "175074752",
        }
    )
    assert shown == {
        "total_eur": "460,00\u00a0€",
        "valid_until_display": "30.11.2026",
        "starts_at_display": "24.11.2026, 00:30",
        "starts_at_date_display": "24.11.2026",
        "certificate_valid_until_display": "01.03.2028",
        "meetings_display": ["28.03.2027, 10:00–13:00"],
        "centre_bg": "Регионален център Варна",
        "centre_en": "Varna regional centre",
        "reason_bg": "по искане на предприятието",
        "reason_en": "at the enterprise's own request",
    }


# --- rendering -------------------------------------------------------------------------------------------


def _first_notice_of_each_message() -> dict[str, Notice]:
    first: dict[str, Notice] = {}
    for event_type in MAPPED:
        for notice in notices_of(EXAMPLES[event_type]):
            first.setdefault(notice.message, notice)
    return first


NOTICES = _first_notice_of_each_message()
CYRILLIC = re.compile("[а-яА-Я]")


def test_every_message_of_the_table_is_caused_by_a_golden_example() -> None:
    assert set(NOTICES) == messages()


def test_every_message_has_its_templates_and_no_template_is_left_over() -> None:
    """The reminders' messages (rendered in test_notifications_reminders) count as used too."""
    used = messages() | reminder_messages()
    names = {path.name for path in TEMPLATES_DIR.glob("*.j2") if not path.name.startswith("_")}
    expected = {f"{m}.{lang}.{kind}.j2" for m in used for lang in ("bg", "en") for kind in ("txt", "html")}
    assert names == expected
    assert set(subjects()) == used
    assert all(set(by_language) == {"bg", "en"} for by_language in subjects().values())


@pytest.mark.parametrize("language", ["bg", "en"])
@pytest.mark.parametrize("message", sorted(messages()))
def test_every_message_renders_for_its_golden_example(message: str, language: str) -> None:
    rendered = render(message, language, NOTICES[message].context)  # StrictUndefined: a missing value raises
    for part in (rendered.subject, rendered.text, rendered.html):
        assert part.strip()
        assert part.encode("utf-8").decode("utf-8") == part
        assert "{{" not in part and "{%" not in part
        assert "None" not in part and "Undefined" not in part
    assert "\n" not in rendered.subject and "\r" not in rendered.subject
    assert len(rendered.subject) <= 150
    assert rendered.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in rendered.html
    assert '<meta charset="utf-8">' in rendered.html
    assert "\n\n\n" not in rendered.text
    if language == "bg":
        assert CYRILLIC.search(rendered.subject.split(":")[0])
        assert "Здравейте" in rendered.text
    else:
        assert rendered.text.startswith("Hello")
        assert "Kind regards" in rendered.text


@pytest.mark.parametrize("language", ["bg", "en"])
@pytest.mark.parametrize("message", sorted(messages()))
def test_html_escapes_what_people_wrote_and_text_keeps_it(message: str, language: str) -> None:
    notice = NOTICES[message]
    marker = " <b>&</b>"
    payload_strings = {k for k, v in EXAMPLES[notice.event_type].payload.items() if isinstance(v, str)}
    context = {k: v + marker if k in payload_strings else v for k, v in notice.context.items()}
    rendered = render(message, language, context)
    assert "<b>" not in rendered.html
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in rendered.html
    assert "<b>&</b>" in rendered.text


def test_legal_notices_say_they_cannot_be_opted_out_of() -> None:
    for message in ("application_approved", "application_rejected", "enterprise_deleted"):
        assert "независимо от настройките" in render(message, "bg", NOTICES[message].context).text
        assert "regardless of your notification settings" in render(message, "en", NOTICES[message].context).html
    assert "независимо" not in render("quote_requested", "bg", NOTICES["quote_requested"].context).text


def test_unknown_languages_fall_back_to_bulgarian() -> None:
    context = NOTICES["quote_offered"].context
    assert render("quote_offered", "de", context) == render("quote_offered", "bg", context)
    assert render("quote_offered", None, context) == render("quote_offered", "bg", context)
    assert render("quote_offered", "en-GB", context) == render("quote_offered", "en", context)
    assert language_of("EN") == "en"


def test_a_missing_value_is_an_error_not_a_blank() -> None:
    context = {k: v for k, v in NOTICES["quote_offered"].context.items() if k != "total_eur"}
    with pytest.raises(UnrenderableValues, match="total_eur"):
        render("quote_offered", "bg", context)


# Each of these stopped the notifications consumer, again at every restart (jinja2's UndefinedError, a TypeError, an
# OverflowError), instead of dead-lettering the one event: a ValueError or InvalidEvent is what the runner dead-letters.


def test_an_event_lacking_a_value_its_message_shows_is_poison() -> None:
    envelope = EXAMPLES["marketplace.QuoteRequested"]
    [notice, *_] = notices_for(
        replace(envelope, payload={k: v for k, v in envelope.payload.items() if k != "listing_title"})
    )
    with pytest.raises(ValueError, match="listing_title"):
        render(notice.message, "bg", notice.context)


def test_an_event_with_a_value_its_message_cannot_show_is_poison() -> None:
    envelope = EXAMPLES["marketplace.ReviewPosted"]
    [notice, *_] = notices_for(replace(envelope, payload={**envelope.payload, "rating": "five"}))
    with pytest.raises(ValueError, match="review_received"):
        render(notice.message, "bg", notice.context)


def test_an_event_at_a_moment_past_the_calendar_s_end_in_sofia_is_poison() -> None:
    envelope = EXAMPLES["marketplace.QuoteRequested"]
    with pytest.raises(InvalidEvent, match="OverflowError"):
        notices_for(replace(envelope, occurred_at="9999-12-31T23:30:00Z"))


def test_an_unknown_message_is_an_error() -> None:
    with pytest.raises(UnknownMessage):
        render("no_such_message", "bg", {})


def test_what_the_bulgarian_messages_say() -> None:
    offered = render("quote_offered", "bg", NOTICES["quote_offered"].context)
    assert offered.subject == "Оферта от Сдружение „Родопска пчела“: Планински пчелен мед, буркан 900 г"
    assert "Обща сума: 460,00\u00a0€" in offered.text
    assert "Валидна до: 30.11.2026 г." in offered.text
    assert offered.text.startswith("Здравейте, Мария Петрова,\n")
    rejected = render("application_rejected", "bg", NOTICES["application_rejected"].context)
    assert "- Не е доказана социалната дейност." in rejected.text
    expiring = render("certificate_expiring", "bg", NOTICES["certificate_expiring"].context)
    assert "след 60 дни" in expiring.text
    rescheduled = render("session_rescheduled", "bg", NOTICES["session_rescheduled"].context)
    assert "- 11.04.2027, 10:00–13:00 ч." in rescheduled.text  # Sofia summer time


def test_an_invited_worker_is_told_who_invited_them_to_what_and_to_accept_it_in_the_portal() -> None:
    (notice,) = notices_for(EXAMPLES["training.WorkerInvited"], "https://solidarityhub.example.bg/")
    assert (notice.recipient.key, notice.recipient.email, notice.legal) == (f"email:{KOLEV}", KOLEV, True)

    bg = render("worker_invited", "bg", notice.context)
    en = render("worker_invited", "en", notice.context)

    assert bg.subject == "Покана за курс: Онлайн продажби и социални мрежи за социални предприятия"
    assert bg.text.startswith("Здравейте, Георги Колев,")
    assert "Социална пекарна „Добро утро“ ви кани да участвате в курса" in bg.text
    assert "07.12.2026, 09:30" in bg.text and "Пловдив" in bg.text
    assert "приемете поканата" in bg.text and "https://solidarityhub.example.bg/my/training" in bg.text
    assert "няма да получавате други съобщения" in bg.text
    assert '<a href="https://solidarityhub.example.bg/my/training">' in bg.html
    assert en.subject.startswith("Invitation to a course:")
    assert "accept the invitation" in en.text and "https://solidarityhub.example.bg/my/training" in en.text
    assert "no other messages about this course" in en.text


def test_an_applicant_whose_sign_in_vouched_for_no_address_gets_the_inbox_and_the_contact_the_e_mail() -> None:
    nobody_verified = {"subject": "rep-maritsa-2", "name": "Петър Георгиев", "email": None}
    envelope = _with("registry.ApplicationSubmitted", applicant=nobody_verified)
    assert seen(notices_for(envelope))[:2] == [
        ("application_received", "user:rep-maritsa-2", None, False),
        by_mail("application_received", MARITSA),
    ]


def test_the_certificate_e_mail_leads_the_learner_to_her_code_and_printable_certificate_at_the_public_portal() -> None:
    (notice,) = notices_for(EXAMPLES["training.CertificateIssued"], "https://solidarityhub.example.bg/")
    assert notice.link == "/my/training"  # her page: the check code, the printable certificate and its QR code
    assert notice.context["portal_link"] == "https://solidarityhub.example.bg/my/training"
    for language in ("bg", "en"):
        rendered = render(notice.message, language, notice.context)
        assert "https://solidarityhub.example.bg/my/training" in rendered.text + rendered.html
        assert "127.0.0.1" not in rendered.text + rendered.html and "/api/v1/" not in rendered.text + rendered.html
    assert "с номера и кода" in render(notice.message, "bg", notice.context).text


# --- grants ----------------------------------------------------------------------------------------------


def _grants(event_type: str, **changes: object) -> Envelope:
    example = EXAMPLES[event_type]
    return replace(example, payload={**example.payload, **changes})


def test_a_grant_applicant_the_register_has_not_named_yet_reads_it_in_her_inbox() -> None:
    (notice,) = notices_of(_grants("grants.AwardGranted", enterprise_id="unknown-enterprise"))
    assert notice.recipient == Recipient(key="user:rep-1", email=None, name="Пекарна")


def test_the_award_tells_the_applicant_the_amount_in_euro_and_links_her_application() -> None:
    (notice,) = notices_of(_grants("grants.AwardGranted", amount_cents=4601627))
    message = render(notice.message, "bg", notice.context)
    assert message.subject == "Одобрена подкрепа за Пекарна: 46 016,27 €"  # a header's spaces are plain
    assert "46\u00a0016,27\u00a0€" in message.text and "10.03.2027" in message.text
    assert notice.link == "/my/grants/applications/app-1"
    assert notice.context["portal_link"].endswith("/my/grants/applications/app-1")
    assert "grant_representatives" not in notice.context and "applicant" not in notice.context
    english = render(notice.message, "en", notice.context)
    assert "46\u00a0016,27\u00a0€" in english.text


def test_an_assigned_evaluator_reads_it_in_her_own_inbox_only_with_a_link_to_the_application() -> None:
    """The event names her by sign-in subject alone: no address it could vouch for, so no e-mail; the
    applicant and the enterprise's representatives hear nothing of who evaluates them."""
    (notice,) = notices_of(EXAMPLES["grants.EvaluatorAssigned"])
    assert notice.recipient.key == "user:clerk-evaluator-1" and notice.recipient.email is None
    assert notice.link == "/clerk/grants/applications/app-1" and not notice.legal and notice.category == "grants"
    message = render(notice.message, "bg", notice.context)
    assert message.subject == "Определени сте за оценител: заявление за подкрепа на Пекарна"
    assert message.text.startswith("Здравейте,\n") and "Регионален център Ловеч ви определи" in message.text
    assert "12.03.2027, 10:30" in message.text and "конфликт на интереси" in message.text
    english = render(notice.message, "en", notice.context)
    assert "conflict of interest" in english.text and "Lovech regional centre" in english.text


def test_the_centres_of_a_closed_calls_regions_read_in_their_inbox_when_and_why_the_ministry_closed_it() -> None:
    notices = notices_of(EXAMPLES["grants.CallClosed"])
    assert [n.recipient.key for n in notices] == ["centre:gabrovo", "centre:lovech"]
    notice = notices[0]
    assert notice.link == "/grants/calls/call-1" and notice.recipient.email is None and not notice.legal
    message = render(notice.message, "bg", notice.context)
    assert message.subject == "Поканата за подкрепа „Модернизация 2027“ е закрита"
    assert "закри поканата за подкрепа „Модернизация 2027“ на 15.04.2027, преди края на срока (30.04.2027)" in (
        message.text
    )
    assert "Причина: Средствата по поканата са разпределени." in message.text
    assert "Reason: Средствата по поканата са разпределени." in render(notice.message, "en", notice.context).text


def test_the_contract_message_names_the_contract_number_and_amount() -> None:
    (notice,) = notices_of(EXAMPLES["grants.ContractSigned"])
    message = render(notice.message, "bg", notice.context)
    assert "BG-RRP-2027-0001" in message.subject
    assert "1\u00a0500,00\u00a0€" in message.text


def test_a_rejection_and_a_reserve_place_give_their_reasons() -> None:
    (rejected,) = notices_of(EXAMPLES["grants.ApplicationRejected"])
    assert "Причини: Липсва оферта." in render(rejected.message, "bg", rejected.context).text
    (reserved,) = notices_of(EXAMPLES["grants.ApplicationReserved"])
    text = render(reserved.message, "bg", reserved.context).text
    assert "резервния списък под № 1" in text and "Средствата за района са изчерпани." in text


@pytest.mark.parametrize(
    ("kind", "bulgarian", "english"),
    [("advance", "авансово", "advance"), ("interim", "междинно", "interim"), ("final", "окончателно", "final")],
)
def test_a_payment_says_its_kind_amount_and_what_is_paid_so_far(kind: str, bulgarian: str, english: str) -> None:
    (notice,) = notices_of(_grants("grants.PaymentMade", kind=kind, amount_cents=50000, paid_cents=125050))
    text = render(notice.message, "bg", notice.context).text
    assert f"{bulgarian} плащане от 500,00\u00a0€" in text
    assert "Изплатено досега: 1\u00a0250,50\u00a0€." in text
    assert f"({english})" in render(notice.message, "en", notice.context).text


def test_the_centres_staff_hear_of_a_new_support_application_and_of_an_answer_in_their_inbox() -> None:
    _applicant, staff = notices_of(EXAMPLES["grants.ApplicationSubmitted"])
    assert staff.recipient.key == "centre:lovech" and staff.recipient.email is None
    assert staff.link == "/clerk/grants/applications/app-1"
    (answer,) = notices_of(EXAMPLES["grants.InformationProvided"])
    assert answer.link == "/clerk/grants/applications/app-1"
    assert "Пекарна" in render(answer.message, "bg", answer.context).subject
