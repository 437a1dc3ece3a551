"""Who may apply, rule by rule, each outcome with the figures it used (as the register shows its own).

- ``active_in_register``: the enterprise is entered in the register and its entry is active;
- ``surveyed``: its digital maturity has been assessed at least once;
- ``de_minimis``: the amount asked for keeps it within the de minimis ceiling over the three years
  that end on the day the check is made (at the award, the award's date).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from services.grants.domain import deminimis
from services.grants.domain.money import DE_MINIMIS_CEILING_CENTS, euro
from shared.errors import Text


@dataclass(frozen=True)
class RuleOutcome:
    code: str
    passed: bool
    rule: Text
    detail: Text


@dataclass(frozen=True)
class Eligibility:
    rules: list[RuleOutcome]

    @property
    def eligible(self) -> bool:
        return all(rule.passed for rule in self.rules)

    def failed(self) -> list[RuleOutcome]:
        return [rule for rule in self.rules if not rule.passed]


def _d(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def assess(
    *,
    register_status: str | None,
    assessments: int,
    aids: Iterable[deminimis.Aid],
    requested_cents: int,
    on: date,
    ceiling_cents: int = DE_MINIMIS_CEILING_CENTS,
) -> Eligibility:
    """``register_status`` is None for an enterprise the register has never told about."""
    active = register_status == "active"
    if register_status is None:
        active_detail = Text("Предприятието не е вписано в регистъра.", "The enterprise is not in the register.")
    else:
        active_detail = Text(f"Статус в регистъра: {register_status}.", f"Status in the register: {register_status}.")
    surveyed = assessments > 0
    check = deminimis.check(aids, requested_cents, on, ceiling_cents)
    return Eligibility(
        [
            RuleOutcome(
                "active_in_register",
                active,
                Text(
                    "Предприятието е вписано в регистъра с активен статус.", "The enterprise is active in the register."
                ),
                active_detail,
            ),
            RuleOutcome(
                "surveyed",
                surveyed,
                Text(
                    "Предприятието е направило оценка на дигиталната зрялост.",
                    "The enterprise has assessed its digital maturity.",
                ),
                Text(f"Оценки: {assessments}.", f"Assessments: {assessments}."),
            ),
            RuleOutcome(
                "de_minimis",
                check.passed,
                Text(
                    f"Помощта de minimis за три години не надхвърля {euro(ceiling_cents)} (Регламент (ЕС) 2023/2831).",
                    f"De minimis aid over three years stays within {euro(ceiling_cents)} (Regulation (EU) 2023/2831).",
                ),
                Text(
                    f"От {_d(check.first_day)} до {_d(on)}: получени {euro(check.received_cents)}, "
                    f"искани {euro(requested_cents)}, остават {euro(check.headroom_cents)}.",
                    f"From {_d(check.first_day)} to {_d(on)}: received {euro(check.received_cents)}, "
                    f"asked {euro(requested_cents)}, {euro(check.headroom_cents)} left.",
                ),
            ),
        ]
    )
