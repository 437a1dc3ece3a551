"""The register's adjustable rules: thresholds, deadlines and periods (from configuration)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from services.registry.domain.eligibility import EnterpriseClass, Thresholds


def add_years(start: date, years: int) -> date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February into a common year
        return start.replace(year=start.year + years, day=28)


@dataclass(frozen=True)
class RegistryPolicy:
    thresholds: Thresholds = field(default_factory=Thresholds)
    decision_days: int = 14
    validity_years_a: int = 3
    validity_years_a_plus: int = 2
    expiry_notice_days: tuple[int, ...] = (60, 30)
    renewal_window_days: int = 180
    """How long before expiry a renewal may be applied for."""
    annual_report_due_month: int = 5
    annual_report_due_day: int = 31
    """(assumption) The yearly information for year Y is due by this day of year Y+1."""
    draft_expiry_days: int = 30
    """A draft nobody touched for this many days is withdrawn (it never blocks anyone, but is not kept forever)."""

    @property
    def draft_lifetime(self) -> timedelta:
        return timedelta(days=self.draft_expiry_days)

    @property
    def decision_period(self) -> timedelta:
        return timedelta(days=self.decision_days)

    def validity_until(self, enterprise_class: EnterpriseClass, valid_from: date) -> date:
        years = self.validity_years_a_plus if enterprise_class is EnterpriseClass.A_PLUS else self.validity_years_a
        return add_years(valid_from, years) - timedelta(days=1)

    def annual_report_due(self, year: int) -> date:
        return date(year + 1, self.annual_report_due_month, self.annual_report_due_day)
