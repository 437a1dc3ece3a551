"""The public marketplace: search, a listing with its seller and reviews, an enterprise's page.

A signed-in buyer asks for a quote or orders straight from the listing's page, and keeps favourites.
"""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.forms import FormState
from services.portal.market_api import api_path, ask, back_to, checked_id, favourites, market, reviews, send, told
from services.portal.market_forms import (
    SEARCH_ALIASES,
    SEARCH_PAGE_SIZE,
    deal_payload,
    form_state,
    search_args,
    search_params,
)
from services.portal.market_labels import (
    BUYER_KINDS,
    CLASSES,
    SORTS,
    category_options,
    context,
    district_options,
    options,
    region_options,
)
from services.portal.registry_labels import group_name

blp = Blueprint("market", __name__, url_prefix="/marketplace")
blp.context_processor(context)
BUYER_DETAILS = "market_buyer"
"""The organisation and kind a buyer last gave, offered again on the next quote request."""


@blp.get("")
def search() -> ResponseReturnValue:
    given = [(name, value) for name, value in request.args.items(multi=True) if value.strip()]
    if len(given) < len(list(request.args.items(multi=True))):  # the form sends its empty fields too
        kept: dict[str, list[str]] = {}
        for name, value in given:
            kept.setdefault(name, []).append(value)
        return redirect(url_for("market.search", **kept))
    state = form_state(request.args, "enterprise_class")
    params = search_params(request.args, state)
    found = ask("/api/v1/listings", params, state, SEARCH_ALIASES)
    args = search_args(request.args)

    def search_url(**changes: Any) -> str:
        """This search with some filters changed (None removes one); always from the first page."""
        merged = {**args, **changes}
        return url_for("market.search", **{k: v for k, v in merged.items() if v is not None})

    return render_template(
        "market/search.html",
        state=state,
        found=found,
        args=args,
        search_url=search_url,
        page_number=params["page"],
        per_page=SEARCH_PAGE_SIZE,
        categories=category_options(),
        districts=district_options(),
        regions=region_options(),
        classes=[(c, _("Class %(name)s", name=c)) for c in CLASSES],
        sorts=options(SORTS),
    )


@blp.get("/listings/<listing_id>")
def listing(listing_id: str) -> ResponseReturnValue:
    return _listing_page(listing_id)


@blp.post("/listings/<listing_id>")
@auth.signed_in("buyer")
def deal(listing_id: str) -> ResponseReturnValue:
    """One form, two buttons: "request a quote" (the default) or "order now" at the listing's price."""
    quote = request.form.get("do") != "order"
    state = form_state(request.form)
    payload = deal_payload(request.form, state, checked_id(listing_id), quote=quote)
    if not quote and state.ok and request.form.get("confirmed") != "1":
        return _order_summary(listing_id, payload)

    def done(made: dict[str, Any]) -> ResponseReturnValue:
        session[BUYER_DETAILS] = {"organisation": payload["organisation"], "buyer_kind": payload.get("buyer_kind")}
        seller = made["supplier"]["name"]
        if quote:
            return told(
                _("Your quote request has been sent to %(seller)s.", seller=seller),
                url_for("buyer.quote", deal_id=made["id"]),
            )
        return told(
            _("Order %(number)s is placed with %(seller)s.", number=made["order_number"], seller=seller),
            url_for("buyer.order", deal_id=made["id"]),
        )

    return send(
        "/api/v1/quotes" if quote else "/api/v1/orders",
        payload,
        state,
        again=lambda failed: _listing_page(listing_id, failed, 422),
        done=done,
    )


def _order_summary(listing_id: str, payload: dict[str, Any]) -> ResponseReturnValue:
    """Before an order at the listed price is placed: what, how many, from whom and the total, to confirm."""
    found = market().get(api_path("/api/v1/listings/{}", listing_id), auth.token())
    price = found["price"].get("cents")
    total = price * payload["quantity"] if price is not None else None
    return render_template("market/order_confirm.html", listing=found, order=payload, total=total)


