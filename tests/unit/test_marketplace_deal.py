"""A deal from quote request to reviewed order: who can do what when, Sofia dates, and the events it records."""

import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from services.marketplace.domain.deal import MAX_OFFERS, Deal, DealState, DealTransitionNotAllowed, Party, Via
from services.marketplace.domain.parties import Buyer, BuyerKind, Supplier
from services.marketplace.events import EXAMPLES_DIR
from services.marketplace.events.orders import ORDER_EVENT_TYPES
from shared.errors import InvalidInput

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
VALID_UNTIL = date(2026, 11, 30)
BUYER = Buyer("u-1", "Мария Петрова", "m.petrova@smolyan.example.bg", "Община Смолян", BuyerKind.MUNICIPALITY)
SUPPLIER = Supplier("e-1", "Сдружение „Родопска пчела“", "office@pchela.example.bg", "A", "BG-21", "BG42", 9, 5)


def requested(*, needed_by: date | None = date(2026, 12, 10), now: datetime = NOW) -> Deal:
    deal = Deal.request_quote(
        id="d-1",
        listing_id="l-1",
        listing_title="Планински пчелен мед, буркан 900 г",
        unit="буркан",
        buyer=BUYER,
        supplier=SUPPLIER,
        quantity=40,
        needed_by=needed_by,
        message="За коледните подаръци.",
        now=now,
    )
    deal.pull_events()
    return deal


def offered() -> Deal:
    deal = requested()
    deal.make_offer(unit_price_cents=1150, valid_until=VALID_UNTIL, terms="Доставка включена.", now=NOW)
    deal.pull_events()
    return deal


def placed() -> Deal:
    deal = offered()
    deal.accept(order_number="2026-000123", now=NOW)
    deal.pull_events()
    return deal


def fulfilled() -> Deal:
    deal = placed()
    deal.fulfil(note="Доставени с протокол.", now=NOW)
    deal.pull_events()
    return deal


def received() -> Deal:
    deal = fulfilled()
    deal.confirm_receipt(now=NOW)
    deal.pull_events()
    return deal


def disputed() -> Deal:
    deal = placed()
    deal.dispute(reason="Доставени са 34 буркана вместо 40.", now=NOW)
    deal.pull_events()
    return deal


def declined() -> Deal:
    deal = requested()
    deal.decline_by_seller(reason="Няма достатъчно мед.", now=NOW)
    deal.pull_events()
    return deal


def expired() -> Deal:
    deal = offered()
    assert deal.expire_if_due(datetime(2026, 12, 1, 8, 0, tzinfo=UTC))
    deal.pull_events()
    return deal


def cancelled() -> Deal:
    deal = placed()
    deal.cancel(by=Party.SELLER, reason="Пчелинът пострада при буря.", now=NOW)
    deal.pull_events()
    return deal


def direct_order(*, seller_in_good_standing: bool = True) -> Deal:
    return Deal.order_directly(
        id="d-2",
        listing_id="l-1",
        listing_title="Планински пчелен мед, буркан 900 г",
        unit="буркан",
        buyer=BUYER,
        supplier=SUPPLIER,
        quantity=3,
        unit_price_cents=1250,
        order_number="2026-000124",
        seller_in_good_standing=seller_in_good_standing,
        now=NOW,
    )


def only_event(deal: Deal) -> tuple[str, dict[str, object]]:
    events = deal.pull_events()
    assert len(events) == 1, events
    return events[0].name, events[0].payload


def invalid_fields(action: Callable[[], object]) -> set[str]:
    with pytest.raises(InvalidInput) as refused:
        action()
    assert refused.value.status == 422
    return set(refused.value.fields)


# ---------------------------------------------------------------------------- the quote


def test_a_quote_request_is_open_until_its_needed_by_date_ends_in_sofia() -> None:
    deal = Deal.request_quote(
        id="d-1",
        listing_id="l-1",
        listing_title="Мед",
        unit="буркан",
        buyer=BUYER,
        supplier=SUPPLIER,
        quantity=40,
        needed_by=date(2026, 12, 10),
        message="  За коледните подаръци.  ",
        now=NOW,
    )
    assert (deal.state, deal.is_open_quote, deal.is_order, deal.total_cents) == (
        DealState.REQUESTED,
        True,
        False,
        None,
    )
    assert deal.message == "За коледните подаръци."
    assert deal.expires_at == datetime(2026, 12, 10, 22, 0, tzinfo=UTC)  # midnight in Sofia (UTC+2 in winter)
    assert [(step.state, step.note) for step in deal.timeline] == [(DealState.REQUESTED, "За коледните подаръци.")]
    name, payload = only_event(deal)
    assert name == "QuoteRequested"
    assert payload["needed_by"] == "2026-12-10" and payload["state"] == "requested" and payload["buyer_id"] == "u-1"
    assert deal.pull_events() == []


