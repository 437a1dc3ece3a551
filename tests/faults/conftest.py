"""The fault-injection suite: each scenario records its figures; the table is printed after the run.

Set ``FAULTS_REPORT`` to a file path to also write the table there (Markdown).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.faults.figures import HEADER, REPORT
from tests.faults.streams import Mailbox


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server for the module's scenarios; e-mails are counted there."""
    box = Mailbox()
    try:
        yield box
    finally:
        box.close()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not REPORT:
        return
    separator = "|---" * (HEADER.count("|") - 1) + "|"
    lines = [HEADER, separator, *(figures.row() for figures in REPORT)]
    terminalreporter.write_sep("=", "fault injection: nothing lost, nothing doubled, nothing rolled back")
    for line in lines:
        terminalreporter.write_line(line)
    target = os.environ.get("FAULTS_REPORT")
    if target:
        Path(target).write_text("\n".join(lines) + "\n", encoding="utf-8")
