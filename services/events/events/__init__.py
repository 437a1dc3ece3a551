"""The events service's events: what it publishes and what it reads from other services."""

from pathlib import Path

EXAMPLES_DIR = Path(__file__).with_name("examples")
