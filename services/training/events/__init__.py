"""The training service's published language (sessions, enrolments, assessments) and the registry events it reads."""

from pathlib import Path

EXAMPLES_DIR = Path(__file__).with_name("examples")
"""Golden examples of every event the training service publishes."""
