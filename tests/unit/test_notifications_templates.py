"""Notifications' e-mails as people read them: counts with their units in Bulgarian (and English) plural
forms, and a greeting by name for a person, a plain one for the enterprise's contact-address copy."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from services.notifications.domain.mapping import notices_for, with_representatives
from services.notifications.domain.notice import Notice
from services.notifications.domain.rendering import Rendered, render
from shared.bg.units import quantity, unit_choices
from shared.events import Envelope

ROOT = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"
PCHELA_ID = "3c8f1e5a-9b24-4d7c-a6e1-0f5b2d8c4e17"
PCHELA = "office@rodopska-pchela.example.bg"
IVANKA = {"subject": "rep-pchela-1", "name": "Иванка Стоянова", "email": "ivanka@rodopska-pchela.example.bg"}


def example(event_type: str, **changes: object) -> Envelope:
    producer = event_type.split(".", maxsplit=1)[0]
    path = ROOT / "services" / producer / "events" / "examples" / f"{event_type}.v1.json"
    envelope = Envelope.from_dict(json.loads(path.read_text(encoding="utf-8")))
    return replace(envelope, payload={**envelope.payload, **changes})


def seller_notices(event_type: str, **changes: object) -> list[Notice]:
    """The notices as the consumer makes them: the seller's representative Иванка, and its contact copy."""
    envelope = with_representatives(example(event_type, **changes), lambda eid: [IVANKA] if eid == PCHELA_ID else [])
    return notices_for(envelope)


def e_mail(notice: Notice, language: str = "bg") -> Rendered:
    """What the sender sends: the notice rendered with its values (as ``delivering`` renders it)."""
    return render(notice.message, language, notice.values)


def to(notices: list[Notice], address: str) -> Notice:
    return next(n for n in notices if n.recipient.email == address)


# --- counts --------------------------------------------------------------------------------------------------


def test_an_order_of_3_jars_reads_3_jars_in_bulgarian_plural_in_the_sellers_e_mail() -> None:
    notice = to(seller_notices("marketplace.OrderPlaced", quantity=3, unit="буркан", total_cents=3450), IVANKA["email"])
    bulgarian, english = e_mail(notice, "bg"), e_mail(notice, "en")
    assert f"Количество: 3{NBSP}буркана\n" in bulgarian.text
    assert f"<td>3{NBSP}буркана</td>" in bulgarian.html
    assert f"Количество: 3{NBSP}буркана" in bulgarian.summary  # the inbox's short text too
    assert "3 буркан\n" not in bulgarian.text and "буркан</td>" not in bulgarian.html
    assert f"Quantity: 3{NBSP}jars\n" in english.text
    assert f"<td>3{NBSP}jars</td>" in english.html


def test_an_order_of_21_pieces_reads_21_pieces_in_bulgarian_plural() -> None:
    notice = to(seller_notices("marketplace.OrderPlaced", quantity=21, unit="парче"), IVANKA["email"])
    assert f"Количество: 21{NBSP}парчета\n" in e_mail(notice, "bg").text
    assert f"Quantity: 21{NBSP}pieces\n" in e_mail(notice, "en").text


@pytest.mark.parametrize(
    ("count", "bulgarian", "english"),
    [(1, "1 буркан", "1 jar"), (2, "2 буркана", "2 jars"), (5, "5 буркана", "5 jars"), (21, "21 буркана", "21 jars")],
)
def test_every_message_with_a_count_reads_it_in_the_plural_form_it_takes(
    count: int, bulgarian: str, english: str
) -> None:
    """Each seller's and buyer's message that shows a quantity: the order, its cancellation and dispute, the
    quote asked for, offered and expiring, the fulfilled order, the matched need."""
    changes = {"quantity": count, "unit": "буркан"}
    notices = [
        *seller_notices("marketplace.OrderPlaced", **changes),
        *seller_notices("marketplace.OrderCancelled", **changes),
        *seller_notices("marketplace.OrderDisputed", **changes),
        *seller_notices("marketplace.QuoteRequested", **changes),
        *seller_notices("marketplace.NeedMatched", **changes),
        *notices_for(example("marketplace.QuoteOffered", **changes)),
        *notices_for(example("marketplace.OrderFulfilled", **changes)),
    ]
    assert {n.message for n in notices} >= {
        "order_placed",
        "order_cancelled",
        "order_disputed",
        "quote_requested",
        "need_matched",
        "quote_offered",
        "order_fulfilled",
    }
    for notice in notices:
        for language, expected in (("bg", bulgarian), ("en", english)):
            rendered = e_mail(notice, language)
            shown = expected.replace(" ", NBSP, 1)
            assert shown in rendered.text, (notice.message, language, rendered.text)
            assert shown in rendered.html, (notice.message, language)


