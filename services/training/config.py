"""The training service's configuration."""

from __future__ import annotations

SERVICE = "training"
REGISTRY_ENTERPRISE_TOPIC = "registry.enterprise.v1"
SESSION_TOPIC = "training.session.v1"
ENROLMENT_TOPIC = "training.enrolment.v1"
ASSESSMENT_TOPIC = "training.assessment.v1"
TOPICS = (SESSION_TOPIC, ENROLMENT_TOPIC, ASSESSMENT_TOPIC)
CONSUMER_GROUP = "training"

COMPLETION_THRESHOLD_ENV = "TRAINING_COMPLETION_THRESHOLD_PERCENT"
DEFAULT_COMPLETION_THRESHOLD_PERCENT = 80


def completion_threshold_percent() -> int:
    """The attendance (in percent of a session's meetings) that earns a certificate; 80 unless configured."""
    from shared.config import env_int

    value = env_int(COMPLETION_THRESHOLD_ENV, DEFAULT_COMPLETION_THRESHOLD_PERCENT)
    if not 1 <= value <= 100:
        raise ValueError(f"{COMPLETION_THRESHOLD_ENV} must be from 1 to 100, got {value}")
    return value
