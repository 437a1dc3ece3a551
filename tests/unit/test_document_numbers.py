"""Document numbers typed off paper are read as issued: any case, spaces or any dash, the prefix in Latin letters
(look-alikes or the transliteration)."""

from __future__ import annotations

import pytest

from services.registry.domain.entry import typed_certificate_number
from services.training.domain.certificate import is_certificate_number, typed_number
from shared.text.numbers import canonical_number


@pytest.mark.parametrize(
    "typed",
    [
        "ДУ-2026-000001",
        "ду-2026-000001",
        "DU-2026-000001",
        "du-2026-000001",
        "Dy-2026-000001",  # Latin Y for У
        " ДУ – 2026 — 000001 ",
        "ДУ 2026 000001",
        "ДУ−2026‑000001",  # minus sign and a non-breaking hyphen
        "ДУ2026-000001",
    ],
)
def test_a_training_certificate_number_however_typed_is_the_issued_one(typed: str) -> None:
    assert typed_number(typed) == "ДУ-2026-000001"
    assert is_certificate_number(typed_number(typed))


@pytest.mark.parametrize(
    "typed", ["УСП-2026-00001", "усп-2026-00001", "USP-2026-00001", "ycп 2026 00001", "UCP–2026–00001"]
)
def test_a_register_certificate_number_however_typed_is_the_issued_one(typed: str) -> None:
    assert typed_certificate_number(typed) == "УСП-2026-00001"


def test_another_prefix_or_nonsense_stays_what_it_is_and_finds_nothing() -> None:
    assert typed_number("УСП-2026-00001") == "УСП-2026-00001"  # a register number is not a training one
    assert typed_certificate_number("ДУ-2026-000001") == "ДУ-2026-000001"
    assert typed_number("XX-1") == "XX-1" and not is_certificate_number(typed_number("XX-1"))
    assert canonical_number("  ", ("ДУ",)) == ""
    assert canonical_number("2026-000001", ("ДУ",)) == "2026-000001"
    assert not is_certificate_number(typed_number("ДУ-2026-0000001"))