def test_a_quote_request_needs_a_quantity_and_a_date_not_past_in_sofia() -> None:
    late_evening = datetime(2026, 11, 22, 22, 30, tzinfo=UTC)  # already 23 November in Sofia
    assert invalid_fields(lambda: requested(needed_by=date(2026, 11, 22), now=late_evening)) == {"needed_by"}
    assert requested(needed_by=date(2026, 11, 23), now=late_evening).needed_by == date(2026, 11, 23)

    def zero_jars() -> Deal:
        return Deal.request_quote(
            id="d-1",
            listing_id="l-1",
            listing_title="Мед",
            unit="буркан",
            buyer=BUYER,
            supplier=SUPPLIER,
            quantity=0,
            needed_by=None,
            message="",
            now=NOW,
        )

    assert invalid_fields(zero_jars) == {"quantity"}


def test_the_seller_offers_and_may_revise_the_offer() -> None:
    deal = requested()
    deal.make_offer(unit_price_cents=1150, valid_until=VALID_UNTIL, terms="Доставка включена.", now=NOW)
    assert (deal.state, deal.total_cents) == (DealState.OFFERED, 46000)
    name, payload = only_event(deal)
    assert name == "QuoteOffered"
    assert (payload["unit_price_cents"], payload["total_cents"], payload["valid_until"]) == (1150, 46000, "2026-11-30")

    deal.make_offer(unit_price_cents=1100, valid_until=date(2026, 12, 5), terms="С отстъпка.", now=NOW)
    assert deal.offer is not None and (deal.offer.unit_price_cents, deal.offer.terms) == (1100, "С отстъпка.")
    assert deal.total_cents == 44000 and deal.expires_at == datetime(2026, 12, 5, 22, 0, tzinfo=UTC)
    assert only_event(deal)[1]["total_cents"] == 44000
    assert [step.state for step in deal.timeline] == [DealState.REQUESTED, DealState.OFFERED, DealState.OFFERED]


def test_a_seller_revises_an_offer_a_bounded_number_of_times_so_the_deal_stays_small() -> None:
    deal = requested()
    for n in range(MAX_OFFERS):
        deal.make_offer(unit_price_cents=1150 - n, valid_until=VALID_UNTIL, terms="Доставка включена.", now=NOW)
    with pytest.raises(DealTransitionNotAllowed) as refused:
        deal.make_offer(unit_price_cents=1000, valid_until=VALID_UNTIL, terms="Последна цена.", now=NOW)
    assert "най-много 20 оферти" in refused.value.message.bg and "at most 20 offers" in refused.value.message.en
    assert deal.offer is not None and deal.offer.unit_price_cents == 1150 - MAX_OFFERS + 1  # the last one stands
    assert len(deal.timeline) == 1 + MAX_OFFERS
    deal.accept(order_number="2026-000123", now=NOW)  # the buyer can still accept it
    assert deal.state is DealState.PLACED


def test_an_offer_needs_a_price_in_cents_and_a_date_from_today() -> None:
    deal = requested()
    yesterday = date(2026, 11, 22)
    assert invalid_fields(lambda: deal.make_offer(unit_price_cents=-1, valid_until=yesterday, terms="", now=NOW)) == {
        "unit_price_cents",
        "valid_until",
    }
    assert invalid_fields(
        lambda: deal.make_offer(unit_price_cents=11.5, valid_until=VALID_UNTIL, terms="", now=NOW)
    ) == {  # type: ignore[arg-type]
        "unit_price_cents"
    }
    assert deal.state is DealState.REQUESTED and deal.offer is None and deal.pull_events() == []
    deal.make_offer(unit_price_cents=0, valid_until=date(2026, 11, 23), terms="Безплатна мостра.", now=NOW)
    assert deal.total_cents == 0


