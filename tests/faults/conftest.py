"""The fault-injection suite: each scenario records its figures; the table is printed after the run.

Set ``FAULTS_REPORT`` to a file path to also write the table there (Markdown; ``tests/conftest.py``).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import run_summary
from tests.faults.figures import HEADER, REPORT, TITLE
from tests.faults.streams import Mailbox


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    """A real SMTP server for the module's scenarios; e-mails are counted there."""
    box = Mailbox()
    try:
        yield box
    finally:
        box.close()


def pytest_sessionfinish() -> None:
    if REPORT:
        separator = "|---" * (HEADER.count("|") - 1) + "|"
        run_summary.add(TITLE, [figures.row() for figures in REPORT], head=[HEADER, separator])
