"""The grants programme's rules: calls, de minimis windows, eligibility, budget lines, evaluation, ranking,
the application's states, payments, line changes and completion."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.grants.domain import deminimis
from services.grants.domain.application import (
    Application,
    ChangeStatus,
    Delivery,
    DigitalisedRule,
    FollowUp,
    Payment,
    PaymentKind,
    Status,
)
from services.grants.domain.call import Call, CallStatus, CostCategory, Criterion, RequiredDocument, validate_call
from services.grants.domain.deminimis import Aid, AidSource
from services.grants.domain.eligibility import assess
from services.grants.domain.errors import NotAllowedNow
from services.grants.domain.evaluation import Scoring, result, weighted_total
from services.grants.domain.money import MAX_AID_PER_ENTERPRISE_CENTS, euro
from services.grants.domain.plan import BudgetLine, VatTreatment, check_lines, problems, total_cents
from services.grants.domain.ranking import Candidate, Proposal, rank
from shared.errors import InvalidInput, NotFound

REGIONS = {"BG31", "BG32", "BG33", "BG34", "BG41", "BG42"}
NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
MARGIN = 1500  # 15 points, in hundredths


def a_call(**changes: object) -> Call:
    values: dict = dict(
        id="call-1",
        title="Модернизация 2027",
        budget_cents=60_000_000,
        envelopes={"BG31": 10_000_000, "BG32": 10_000_000},
        max_per_enterprise_cents=MAX_AID_PER_ENTERPRISE_CENTS,
        max_line_cents=2_000_000,
        categories=[CostCategory.SOFTWARE, CostCategory.HARDWARE],
        opens_on=date(2027, 3, 1),
        closes_on=date(2027, 4, 30),
        criteria=[
            Criterion("need", "Нужда", "Need", 60, 10, 4),
            Criterion("impact", "Въздействие", "Impact", 40, 5, 0),
        ],
        pass_score=50,
        required_documents=[RequiredDocument("offer", "Оферта", "Offer")],
        created_at=NOW,
    )
    values.update(changes)
    return Call(**values)


def line(line_id: str = "l1", cents: int = 100_000, qty: int = 1, **changes: object) -> BudgetLine:
    values: dict = dict(
        id=line_id,
        category=CostCategory.SOFTWARE,
        description="Счетоводен софтуер",
        quantity=qty,
        unit_cost_cents=cents,
        vat=VatTreatment.RECOVERABLE,
    )
    values.update(changes)
    return BudgetLine(**values)


def draft(call: Call | None = None, lines: list[BudgetLine] | None = None) -> Application:
    application = Application(
        id="app-1",
        call_id="call-1",
        enterprise_id="ent-1",
        enterprise_name="Пекарна",
        region="BG31",
        centre="lovech",
        applicant="rep-1",
        created_at=NOW,
    )
    application.edit_plan(call or a_call(), lines=lines if lines is not None else [line("l1"), line("l2", 50_000)])
    return application


# ---------------------------------------------------------------- calls
def test_a_sound_call_passes_and_each_broken_limit_names_its_field() -> None:
    validate_call(a_call(), REGIONS)
    cases = {
        "envelopes": a_call(envelopes={"BG31": 50_000_000, "BG32": 20_000_000}),
        "max_per_enterprise_cents": a_call(max_per_enterprise_cents=MAX_AID_PER_ENTERPRISE_CENTS + 1),
        "max_line_cents": a_call(max_line_cents=MAX_AID_PER_ENTERPRISE_CENTS + 1),
        "closes_on": a_call(closes_on=date(2027, 2, 1)),
        "categories": a_call(categories=[]),
        "pass_score": a_call(pass_score=101),
    }
    for name, call in cases.items():
        with pytest.raises(InvalidInput) as caught:
            validate_call(call, REGIONS)
        assert name in caught.value.fields, name
    with pytest.raises(InvalidInput) as caught:
        validate_call(a_call(envelopes={"BG99": 1}), REGIONS)
    assert "BG99" in caught.value.fields["envelopes"].en
    with pytest.raises(InvalidInput) as caught:
        validate_call(a_call(criteria=[Criterion("a", "а", "a", 50, 10)]), REGIONS)
    assert "100" in caught.value.fields["criteria"].en


def test_the_window_is_in_sofia_time_both_days_included() -> None:
    call = a_call()
    # 1 March 2027 00:30 in Sofia is 28 February 22:30 UTC
    assert call.is_open(datetime(2027, 2, 28, 22, 30, tzinfo=UTC))
    assert not call.is_open(datetime(2027, 2, 28, 21, 30, tzinfo=UTC))
    # 30 April 23:59 in Sofia (summer time, UTC+3) is 20:59 UTC; midnight is 21:00 UTC
    assert call.is_open(datetime(2027, 4, 30, 20, 59, tzinfo=UTC))
    assert not call.is_open(datetime(2027, 4, 30, 21, 0, tzinfo=UTC))


def test_a_closed_call_refuses_submission_naming_the_closing_and_its_reason_and_closing_twice_is_409() -> None:
    call = a_call()
    application = draft(call)
    call.close("  Средствата са разпределени.  ", NOW)
    assert (call.status, call.state(NOW).value, call.close_reason) == (
        CallStatus.CLOSED,
        "closed",
        "Средствата са разпределени.",
    )
    [event] = call.pull_events()
    assert (event.name, event.payload["reason"], event.payload["closes_on"]) == (
        "CallClosed",
        "Средствата са разпределени.",
        "2027-04-30",
    )
    with pytest.raises(NotAllowedNow) as refused:
        application.submit(call, NOW + timedelta(hours=1), True, {"offer"})
    assert refused.value.status == 409
    assert "закрита от министерството на 10.03.2027 (Средствата са разпределени.)" in refused.value.message.bg
    assert "closed by the ministry" in refused.value.message.en
    assert application.status == Status.DRAFT and application.submitted_at is None
    with pytest.raises(NotAllowedNow) as twice:
        call.close("Отново.", NOW + timedelta(hours=2))
    assert "вече е закрита на 10.03.2027" in twice.value.message.bg
    assert call.close_reason == "Средствата са разпределени." and call.pull_events() == []


def test_a_call_is_closed_only_with_a_reason_and_not_after_its_window_ended() -> None:
    call = a_call()
    with pytest.raises(InvalidInput) as blank:
        call.close("   ", NOW)
    assert "reason" in blank.value.fields and call.status == CallStatus.PUBLISHED
    ended = datetime(2027, 4, 30, 21, 0, tzinfo=UTC)  # 1 May in Sofia: the window (to 30 April) is over
    assert call.state(ended).value == "ended"
    with pytest.raises(NotAllowedNow) as late:
        call.close("Късно.", ended)
    assert "изтече на 30.04.2027" in late.value.message.bg and call.pull_events() == []


def test_after_the_window_a_draft_cannot_be_submitted_and_the_refusal_names_the_last_day() -> None:
    call = a_call()
    application = draft(call)
    with pytest.raises(NotAllowedNow) as late:
        application.submit(call, datetime(2027, 4, 30, 21, 0, tzinfo=UTC), True, {"offer"})
    assert "срокът на поканата изтече на 30.04.2027" in late.value.message.bg
    early = a_call(opens_on=date(2027, 3, 20))
    with pytest.raises(NotAllowedNow) as soon:
        draft(early).submit(early, NOW, True, {"offer"})
    assert "поканата се отваря на 20.03.2027" in soon.value.message.bg


# ---------------------------------------------------------------- de minimis
def test_the_window_is_the_three_years_ending_on_the_award_date() -> None:
    assert deminimis.window(date(2027, 6, 15)) == (date(2024, 6, 16), date(2027, 6, 15))


def test_aid_on_the_same_date_three_years_earlier_is_outside_and_the_day_after_is_inside() -> None:
    on = date(2027, 6, 15)
    edge = Aid(date(2024, 6, 15), 10_000_000, AidSource.DECLARED)
    inside = Aid(date(2024, 6, 16), 10_000_000, AidSource.DECLARED)
    assert deminimis.counted([edge, inside], on) == [inside]


def test_aid_granted_after_the_award_date_does_not_count() -> None:
    later = Aid(date(2027, 6, 16), 10_000_000, AidSource.PLATFORM)
    assert deminimis.counted([later], date(2027, 6, 15)) == []


def test_an_award_on_a_leap_day_counts_from_the_first_of_march_three_years_earlier() -> None:
    assert deminimis.window(date(2028, 2, 29)) == (date(2025, 3, 1), date(2028, 2, 29))
    feb28 = Aid(date(2025, 2, 28), 1, AidSource.DECLARED)
    mar1 = Aid(date(2025, 3, 1), 1, AidSource.DECLARED)
    assert deminimis.counted([feb28, mar1], date(2028, 2, 29)) == [mar1]


def test_aid_granted_on_a_leap_day_leaves_the_window_on_its_third_anniversary() -> None:
    leap = Aid(date(2024, 2, 29), 1, AidSource.DECLARED)
    assert deminimis.counted([leap], date(2027, 2, 28)) == [leap]
    assert deminimis.counted([leap], date(2027, 3, 1)) == []


def test_the_ceiling_counts_declared_and_platform_aid_and_allows_exactly_reaching_it() -> None:
    aids = [
        Aid(date(2025, 1, 10), 20_000_000, AidSource.DECLARED, "Община"),
        Aid(date(2026, 5, 1), 5_398_373, AidSource.PLATFORM),
    ]
    on = date(2027, 3, 10)
    exact = deminimis.check(aids, MAX_AID_PER_ENTERPRISE_CENTS, on)
    assert exact.passed and exact.received_cents == 25_398_373
    assert exact.headroom_cents == 30_000_000 - 25_398_373
    assert not deminimis.check(aids, 4_601_628, on).passed


def test_eligibility_shows_each_rule_with_its_figures() -> None:
    aids = [Aid(date(2025, 1, 10), 29_000_000, AidSource.DECLARED)]
    outcome = assess(
        register_status="active", assessments=0, aids=aids, requested_cents=2_000_000, on=date(2027, 3, 10)
    )
    by_code = {rule.code: rule for rule in outcome.rules}
    assert by_code["active_in_register"].passed
    assert not by_code["surveyed"].passed
    assert not by_code["de_minimis"].passed
    assert (
        "11.03.2024" in by_code["de_minimis"].detail.bg and "290\u00a0000,00\u00a0€" in by_code["de_minimis"].detail.bg
    )
    assert not outcome.eligible
    unknown = assess(register_status=None, assessments=1, aids=[], requested_cents=1, on=date(2027, 3, 10))
    assert [r.code for r in unknown.failed()] == ["active_in_register"]


# ---------------------------------------------------------------- budget lines
def test_vat_is_eligible_only_when_not_recoverable() -> None:
    assert line(cents=10_001, qty=3).eligible_cents == 30_003
    assert line(cents=10_001, qty=3, vat=VatTreatment.NON_RECOVERABLE).eligible_cents == 36_004  # 6 000.6 → 6 001
    assert line(cents=100, vat=VatTreatment.NOT_APPLICABLE).eligible_cents == 100


def test_lines_are_checked_against_the_calls_limits_each_naming_its_field() -> None:
    call = a_call()
    found = {
        p.field for p in problems([line(category=CostCategory.WORKPLACE), line("b", cents=0), line("c", qty=0)], call)
    }
    assert found == {"lines.0.category", "lines.1.unit_cost_cents", "lines.2.quantity"}
    over_line = problems([line(cents=2_000_001)], call)
    assert [p.field for p in over_line] == ["lines.0.unit_cost_cents"] and "20\u00a0000,00" in over_line[0].message.bg
    three = [line(str(i), cents=1_600_000) for i in range(3)]
    assert total_cents(three) == 4_800_000
    with pytest.raises(InvalidInput) as caught:
        check_lines(three, call)
    assert "46\u00a0016,27" in caught.value.fields["lines"].bg


def test_money_reads_in_bulgarian() -> None:
    assert euro(MAX_AID_PER_ENTERPRISE_CENTS) == "46\u00a0016,27\u00a0€"


# ---------------------------------------------------------------- evaluation and ranking
def scoring(evaluator: str, call: Call, need: int, impact: int) -> Scoring:
    points = {"need": need, "impact": impact}
    return Scoring(evaluator, points, weighted_total(call, points), NOW)


def test_weighted_total_in_hundredths() -> None:
    call = a_call()
    assert weighted_total(call, {"need": 10, "impact": 5}) == 10_000
    assert weighted_total(call, {"need": 7, "impact": 3}) == 4200 + 2400
    assert weighted_total(a_call(criteria=[Criterion("x", "х", "x", 100, 3)]), {"x": 1}) == 3333


def test_two_close_scorings_average_and_a_far_apart_pair_needs_a_third() -> None:
    call = a_call()
    close = result(call, [scoring("e1", call, 8, 4), scoring("e2", call, 7, 4)], MARGIN)
    assert close is not None and not close.needs_third and close.total_hundredths == (8000 + 7400 + 1) // 2
    assert close.passed
    far = [scoring("e1", call, 10, 5), scoring("e2", call, 5, 2)]  # 100 and 46
    pending = result(call, far, MARGIN)
    assert pending is not None and pending.needs_third and pending.total_hundredths is None
    third = result(call, [*far, scoring("e3", call, 9, 5)], MARGIN)  # 94: closest to 100
    assert third is not None and third.counted == ("e1", "e3") and third.total_hundredths == 9700


def test_a_criterion_below_its_minimum_fails_whatever_the_total() -> None:
    call = a_call(pass_score=30)
    outcome = result(call, [scoring("e1", call, 3, 5), scoring("e2", call, 4, 5)], MARGIN)
    assert outcome is not None and outcome.below_minimum == ("need",) and not outcome.passed


def test_ranking_fills_the_envelope_in_order_and_the_rest_wait_in_reserve() -> None:
    t = NOW
    candidates = [
        Candidate("low", 6000, True, 3_000_000, t),
        Candidate("top", 9000, True, 4_000_000, t),
        Candidate("tie-late", 8000, True, 4_000_000, t + timedelta(hours=1)),
        Candidate("tie-early", 8000, True, 2_000_000, t),
        Candidate("failed", 9900, False, 1_000, t),
    ]
    places = {p.application_id: p for p in rank(candidates, 7_000_000)}
    assert places["top"].proposal == Proposal.AWARD and places["top"].rank == 1
    assert places["tie-early"].proposal == Proposal.AWARD and places["tie-early"].rank == 2
    assert places["tie-late"].proposal == Proposal.RESERVE
    assert places["low"].proposal == Proposal.RESERVE  # fits in the 1 000 000 left? no, and never jumps the queue
    assert places["failed"].proposal == Proposal.REJECT and places["failed"].rank is None


# ---------------------------------------------------------------- the application
def evaluated(call: Call) -> Application:
    application = draft(call)
    application.submit(call, NOW, eligible=True)
    application.start_check()
    application.admit()
    for evaluator in ("e1", "e2"):
        application.assign_evaluator(evaluator, NOW, call, MARGIN)
        application.declare(evaluator, False, NOW)
        application.score(evaluator, {"need": 8, "impact": 4}, call, MARGIN, NOW)
    application.place(1)
    return application


def test_figures_are_frozen_after_submission_except_through_a_request_for_information() -> None:
    call = a_call()
    application = draft(call)
    application.submit(call, NOW, eligible=True)
    assert application.requested_cents == 150_000
    with pytest.raises(NotAllowedNow):
        application.edit_plan(call, lines=[line(cents=999_999)])
    application.start_check()
    application.request_information("clerk-1", "Приложете оферта.", NOW)
    application.answer(call, "Ето я.", NOW, lines=[line(cents=120_000)])
    assert application.status == Status.ADMINISTRATIVE_CHECK and application.requested_cents == 120_000
    with pytest.raises(NotAllowedNow):
        application.edit_plan(call, lines=[line(cents=1)])
    names = [e.name for e in application.pull_events()]
    assert names == ["ApplicationSubmitted", "InformationRequested", "InformationProvided"]


def test_submission_needs_an_open_call_lines_and_eligibility() -> None:
    call = a_call()
    with pytest.raises(NotAllowedNow):
        draft(call).submit(call, datetime(2027, 5, 1, 12, tzinfo=UTC), eligible=True)
    with pytest.raises(InvalidInput) as caught:
        draft(call, lines=[]).submit(call, NOW, eligible=True)
    assert "lines" in caught.value.fields
    with pytest.raises(NotAllowedNow):
        draft(call).submit(call, NOW, eligible=False)


def test_an_evaluator_declaring_a_conflict_loses_the_application_and_a_third_seat_opens_only_when_needed() -> None:
    call = a_call()
    application = draft(call)
    application.submit(call, NOW, eligible=True)
    application.start_check()
    application.admit()
    application.assign_evaluator("e1", NOW, call, MARGIN)
    application.declare("e1", True, NOW)
    assert not application.visible_to_evaluator("e1")
    with pytest.raises(NotFound):
        application.score("e1", {"need": 9, "impact": 5}, call, MARGIN, NOW)
    with pytest.raises(NotAllowedNow):
        application.assign_evaluator("e1", NOW, call, MARGIN)  # never again
    application.assign_evaluator("e2", NOW, call, MARGIN)
    with pytest.raises(NotAllowedNow):  # no declaration yet
        application.score("e2", {"need": 9, "impact": 5}, call, MARGIN, NOW)
    application.declare("e2", False, NOW)
    application.score("e2", {"need": 10, "impact": 5}, call, MARGIN, NOW)
    application.assign_evaluator("e3", NOW, call, MARGIN)
    with pytest.raises(NotAllowedNow):
        application.assign_evaluator("e4", NOW, call, MARGIN)  # two are enough until they disagree
    application.declare("e3", False, NOW)
    application.score("e3", {"need": 4, "impact": 2}, call, MARGIN, NOW)
    assert not application.evaluated
    application.assign_evaluator("e4", NOW, call, MARGIN)
    application.declare("e4", False, NOW)
    application.score("e4", {"need": 9, "impact": 5}, call, MARGIN, NOW)
    assert application.evaluated and application.total_hundredths == 9700 and application.passed


def test_an_award_never_exceeds_what_was_asked_and_needs_a_passing_ranked_application() -> None:
    call = a_call()
    application = evaluated(call)
    with pytest.raises(InvalidInput) as caught:
        application.grant(150_001, "clerk", "", NOW, NOW.date())
    assert "amount_cents" in caught.value.fields
    application.grant(150_000, "clerk", "Класирано първо.", NOW, NOW.date())
    assert application.status == Status.AWARDED
    with pytest.raises(NotAllowedNow):
        application.grant(1, "clerk", "", NOW, NOW.date())


def contracted(call: Call) -> Application:
    application = evaluated(call)
    application.grant(150_000, "clerk", "", NOW, NOW.date())
    application.sign_contract("BG-RRP-2027-0001", date(2027, 3, 20))
    return application


def test_payments_never_exceed_the_award_nor_interim_and_final_the_deliveries() -> None:
    application = contracted(a_call())
    with pytest.raises(InvalidInput):
        application.pay(Payment(PaymentKind.ADVANCE, 150_001, date(2027, 3, 21)))
    application.pay(Payment(PaymentKind.ADVANCE, 30_000, date(2027, 3, 21)))
    with pytest.raises(NotAllowedNow):
        application.pay(Payment(PaymentKind.ADVANCE, 1, date(2027, 3, 21)))
    with pytest.raises(InvalidInput):  # nothing delivered beyond the advance yet
        application.pay(Payment(PaymentKind.INTERIM, 1, date(2027, 3, 22)))
    application.record_delivery(Delivery("l1", 100_000, "INV-1", "PR-1", date(2027, 4, 1)))
    application.pay(Payment(PaymentKind.INTERIM, 70_000, date(2027, 4, 2)))
    with pytest.raises(NotAllowedNow):
        application.pay(Payment(PaymentKind.FINAL, 1, date(2027, 4, 2)))
    with pytest.raises(InvalidInput):
        application.record_delivery(Delivery("l2", 50_001, "INV-2", "PR-2", date(2027, 4, 3)))
    application.record_delivery(Delivery("l2", 45_000, "INV-2", "PR-2", date(2027, 4, 3)))
    with pytest.raises(InvalidInput) as caught:
        application.pay(Payment(PaymentKind.FINAL, 45_001, date(2027, 4, 4)))
    assert "450,00\u00a0€" in caught.value.fields["amount_cents"].bg
    application.pay(Payment(PaymentKind.FINAL, 45_000, date(2027, 4, 4)))
    assert application.paid_cents == 145_000
    with pytest.raises(NotAllowedNow):
        application.pay(Payment(PaymentKind.INTERIM, 1, date(2027, 4, 5)))


def test_line_changes_within_the_tolerance_apply_and_larger_ones_wait_for_the_centre() -> None:
    application = contracted(a_call())
    small = application.change_lines("c1", "l1", "l2", 10_000, "по-евтино", 10, NOW)
    assert small.status == ChangeStatus.APPLIED
    assert application.line_amount_cents("l1") == 90_000 and application.line_amount_cents("l2") == 60_000
    large = application.change_lines("c2", "l1", "l2", 10_001, "още", 10, NOW)
    assert large.status == ChangeStatus.PENDING and application.line_amount_cents("l2") == 60_000
    application.settle_change("c2", approve=True)
    assert application.line_amount_cents("l2") == 70_001
    with pytest.raises(NotAllowedNow):
        application.settle_change("c2", approve=False)
    with pytest.raises(InvalidInput):
        application.change_lines("c3", "l1", "l2", 80_000, "", 10, NOW)
    assert sum(application.line_amount_cents(x) for x in ("l1", "l2")) == 150_000


def test_completion_needs_every_line_delivered_and_a_follow_up_and_counts_digitalised_by_the_rule() -> None:
    application = contracted(a_call())
    rule = DigitalisedRule(min_overall=50, min_gain=10)
    follow_up = FollowUp("as-2", datetime(2027, 6, 1, tzinfo=UTC), baseline_overall=38.0, overall=52.5)
    application.record_delivery(Delivery("l1", 100_000, "INV-1", "PR-1", date(2027, 4, 1)))
    with pytest.raises(NotAllowedNow):
        application.complete(follow_up, rule, date(2027, 6, 2))
    application.record_delivery(Delivery("l2", 50_000, "INV-2", "PR-2", date(2027, 4, 1)))
    before = FollowUp("as-1", datetime(2027, 3, 1, tzinfo=UTC), 38.0, 60.0)
    with pytest.raises(NotAllowedNow):
        application.complete(before, rule, date(2027, 6, 2))
    application.complete(follow_up, rule, date(2027, 6, 2))
    assert application.status == Status.COMPLETED and application.completion is not None
    assert application.completion.digitalised
    assert not rule.passes(FollowUp("x", NOW, 45.0, 54.9))  # only 9.9 points gained
    assert not rule.passes(FollowUp("x", NOW, 30.0, 49.9))  # below 50
    completed = [e for e in application.pull_events() if e.name == "SupportCompleted"]
    assert completed[0].payload["digitalised"] is True


def test_a_follow_up_made_just_after_midnight_in_sofia_counts_for_a_contract_signed_that_day() -> None:
    application = contracted(a_call())  # signed on 20 March 2027
    for line, cents in (("l1", 100_000), ("l2", 50_000)):
        application.record_delivery(Delivery(line, cents, f"INV-{line}", f"PR-{line}", date(2027, 3, 20)))
    rule = DigitalisedRule(min_overall=50, min_gain=10)
    the_evening_before = FollowUp("as-0", datetime(2027, 3, 19, 21, 30, tzinfo=UTC), 38.0, 60.0)  # 23:30 in Sofia
    with pytest.raises(NotAllowedNow):
        application.complete(the_evening_before, rule, date(2027, 3, 20))

    half_past_midnight = FollowUp("as-1", datetime(2027, 3, 19, 22, 30, tzinfo=UTC), 38.0, 60.0)  # 00:30, the 20th
    application.complete(half_past_midnight, rule, date(2027, 3, 20))
    assert application.status == Status.COMPLETED


def test_an_unknown_line_or_a_contract_before_the_award_is_refused_naming_its_field() -> None:
    application = contracted(a_call())
    with pytest.raises(InvalidInput) as caught:
        application.change_lines("c1", "l1", "l9", 1_000, "", 10, NOW)
    assert "l9" in caught.value.fields["to_line"].en
    with pytest.raises(InvalidInput) as caught:
        application.record_delivery(Delivery("l9", 1, "INV", "PR", date(2027, 4, 1)))
    assert "line_id" in caught.value.fields
    early = evaluated(a_call())
    early.grant(150_000, "clerk", "", NOW, date(2027, 3, 10))
    with pytest.raises(InvalidInput) as caught:
        early.sign_contract("ДП-2027-0001", date(2027, 3, 9))
    assert "10.03.2027" in caught.value.fields["signed_on"].bg


def test_evaluators_and_payments_on_one_application_are_bounded() -> None:
    from services.grants.domain.application import MAX_EVALUATOR_SEATS, MAX_PAYMENTS

    call = a_call()
    application = draft(call)
    application.submit(call, NOW, eligible=True)
    application.start_check()
    application.admit()
    for i in range(MAX_EVALUATOR_SEATS):
        application.assign_evaluator(f"e{i}", NOW, call, MARGIN)
        application.declare(f"e{i}", True, NOW)
    with pytest.raises(NotAllowedNow):
        application.assign_evaluator("one-more", NOW, call, MARGIN)
    paid = contracted(call)
    paid.record_delivery(Delivery("l1", 100_000, "INV-1", "PR-1", date(2027, 4, 1)))
    paid.record_delivery(Delivery("l2", 50_000, "INV-2", "PR-2", date(2027, 4, 1)))
    for _ in range(MAX_PAYMENTS - 1):
        paid.pay(Payment(PaymentKind.INTERIM, 1, date(2027, 4, 2)))
    with pytest.raises(NotAllowedNow):
        paid.pay(Payment(PaymentKind.INTERIM, 1, date(2027, 4, 2)))
    paid.pay(Payment(PaymentKind.FINAL, 1, date(2027, 4, 3)))
    assert len(paid.payments) == MAX_PAYMENTS