@pytest.mark.parametrize("party", [Party.SELLER, Party.BUYER])
@pytest.mark.parametrize("start", [requested, offered])
def test_either_side_declines_an_open_quote(party: Party, start: Callable[[], Deal]) -> None:
    deal = start()
    decline = deal.decline_by_seller if party is Party.SELLER else deal.decline_by_buyer
    decline(reason="Не е актуално.", now=NOW)
    assert (deal.state, deal.declined_by, deal.reason, deal.is_open_quote) == (
        DealState.DECLINED,
        party,
        "Не е актуално.",
        False,
    )
    assert deal.total_cents is None and deal.expires_at is None
    name, payload = only_event(deal)
    assert name == "QuoteDeclined" and payload["declined_by"] == party.value and payload["state"] == "declined"


def test_the_buyer_accepts_an_offer_and_it_becomes_an_order() -> None:
    deal = offered()
    deal.accept(order_number="2026-000123", now=NOW)
    assert (deal.state, deal.order_number, deal.placed_at, deal.placed_via) == (
        DealState.PLACED,
        "2026-000123",
        NOW,
        Via.QUOTE,
    )
    assert deal.is_order and not deal.is_open_quote and deal.expires_at is None and deal.total_cents == 46000
    name, payload = only_event(deal)
    assert name == "OrderPlaced"
    assert (payload["via"], payload["total_cents"], payload["district"], payload["region"]) == (
        "quote",
        46000,
        "BG-21",
        "BG42",
    )
    assert payload["deal_id"] == "d-1" and payload["order_number"] == "2026-000123"


def test_an_offer_is_valid_all_of_its_last_day_in_sofia() -> None:
    deal = offered()
    assert deal.expires_at == datetime(2026, 11, 30, 22, 0, tzinfo=UTC)
    assert not deal.expire_if_due(datetime(2026, 11, 30, 21, 30, tzinfo=UTC))  # 23:30 in Sofia
    assert deal.state is DealState.OFFERED and deal.pull_events() == []

    assert deal.expire_if_due(datetime(2026, 11, 30, 22, 30, tzinfo=UTC))  # 00:30 on 1 December in Sofia
    assert deal.state is DealState.EXPIRED and deal.expires_at is None and deal.total_cents is None
    name, payload = only_event(deal)
    assert (name, payload["stage"], payload["state"]) == ("QuoteExpired", "offered", "expired")
    assert not deal.expire_if_due(datetime(2026, 12, 31, tzinfo=UTC))
    assert deal.pull_events() == []


def test_an_offer_that_has_run_out_cannot_be_accepted_before_the_scheduler_expires_it() -> None:
    deal = offered()
    deal.accept(order_number="2026-000123", now=datetime(2026, 11, 30, 21, 30, tzinfo=UTC))
    assert deal.state is DealState.PLACED

    late = offered()
    with pytest.raises(DealTransitionNotAllowed) as refused:
        late.accept(order_number="2026-000123", now=datetime(2026, 11, 30, 22, 30, tzinfo=UTC))
    assert refused.value.status == 409
    assert refused.value.message.bg == "Не може да се приеме офертата: офертата е изтекла."
    assert refused.value.message.en == "Cannot accept the offer: the offer has expired."
    assert late.state is DealState.OFFERED and late.order_number is None and late.pull_events() == []


def test_an_expired_deal_says_so_when_accepted() -> None:
    deal = expired()
    with pytest.raises(DealTransitionNotAllowed) as refused:
        deal.accept(order_number="2026-000123", now=NOW)
    assert refused.value.message.bg == "Не може да се приеме офертата: сделката е „изтекла“."
    assert refused.value.message.en == "Cannot accept the offer: the deal is expired."


def test_a_request_expires_on_its_needed_by_date_or_after_thirty_days() -> None:
    dated = requested(needed_by=date(2026, 12, 10))
    assert not dated.expire_if_due(datetime(2026, 12, 10, 21, 59, tzinfo=UTC))
    assert dated.expire_if_due(datetime(2026, 12, 10, 22, 0, tzinfo=UTC))
    assert only_event(dated)[1]["stage"] == "requested"

    undated = requested(needed_by=None)
    assert undated.expires_at == NOW + timedelta(days=30)
    assert not undated.expire_if_due(NOW + timedelta(days=29, hours=23))
    assert undated.expire_if_due(NOW + timedelta(days=30, minutes=1))
    assert undated.state is DealState.EXPIRED


def test_orders_never_expire() -> None:
    deal = placed()
    assert deal.expires_at is None
    assert not deal.expire_if_due(datetime(2027, 6, 1, tzinfo=UTC))
    assert deal.state is DealState.PLACED


# ---------------------------------------------------------------------------- the register


