"""A course of the digital-skills catalogue: what it teaches and which maturity dimensions it improves."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from services.training.domain.dimensions import Dimension


class Level(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Format(StrEnum):
    IN_PERSON = "in_person"
    ONLINE = "online"
    HYBRID = "hybrid"


@dataclass
class Course:
    id: str
    title_bg: str
    description_bg: str
    dimensions: tuple[Dimension, ...]
    """The digital maturity dimensions the course improves (recommendations follow them)."""
    level: Level
    hours: int
    format: Format
    title_en: str = ""
    description_en: str = ""
    active: bool = True
    version: int = 0
