"""The registry's configuration: shared connection settings plus the register's rules."""

from __future__ import annotations

from dataclasses import dataclass

from services.registry.domain.eligibility import Thresholds
from services.registry.domain.policy import RegistryPolicy
from shared.config import Settings, env_int

SERVICE = "registry"
ENTERPRISE_TOPIC = "registry.enterprise.v1"
APPLICATION_TOPIC = "registry.application.v1"
TOPICS = (ENTERPRISE_TOPIC, APPLICATION_TOPIC)


@dataclass(frozen=True)
class RegistryConfig:
    settings: Settings
    policy: RegistryPolicy
    scheduler_interval_seconds: int

    @classmethod
    def from_env(cls) -> RegistryConfig:
        thresholds = Thresholds(
            profit_share_percent=env_int("REGISTRY_PROFIT_SHARE_PERCENT", 50),
            profit_min_cents_a=env_int("REGISTRY_PROFIT_MIN_CENTS_A", 383_469),
            profit_min_cents_a_plus=env_int("REGISTRY_PROFIT_MIN_CENTS_A_PLUS", 3_834_689),
            vulnerable_share_percent=env_int("REGISTRY_VULNERABLE_SHARE_PERCENT", 30),
            vulnerable_min_persons=env_int("REGISTRY_VULNERABLE_MIN_PERSONS", 3),
        )
        policy = RegistryPolicy(
            thresholds=thresholds,
            decision_days=env_int("REGISTRY_DECISION_DAYS", 14),
            validity_years_a=env_int("REGISTRY_VALIDITY_YEARS_A", 3),
            validity_years_a_plus=env_int("REGISTRY_VALIDITY_YEARS_A_PLUS", 2),
            renewal_window_days=env_int("REGISTRY_RENEWAL_WINDOW_DAYS", 180),
            annual_report_due_month=env_int("REGISTRY_ANNUAL_REPORT_DUE_MONTH", 5),
            annual_report_due_day=env_int("REGISTRY_ANNUAL_REPORT_DUE_DAY", 31),
        )
        return cls(
            settings=Settings.from_env(SERVICE),
            policy=policy,
            scheduler_interval_seconds=env_int("REGISTRY_SCHEDULER_INTERVAL_SECONDS", 3600),
        )
