"""The training service's configuration."""

from __future__ import annotations

from shared.config import declare

SERVICE = "training"
REGISTRY_ENTERPRISE_TOPIC = "registry.enterprise.v1"
SESSION_TOPIC = "training.session.v1"
ENROLMENT_TOPIC = "training.enrolment.v1"
ASSESSMENT_TOPIC = "training.assessment.v1"
TOPICS = (SESSION_TOPIC, ENROLMENT_TOPIC, ASSESSMENT_TOPIC)
CONSUMER_GROUP = "training"

COMPLETION_THRESHOLD_PERCENT = declare(
    "TRAINING_COMPLETION_THRESHOLD_PERCENT", 80, "Attendance (% of a session's meetings) that earns a certificate."
)


def completion_threshold_percent() -> int:
    """The attendance (in percent of a session's meetings) that earns a certificate; 80 unless configured."""
    value = COMPLETION_THRESHOLD_PERCENT.integer()
    if not 1 <= value <= 100:
        raise ValueError(f"{COMPLETION_THRESHOLD_PERCENT.name} must be from 1 to 100, got {value}")
    return value
