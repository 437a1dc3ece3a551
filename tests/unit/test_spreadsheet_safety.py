"""CSV cells that could start a formula are written as text (OWASP's CSV injection advice)."""

from __future__ import annotations

import csv
import io

import pytest

from shared.text.spreadsheet import SafeDictWriter, neutralise, writer


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://evil.example","Click")', '\'=HYPERLINK("http://evil.example","Click")'),
        ("+359 888 123", "'+359 888 123"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Пекарна =1", "Пекарна =1"),
        ("", ""),
        ("2026-11-20", "2026-11-20"),
        (-5, -5),
        (None, None),
    ],
)
def test_cells_that_could_start_a_formula_get_a_leading_quote(value: object, written: object) -> None:
    assert neutralise(value) == written


def test_both_writers_neutralise_every_cell_and_read_back_as_text() -> None:
    buffer = io.StringIO()
    rows = writer(buffer, delimiter=";", lineterminator="\r\n")
    rows.writerow(["name", "amount"])
    rows.writerow(["=1+1", -12])
    dicts = SafeDictWriter(buffer, fieldnames=["name", "amount"], lineterminator="\r\n")
    dicts.writerow({"name": "@evil", "amount": 3})
    lines = buffer.getvalue().split("\r\n")
    assert lines[:3] == ["name;amount", "'=1+1;-12", "'@evil,3"]
    assert next(csv.reader(io.StringIO(lines[1]), delimiter=";")) == ["'=1+1", "-12"]
