"""The printable copy of a refusal of entry in the register, for the applicant and for the centre's clerks."""

from __future__ import annotations

from typing import Any

from flask import abort, render_template
from flask.typing import ResponseReturnValue


def refusal_page(current: dict[str, Any], back: str) -> ResponseReturnValue:
    """The copy of the refusal; an application that is not refused has none (404)."""
    decision = current.get("decision") or {}
    if current.get("status") != "rejected" or not decision.get("appeal"):
        abort(404)
    return render_template("enterprise/refusal.html", application=current, back=back)
