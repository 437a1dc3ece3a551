"""CSV that spreadsheet programs cannot be tricked into running: formula injection neutralised.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be taken for a
formula by Excel, LibreOffice or Google Sheets. As OWASP recommends ("CSV Injection"), such a text
cell is written with a single quote in front, which those programs show as text. Numbers are
written as they are (a negative number is not a formula). Every CSV the platform produces is
written through these writers.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value a cell may safely hold: text that could start a formula gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` whose rows are neutralised cell by cell."""

    def __init__(self, stream: Any, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralise(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """``csv.DictWriter`` whose values are neutralised (the header is written as it is)."""

    def writeheader(self) -> Any:
        return self.writer.writerow(self.fieldnames)

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: neutralise(value) for key, value in rowdict.items()})


def writer(stream: Any, **options: Any) -> SafeWriter:
    """A safe ``csv.writer`` (same options)."""
    return SafeWriter(stream, **options)
