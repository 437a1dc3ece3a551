"""The marketplace's forms: what people type (euro, dates, lists) turned into the API's payloads.

Inputs are named by the API's field (``price_cents``, ``districts_served``, ``valid_until``…), so a
service's refusal lands next to its input; amounts are typed in euro and sent in cents.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from services.portal.clients import ServiceError
from services.portal.formatting import cents_as_input
from services.portal.forms import FormState, euro_to_cents, whole_number
from services.portal.market_labels import district_options
from shared.clock import sofia_date

MAX_CENTS = 10**11
QUOTE_STATES = ("requested", "offered", "declined", "expired")
ORDER_STATES = ("placed", "fulfilled", "received", "disputed", "cancelled")
SEARCH_PAGE_SIZE = 20
SEARCH_PAGE_LIMIT = 1000
"""The last numbered page the marketplace's search serves."""
Form = MultiDict[str, str]


def today() -> date:
    """Today in Sofia: the day every date people type is measured against."""
    return sofia_date(datetime.now(UTC))


def fail(state: FormState, error: ServiceError, aliases: dict[str, str] | None = None) -> FormState:
    """A refusal on the form; an item of a list (``districts_served.3``) is shown next to the list."""
    folded = {path: path.split(".")[0] for path in error.fields if re.fullmatch(r"\w+\.\d+", path)}
    return state.fail(error, {**folded, **(aliases or {})})


def money(raw: str | None, name: str, state: FormState) -> int | None:
    """An amount in euro (``12,50``) as cents; a wrong, negative or absurd amount is reported on the field."""
    cents = euro_to_cents(raw or "", name, state)
    if cents is None:
        return None
    if cents < 0:
        state.add(name, _("The amount cannot be negative."))
        return None
    if cents > MAX_CENTS:
        state.add(name, _("The amount is too large."))
        return None
    return cents


def a_date(raw: str | None, name: str, state: FormState) -> date | None:
    """A date as a date input sends it (``2026-11-30``) or as people write it (``30.11.2026``)."""
    text = (raw or "").strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    state.add(name, _("Enter a date, e.g. 30.11.2026."))
    return None


def _required_number(form: Form, name: str, state: FormState) -> int | None:
    number = whole_number(form.get(name, ""), name, state)
    if number is None and not state.error_for(name):
        state.add(name, _("Enter the quantity."))
    return number


def _districts(form: Form, name: str) -> list[str]:
    if form.get("all_districts"):
        return [code for code, _name in district_options()]
    return form.getlist(name)


def _text(form: Form, name: str) -> str:
    return form.get(name, "").strip()


def chosen(args: Form, allowed: tuple[str, ...]) -> str | None:
    """The state a list is narrowed to (``?state=offered``); anything else shows them all."""
    state = args.get("state")
    return state if state in allowed else None


def page_number(args: Form) -> int:
    raw = args.get("page", "")
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 10_000 else 1


def form_state(form: Form, *lists: str) -> FormState:
    """The form as typed, its multi-valued fields kept as lists (one ticked box is still a list)."""
    state = FormState.of(form)
    for name in lists:
        state.values[name] = form.getlist(name)
    return state


# ---------------------------------------------------------------------- listings
def listing_payload(form: Form, state: FormState) -> dict[str, Any]:
    """A listing's fields; "price on request" wins over a typed price."""
    on_request = form.get("price_on_request") == "1"
    price = None
    if not on_request:
        price = money(form.get("price_cents"), "price_cents", state)
        if price is None and not state.error_for("price_cents"):
            state.add("price_cents", _("Enter a price in euro, or tick “Price on request”."))
    minimum = whole_number(form.get("minimum_quantity", ""), "minimum_quantity", state)
    payload: dict[str, Any] = {
        "kind": form.get("kind") or "product",
        "title_bg": _text(form, "title_bg"),
        "title_en": _text(form, "title_en"),
        "description_bg": _text(form, "description_bg"),
        "description_en": _text(form, "description_en"),
        "price_cents": price,
        "price_on_request": on_request,
        "unit": _text(form, "unit"),
        "minimum_quantity": 1 if minimum is None else minimum,
        "districts_served": _districts(form, "districts_served"),
        "tags": [tag.strip() for tag in form.get("tags", "").split(",") if tag.strip()],
        "available": form.get("available") == "1",
    }
    if form.get("category"):
        payload["category"] = form["category"]
    if "image_urls" in form:  # addresses of pictures elsewhere, from forms before photos were uploaded here
        payload["image_urls"] = [line.strip() for line in form["image_urls"].splitlines() if line.strip()]
    return payload


def listing_values(listing: dict[str, Any]) -> dict[str, Any]:
    """A listing as its edit form shows it."""
    price = listing.get("price") or {}
    return {
        "kind": listing.get("kind", "product"),
        "title_bg": listing["title"].get("bg", ""),
        "title_en": listing["title"].get("en") or "",
        "description_bg": listing["description"].get("bg", ""),
        "description_en": listing["description"].get("en") or "",
        "category": (listing.get("category") or {}).get("code", ""),
        "price_cents": cents_as_input(price.get("cents")),
        "price_on_request": "1" if price.get("on_request") else "",
        "unit": price.get("unit", ""),
        "minimum_quantity": str(price.get("minimum_quantity", 1)),
        "districts_served": list(listing.get("districts_served", [])),
        "tags": ", ".join(listing.get("tags", [])),
        "available": "1" if listing.get("available", True) else "",
    }