def test_a_seller_who_left_the_register_can_neither_offer_nor_have_an_offer_accepted() -> None:
    deal = requested()
    assert deal.follow_register(False)
    assert not deal.follow_register(False)  # a replay changes nothing
    with pytest.raises(DealTransitionNotAllowed) as refused:
        deal.make_offer(unit_price_cents=1150, valid_until=VALID_UNTIL, terms="", now=NOW)
    assert refused.value.status == 409
    assert "няма действащо вписване в регистъра" in refused.value.message.bg
    assert "no active entry in the register" in refused.value.message.en
    assert deal.state is DealState.REQUESTED and deal.offer is None

    waiting = offered()
    waiting.follow_register(False)
    with pytest.raises(DealTransitionNotAllowed) as refused:
        waiting.accept(order_number="2026-000123", now=NOW)
    assert refused.value.message.en == "Cannot accept the offer: the enterprise has no active entry in the register."
    assert waiting.state is DealState.OFFERED and waiting.pull_events() == []

    assert waiting.follow_register(True)
    waiting.accept(order_number="2026-000123", now=NOW)
    assert waiting.state is DealState.PLACED


def test_leaving_the_register_records_no_event_and_does_not_stop_a_placed_order() -> None:
    deal = placed()
    assert deal.follow_register(False) and not deal.seller_in_good_standing
    assert deal.pull_events() == []
    deal.fulfil(note="", now=NOW)
    assert deal.state is DealState.FULFILLED


def test_a_direct_order_at_the_listed_price() -> None:
    deal = direct_order()
    assert (deal.state, deal.placed_via, deal.order_number, deal.total_cents) == (
        DealState.PLACED,
        Via.DIRECT,
        "2026-000124",
        3750,
    )
    assert deal.is_order and not deal.is_open_quote
    name, payload = only_event(deal)
    assert (name, payload["via"], payload["unit_price_cents"], payload["total_cents"]) == (
        "OrderPlaced",
        "direct",
        1250,
        3750,
    )
    with pytest.raises(DealTransitionNotAllowed) as refused:
        direct_order(seller_in_good_standing=False)
    assert refused.value.status == 409 and "регистъра" in refused.value.message.bg


# ---------------------------------------------------------------------------- the order


def test_an_order_is_fulfilled_received_and_counts_for_impact() -> None:
    deal = placed()
    assert not deal.counts_for_impact
    deal.fulfil(note="Доставени с протокол № 118.", now=NOW)
    name, payload = only_event(deal)
    assert (name, payload["note"], payload["total_cents"], deal.counts_for_impact) == (
        "OrderFulfilled",
        "Доставени с протокол № 118.",
        46000,
        False,
    )
    deal.confirm_receipt(now=NOW + timedelta(days=1))
    assert deal.state is DealState.RECEIVED and deal.counts_for_impact and deal.is_order
    name, payload = only_event(deal)
    assert (name, payload["total_cents"], payload["vulnerable_staff_total"], payload["enterprise_class"]) == (
        "OrderReceived",
        46000,
        5,
        "A",
    )
    assert [step.state for step in deal.timeline] == [
        DealState.REQUESTED,
        DealState.OFFERED,
        DealState.PLACED,
        DealState.FULFILLED,
        DealState.RECEIVED,
    ]


def test_the_buyer_may_confirm_a_delivery_the_seller_did_not_mark() -> None:
    deal = placed()
    deal.confirm_receipt(now=NOW)
    assert deal.state is DealState.RECEIVED and only_event(deal)[0] == "OrderReceived"


@pytest.mark.parametrize("start", [placed, fulfilled])
def test_the_buyer_disputes_an_order_with_a_reason(start: Callable[[], Deal]) -> None:
    deal = start()
    assert invalid_fields(lambda: deal.dispute(reason="   ", now=NOW)) == {"reason"}
    assert deal.state is start().state
    deal.dispute(reason="Доставени са 34 буркана вместо 40.", now=NOW)
    assert (deal.state, deal.reason) == (DealState.DISPUTED, "Доставени са 34 буркана вместо 40.")
    name, payload = only_event(deal)
    assert (name, payload["reason"], payload["order_number"]) == (
        "OrderDisputed",
        "Доставени са 34 буркана вместо 40.",
        "2026-000123",
    )


