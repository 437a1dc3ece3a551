"""The six dimensions of the EDIH digital maturity assessment (JRC DMA), which courses also target."""

from __future__ import annotations

from enum import StrEnum


class Dimension(StrEnum):
    BUSINESS_STRATEGY = "business_strategy"
    DIGITAL_READINESS = "digital_readiness"
    HUMAN_CENTRIC = "human_centric"
    DATA_MANAGEMENT = "data_management"
    AUTOMATION_AI = "automation_ai"
    GREEN = "green"


DIMENSION_NAMES: dict[Dimension, tuple[str, str]] = {
    Dimension.BUSINESS_STRATEGY: ("Дигитална бизнес стратегия", "Digital business strategy"),
    Dimension.DIGITAL_READINESS: ("Дигитална готовност", "Digital readiness"),
    Dimension.HUMAN_CENTRIC: ("Дигитализация, ориентирана към човека", "Human-centric digitalisation"),
    Dimension.DATA_MANAGEMENT: ("Управление и свързаност на данните", "Data management and connectedness"),
    Dimension.AUTOMATION_AI: ("Автоматизация и изкуствен интелект", "Automation and artificial intelligence"),
    Dimension.GREEN: ("Зелена дигитализация", "Green digitalisation"),
}
