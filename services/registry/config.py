"""The registry's configuration: shared connection settings plus the register's rules."""

from __future__ import annotations

from dataclasses import dataclass

from services.registry.domain.eligibility import Thresholds
from services.registry.domain.policy import RegistryPolicy
from shared.config import Settings, declare

SERVICE = "registry"
ENTERPRISE_TOPIC = "registry.enterprise.v1"
APPLICATION_TOPIC = "registry.application.v1"
TOPICS = (ENTERPRISE_TOPIC, APPLICATION_TOPIC)


PROFIT_SHARE_PERCENT = declare(
    "REGISTRY_PROFIT_SHARE_PERCENT", 50, "More than this share (%) of the after-tax result must go to social goals."
)
PROFIT_MIN_CENTS_A = declare(
    "REGISTRY_PROFIT_MIN_CENTS_A",
    383_469,
    "Least spent on social goals by a class A enterprise (euro cents; 7 500 лв.).",
)
PROFIT_MIN_CENTS_A_PLUS = declare(
    "REGISTRY_PROFIT_MIN_CENTS_A_PLUS", 3_834_689, "The same for class A+ (euro cents; 75 000 лв.)."
)
VULNERABLE_SHARE_PERCENT = declare(
    "REGISTRY_VULNERABLE_SHARE_PERCENT",
    30,
    "Least share (%) of staff from vulnerable groups (class A's second way; class A+ after 6 months in work).",
)
VULNERABLE_MIN_PERSONS = declare(
    "REGISTRY_VULNERABLE_MIN_PERSONS", 3, "Least number of such staff for class A's second way."
)
DECISION_DAYS = declare("REGISTRY_DECISION_DAYS", 14, "Days a regional centre has to decide on an application.")
VALIDITY_YEARS_A = declare("REGISTRY_VALIDITY_YEARS_A", 3, "Years a class A entry is valid before renewal.")
VALIDITY_YEARS_A_PLUS = declare("REGISTRY_VALIDITY_YEARS_A_PLUS", 2, "Years a class A+ entry is valid.")
RENEWAL_WINDOW_DAYS = declare("REGISTRY_RENEWAL_WINDOW_DAYS", 180, "Days before expiry when renewal opens.")
ANNUAL_REPORT_DUE_MONTH = declare("REGISTRY_ANNUAL_REPORT_DUE_MONTH", 5, "Month the yearly report is due.")
ANNUAL_REPORT_DUE_DAY = declare("REGISTRY_ANNUAL_REPORT_DUE_DAY", 31, "Day of that month.")
AUDIT_RETENTION_DAYS = declare(
    "REGISTRY_AUDIT_RETENTION_DAYS",
    730,
    "Days the record of clerks' and administrators' reads of applicants' personal data is kept (then pruned).",
)
DRAFT_EXPIRY_DAYS = declare(
    "REGISTRY_DRAFT_EXPIRY_DAYS", 30, "Days after which a draft application nobody touched is withdrawn."
)


@dataclass(frozen=True)
class RegistryConfig:
    settings: Settings
    policy: RegistryPolicy
    audit_retention_days: int = 730

    @classmethod
    def from_env(cls) -> RegistryConfig:
        thresholds = Thresholds(
            profit_share_percent=PROFIT_SHARE_PERCENT.integer(),
            profit_min_cents_a=PROFIT_MIN_CENTS_A.integer(),
            profit_min_cents_a_plus=PROFIT_MIN_CENTS_A_PLUS.integer(),
            vulnerable_share_percent=VULNERABLE_SHARE_PERCENT.integer(),
            vulnerable_min_persons=VULNERABLE_MIN_PERSONS.integer(),
        )
        policy = RegistryPolicy(
            thresholds=thresholds,
            decision_days=DECISION_DAYS.integer(),
            validity_years_a=VALIDITY_YEARS_A.integer(),
            validity_years_a_plus=VALIDITY_YEARS_A_PLUS.integer(),
            renewal_window_days=RENEWAL_WINDOW_DAYS.integer(),
            annual_report_due_month=ANNUAL_REPORT_DUE_MONTH.integer(),
            annual_report_due_day=ANNUAL_REPORT_DUE_DAY.integer(),
            draft_expiry_days=DRAFT_EXPIRY_DAYS.integer(),
        )
        return cls(
            settings=Settings.from_env(SERVICE),
            policy=policy,
            audit_retention_days=AUDIT_RETENTION_DAYS.integer(),
        )
