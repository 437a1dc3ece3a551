"""Eligibility for class A and A+ under ЗПССИ, rule by rule.

Every rule reports its outcome with the figures it used, so an applicant sees why, and a clerk
sees the same. Thresholds come from configuration (the law states them in leva; they are kept
in euro cents converted at 1.95583).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from shared.errors import Text


class EnterpriseClass(StrEnum):
    A = "A"
    A_PLUS = "A+"


class ClassARoute(StrEnum):
    """Art. 7(1)(3) of ЗПССИ: the economic criterion the enterprise relies on."""

    PROFIT = "profit"
    EMPLOYMENT = "employment"


class APlusCriterion(StrEnum):
    UNEMPLOYMENT_AREA = "unemployment_area"
    HIGH_PROFIT_SHARE = "high_profit_share"
    EMPLOYMENT_CONTINUITY = "employment_continuity"


@dataclass(frozen=True)
class Thresholds:
    profit_share_percent: int = 50
    """More than this share of the after-tax result must go to social goals."""
    profit_min_cents_a: int = 383_469
    """7 500 лв. in euro cents."""
    profit_min_cents_a_plus: int = 3_834_689
    """75 000 лв. in euro cents."""
    vulnerable_share_percent: int = 30
    vulnerable_min_persons: int = 3


@dataclass(frozen=True)
class Evidence:
    """The figures and declarations an application brings (from the ministry's forms)."""

    social_activity_evidenced: bool = False
    participatory_management: bool = False
    after_tax_result_cents: int = 0
    social_spending_cents: int = 0
    staff_count: int = 0
    vulnerable_staff: dict[str, int] = field(default_factory=dict)
    vulnerable_staff_continuous_6m: int = 0
    unemployment_area: bool = False

    @property
    def vulnerable_total(self) -> int:
        return sum(self.vulnerable_staff.values())


@dataclass(frozen=True)
class RuleOutcome:
    code: str
    passed: bool
    rule: Text
    detail: Text


@dataclass(frozen=True)
class Assessment:
    rules: list[RuleOutcome]
    class_a_met: bool
    class_a_plus_met: bool
    requested_met: bool

    @property
    def highest_class(self) -> EnterpriseClass | None:
        if self.class_a_plus_met:
            return EnterpriseClass.A_PLUS
        return EnterpriseClass.A if self.class_a_met else None


def _euro(cents: int) -> str:
    whole, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}€{whole:,}.{rest:02d}".replace(",", " ")


def _euro_bg(cents: int) -> str:
    """Bulgarian writing: ``3 834,69 €`` (decimal comma, no-break spaces)."""
    whole, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    thousands = f"{whole:,}".replace(",", "\u00a0")
    return f"{sign}{thousands},{rest:02d}\u00a0€"


def _percent(part: int, whole: int) -> str:
    return f"{(100 * part / whole):.1f}%" if whole > 0 else "—"


def _percent_bg(part: int, whole: int) -> str:
    """Bulgarian writing: ``44,4 %``."""
    return f"{(100 * part / whole):.1f}".replace(".", ",") + "\u00a0%" if whole > 0 else "—"


def _profit_rule(code: str, evidence: Evidence, minimum: int, t: Thresholds, label: Text) -> RuleOutcome:
    result, spent = evidence.after_tax_result_cents, evidence.social_spending_cents
    passed = result > 0 and spent * 100 > result * t.profit_share_percent and spent >= minimum
    share = _percent(spent, result)
    return RuleOutcome(
        code,
        passed,
        label,
        Text(
            f"Разходи за социални цели {_euro_bg(spent)} ({_percent_bg(spent, result)} от {_euro_bg(result)}); "
            f"нужни са над {t.profit_share_percent}\u00a0% и поне {_euro_bg(minimum)}.",
            f"Spent on social goals {_euro(spent)} ({share} of {_euro(result)}); more than "
            f"{t.profit_share_percent}% and at least {_euro(minimum)} are needed.",
        ),
    )


