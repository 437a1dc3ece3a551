"""The public register of social enterprises: search, an entry with its public history, open data."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from services.portal.clients import ServiceError, current_services
from services.portal.forms import FormState
from services.portal.i18n import localised
from services.portal.reference import choices
from services.portal.registry_api import api, registry
from services.portal.registry_forms import page_number
from services.portal.registry_labels import ENTRY_FILTERS, labels
from shared.bg.places import places

blp = Blueprint("register", __name__, url_prefix="/register")
blp.context_processor(labels)
PER_PAGE = 20
FILTERS = ("q", "district", "municipality", "region", "class", "status", "activity")
EXPORTS = {"csv", "json"}
_EIK = re.compile(r"\d{9}(\d{4})?")


def _query(args: dict[str, str]) -> dict[str, Any]:
    """The search as the service takes it: a 9- or 13-digit query is a ЕИК, anything else a name."""
    params: dict[str, Any] = {key: args[key] for key in FILTERS if args.get(key)}
    query = params.pop("q", "")
    if _EIK.fullmatch(query.replace(" ", "")):
        params["eik"] = query.replace(" ", "")
    elif query:
        params["q"] = query
    params.setdefault("status", "active")
    return params


def _municipalities(district: str) -> list[tuple[str, str]]:
    """The chosen district's municipalities, for narrowing the search further (none before a district is chosen)."""
    return [(m.code, localised({"bg": m.name_bg, "en": m.name_en})) for m in places().in_district(district) if district]


@blp.get("")
def search() -> ResponseReturnValue:
    args = {key: request.args.get(key, "").strip() for key in FILTERS}
    number = page_number(request.args.get("page"))
    state = FormState.of(args)
    results: dict[str, Any] = {"total": 0, "items": []}
    try:
        results = registry().get("/api/v1/register", params={**_query(args), "page": number, "per_page": PER_PAGE})
    except ServiceError as error:
        if error.status != 422:
            raise
        state.fail(error, {"eik": "q"})
    return render_template(
        "register/search.html",
        state=state,
        results=results,
        page_number=number,
        per_page=PER_PAGE,
        args={key: value for key, value in args.items() if value},
        districts=sorted(choices("districts"), key=lambda item: item[1]),
        municipalities=_municipalities(args["district"]),
        regions=choices("regions"),
        statuses=list(ENTRY_FILTERS.items()),
        export_status=args["status"] if args["status"] in ENTRY_FILTERS else "active",
    )


@blp.get("/export.<fmt>")
def export(fmt: str) -> ResponseReturnValue:
    """The open data, as the registry gives it: a download, never a page. It holds what the search with the same
    filters finds; the CSV has Bulgarian column names and values, for people opening it in a spreadsheet."""
    if fmt not in EXPORTS:
        abort(404)
    status = request.args.get("status", "active")
    if status not in ENTRY_FILTERS:
        abort(404)
    params = {**_query({key: request.args.get(key, "").strip() for key in FILTERS}), "status": status}
    if fmt == "csv":
        params["labels"] = "bg"
    try:
        download = registry().download(f"/api/v1/register/export.{fmt}", params=params)
    except ServiceError as error:
        if error.status != 422:
            raise
        abort(404)  # a filter no search form sends
    return Response(
        download.content,
        content_type=download.content_type,
        headers={"Content-Disposition": f'attachment; filename="{download.filename}"'},
    )


@blp.get("/<key>")
def entry(key: str) -> ResponseReturnValue:
    found = registry().get(api("/api/v1/register/{}", key))
    return render_template("register/entry.html", entry=found, sells=_sells(found.get("id")))


def _sells(enterprise_id: str | None) -> bool:
    """Whether the enterprise has published listings on the marketplace (its shop is linked from the entry).

    The marketplace unreachable or not knowing the enterprise: the entry is shown without the link."""
    if not enterprise_id:
        return False
    try:
        page = current_services().marketplace.get(api("/api/v1/sellers/{}", enterprise_id))
    except ServiceError:
        return False
    return any(item.get("status") == "published" for item in page.get("listings", []))
