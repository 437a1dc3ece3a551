"""The marketplace's words on the pages: states, kinds and the options of its selects.

States are shown with a word (never by colour alone) and a kind for the ``status`` macro.
"""

from __future__ import annotations

from typing import Any

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from services.portal.clients import ServiceError
from services.portal.i18n import localised
from services.portal.reference import market_categories, name_of, register_reference

# state → (label, kind for the status macro: ok, bad or wait)
LISTING_STATES = {
    "draft": (_l("Draft"), "wait"),
    "published": (_l("Published"), "ok"),
    "paused": (_l("Paused"), "wait"),
    "archived": (_l("Archived"), "bad"),
}
DEAL_STATES = {
    "requested": (_l("Waiting for an offer"), "wait"),
    "offered": (_l("Offer made"), "wait"),
    "declined": (_l("Declined"), "bad"),
    "expired": (_l("Expired"), "bad"),
    "placed": (_l("Ordered"), "wait"),
    "fulfilled": (_l("Fulfilled by the seller"), "wait"),
    "received": (_l("Received"), "ok"),
    "disputed": (_l("Disputed"), "bad"),
    "cancelled": (_l("Cancelled"), "bad"),
}
DEAL_STEPS = {
    "requested": _l("Quote requested"),
    "offered": _l("Offer sent"),
    "placed": _l("Order placed"),
    "received": _l("Receipt confirmed"),
}
"""The history of a deal names what happened; the other steps read as their state."""
NEED_STATES = {
    "submitted": (_l("Waiting for a check by the centre"), "wait"),
    "published": (_l("Published"), "ok"),
    "rejected": (_l("Rejected"), "bad"),
    "withdrawn": (_l("Withdrawn"), "bad"),
    "awaiting_outcome": (_l("Deadline passed: outcome awaited"), "wait"),
    "closed": (_l("Closed"), "ok"),
}
BUYER_KINDS = {
    "municipality": _l("Municipality"),
    "public_body": _l("Public body"),
    "business": _l("Business"),
    "ngo": _l("Non-governmental organisation"),
    "citizen": _l("Citizen"),
}
LISTING_KINDS = {"product": _l("Product"), "service": _l("Service")}
SORTS = {
    "relevance": _l("Best match"),
    "price_asc": _l("Price: lowest first"),
    "price_desc": _l("Price: highest first"),
    "newest": _l("Newest first"),
}
CLASSES = ("A", "A+")
PARTIES = {"buyer": _l("the buyer"), "seller": _l("the seller"), "admin": _l("an administrator")}


def state_of(table: dict[str, tuple[Any, str]], code: str | None) -> tuple[str, str]:
    """``(label, kind)`` of a state; an unknown state is shown by its code."""
    label, kind = table.get(code or "", (code or "", ""))
    return str(label), kind


def options(table: dict[str, Any]) -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in table.items()]


def categories() -> list[dict[str, Any]]:
    """The marketplace's categories, top ones first, each followed by its sub-categories."""
    items = market_categories().get("items", [])
    ordered: list[dict[str, Any]] = []
    for top in (item for item in items if not item.get("parent")):
        ordered.append(top)
        ordered.extend(item for item in items if item.get("parent") == top["code"])
    return ordered


def category_options() -> list[tuple[str, str]]:
    names = {item["code"]: localised(item["name"]) for item in categories()}
    return [
        (item["code"], f"{names.get(item['parent'], item['parent'])} › {names[item['code']]}")
        if item.get("parent")
        else (item["code"], names[item["code"]])
        for item in categories()
    ]


def category_name(code: str | None) -> str:
    for item in categories():
        if item["code"] == code:
            return localised(item["name"])
    return code or ""


def _places(kind: str) -> list[dict[str, Any]]:
    try:
        return register_reference()[kind]
    except ServiceError:
        return []


def district_options() -> list[tuple[str, str]]:
    return sorted(((d["code"], name_of(d)) for d in _places("districts")), key=lambda pair: pair[1])


def region_options() -> list[tuple[str, str]]:
    return sorted(((r["code"], name_of(r)) for r in _places("regions")), key=lambda pair: pair[1])


def district_name(code: str) -> str:
    return next((name_of(d) for d in _places("districts") if d["code"] == code), code)


def district_names(codes: list[str]) -> str:
    """The districts a listing serves, all 28 said in three words."""
    if len(codes) >= 28:
        return str(_l("All districts"))
    return ", ".join(sorted(district_name(code) for code in codes))


def average(value: float | None) -> str:
    """An average rating with one decimal, as the page's language writes it (4,5 / 4.5)."""
    if value is None:
        return ""
    return format_decimal(round(value, 1), format="0.#", locale=str(get_locale() or "bg"))


def context() -> dict[str, Any]:
    """What the marketplace's templates use (registered on each of its blueprints)."""
    return {
        "listing_state": lambda code: state_of(LISTING_STATES, code),
        "deal_state": lambda code: state_of(DEAL_STATES, code),
        "deal_step": lambda code: str(DEAL_STEPS.get(code, state_of(DEAL_STATES, code)[0])),
        "need_state": lambda code: state_of(NEED_STATES, code),
        "buyer_kind": lambda code: str(BUYER_KINDS.get(code or "", code or "")),
        "party": lambda code: str(PARTIES.get(code or "", code or "")),
        "category_name": category_name,
        "district_name": district_name,
        "district_names": district_names,
        "average": average,
    }
