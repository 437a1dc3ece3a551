"""Every event the training service publishes, with its golden example."""

from __future__ import annotations

from services.training.events import EXAMPLES_DIR
from services.training.events.assessments import ASSESSMENT_EVENT_TYPES
from services.training.events.enrolments import ENROLMENT_EVENT_TYPES
from services.training.events.sessions import SESSION_EVENT_TYPES
from shared.events import EventCatalog

TRAINING_EVENTS = EventCatalog([*SESSION_EVENT_TYPES, *ENROLMENT_EVENT_TYPES, *ASSESSMENT_EVENT_TYPES], EXAMPLES_DIR)
