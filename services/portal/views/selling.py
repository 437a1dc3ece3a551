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
from services.portal.market_api import SHOWN_REFUSALS, api_path, ask, market, press, send, told
from services.portal.market_deals import deal_list, deal_page, deal_step, fetch, order_page, take_order_step
from services.portal.market_forms import (
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
    return send(
        "/api/v1/listings",
        payload,
        state,
        again=lambda failed: _listing_form(failed, None, 422),
        judged_anyway=True,
        done=lambda created: _saved(
            created, _("The draft “%(title)s” is saved. Publish it when it is ready.", title=payload["title_bg"])
        ),
    )


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
    return send(
        path,
        payload,
        state,
        method="patch",
        again=lambda failed: _listing_form(failed, listing, 422),
        judged_anyway=True,
        done=lambda saved: _saved(saved, _("The changes to “%(title)s” are saved.", title=payload["title_bg"])),
    )


def _saved(listing: dict[str, Any], message: str) -> ResponseReturnValue:
    """A listing saved from its form: published at once when the form's "publish" button was used."""
    if request.form.get("then") == "publish":
        return _publish(listing)
    return told(message, url_for("seller.listings"))


def _listing_form(
    state: FormState, listing: dict[str, Any] | None, status: int = 200, photo_state: FormState | None = None
) -> ResponseReturnValue:
    return render_template(
        "seller/listing_form.html",
        state=state,
        listing=listing,
        photo_state=photo_state or FormState(),
        max_photos=MAX_PHOTOS,
        placed=LISTING_FIELDS,
        kinds=options(LISTING_KINDS),
        categories=category_options(),
        districts=district_options(),
    ), status


# ---------------------------------------------------------------------- a listing's photos
MAX_PHOTOS = 8
PHOTO_ALIASES = {"file": "photo_file", "alt": "photo_alt"}
PHOTO_REFUSALS = frozenset({409, 413, 415, 422})


def _own_listing(listing_id: str) -> dict[str, Any] | None:
    listing = market().get(api_path("/api/v1/listings/{}", listing_id), auth.token())
    return listing if listing["seller"]["id"] == _enterprise_id() else None


def _photos_page(listing_id: str) -> str:
    return url_for("seller.edit_listing", listing_id=listing_id) + "#photos"


@blp.post("/listings/<listing_id>/photos")
@selling
def add_photo(listing_id: str) -> ResponseReturnValue:
    """A photo with what it shows; the marketplace checks the picture and the text (both at once)."""
    listing = _own_listing(listing_id)
    if listing is None:
        return redirect(url_for("market.listing", listing_id=listing_id))
    upload = request.files.get("photo_file")
    alt = request.form.get("photo_alt", "").strip()
    state = FormState(values={"photo_alt": alt})
    if upload is None or not upload.filename:
        state.add("photo_file", _("Choose a photo (JPEG, PNG or WebP)."))
        if not alt:
            state.add("photo_alt", _("Describe what the photo shows."))
    else:
        picture = (upload.filename, upload.stream.read(), upload.mimetype or "application/octet-stream")
        try:
            market().upload(
                api_path("/api/v1/listings/{}/photos", listing_id), auth.token(), {"file": picture}, data={"alt": alt}
            )
        except ServiceError as error:
            if error.status not in PHOTO_REFUSALS:
                raise
            fail(state, error, PHOTO_ALIASES)
        else:
            return told(
                _("The photo is added to “%(title)s”.", title=localised(listing["title"])), _photos_page(listing_id)
            )
    return _listing_form(FormState(values=listing_values(listing)), listing, 422, photo_state=state)


@blp.post("/listings/<listing_id>/photos/<photo_id>")
@selling
def photo_step(listing_id: str, photo_id: str) -> ResponseReturnValue:
    """One photo's buttons: save its description, move it earlier or later, make it the cover, delete it."""
    listing = _own_listing(listing_id)
    if listing is None:
        return redirect(url_for("market.listing", listing_id=listing_id))
    order = [photo["id"] for photo in listing.get("photos", [])]
    if photo_id not in order:
        flash(_("The photo is no longer on the listing."), "error")
        return redirect(_photos_page(listing_id))
    action, at = request.form.get("action"), order.index(photo_id)
    path = api_path("/api/v1/listings/{}/photos/{}", listing_id, photo_id)
    try:
        if action == "describe":
            market().patch(path, auth.token(), json={"alt": request.form.get("alt", "").strip()})
            said = _("The photo's description is saved.")
        elif action == "delete":
            market().delete(path, auth.token())
            said = _("The photo is deleted.")
        elif action in ("up", "down", "cover"):
            order.pop(at)
            order.insert({"up": max(at - 1, 0), "down": at + 1, "cover": 0}[action], photo_id)
            market().put(api_path("/api/v1/listings/{}/photo-order", listing_id), auth.token(), json={"order": order})
            said = _("The photos are reordered: the first is the cover.")
        else:
            return redirect(_photos_page(listing_id))
    except ServiceError as error:
        if error.status not in PHOTO_REFUSALS:
            raise
        problems = [localised(m) for messages in error.fields.values() for m in messages] or [localised(error.message)]
        flash(_("Description of photo %(number)d: %(problem)s", number=at + 1, problem=" ".join(problems)), "error")
        return redirect(_photos_page(listing_id))
    return told(said, _photos_page(listing_id))


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

    def done(listing: dict[str, Any]) -> ResponseReturnValue:
        title = localised(listing["title"])
        said = {
            "publish": _("“%(title)s” is published: buyers can find it on the marketplace.", title=title),
            "pause": _("“%(title)s” is paused: buyers no longer find it until you publish it again.", title=title),
            "archive": _("“%(title)s” is archived.", title=title),
        }
        return told(said[step], url_for("seller.listings"))

    return press(api_path(f"/api/v1/listings/{{}}/{step}", listing_id), back=url_for("seller.listings"), done=done)


# ---------------------------------------------------------------------- quote requests
@blp.get("/quotes")
@selling
def quotes() -> ResponseReturnValue:
    return deal_list("seller", "quotes")


@blp.get("/quotes/<deal_id>")
@selling
def quote(deal_id: str) -> ResponseReturnValue:
    return _quote_page(deal_id)


def _quote_page(
    deal_id: str, state: FormState | None = None, failed: str = "", status: int = 200
) -> ResponseReturnValue:
    deal = fetch("quotes", deal_id)
    if state is None:
        state = FormState(values=_offer_values(deal))
    return deal_page("seller", "quotes", deal, state, failed, status)


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

    def done(deal: dict[str, Any]) -> ResponseReturnValue:
        total = euro((deal.get("offer") or {}).get("total_cents"))
        return told(
            _("Your offer of %(total)s is sent to %(buyer)s.", total=total, buyer=deal["buyer"]["name"]),
            url_for("seller.quotes"),
        )

    return deal_step("seller", "quotes", deal_id, "offer", payload, state, page=_quote_page, done=done)


@blp.post("/quotes/<deal_id>/decline")
@selling
def decline(deal_id: str) -> ResponseReturnValue:
    body = {"reason": request.form.get("reason", "").strip()}
    return deal_step(
        "seller",
        "quotes",
        deal_id,
        "decline",
        body,
        form_state(request.form),
        page=_quote_page,
        done=lambda _deal: told(_("You declined the quote request."), url_for("seller.quotes")),
    )


# ---------------------------------------------------------------------- orders
@blp.get("/orders")
@selling
def orders() -> ResponseReturnValue:
    return deal_list("seller", "orders")


@blp.get("/orders/<deal_id>")
@selling
def order(deal_id: str) -> ResponseReturnValue:
    return order_page("seller", deal_id)


@blp.post("/orders/<deal_id>/<any(fulfil, cancel, dispute):step>")
@selling
def order_step(deal_id: str, step: str) -> ResponseReturnValue:
    """Fulfil (with a note), cancel (with a reason) or dispute (a reason is required) one of my sales;
    fulfilled from the list of sales, the seller stays on the list."""
    from_list = request.form.get("back") == "list"
    then = url_for("seller.orders") if from_list else url_for("seller.order", deal_id=deal_id)
    return take_order_step("seller", deal_id, step, then)


# ---------------------------------------------------------------------- buyers' needs
@blp.get("/needs")
@selling
def needs() -> ResponseReturnValue:
    state = form_state(request.args)
    page = page_number(request.args)
    params = {"category": request.args.get("category"), "district": request.args.get("district"), "page": page}
    found = ask("/api/v1/needs", params, state)
    if found is None:
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
    page = url_for("seller.need", need_id=need_id)
    return send(
        api_path("/api/v1/needs/{}/interest", need_id),
        {"message": message},
        state,
        back=page,
        again=lambda failed: _need_page(need_id, failed, 422),
        done=lambda _answer: told(_("The buyer is told that you can help."), page),
    )
