"""The marketplace's published language (listings, orders, needs) and the registry events it reads."""

from pathlib import Path

EXAMPLES_DIR = Path(__file__).with_name("examples")
"""Golden examples of every event the marketplace publishes."""
