"""A buyer's need: posting, checking, matching, interest up to a Sofia deadline, and the outcome."""

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from services.marketplace.domain.need import (
    MatchedSeller,
    Need,
    NeedStatus,
    NeedTransitionNotAllowed,
)
from services.marketplace.domain.parties import Buyer, BuyerKind
from services.marketplace.events import EXAMPLES_DIR
from services.marketplace.events.needs import NEED_EVENT_TYPES, NEED_TOPIC
from shared.errors import InvalidInput
from shared.events import EventCatalog

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DEADLINE = date(2026, 12, 10)
GABROVO = Buyer(
    "sub-gabrovo", "Десислава Колева", "d.koleva@gabrovo.example.bg", "Община Габрово", BuyerKind.MUNICIPALITY
)
BASKETS = MatchedSeller("e-1", "Плетени мечти ЕООД", "office@pleteni-mechti.example.bg")
WOODWORK = MatchedSeller("e-2", "Дърводелска работилница „Шанс“", "shans@example.bg")


def post(**overrides: Any) -> Need:
    arguments: dict[str, Any] = {
        "id": "n-1",
        "buyer": GABROVO,
        "title": "  300 подаръчни кошници за Карнавала на хумора ",
        "description": "Плетени кошници от ракита с местни продукти.",
        "category": "crafts.basketry",
        "districts": ["BG-07"],
        "quantity": 300,
        "unit": "бр.",
        "budget_min_cents": 450_000,
        "budget_max_cents": 600_000,
        "deadline": DEADLINE,
        "now": NOW,
    }
    return Need.post(**{**arguments, **overrides})


def published(*matches: MatchedSeller) -> Need:
    need = post()
    need.validate("clerk-1", list(matches), NOW)
    need.pull_events()
    return need


def interest(
    need: Need, seller: MatchedSeller = BASKETS, at: datetime = NOW, message: str = "Можем до 1 декември."
) -> None:
    need.express_interest(seller.seller_id, seller.name, seller.email, message, at)


def refused_fields(raised: pytest.ExceptionInfo[InvalidInput]) -> set[str]:
    assert raised.value.status == 422
    return set(raised.value.fields)


# ---------------------------------------------------------------------- posting


