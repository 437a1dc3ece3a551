"""The individual modernisation plan: budget lines checked against the call's limits.

A line costs ``quantity × unit_cost_cents`` net of VAT. VAT is an eligible cost only where the
enterprise cannot recover it (``non_recoverable``, 20 %); recoverable VAT and supplies outside VAT
add nothing. The plan's eligible total is what is asked for, and it may not exceed the call's
maximum per enterprise; a line may not exceed the call's maximum per line.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.grants.domain.call import CATEGORY_NAMES, Call, CostCategory
from services.grants.domain.money import euro
from shared.errors import InvalidInput, Text

MAX_LINES = 50
VAT_RATE_PERCENT = 20
MAX_QUANTITY = 10_000


class VatTreatment(StrEnum):
    RECOVERABLE = "recoverable"
    """The enterprise deducts the VAT: only the net cost is eligible."""
    NON_RECOVERABLE = "non_recoverable"
    """The enterprise bears the VAT: net cost plus 20 % is eligible."""
    NOT_APPLICABLE = "not_applicable"
    """The supply carries no VAT."""


@dataclass(frozen=True)
class BudgetLine:
    id: str
    category: CostCategory
    description: str
    quantity: int
    unit_cost_cents: int
    vat: VatTreatment

    @property
    def net_cents(self) -> int:
        return self.quantity * self.unit_cost_cents

    @property
    def vat_cents(self) -> int:
        if self.vat != VatTreatment.NON_RECOVERABLE:
            return 0
        return (self.net_cents * VAT_RATE_PERCENT + 50) // 100  # half a cent rounds up

    @property
    def eligible_cents(self) -> int:
        return self.net_cents + self.vat_cents


def total_cents(lines: list[BudgetLine]) -> int:
    return sum(line.eligible_cents for line in lines)


@dataclass(frozen=True)
class LineProblem:
    field: str
    message: Text


def problems(lines: list[BudgetLine], call: Call) -> list[LineProblem]:
    """Every way the lines break the call's limits, each naming its field (``lines.2.unit_cost_cents``)."""
    found: list[LineProblem] = []
    if len(lines) > MAX_LINES:
        found.append(LineProblem("lines", Text(f"Най-много {MAX_LINES} реда.", f"At most {MAX_LINES} lines.")))
        return found
    for i, line in enumerate(lines):
        where = f"lines.{i}"
        if line.category not in call.categories:
            name = CATEGORY_NAMES[line.category]
            found.append(
                LineProblem(
                    f"{where}.category",
                    Text(f"„{name.bg}“ не е допустима по тази покана.", f"'{name.en}' is not eligible in this call."),
                )
            )
        if not 1 <= line.quantity <= MAX_QUANTITY:
            found.append(
                LineProblem(
                    f"{where}.quantity",
                    Text(f"Количеството е от 1 до {MAX_QUANTITY}.", f"The quantity is from 1 to {MAX_QUANTITY}."),
                )
            )
        if line.unit_cost_cents <= 0:
            found.append(
                LineProblem(
                    f"{where}.unit_cost_cents",
                    Text("Единичната цена е положителна.", "The unit cost must be positive."),
                )
            )
        elif call.max_line_cents and line.eligible_cents > call.max_line_cents:
            found.append(
                LineProblem(
                    f"{where}.unit_cost_cents",
                    Text(
                        f"Редът е {euro(line.eligible_cents)}, над максимума от {euro(call.max_line_cents)} на ред.",
                        f"The line comes to {euro(line.eligible_cents)}, above the maximum of "
                        f"{euro(call.max_line_cents)} per line.",
                    ),
                )
            )
        if not line.description.strip():
            found.append(LineProblem(f"{where}.description", Text("Опишете разхода.", "Describe the cost.")))
    total = total_cents(lines)
    if total > call.max_per_enterprise_cents:
        found.append(
            LineProblem(
                "lines",
                Text(
                    f"Планът е {euro(total)}, над максимума от {euro(call.max_per_enterprise_cents)} на предприятие.",
                    f"The plan comes to {euro(total)}, above the maximum of {euro(call.max_per_enterprise_cents)} "
                    "per enterprise.",
                ),
            )
        )
    return found


def check_lines(lines: list[BudgetLine], call: Call) -> None:
    """Raise InvalidInput naming every bad field of the lines."""
    found = problems(lines, call)
    if found:
        fields: dict[str, Text] = {}
        for problem in found:
            fields.setdefault(problem.field, problem.message)
        raise InvalidInput(
            Text("Бюджетът не отговаря на условията на поканата.", "The budget does not meet the call's limits."),
            fields,
        )
