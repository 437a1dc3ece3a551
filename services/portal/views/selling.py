"""A registered enterprise's sales: its listings, the quote requests and orders it gets, buyers' needs.

Only representatives whose account is linked to an enterprise sell; the others are told why not.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.formatting import cents_as_input, euro
from services.portal.forms import FormState
from services.portal.i18n import localised
from services.portal.market_api import SHOWN_REFUSALS, api_path, market, refused
from services.portal.market_forms import (
    ORDER_STATES,
    QUOTE_STATES,
    chosen,
    fail,
    form_state,
    listing_payload,
    listing_values,
    offer_payload,
    page_number,
    today,
)
from services.portal.market_labels import (
    LISTING_KINDS,
    category_options,
    context,
    district_options,
    options,
)

blp = Blueprint("seller", __name__, url_prefix="/my/sales")
blp.context_processor(context)
F = TypeVar("F", bound=Callable[..., Any])
OFFER_DAYS = 14
"""How long a new offer is valid unless the seller says otherwise."""
LISTING_FIELDS = (
    "kind",
    "title_bg",
    "title_en",
    "description_bg",
    "description_en",
    "category",
    "price_cents",
    "price_on_request",
    "unit",
    "minimum_quantity",
    "districts_served",
    "tags",
    "image_urls",
    "available",
)


def selling(view: F) -> F:
    """A representative of a registered enterprise; anyone else signed in is told what is missing."""

    @auth.signed_in("representative")
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        person = auth.current_person()
        if person is None or not person.enterprise_id:
            return render_template("seller/no_enterprise.html"), 403
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _enterprise_id() -> str:
    person = auth.current_person()
    return person.enterprise_id if person and person.enterprise_id else ""


# ---------------------------------------------------------------------- listings
@blp.get("/listings")
@selling
def listings() -> ResponseReturnValue:
    try:
        page = market().get(api_path("/api/v1/sellers/{}", _enterprise_id()), auth.token())
    except ServiceError as error:
        if error.status != 404:
            raise
        page = None
    return render_template("seller/listings.html", page=page)


@blp.route("/listings/new", methods=["GET", "POST"])
@selling
def new_listing() -> ResponseReturnValue:
    if request.method == "GET":
        state = FormState(values={"kind": "product", "minimum_quantity": "1", "available": "1"})
        return _listing_form(state, None)
    state = form_state(request.form, "districts_served")
    payload = listing_payload(request.form, state)
    if state.ok:
        try:
            created = market().post("/api/v1/listings", auth.token(), json=payload)
        except ServiceError as error:
            if error.status not in SHOWN_REFUSALS:
                raise
            fail(state, error)
        else:
            if request.form.get("then") == "publish":
                return _publish(created)
            flash(
                _("The draft “%(title)s” is saved. Publish it when it is ready.", title=payload["title_bg"]), "success"
            )
            return redirect(url_for("seller.listings"))
    return _listing_form(state, None, 422)


@blp.route("/listings/<listing_id>/edit", methods=["GET", "POST"])
@selling
def edit_listing(listing_id: str) -> ResponseReturnValue:
    path = api_path("/api/v1/listings/{}", listing_id)
    listing = market().get(path, auth.token())
    if listing["seller"]["id"] != _enterprise_id():
        return redirect(url_for("market.listing", listing_id=listing_id))
    if listing["status"] == "archived":
        flash(_("An archived listing cannot be changed."), "error")
        return redirect(url_for("seller.listings"))
    if request.method == "GET":
        return _listing_form(FormState(values=listing_values(listing)), listing)
    state = form_state(request.form, "districts_served")
    payload = listing_payload(request.form, state)
    if state.ok:
        try:
            saved = market().patch(path, auth.token(), json=payload)
        except ServiceError as error:
            if error.status not in SHOWN_REFUSALS:
                raise
            fail(state, error)
        else:
            if request.form.get("then") == "publish":
                return _publish(saved)
            flash(_("The changes to “%(title)s” are saved.", title=payload["title_bg"]), "success")
            return redirect(url_for("seller.listings"))
    return _listing_form(state, listing, 422)


def _listing_form(state: FormState, listing: dict[str, Any] | None, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "seller/listing_form.html",
        state=state,
        listing=listing,
        placed=LISTING_FIELDS,
        kinds=options(LISTING_KINDS),
        categories=category_options(),
        districts=district_options(),
    ), status


def _publish(listing: dict[str, Any]) -> ResponseReturnValue:
    title = localised(listing["title"])
    try:
        market().post(api_path("/api/v1/listings/{}/publish", listing["id"]), auth.token())
    except ServiceError as error:
        if error.status not in SHOWN_REFUSALS:
            raise
        flash(
            _("“%(title)s” is saved but not published: %(reason)s", title=title, reason=localised(error.message)),
            "error",
        )
    else:
        flash(_("“%(title)s” is published: buyers can find it on the marketplace.", title=title), "success")
    return redirect(url_for("seller.listings"))


@blp.post("/listings/<listing_id>/<any(publish, pause, archive):step>")
@selling
def listing_step(listing_id: str, step: str) -> ResponseReturnValue:
    """Publish, pause or archive; a refusal (the enterprise not in good standing…) is shown as it came."""
    try:
        listing = market().post(api_path(f"/api/v1/listings/{{}}/{step}", listing_id), auth.token())
    except ServiceError as error:
        if error.status not in SHOWN_REFUSALS:
            raise
        return refused(error, url_for("seller.listings"))
    title = localised(listing["title"])
    done = {
        "publish": _("“%(title)s” is published: buyers can find it on the marketplace.", title=title),
        "pause": _("“%(title)s” is paused: buyers no longer find it until you publish it again.", title=title),
        "archive": _("“%(title)s” is archived.", title=title),
    }
    flash(done[step], "success")
    return redirect(url_for("seller.listings"))


# ---------------------------------------------------------------------- quote requests
@blp.get("/quotes")
@selling
def quotes() -> ResponseReturnValue:
    state = chosen(request.args, QUOTE_STATES)
    found = market().get("/api/v1/quotes", auth.token(), params={"state": state})
    return render_template("seller/quotes.html", deals=found["items"], chosen=state)


@blp.get("/quotes/<deal_id>")
@selling
def quote(deal_id: str) -> ResponseReturnValue:
    return _quote_page(deal_id)


def _quote_page(
    deal_id: str, state: FormState | None = None, failed: str = "", status: int = 200
) -> ResponseReturnValue:
    deal = market().get(api_path("/api/v1/quotes/{}", deal_id), auth.token())
    if state is None:
        state = FormState(values=_offer_values(deal))
    return render_template("seller/quote.html", deal=deal, state=state, failed=failed), status


def _offer_values(deal: dict[str, Any]) -> dict[str, Any]:
    """The current offer again, or the listing's price and two weeks' validity for a first one."""
    valid_until = (today() + timedelta(days=OFFER_DAYS)).isoformat()
    if deal.get("offer"):
        offer = deal["offer"]
        return {
            "unit_price_cents": cents_as_input(offer["unit_price_cents"]),
            "valid_until": offer["valid_until"],
            "terms": offer.get("terms", ""),
        }
    try:
        listing = market().get(api_path("/api/v1/listings/{}", deal["listing"]["id"]), auth.token())
    except ServiceError:
        return {"valid_until": valid_until}
    return {"unit_price_cents": cents_as_input(listing["price"].get("cents")), "valid_until": valid_until}


@blp.post("/quotes/<deal_id>/offer")
@selling
def offer(deal_id: str) -> ResponseReturnValue:
    state = form_state(request.form)
    payload = offer_payload(request.form, state)
    if state.ok:
        try:
            deal = market().post(api_path("/api/v1/quotes/{}/offer", deal_id), auth.token(), json=payload)
        except ServiceError as error:
            if error.status not in SHOWN_REFUSALS:
                raise
            if not error.fields:
                return refused(error, url_for("seller.quote", deal_id=deal_id))
            fail(state, error)
        else:
            flash(
                _("Your offer of %(total)s is sent to %(buyer)s.", total=_total(deal), buyer=deal["buyer"]["name"]),
                "success",
            )
            return redirect(url_for("seller.quotes"))
    return _quote_page(deal_id, state, "offer", 422)


def _total(deal: dict[str, Any]) -> str:
    return euro((deal.get("offer") or {}).get("total_cents"))


@blp.post("/quotes/<deal_id>/decline")
@selling
def decline(deal_id: str) -> ResponseReturnValue:
    state = form_state(request.form)
    try:
        market().post(
            api_path("/api/v1/quotes/{}/decline", deal_id),
            auth.token(),
            json={"reason": request.form.get("reason", "").strip()},
        )
    except ServiceError as error:
        if error.status not in SHOWN_REFUSALS:
            raise
        if not error.fields:
            return refused(error, url_for("seller.quote", deal_id=deal_id))
        return _quote_page(deal_id, fail(state, error), "decline", 422)
    flash(_("You declined the quote request."), "success")
    return redirect(url_for("seller.quotes"))


# ---------------------------------------------------------------------- orders


@blp.get("/orders")
@selling
def orders() -> ResponseReturnValue:
    state = chosen(request.args, ORDER_STATES)
    found = market().get("/api/v1/orders", auth.token(), params={"state": state})
    return render_template("seller/orders.html", deals=found["items"], chosen=state)


@blp.get("/orders/<deal_id>")
@selling
def order(deal_id: str) -> ResponseReturnValue:
    return _order_page(deal_id)


def _order_page(
    deal_id: str, state: FormState | None = None, failed: str = "", status: int = 200
) -> ResponseReturnValue:
    deal = market().get(api_path("/api/v1/orders/{}", deal_id), auth.token())
    return render_template("seller/order.html", deal=deal, state=state, failed=failed), status


@blp.post("/orders/<deal_id>/<any(fulfil, cancel, dispute):step>")
@selling
def order_step(deal_id: str, step: str) -> ResponseReturnValue:
    """Fulfil (with a note), cancel (with a reason) or dispute (a reason is required) one of my sales."""
    state = form_state(request.form)
    text = request.form.get("dispute_reason" if step == "dispute" else "reason" if step == "cancel" else "note", "")
    body = {"note": text.strip()} if step == "fulfil" else {"reason": text.strip()}
    try:
        deal = market().post(api_path(f"/api/v1/orders/{{}}/{step}", deal_id), auth.token(), json=body)
    except ServiceError as error:
        if error.status not in SHOWN_REFUSALS:
            raise
        if not error.fields:
            return refused(error, url_for("seller.order", deal_id=deal_id))
        fail(state, error, {"reason": "dispute_reason"} if step == "dispute" else None)
        return _order_page(deal_id, state, step, 422)
    number = deal.get("order_number") or ""
    done = {
        "fulfil": _("Order %(number)s is marked as fulfilled. The buyer is asked to confirm receipt.", number=number),
        "cancel": _("Order %(number)s is cancelled.", number=number),
        "dispute": _("Order %(number)s is disputed. An administrator will decide.", number=number),
    }
    flash(done[step], "success")
    if request.form.get("back") == "list":
        return redirect(url_for("seller.orders"))
    return redirect(url_for("seller.order", deal_id=deal_id))


# ---------------------------------------------------------------------- buyers' needs
@blp.get("/needs")
@selling
def needs() -> ResponseReturnValue:
    state = form_state(request.args)
    page = page_number(request.args)
    params = {"category": request.args.get("category"), "district": request.args.get("district"), "page": page}
    try:
        found = market().get("/api/v1/needs", auth.token(), params=params)
    except ServiceError as error:
        if error.status != 422:
            raise
        fail(state, error)
        found = {"items": [], "total": 0, "page": 1, "per_page": 20}
    return render_template(
        "seller/needs.html",
        found=found,
        state=state,
        args={k: v for k, v in params.items() if v and k != "page"},
        categories=category_options(),
        districts=district_options(),
    )


@blp.get("/needs/<need_id>")
@selling
def need(need_id: str) -> ResponseReturnValue:
    return _need_page(need_id)


def _need_page(need_id: str, state: FormState | None = None, status: int = 200) -> ResponseReturnValue:
    found = market().get(api_path("/api/v1/needs/{}", need_id), auth.token())
    return render_template("seller/need.html", need=found, state=state), status


@blp.post("/needs/<need_id>/interest")
@selling
def interest(need_id: str) -> ResponseReturnValue:
    state = form_state(request.form)
    message = request.form.get("message", "").strip()
    if not message:
        state.add("message", _("Write a message to the buyer."))
        return _need_page(need_id, state, 422)
    try:
        market().post(api_path("/api/v1/needs/{}/interest", need_id), auth.token(), json={"message": message})
    except ServiceError as error:
        if error.status not in SHOWN_REFUSALS:
            raise
        if not error.fields:
            return refused(error, url_for("seller.need", need_id=need_id))
        return _need_page(need_id, fail(state, error), 422)
    flash(_("The buyer is told that you can help."), "success")
    return redirect(url_for("seller.need", need_id=need_id))