# ---------------------------------------------------------------------- quotes and orders
def deal_payload(form: Form, state: FormState, listing_id: str, *, quote: bool) -> dict[str, Any]:
    """A quote request (with a "needed by" date) or a direct order."""
    payload: dict[str, Any] = {
        "listing_id": listing_id,
        "quantity": _required_number(form, "quantity", state),
        "message": _text(form, "message"),
        "organisation": _text(form, "organisation"),
    }
    if form.get("buyer_kind"):
        payload["buyer_kind"] = form["buyer_kind"]
    if quote:
        needed_by = a_date(form.get("needed_by"), "needed_by", state)
        payload["needed_by"] = needed_by.isoformat() if needed_by else None
    return payload


def offer_payload(form: Form, state: FormState) -> dict[str, Any]:
    price = money(form.get("unit_price_cents"), "unit_price_cents", state)
    if price is None and not state.error_for("unit_price_cents"):
        state.add("unit_price_cents", _("Enter the price per unit in euro."))
    valid_until = a_date(form.get("valid_until"), "valid_until", state)
    if valid_until is None and not state.error_for("valid_until"):
        state.add("valid_until", _("Enter the last day the offer is valid."))
    return {
        "unit_price_cents": price,
        "valid_until": valid_until.isoformat() if valid_until else None,
        "terms": _text(form, "terms"),
    }


def review_payload(form: Form, state: FormState) -> dict[str, Any]:
    rating = form.get("rating", "")
    if rating not in {"1", "2", "3", "4", "5"}:
        state.add("rating", _("Choose a rating from 1 to 5."))
    return {"rating": int(rating) if rating.isdigit() else None, "text": _text(form, "text")}


# ---------------------------------------------------------------------- needs
def need_payload(form: Form, state: FormState) -> dict[str, Any]:
    deadline = a_date(form.get("deadline"), "deadline", state)
    if deadline is None and not state.error_for("deadline"):
        state.add("deadline", _("Enter the last day sellers may answer."))
    payload: dict[str, Any] = {
        "title": _text(form, "title"),
        "description": _text(form, "description"),
        "districts": _districts(form, "districts"),
        "quantity": _required_number(form, "quantity", state),
        "unit": _text(form, "unit"),
        "budget_min_cents": money(form.get("budget_min_cents"), "budget_min_cents", state),
        "budget_max_cents": money(form.get("budget_max_cents"), "budget_max_cents", state),
        "deadline": deadline.isoformat() if deadline else None,
        "organisation": _text(form, "organisation"),
    }
    for name in ("category", "kind"):
        if form.get(name):
            payload[name] = form[name]
    return payload


def outcome_payload(form: Form, state: FormState) -> dict[str, Any]:
    """Whether a deal happened; the seller and the amount only count when it did."""
    answer = form.get("deal_happened", "")
    if answer not in {"yes", "no"}:
        state.add("deal_happened", _("Say whether a deal happened."))
    payload: dict[str, Any] = {"deal_happened": answer == "yes", "note": _text(form, "note")}
    if answer == "yes":
        payload["seller_id"] = form.get("seller_id") or None
        payload["amount_cents"] = money(form.get("amount_cents"), "amount_cents", state)
    return payload


# ---------------------------------------------------------------------- search
SEARCH_FIELDS = ("q", "category", "region", "district", "price_min", "price_max", "vulnerable_min_percent", "sort")
SEARCH_ALIASES = {"price_min_cents": "price_min", "price_max_cents": "price_max"}


def search_args(args: Form) -> dict[str, Any]:
    """The search's own query arguments (no page), for links that change one filter."""
    kept: dict[str, Any] = {name: args.get(name, "").strip() for name in SEARCH_FIELDS}
    kept["enterprise_class"] = args.getlist("enterprise_class")
    return {name: value for name, value in kept.items() if value}


def search_params(args: Form, state: FormState) -> dict[str, Any]:
    """The API's query for the search form; a figure that is not one is reported on its field."""
    percent = whole_number(args.get("vulnerable_min_percent", ""), "vulnerable_min_percent", state)
    if percent is not None and not 0 <= percent <= 100:
        state.add("vulnerable_min_percent", _("Enter a percentage from 0 to 100."))
    district = args.get("district", "")
    return {
        "q": args.get("q", "").strip(),
        "category": args.get("category"),
        "region": args.get("region"),
        "district": [district] if district else None,
        "enterprise_class": args.getlist("enterprise_class"),
        "price_min_cents": money(args.get("price_min"), "price_min", state),
        "price_max_cents": money(args.get("price_max"), "price_max", state),
        "vulnerable_min_percent": percent,
        "sort": args.get("sort") or None,
        "page": min(page_number(args), SEARCH_PAGE_LIMIT),
        "limit": SEARCH_PAGE_SIZE,
    }
