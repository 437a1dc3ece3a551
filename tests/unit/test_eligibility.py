"""Class A and A+ rules of ЗПССИ, with the thresholds converted to euro."""

from dataclasses import replace

import pytest

from services.registry.domain.eligibility import (
    APlusCriterion,
    ClassARoute,
    EnterpriseClass,
    Evidence,
    Thresholds,
    assess,
)

T = Thresholds()
BASE = Evidence(
    social_activity_evidenced=True,
    participatory_management=True,
    after_tax_result_cents=1_000_000,
    social_spending_cents=600_000,
    staff_count=10,
    vulnerable_staff={"long_term_unemployed": 2, "former_prisoners": 1},
    vulnerable_staff_continuous_6m=3,
)


def outcome(evidence: Evidence, code: str, route: ClassARoute = ClassARoute.PROFIT) -> bool:
    result = assess(evidence, EnterpriseClass.A, route, None, T)
    return next(r.passed for r in result.rules if r.code == code)


def test_profit_route_needs_more_than_half_and_at_least_7500_leva() -> None:
    assert outcome(BASE, "A3a")
    assert not outcome(replace(BASE, social_spending_cents=500_000), "A3a")  # exactly 50% is not "more than"
    small = replace(BASE, after_tax_result_cents=600_000, social_spending_cents=383_468)
    assert not outcome(small, "A3a")  # one cent under €3 834.69
    assert outcome(replace(small, social_spending_cents=383_469), "A3a")


def test_profit_route_fails_on_a_loss() -> None:
    assert not outcome(replace(BASE, after_tax_result_cents=-100_000, social_spending_cents=400_000), "A3a")


def test_employment_route_needs_30_percent_and_three_people() -> None:
    assert outcome(BASE, "A3b")  # 3 of 10
    assert not outcome(replace(BASE, staff_count=11), "A3b")  # 3 of 11 < 30%
    two_of_five = replace(BASE, staff_count=5, vulnerable_staff={"refugees": 2})
    assert not outcome(two_of_five, "A3b")  # 40% but fewer than 3 people


def test_class_a_needs_both_declarations_and_the_declared_route() -> None:
    assert assess(BASE, EnterpriseClass.A, ClassARoute.EMPLOYMENT, None, T).class_a_met
    no_participation = replace(BASE, participatory_management=False)
    assert not assess(no_participation, EnterpriseClass.A, ClassARoute.EMPLOYMENT, None, T).class_a_met
    no_profit = replace(BASE, social_spending_cents=0)
    assert not assess(no_profit, EnterpriseClass.A, ClassARoute.PROFIT, None, T).class_a_met


@pytest.mark.parametrize(
    ("criterion", "evidence", "met"),
    [
        (APlusCriterion.UNEMPLOYMENT_AREA, replace(BASE, unemployment_area=True), True),
        (APlusCriterion.UNEMPLOYMENT_AREA, BASE, False),
        (APlusCriterion.EMPLOYMENT_CONTINUITY, BASE, True),
        (APlusCriterion.EMPLOYMENT_CONTINUITY, replace(BASE, vulnerable_staff_continuous_6m=2), False),
        (APlusCriterion.HIGH_PROFIT_SHARE, BASE, False),  # €6 000 is below €38 346.89
        (
            APlusCriterion.HIGH_PROFIT_SHARE,
            replace(BASE, after_tax_result_cents=7_000_000, social_spending_cents=3_834_689),
            True,
        ),
    ],
)
def test_a_plus_criteria(criterion: APlusCriterion, evidence: Evidence, met: bool) -> None:
    result = assess(evidence, EnterpriseClass.A_PLUS, ClassARoute.EMPLOYMENT, criterion, T)
    assert result.class_a_plus_met is met
    assert result.requested_met is met
    assert result.highest_class == (EnterpriseClass.A_PLUS if met else EnterpriseClass.A)


def test_a_plus_requires_class_a_first() -> None:
    evidence = replace(BASE, social_activity_evidenced=False, unemployment_area=True)
    result = assess(evidence, EnterpriseClass.A_PLUS, ClassARoute.EMPLOYMENT, APlusCriterion.UNEMPLOYMENT_AREA, T)
    assert not result.class_a_plus_met
    assert result.highest_class is None


def test_thresholds_come_from_configuration() -> None:
    strict = Thresholds(vulnerable_share_percent=50)
    assert not assess(BASE, EnterpriseClass.A, ClassARoute.EMPLOYMENT, None, strict).class_a_met


def test_every_rule_explains_its_figures_in_both_languages() -> None:
    result = assess(BASE, EnterpriseClass.A, ClassARoute.PROFIT, None, T)
    profit = next(r for r in result.rules if r.code == "A3a")
    assert "€6 000.00" in profit.detail.en and "60.0%" in profit.detail.en
    # Bulgarian writing: decimal comma, the euro sign after the amount, a space before the per cent sign
    assert "6\u00a0000,00\u00a0€" in profit.detail.bg and "(60,0\u00a0% от 10\u00a0000,00\u00a0€)" in profit.detail.bg
    plus = next(r for r in result.rules if r.code == "P2")
    assert "38\u00a0346,89 € (75\u00a0000 лв. по закона)" in plus.rule.bg and "лв." not in plus.detail.bg
    assert {r.code for r in result.rules} == {"A1", "A2", "A3a", "A3b", "P1", "P2", "P3"}