def test_an_admin_resolves_a_dispute_as_received_or_cancelled() -> None:
    deal = disputed()
    assert invalid_fields(lambda: deal.resolve_dispute(resolution="fulfilled", note="", now=NOW)) == {"resolution"}
    deal.resolve_dispute(resolution="received", note="Липсващите буркани са доставени.", now=NOW)
    assert deal.state is DealState.RECEIVED and deal.counts_for_impact
    assert only_event(deal)[0] == "OrderReceived"

    other = disputed()
    other.resolve_dispute(resolution=DealState.CANCELLED, note="Стоката е върната.", now=NOW)
    assert (other.state, other.cancelled_by, other.counts_for_impact) == (DealState.CANCELLED, Party.ADMIN, False)
    name, payload = only_event(other)
    assert (name, payload["cancelled_by"], payload["reason"]) == ("OrderCancelled", "admin", "Стоката е върната.")


@pytest.mark.parametrize("party", [Party.BUYER, Party.SELLER])
def test_a_placed_order_is_cancelled_by_either_side(party: Party) -> None:
    deal = placed()
    deal.cancel(by=party.value, reason="Бюджетът беше намален.", now=NOW)
    assert (deal.state, deal.cancelled_by, deal.is_order) == (DealState.CANCELLED, party, True)
    name, payload = only_event(deal)
    assert (name, payload["cancelled_by"], payload["reason"]) == (
        "OrderCancelled",
        party.value,
        "Бюджетът беше намален.",
    )


def test_only_buyer_or_seller_cancel_directly() -> None:
    deal = placed()
    assert invalid_fields(lambda: deal.cancel(by="admin", reason="", now=NOW)) == {"by"}
    assert deal.state is DealState.PLACED


def test_one_review_per_received_order() -> None:
    deal = received()
    for rating in (0, 6, "5", True):
        assert invalid_fields(lambda r=rating: deal.post_review(rating=r, text="", now=NOW)) == {"rating"}
    assert invalid_fields(lambda: deal.post_review(rating=5, text="я" * 2001, now=NOW)) == {"text"}
    assert deal.review is None

    deal.post_review(rating=5, text="Отличен мед, доставен навреме.", now=NOW)
    assert deal.review is not None and (deal.review.rating, deal.review.posted_at) == (5, NOW)
    name, payload = only_event(deal)
    assert (name, payload["rating"], payload["text"], payload["state"]) == (
        "ReviewPosted",
        5,
        "Отличен мед, доставен навреме.",
        "received",
    )
    with pytest.raises(DealTransitionNotAllowed) as refused:
        deal.post_review(rating=1, text="Промених мнението си.", now=NOW)
    assert refused.value.message.bg == "Не може да се публикува отзив: поръчката вече е оценена."
    assert refused.value.message.en == "Cannot post a review: the order has already been reviewed."
    assert deal.review.rating == 5 and deal.pull_events() == []


# ---------------------------------------------------------------------------- refusals

REFUSALS: list[tuple[Callable[[], Deal], str, Callable[[Deal], object], str, str]] = [
    (
        placed,
        "offer",
        lambda d: d.make_offer(unit_price_cents=1, valid_until=VALID_UNTIL, terms="", now=NOW),
        "Не може да се изпрати оферта: сделката е „поръчана“.",
        "Cannot send an offer: the deal is placed.",
    ),
    (
        declined,
        "offer",
        lambda d: d.make_offer(unit_price_cents=1, valid_until=VALID_UNTIL, terms="", now=NOW),
        "Не може да се изпрати оферта: сделката е „отказана“.",
        "Cannot send an offer: the deal is declined.",
    ),
    (
        requested,
        "accept",
        lambda d: d.accept(order_number="2026-000123", now=NOW),
        "Не може да се приеме офертата: сделката е „запитване“.",
        "Cannot accept the offer: the deal is requested.",
    ),
    (
        placed,
        "decline",
        lambda d: d.decline_by_seller(reason="", now=NOW),
        "Не може да се откаже запитването: сделката е „поръчана“.",
        "Cannot decline the quote: the deal is placed.",
    ),
    (
        expired,
        "decline",
        lambda d: d.decline_by_buyer(reason="", now=NOW),
        "Не може да се откаже запитването: сделката е „изтекла“.",
        "Cannot decline the quote: the deal is expired.",
    ),
    (
        offered,
        "fulfil",
        lambda d: d.fulfil(note="", now=NOW),
        "Не може да се отбележи поръчката като изпълнена: сделката е „оферта“.",
        "Cannot mark the order as fulfilled: the deal is offered.",
    ),
    (
        requested,
        "confirm",
        lambda d: d.confirm_receipt(now=NOW),
        "Не може да се потвърди получаването: сделката е „запитване“.",
        "Cannot confirm receipt: the deal is requested.",
    ),
    (
        received,
        "dispute",
        lambda d: d.dispute(reason="Късно.", now=NOW),
        "Не може да се оспори поръчката: сделката е „получена“.",
        "Cannot dispute the order: the deal is received.",
    ),
    (
        placed,
        "resolve",
        lambda d: d.resolve_dispute(resolution="received", note="", now=NOW),
        "Не може да се реши спорът: сделката е „поръчана“.",
        "Cannot resolve the dispute: the deal is placed.",
    ),
    (
        fulfilled,
        "cancel",
        lambda d: d.cancel(by=Party.BUYER, reason="", now=NOW),
        "Не може да се отмени поръчката: сделката е „изпълнена“.",
        "Cannot cancel the order: the deal is fulfilled.",
    ),
    (
        cancelled,
        "cancel",
        lambda d: d.cancel(by=Party.BUYER, reason="", now=NOW),
        "Не може да се отмени поръчката: сделката е „отменена“.",
        "Cannot cancel the order: the deal is cancelled.",
    ),
    (
        disputed,
        "review",
        lambda d: d.post_review(rating=4, text="", now=NOW),
        "Не може да се публикува отзив: сделката е „оспорена“.",
        "Cannot post a review: the deal is disputed.",
    ),
]