def test_a_posted_need_waits_for_a_check_and_says_so() -> None:
    need = post()
    assert need.status is NeedStatus.SUBMITTED
    assert need.title == "300 подаръчни кошници за Карнавала на хумора"
    assert need.is_open and not need.is_visible_to_sellers
    [event] = need.pull_events()
    assert event.name == "NeedSubmitted"
    assert event.payload["status"] == "submitted" and event.payload["deadline"] == "2026-12-10"
    assert event.payload["buyer_email"] == GABROVO.email
    assert need.pull_events() == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "crafts.unknown"}, "category"),
        ({"districts": []}, "districts"),
        ({"districts": ["BG-07", "BG-29"]}, "districts"),
        ({"quantity": 0}, "quantity"),
        ({"budget_min_cents": -1}, "budget_min_cents"),
        ({"budget_min_cents": 600_001}, "budget_max_cents"),
        ({"deadline": date(2026, 11, 23)}, "deadline"),
        ({"title": "   "}, "title"),
    ],
)
def test_a_need_that_is_not_filled_in_properly_is_refused_naming_the_field(overrides: dict, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        post(**overrides)
    assert refused_fields(raised) == {field}
    assert raised.value.fields[field].bg and raised.value.fields[field].en


def test_the_budget_is_optional_and_may_be_open_on_either_side() -> None:
    assert post(budget_min_cents=None, budget_max_cents=None).budget_max_cents is None
    assert post(budget_min_cents=None, budget_max_cents=100).budget_max_cents == 100
    assert post(budget_min_cents=500, budget_max_cents=500).budget_min_cents == 500


def test_the_deadline_must_be_after_today_in_sofia() -> None:
    late_evening = datetime(2026, 12, 9, 22, 30, tzinfo=UTC)  # already 10 December in Sofia
    with pytest.raises(InvalidInput) as raised:
        post(now=late_evening)
    assert refused_fields(raised) == {"deadline"}
    assert post(now=datetime(2026, 12, 9, 21, 30, tzinfo=UTC)).deadline == DEADLINE  # 23:30 on 9 December


# ---------------------------------------------------------------------- checking and matching


def test_a_clerk_publishes_the_need_and_each_matched_seller_is_told_once() -> None:
    need = post()
    need.pull_events()
    need.validate("clerk-1", [BASKETS, WOODWORK, BASKETS], NOW)
    assert need.status is NeedStatus.PUBLISHED and need.is_visible_to_sellers
    assert (need.validated_by, need.validated_at) == ("clerk-1", NOW)
    assert need.matches == [BASKETS, WOODWORK]
    events = need.pull_events()
    assert [e.name for e in events] == ["NeedPublished", "NeedMatched", "NeedMatched"]
    assert events[0].payload["match_count"] == 2
    assert [(e.payload["seller_id"], e.payload["seller_email"]) for e in events[1:]] == [
        ("e-1", BASKETS.email),
        ("e-2", WOODWORK.email),
    ]


def test_a_need_nobody_matches_is_still_published() -> None:
    need = post()
    need.pull_events()
    need.validate("admin-1", [], NOW)
    [event] = need.pull_events()
    assert (event.name, event.payload["match_count"], need.status) == ("NeedPublished", 0, NeedStatus.PUBLISHED)


def test_a_rejection_needs_a_reason_and_ends_the_need() -> None:
    need = post()
    need.pull_events()
    with pytest.raises(InvalidInput) as raised:
        need.reject("  ", NOW)
    assert refused_fields(raised) == {"reason"}
    assert need.status is NeedStatus.SUBMITTED and need.pull_events() == []

    need.reject("Уточнете размера на кошниците.", NOW)
    assert need.status is NeedStatus.REJECTED and not need.is_open
    assert need.rejection_reason == "Уточнете размера на кошниците."
    [event] = need.pull_events()
    assert (event.name, event.payload["reason"]) == ("NeedRejected", "Уточнете размера на кошниците.")


def test_only_a_submitted_need_is_checked() -> None:
    need = published(BASKETS)
    with pytest.raises(NeedTransitionNotAllowed) as refused:
        need.validate("clerk-2", [WOODWORK], NOW)
    assert refused.value.status == 409
    assert refused.value.message.bg == "Не може да се публикува нуждата: нуждата е „публикувана“."
    assert refused.value.message.en == "Cannot publish the need: the need is published."
    assert (need.validated_by, need.matches) == ("clerk-1", [BASKETS])
    with pytest.raises(NeedTransitionNotAllowed):
        need.reject("късно", NOW)
    assert need.status is NeedStatus.PUBLISHED and need.rejection_reason is None
    assert need.pull_events() == []


# ---------------------------------------------------------------------- withdrawal


@pytest.mark.parametrize("checked", [False, True])
def test_the_buyer_withdraws_a_need_before_or_after_it_is_published(checked: bool) -> None:
    need = published() if checked else post()
    need.pull_events()
    need.withdraw(NOW)
    assert need.status is NeedStatus.WITHDRAWN and not need.is_visible_to_sellers
    [event] = need.pull_events()
    assert (event.name, event.payload["status"]) == ("NeedWithdrawn", "withdrawn")


def test_a_closed_need_cannot_be_withdrawn() -> None:
    need = published()
    need.record_outcome(False, None, None, "", NOW)
    with pytest.raises(NeedTransitionNotAllowed) as refused:
        need.withdraw(NOW)
    assert "„затворена“" in refused.value.message.bg and "closed" in refused.value.message.en
    assert need.status is NeedStatus.CLOSED


# ---------------------------------------------------------------------- interest and the Sofia deadline


def test_a_seller_expresses_interest_once() -> None:
    need = published(BASKETS)
    interest(need)
    [event] = need.pull_events()
    assert event.name == "InterestExpressed"
    assert (event.payload["seller_id"], event.payload["message"]) == ("e-1", "Можем до 1 декември.")
    with pytest.raises(NeedTransitionNotAllowed) as refused:
        interest(need, message="Още веднъж.")
    assert "вече сте заявили интерес" in refused.value.message.bg
    assert "already expressed interest" in refused.value.message.en
    assert [i.message for i in need.interests] == ["Можем до 1 декември."]
    interest(need, WOODWORK)  # a seller who was not matched may still answer
    assert [i.seller_id for i in need.interests] == ["e-1", "e-2"]


def test_interest_needs_a_message() -> None:
    need = published()
    with pytest.raises(InvalidInput) as raised:
        interest(need, message=" \n")
    assert refused_fields(raised) == {"message"}
    assert need.interests == []


def test_interest_is_accepted_until_the_end_of_the_deadline_in_sofia() -> None:
    need = published()
    last_evening = datetime(2026, 12, 10, 21, 30, tzinfo=UTC)  # 23:30 on 10 December in Sofia
    assert not need.close_if_due(last_evening)
    interest(need, at=last_evening)
    after_midnight = datetime(2026, 12, 10, 22, 30, tzinfo=UTC)  # 00:30 on 11 December in Sofia
    with pytest.raises(NeedTransitionNotAllowed) as refused:
        interest(need, WOODWORK, at=after_midnight)
    assert "срокът на нуждата е изтекъл" in refused.value.message.bg and "deadline" in refused.value.message.en
    assert len(need.interests) == 1


def test_a_need_not_yet_published_takes_no_interest() -> None:
    need = post()
    with pytest.raises(NeedTransitionNotAllowed) as refused:
        interest(need)
    assert refused.value.message.bg == "Не може да се заяви интерес: нуждата е „подадена“."
    assert need.interests == []


def test_after_the_deadline_the_buyer_is_asked_for_the_outcome() -> None:
    need = published(BASKETS)
    interest(need)
    need.pull_events()
    assert need.due_at == datetime(2026, 12, 10, 22, 0, tzinfo=UTC)  # midnight in Sofia
    assert not need.close_if_due(datetime(2026, 12, 10, 21, 59, tzinfo=UTC))
    assert need.close_if_due(datetime(2026, 12, 10, 22, 30, tzinfo=UTC))
    assert need.status is NeedStatus.AWAITING_OUTCOME and need.is_open and not need.is_visible_to_sellers
    assert need.due_at is None
    [event] = need.pull_events()
    assert (event.name, event.payload["interest_count"]) == ("NeedOutcomeRequested", 1)
    assert not need.close_if_due(datetime(2026, 12, 12, tzinfo=UTC))  # the scheduler may ask again
    assert need.pull_events() == []
    with pytest.raises(NeedTransitionNotAllowed):
        interest(need, WOODWORK, at=datetime(2026, 12, 10, 22, 30, tzinfo=UTC))


def test_only_a_published_need_falls_due() -> None:
    need = post()
    assert need.due_at is None
    assert not need.close_if_due(datetime(2027, 1, 1, tzinfo=UTC))
    assert need.status is NeedStatus.SUBMITTED


# ---------------------------------------------------------------------- outcome


@pytest.mark.parametrize("due", [False, True])
def test_the_buyer_records_a_deal_before_or_after_the_deadline(due: bool) -> None:
    need = published(BASKETS)
    if due:
        need.close_if_due(datetime(2026, 12, 11, 8, 0, tzinfo=UTC))
        need.pull_events()
    outcome = need.record_outcome(True, "e-1", 540_000, " Договор № 93-00-214 ", NOW)
    assert need.status is NeedStatus.CLOSED and need.outcome == outcome and not need.is_open
    assert (outcome.seller_id, outcome.amount_cents, outcome.note) == ("e-1", 540_000, "Договор № 93-00-214")
    [event] = need.pull_events()
    assert event.name == "NeedOutcomeRecorded"
    assert (event.payload["deal_happened"], event.payload["amount_cents"]) == (True, 540_000)


def test_without_a_deal_there_is_no_seller_and_no_amount() -> None:
    need = published(BASKETS)
    with pytest.raises(InvalidInput) as raised:
        need.record_outcome(False, "e-1", 540_000, "", NOW)
    assert refused_fields(raised) == {"seller_id", "amount_cents"}
    with pytest.raises(InvalidInput) as raised:
        need.record_outcome(True, "e-1", -5, "", NOW)
    assert refused_fields(raised) == {"amount_cents"}
    assert need.status is NeedStatus.PUBLISHED and need.outcome is None

    need.record_outcome(False, None, None, "Не намерихме подходящ доставчик.", NOW)
    assert need.outcome is not None and not need.outcome.deal_happened
    [event] = need.pull_events()
    assert (event.payload["seller_id"], event.payload["amount_cents"]) == (None, None)


def test_the_outcome_is_recorded_once_and_only_for_a_published_need() -> None:
    need = published()
    need.record_outcome(True, None, None, "", NOW)
    with pytest.raises(NeedTransitionNotAllowed) as refused:
        need.record_outcome(False, None, None, "", NOW)
    assert refused.value.message.en == "Cannot record the outcome: the need is closed."
    assert need.outcome is not None and need.outcome.deal_happened

    submitted = post()
    with pytest.raises(NeedTransitionNotAllowed):
        submitted.record_outcome(True, None, None, "", NOW)
    assert submitted.status is NeedStatus.SUBMITTED


# ---------------------------------------------------------------------- event payloads match the golden examples


def every_event() -> dict[str, dict[str, Any]]:
    """Each event type produced through the domain, by event name."""
    produced = {}

    def keep(need: Need) -> None:
        for event in need.pull_events():
            produced.setdefault(event.name, event.payload)

    need = post(budget_min_cents=None)
    keep(need)
    need.validate("clerk-1", [BASKETS], NOW)
    interest(need)
    need.close_if_due(datetime(2026, 12, 11, tzinfo=UTC))
    need.record_outcome(True, "e-1", 540_000, "Договор", NOW)
    keep(need)
    rejected = post()
    rejected.reject("Неясно описание.", NOW)
    keep(rejected)
    withdrawn = post()
    withdrawn.withdraw(NOW)
    keep(withdrawn)
    return produced


def test_every_event_type_has_a_golden_example_with_the_same_fields() -> None:
    catalog = EventCatalog(NEED_EVENT_TYPES, EXAMPLES_DIR)
    produced = every_event()
    assert {f"marketplace.{name}" for name in produced} == {t.name for t in catalog}
    for event_type in catalog:
        example = json.loads((EXAMPLES_DIR / event_type.example_file).read_text(encoding="utf-8"))
        payload = produced[event_type.name.removeprefix("marketplace.")]
        assert set(payload) == set(example["payload"]), event_type.name
        assert (event_type.topic, example["aggregate_type"], example["producer"]) == (NEED_TOPIC, "need", "marketplace")
        catalog.validate(catalog.example(event_type))
        catalog.validate_payload(event_type.name, 1, json.loads(json.dumps(payload)))