def assess(
    evidence: Evidence,
    requested_class: EnterpriseClass,
    route: ClassARoute,
    a_plus_criterion: APlusCriterion | None,
    t: Thresholds,
) -> Assessment:
    rules: list[RuleOutcome] = []
    yes_no = {True: ("да", "yes"), False: ("не", "no")}

    def declared(code: str, value: bool, bg: str, en: str) -> RuleOutcome:
        return RuleOutcome(
            code, value, Text(bg, en), Text(f"Доказано: {yes_no[value][0]}.", f"Evidenced: {yes_no[value][1]}.")
        )

    rules.append(
        declared(
            "A1",
            evidence.social_activity_evidenced,
            "Социална дейност, която създава социална добавена стойност",
            "A social activity producing social added value",
        )
    )
    rules.append(
        declared(
            "A2",
            evidence.participatory_management,
            "Прозрачно управление с участие на членовете/работниците",
            "Transparent management with members or workers taking part in decisions",
        )
    )
    profit_a = _profit_rule(
        "A3a",
        evidence,
        t.profit_min_cents_a,
        t,
        Text(
            "Над половината от резултата след данъци и поне 3\u00a0834,69 €"
            " (7\u00a0500 лв. по закона) за социални цели",
            "More than half of the after-tax result, and at least €3,834.69"
            " (7,500 BGN in the Act), spent on social goals",
        ),
    )
    staff, vulnerable = evidence.staff_count, evidence.vulnerable_total
    employment_passed = (
        staff > 0 and vulnerable * 100 >= staff * t.vulnerable_share_percent and vulnerable >= t.vulnerable_min_persons
    )
    employment = RuleOutcome(
        "A3b",
        employment_passed,
        Text(
            "Поне 30\u00a0% от персонала и поне 3 лица от уязвими групи",
            "At least 30% of staff, and at least 3 persons, from vulnerable groups",
        ),
        Text(
            f"{vulnerable} от {staff} души ({_percent_bg(vulnerable, staff)}) са от уязвими групи.",
            f"{vulnerable} of {staff} staff ({_percent(vulnerable, staff)}) are from vulnerable groups.",
        ),
    )
    rules += [profit_a, employment]
    route_rule = profit_a if route is ClassARoute.PROFIT else employment
    class_a_met = rules[0].passed and rules[1].passed and route_rule.passed

    continuous = evidence.vulnerable_staff_continuous_6m
    plus_rules = {
        APlusCriterion.UNEMPLOYMENT_AREA: declared(
            "P1",
            evidence.unemployment_area,
            "Социалната добавена стойност е изцяло в общини с безработица над или равна на средната за страната",
            "Social added value produced entirely in municipalities with unemployment at or above the national average",
        ),
        APlusCriterion.HIGH_PROFIT_SHARE: _profit_rule(
            "P2",
            evidence,
            t.profit_min_cents_a_plus,
            t,
            Text(
                "Над половината от резултата след данъци и поне 38\u00a0346,89 €"
                " (75\u00a0000 лв. по закона) за социални цели",
                "More than half of the after-tax result, and at least €38,346.89"
                " (75,000 BGN in the Act), spent on social goals",
            ),
        ),
        APlusCriterion.EMPLOYMENT_CONTINUITY: RuleOutcome(
            "P3",
            staff > 0 and continuous * 100 >= staff * t.vulnerable_share_percent,
            Text(
                "Поне 30\u00a0% от персонала от уязвими групи, работили непрекъснато 6 месеца",
                "At least 30% of staff from vulnerable groups, employed continuously for 6 months",
            ),
            Text(
                f"{continuous} от {staff} души ({_percent_bg(continuous, staff)}) с 6 месеца непрекъсната заетост.",
                f"{continuous} of {staff} staff ({_percent(continuous, staff)}) in work for 6 months.",
            ),
        ),
    }
    rules += list(plus_rules.values())
    class_a_plus_met = class_a_met and a_plus_criterion is not None and plus_rules[a_plus_criterion].passed
    requested_met = class_a_plus_met if requested_class is EnterpriseClass.A_PLUS else class_a_met
    return Assessment(rules, class_a_met, class_a_plus_met, requested_met)
