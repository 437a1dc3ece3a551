"""Administrators: who read applicants' personal data (clerks' and administrators' reads, from the registry)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from services.portal import auth
from services.portal.forms import FormState
from services.portal.reference import centre_name
from services.portal.registry_api import registry
from services.portal.registry_forms import page_number

blp = Blueprint("reads_audit", __name__, url_prefix="/admin/reads")
PER_PAGE = 50
_FILTER = re.compile(r"[A-Za-z0-9._@:-]{1,200}")
VIEWS = {
    "application": _l("The application"),
    "file": _l("The enterprise's file"),
    "queue": _l("The review queue"),
}
ROLES = {"clerk": _l("Clerk"), "admin": _l("Administrator")}


def _filter(name: str) -> str:
    """A filter from the address bar: an id or a subject, else nothing (never sent on as it came)."""
    value = request.args.get(name, "").strip()
    return value if _FILTER.fullmatch(value) else ""


@blp.get("")
@auth.signed_in("admin")
def reads() -> ResponseReturnValue:
    enterprise_id, reader = _filter("enterprise_id"), _filter("reader")
    number = page_number(request.args.get("page"))
    params: dict[str, Any] = {"page": number, "per_page": PER_PAGE}
    if enterprise_id:
        params["enterprise_id"] = enterprise_id
    if reader:
        params["reader"] = reader
    found = registry().get("/api/v1/audit/reads", auth.token(), params=params)
    args = {key: value for key, value in (("enterprise_id", enterprise_id), ("reader", reader)) if value}
    return render_template(
        "admin/reads.html",
        found=found,
        args=args,
        state=FormState(values=args),
        page_number=number,
        per_page=PER_PAGE,
        views=VIEWS,
        roles=ROLES,
        centre_name=centre_name,
    )