def _listing_page(listing_id: str, state: FormState | None = None, status: int = 200) -> ResponseReturnValue:
    person = auth.current_person()
    found = market().get(api_path("/api/v1/listings/{}", listing_id), auth.token())
    is_favourite = _is_favourite(person, "listing_ids", listing_id)
    if state is None:
        state = FormState(
            values={
                "quantity": str(found["price"].get("minimum_quantity", 1)),
                **{k: v for k, v in session.get(BUYER_DETAILS, {}).items() if v},
            }
        )
    return render_template(
        "market/listing.html",
        listing=found,
        seller=found["seller"],
        shown_photo=_shown_photo(found),
        reviews=reviews(api_path("/api/v1/listings/{}/reviews", listing_id)),
        is_favourite=is_favourite,
        owner=person is not None and person.enterprise_id == found["seller"]["id"],
        state=state,
        buyer_kinds=options(BUYER_KINDS),
    ), status


PHOTO_SIZES = ("thumb", "large")
PUBLIC_PHOTO = "public, max-age=31536000, immutable"


@blp.get("/listings/<listing_id>/photos/<photo_id>/<size>.webp")
def photo(listing_id: str, photo_id: str, size: str) -> ResponseReturnValue:
    """A listing's photo from this site's own address (the content security policy admits only 'self'):
    a published listing's for anyone, cached for a year; a draft's for its seller only, never kept."""
    if size not in PHOTO_SIZES:
        abort(404)
    got = market().download(api_path("/api/v1/listings/{}/photos/{}/", listing_id, photo_id) + size, auth.token())
    if got.content_type != "image/webp":
        abort(404)
    public = got.cache_control.startswith("public")
    response = send_file(io.BytesIO(got.content), mimetype="image/webp", etag=f"{photo_id}-{size}",
                         conditional=True, max_age=31536000 if public else 0)  # fmt: skip
    response.headers["Cache-Control"] = PUBLIC_PHOTO if public else "private, no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _shown_photo(listing: dict[str, Any]) -> dict[str, Any] | None:
    """The photo the gallery shows large: the one chosen (``?photo=``), else the cover."""
    photos = listing.get("photos") or []
    chosen = request.args.get("photo")
    return next((p for p in photos if p["id"] == chosen), photos[0] if photos else None)


@blp.get("/sellers/<seller_id>")
def seller(seller_id: str) -> ResponseReturnValue:
    person = auth.current_person()
    page = market().get(api_path("/api/v1/sellers/{}", seller_id), auth.token())
    is_favourite = _is_favourite(person, "seller_ids", seller_id)
    mission = page.get("social_mission") or {}
    return render_template(
        "market/seller.html",
        seller=page,
        activities=mission.get("activities") or [],
        groups=[(group_name(code), count) for code, count in sorted((mission.get("vulnerable_staff") or {}).items())],
        listings=[item for item in page.get("listings", []) if item.get("status") == "published"],
        reviews=reviews(api_path("/api/v1/sellers/{}/reviews", seller_id)),
        is_favourite=is_favourite,
        owner=person is not None and person.enterprise_id == page["id"],
    )


def _is_favourite(person: auth.Person | None, kind: str, item_id: str) -> bool | None:
    """Whether a buyer keeps the listing or the seller (``kind``: listing_ids, seller_ids) among their favourites;
    None for anyone else, or when the favourites cannot be read just now (the page goes on without them)."""
    if person is None or not person.has("buyer"):
        return None
    mine = favourites(person.token)
    return None if mine is None else item_id in mine.get(kind, [])


@blp.post("/listings/<listing_id>/favourite")
@auth.signed_in("buyer")
def favourite_listing(listing_id: str) -> ResponseReturnValue:
    return _favourite("listings", listing_id, url_for("market.listing", listing_id=listing_id))


@blp.post("/sellers/<seller_id>/favourite")
@auth.signed_in("buyer")
def favourite_seller(seller_id: str) -> ResponseReturnValue:
    return _favourite("sellers", seller_id, url_for("market.seller", seller_id=seller_id))


def _favourite(kind: str, item_id: str, page: str) -> ResponseReturnValue:
    path = api_path(f"/api/v1/favourites/{kind}/{{}}", item_id)
    if request.form.get("action") == "remove":
        market().delete(path, auth.token())
        flash(_("Removed from your favourites."), "success")
    else:
        market().put(path, auth.token())
        flash(_("Added to your favourites."), "success")
    return redirect(back_to(request.form.get("next"), page))
