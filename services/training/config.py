"""The training service's configuration."""

from __future__ import annotations

SERVICE = "training"
REGISTRY_ENTERPRISE_TOPIC = "registry.enterprise.v1"
SESSION_TOPIC = "training.session.v1"
ENROLMENT_TOPIC = "training.enrolment.v1"
ASSESSMENT_TOPIC = "training.assessment.v1"
TOPICS = (SESSION_TOPIC, ENROLMENT_TOPIC, ASSESSMENT_TOPIC)
CONSUMER_GROUP = "training"
