"""Every golden example shows the aggregate's version its consumers order events by."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).parents[2] / "services").glob("*/events/examples/*.json"))


def test_there_are_examples() -> None:
    assert len(EXAMPLES) > 40


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_the_example_carries_a_positive_aggregate_version(path: Path) -> None:
    example = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(example.get("aggregate_version"), int) and example["aggregate_version"] >= 1