@pytest.mark.parametrize(
    ("start", "what", "act", "bg", "en"), REFUSALS, ids=[f"{r[0].__name__}-{r[1]}" for r in REFUSALS]
)
def test_a_refused_step_says_why_in_both_languages_and_changes_nothing(
    start: Callable[[], Deal], what: str, act: Callable[[Deal], object], bg: str, en: str
) -> None:
    deal = start()
    before = (deal.state, len(deal.timeline), deal.offer, deal.order_number, deal.review, deal.reason)
    with pytest.raises(DealTransitionNotAllowed) as refused:
        act(deal)
    assert (refused.value.status, refused.value.code) == (409, "transition_not_allowed")
    assert (refused.value.message.bg, refused.value.message.en) == (bg, en)
    assert (deal.state, len(deal.timeline), deal.offer, deal.order_number, deal.review, deal.reason) == before
    assert deal.pull_events() == []


# ---------------------------------------------------------------------------- events match their golden examples


def every_event_the_domain_records() -> dict[str, dict[str, object]]:
    payloads: dict[str, dict[str, object]] = {}

    def keep(deal: Deal) -> None:
        for event in deal.pull_events():
            payloads[event.name] = event.payload

    deal = Deal.request_quote(
        id="d-1",
        listing_id="l-1",
        listing_title="Мед",
        unit="буркан",
        buyer=BUYER,
        supplier=SUPPLIER,
        quantity=40,
        needed_by=None,
        message="",
        now=NOW,
    )
    keep(deal)
    deal.make_offer(unit_price_cents=1150, valid_until=VALID_UNTIL, terms="", now=NOW)
    keep(deal)
    deal.accept(order_number="2026-000123", now=NOW)
    deal.fulfil(note="", now=NOW)
    deal.confirm_receipt(now=NOW)
    deal.post_review(rating=5, text="", now=NOW)
    keep(deal)
    for start, act in [
        (requested, lambda d: d.decline_by_buyer(reason="", now=NOW)),
        (offered, lambda d: d.expire_if_due(datetime(2026, 12, 1, tzinfo=UTC))),
        (placed, lambda d: d.dispute(reason="Липсват буркани.", now=NOW)),
        (placed, lambda d: d.cancel(by=Party.SELLER, reason="", now=NOW)),
    ]:
        other = start()
        act(other)
        keep(other)
    return payloads


def test_every_event_type_has_a_golden_example_with_exactly_the_fields_the_domain_records() -> None:
    recorded = every_event_the_domain_records()
    assert {f"marketplace.{name}" for name in recorded} == {t.name for t in ORDER_EVENT_TYPES}
    for event_type in ORDER_EVENT_TYPES:
        example = json.loads((Path(EXAMPLES_DIR) / event_type.example_file).read_text(encoding="utf-8"))
        assert example["event_type"] == event_type.name
        assert (example["producer"], example["aggregate_type"]) == ("marketplace", "deal")
        assert example["aggregate_id"] == example["payload"]["deal_id"]
        name = event_type.name.removeprefix("marketplace.")
        assert set(recorded[name]) == set(example["payload"]), name
        assert event_type.payload_schema().validate(recorded[name]) == {}, name
        json.dumps(recorded[name])  # JSON-friendly as recorded: dates are ISO strings