def test_an_expiring_quote_reminder_reads_its_count_in_the_plural() -> None:
    from datetime import UTC, datetime

    from services.notifications.domain.reminders import reminder_changes

    offered = example("marketplace.QuoteOffered", quantity=5, unit="бутилка")
    plans = reminder_changes(offered, now=datetime(2026, 1, 1, tzinfo=UTC)).schedule
    expiring = next(plan for plan in plans if plan.message == "quote_expiring")
    rendered = render(expiring.message, "bg", expiring.context)
    assert f"Количество: 5{NBSP}бутилки" in rendered.text


def test_a_unit_not_in_the_list_is_shown_as_the_seller_typed_it() -> None:
    notice = to(seller_notices("marketplace.OrderPlaced", quantity=3, unit="тава"), IVANKA["email"])
    assert f"Количество: 3{NBSP}тава\n" in e_mail(notice, "bg").text


def test_a_fraction_and_a_thousand_read_as_in_bulgarian() -> None:
    assert quantity(2.5, "килограм", "bg") == f"2,5{NBSP}килограма"
    assert quantity(2.5, "килограм", "en") == f"2.5{NBSP}kilograms"
    assert quantity(1000, "буркан", "bg") == f"1{NBSP}000{NBSP}буркана"
    assert quantity(1, "Буркан", "bg") == f"1{NBSP}буркан"  # however the seller typed its case
    assert quantity(21, "човек", "bg") == f"21{NBSP}души"
    assert quantity(None, "буркан", "bg") == ""


def test_every_unit_a_seller_chooses_has_a_form_for_one_and_for_many_in_both_languages() -> None:
    assert len(unit_choices()) == 44
    for unit in unit_choices():
        for language in ("bg", "en"):
            one, many = quantity(1, unit, language), quantity(5, unit, language)
            assert one.startswith(f"1{NBSP}") and many.startswith(f"5{NBSP}")
            assert unit not in (one[2:], many[2:]) or language == "bg"  # English never shows the Bulgarian unit


# --- greetings -----------------------------------------------------------------------------------------------


def test_a_sellers_representative_is_greeted_by_name_and_the_contact_copy_plainly() -> None:
    notices = seller_notices("marketplace.OrderPlaced", quantity=3, unit="буркан")
    representative, contact = to(notices, IVANKA["email"]), to(notices, PCHELA)
    assert e_mail(representative).text.startswith("Здравейте, Иванка Стоянова,\n")
    assert "<p>Здравейте, Иванка Стоянова,</p>" in e_mail(representative).html
    assert e_mail(representative, "en").text.startswith("Hello Иванка Стоянова,\n")
    assert e_mail(contact).text.startswith("Здравейте,\n")  # the enterprise's address: no person's name
    assert "<p>Здравейте,</p>" in e_mail(contact).html
    assert "Родопска пчела" not in e_mail(contact).text.splitlines()[0]


@pytest.mark.parametrize(
    "event_type",
    [
        "marketplace.QuoteRequested",
        "marketplace.OrderCancelled",
        "marketplace.OrderDisputed",
        "marketplace.ReviewPosted",
    ],
)
def test_every_sellers_message_greets_its_representative_by_name(event_type: str) -> None:
    notices = seller_notices(event_type)
    assert e_mail(to(notices, IVANKA["email"])).text.startswith("Здравейте, Иванка Стоянова,\n")
    assert e_mail(to(notices, PCHELA)).text.startswith("Здравейте,\n")


def test_a_register_decision_greets_the_applicant_by_name_and_the_contact_copy_plainly() -> None:
    notices = notices_for(example("registry.ApplicationApproved"))
    applicant = next(n for n in notices if n.recipient.key.startswith("user:") and n.recipient.email)
    contact = next(n for n in notices if n.recipient.key.startswith("email:"))
    assert e_mail(applicant).text.startswith(f"Здравейте, {applicant.recipient.name},\n")
    assert e_mail(contact).text.startswith("Здравейте,\n")


def test_the_buyer_is_greeted_by_name() -> None:
    notice = notices_for(example("marketplace.OrderFulfilled", quantity=3, unit="буркан"))[0]
    assert e_mail(notice).text.startswith("Здравейте, Мария Петрова,\n")


def test_a_message_recorded_before_greetings_by_name_still_renders_plainly() -> None:
    """A reminder planned earlier keeps the context it had, without ``greeting_name``."""
    notice = to(seller_notices("marketplace.OrderPlaced"), IVANKA["email"])
    assert render(notice.message, "bg", notice.context).text.startswith("Здравейте,\n")
