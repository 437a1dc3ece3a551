"""The grants service's configuration: its topics and the programme's tunable rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.grants.domain.application import DigitalisedRule
from shared.config import declare

SERVICE = "grants"
CALL_TOPIC = "grants.call.v1"
APPLICATION_TOPIC = "grants.application.v1"
AWARD_TOPIC = "grants.award.v1"
TOPICS = (CALL_TOPIC, APPLICATION_TOPIC, AWARD_TOPIC)
REGISTRY_ENTERPRISE_TOPIC = "registry.enterprise.v1"
TRAINING_ASSESSMENT_TOPIC = "training.assessment.v1"
CONSUMER_GROUP = "grants"

EVALUATION_MARGIN_POINTS = declare(
    "GRANTS_EVALUATION_MARGIN_POINTS",
    15,
    "Two evaluators' totals (of 100) may differ by this many points; more, and a third evaluator scores.",
)
CHANGE_TOLERANCE_PERCENT = declare(
    "GRANTS_CHANGE_TOLERANCE_PERCENT",
    15,
    "Money moved from a budget line within this share (%) of its amount applies at once; more needs the centre.",
)
DIGITALISED_MIN_OVERALL = declare(
    "GRANTS_DIGITALISED_MIN_OVERALL",
    50,
    "Least follow-up maturity score (of 100) for an enterprise to count as digitalised.",
)
DIGITALISED_MIN_GAIN = declare(
    "GRANTS_DIGITALISED_MIN_GAIN",
    10,
    "Least rise of the maturity score (points) since the baseline to count as digitalised.",
)


@dataclass(frozen=True)
class GrantsRules:
    margin_hundredths: int = 1500
    tolerance_percent: int = 15
    digitalised: DigitalisedRule = field(default_factory=DigitalisedRule)

    @classmethod
    def from_env(cls) -> GrantsRules:
        margin, tolerance = EVALUATION_MARGIN_POINTS.integer(), CHANGE_TOLERANCE_PERCENT.integer()
        if not 0 <= margin <= 100:
            raise ValueError(f"{EVALUATION_MARGIN_POINTS.name} must be from 0 to 100, got {margin}")
        if not 0 <= tolerance <= 100:
            raise ValueError(f"{CHANGE_TOLERANCE_PERCENT.name} must be from 0 to 100, got {tolerance}")
        return cls(
            margin_hundredths=margin * 100,
            tolerance_percent=tolerance,
            digitalised=DigitalisedRule(
                min_overall=float(DIGITALISED_MIN_OVERALL.integer()), min_gain=float(DIGITALISED_MIN_GAIN.integer())
            ),
        )
