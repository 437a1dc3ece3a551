"""Every writer of an outbox writes its pending hint: the relay finds pending documents through the hints and
scans whole collections only as a rare safety net, so a writer that forgot its hint would delay its events.

The services append to outboxes only through `shared.outbox.store.AggregateStore`, which writes the hint
(tests/integration/test_outbox_hints.py); anything else that builds outbox fields must call `write_hint`.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILDS_OUTBOX = re.compile(r"\boutbox_for_(insert|update)\(|[\"']\$push[\"']\s*:\s*\{\s*[\"']outbox[\"']")
DEFINES = Path("shared/outbox/fields.py")


def test_every_module_that_writes_outbox_entries_writes_their_hint() -> None:
    writers = []
    for folder in ("services", "shared"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT)
            text = path.read_text(encoding="utf-8")
            if relative != DEFINES and BUILDS_OUTBOX.search(text):
                writers.append(relative)
                assert "write_hint" in text, f"{relative} writes outbox entries without their pending hint"
    assert Path("shared/outbox/store.py") in writers, "the check no longer recognises an outbox writer"
