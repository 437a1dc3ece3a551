"""A buyer's purchases: quote requests and the offers they get, orders, favourites, needs, impact report."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.forms import FormState
from services.portal.market_api import SHOWN_REFUSALS, api_path, market, refused
from services.portal.market_forms import (
    ORDER_STATES,
    QUOTE_STATES,
    a_date,
    chosen,
    fail,
    form_state,
    need_payload,
    outcome_payload,
    page_number,
    review_payload,
    today,
)
from services.portal.market_labels import BUYER_KINDS, category_options, context, district_options, options

blp = Blueprint("buyer", __name__, url_prefix="/my/purchases")
blp.context_processor(context)
NEED_FIELDS = (
    "title",
    "description",
    "category",
    "districts",
    "quantity",
    "unit",
    "budget_min_cents",
    "budget_max_cents",
    "deadline",
    "organisation",
    "kind",
)


# ---------------------------------------------------------------------- quotes
@blp.get("/quotes")
@auth.signed_in("buyer")
def quotes() -> ResponseReturnValue:
    state = chosen(request.args, QUOTE_STATES)
    found = market().get("/api/v1/quotes", auth.token(), params={"state": state})
    return render_template("buyer/quotes.html", deals=found["items"], chosen=state)


@blp.get("/quotes/<deal_id>")
@auth.signed_in("buyer")
def quote(deal_id: str) -> ResponseReturnValue:
    return _quote_page(deal_id)


def _quote_page(deal_id: str, state: FormState | None = None, status: int = 200) -> ResponseReturnValue:
    deal = market().get(api_path("/api/v1/quotes/{}", deal_id), auth.token())
    if deal.get("order_number"):  # accepted: it lives on as an order
        return redirect(url_for("buyer.order", deal_id=deal_id))
    return render_template("buyer/quote.html", deal=deal, state=state), status


@blp.post("/quotes/<deal_id>/<any(accept, decline):step>")
@auth.signed_in("buyer")
def quote_step(deal_id: str, step: str) -> ResponseReturnValue:
    """Accept the offer (the quote becomes an order) or decline it (with an optional reason)."""
    state = form_state(request.form)
    body: dict[str, Any] = {} if step == "accept" else {"reason": request.form.get("reason", "").strip()}
    try:
        deal = market().post(api_path(f"/api/v1/quotes/{{}}/{step}", deal_id), auth.token(), json=body)
    except ServiceError as error:
        if error.status not in SHOWN_REFUSALS:
            raise
        if error.fields:
            return _quote_page(deal_id, fail(state, error), 422)
        return refused(error, url_for("buyer.quote", deal_id=deal_id))
    if step == "accept":
        flash(
            _("You accepted the offer: order %(number)s is placed.", number=deal.get("order_number") or ""), "success"
        )
        return redirect(url_for("buyer.order", deal_id=deal_id))
    flash(_("The quote request is declined."), "success")
    return redirect(url_for("buyer.quotes"))


# ---------------------------------------------------------------------- orders
@blp.get("/orders")
@auth.signed_in("buyer")
def orders() -> ResponseReturnValue:
    state = chosen(request.args, ORDER_STATES)
    found = market().get("/api/v1/orders", auth.token(), params={"state": state})
    return render_template("buyer/orders.html", deals=found["items"], chosen=state)


@blp.get("/orders/<deal_id>")
@auth.signed_in("buyer")
def order(deal_id: str) -> ResponseReturnValue:
    return _order_page(deal_id)


def _order_page(
    deal_id: str, state: FormState | None = None, failed: str = "", status: int = 200
) -> ResponseReturnValue:
    deal = market().get(api_path("/api/v1/orders/{}", deal_id), auth.token())
    return render_template("buyer/order.html", deal=deal, state=state, failed=failed), status


@blp.post("/orders/<deal_id>/<any(receive, cancel, dispute):step>")
@auth.signed_in("buyer")
def order_step(deal_id: str, step: str) -> ResponseReturnValue:
    """Confirm receipt, cancel a placed order (optional reason) or dispute it (a reason is required)."""
    state = form_state(request.form)
    body: dict[str, Any] = {}
    if step == "cancel":
        body = {"reason": request.form.get("reason", "").strip()}
    elif step == "dispute":
        body = {"reason": request.form.get("dispute_reason", "").strip()}
    try:
        deal = market().post(api_path(f"/api/v1/orders/{{}}/{step}", deal_id), auth.token(), json=body)
    except ServiceError as error:
        if error.status not in SHOWN_REFUSALS:
            raise
        if not error.fields:
            return refused(error, url_for("buyer.order", deal_id=deal_id))
        fail(state, error, {"reason": "dispute_reason"} if step == "dispute" else None)
        return _order_page(deal_id, state, step, 422)
    number = deal.get("order_number") or ""
    if step == "receive":
        flash(_("You confirmed receipt of order %(number)s. Please rate it below.", number=number), "success")
        return redirect(url_for("buyer.order", deal_id=deal_id, _anchor="review-heading"))
    if step == "cancel":
        flash(_("Order %(number)s is cancelled.", number=number), "success")
    else:
        flash(_("Order %(number)s is disputed. An administrator will decide.", number=number), "success")
    return redirect(url_for("buyer.order", deal_id=deal_id))


@blp.post("/orders/<deal_id>/review")
@auth.signed_in("buyer")
def review(deal_id: str) -> ResponseReturnValue:
    state = form_state(request.form)
    payload = review_payload(request.form, state)
    if state.ok:
        try:
            market().post(api_path("/api/v1/orders/{}/review", deal_id), auth.token(), json=payload)
        except ServiceError as error:
            if error.status not in SHOWN_REFUSALS:
                raise
            if not error.fields:
                return refused(error, url_for("buyer.order", deal_id=deal_id))
            fail(state, error)
        else:
            flash(_("Thank you: your review is published."), "success")
            return redirect(url_for("buyer.order", deal_id=deal_id))
    return _order_page(deal_id, state, "review", 422)


# ---------------------------------------------------------------------- favourites
@blp.get("/favourites")
@auth.signed_in("buyer")
def favourites() -> ResponseReturnValue:
    found = market().get("/api/v1/favourites", auth.token())
    hidden = len(found.get("listing_ids", [])) - len(found.get("listings", []))
    return render_template("buyer/favourites.html", found=found, hidden=max(hidden, 0))


# ---------------------------------------------------------------------- needs
@blp.get("/needs")
@auth.signed_in("buyer")
def needs() -> ResponseReturnValue:
    found = market().get("/api/v1/needs", auth.token(), params={"mine": "true", "page": page_number(request.args)})
    return render_template("buyer/needs.html", found=found)


@blp.route("/needs/new", methods=["GET", "POST"])
@auth.signed_in("buyer")
def new_need() -> ResponseReturnValue:
    if request.method == "GET":
        return _need_form(FormState(values={"districts": []}))
    state = form_state(request.form, "districts")
    payload = need_payload(request.form, state)
    if state.ok:
        try:
            made = market().post("/api/v1/needs", auth.token(), json=payload)
        except ServiceError as error:
            if error.status not in SHOWN_REFUSALS:
                raise
            fail(state, error)
        else:
            flash(_("Your need is sent. The regional centre checks it before sellers see it."), "success")
            return redirect(url_for("buyer.need", need_id=made["id"]))
    return _need_form(state, 422)


def _need_form(state: FormState, status: int = 200) -> ResponseReturnValue:
    return render_template(
        "buyer/need_form.html",
        state=state,
        placed=NEED_FIELDS,
        categories=category_options(),
        districts=district_options(),
        kinds=options(BUYER_KINDS),
    ), status


@blp.get("/needs/<need_id>")
@auth.signed_in("buyer")
def need(need_id: str) -> ResponseReturnValue:
    return _need_page(need_id)


def _need_page(need_id: str, state: FormState | None = None, status: int = 200) -> ResponseReturnValue:
    found = market().get(api_path("/api/v1/needs/{}", need_id), auth.token())
    deadline_passed = date.fromisoformat(found["deadline"]) < today()
    sellers = {i["seller_id"]: i["seller_name"] for i in found.get("interests", [])}
    sellers.update({m["seller_id"]: m["name"] for m in found.get("matches", []) if m["seller_id"] not in sellers})
    return render_template(
        "buyer/need.html",
        need=found,
        state=state,
        asks_outcome=found["status"] == "awaiting_outcome" or (found["status"] == "published" and deadline_passed),
        sellers=sorted(sellers.items(), key=lambda pair: pair[1]),
    ), status


@blp.post("/needs/<need_id>/withdraw")
@auth.signed_in("buyer")
def withdraw_need(need_id: str) -> ResponseReturnValue:
    try:
        market().post(api_path("/api/v1/needs/{}/withdraw", need_id), auth.token())
    except ServiceError as error:
        if error.status not in SHOWN_REFUSALS:
            raise
        return refused(error, url_for("buyer.need", need_id=need_id))
    flash(_("The need is withdrawn."), "success")
    return redirect(url_for("buyer.need", need_id=need_id))


@blp.post("/needs/<need_id>/outcome")
@auth.signed_in("buyer")
def outcome(need_id: str) -> ResponseReturnValue:
    state = form_state(request.form)
    payload = outcome_payload(request.form, state)
    if state.ok:
        try:
            market().post(api_path("/api/v1/needs/{}/outcome", need_id), auth.token(), json=payload)
        except ServiceError as error:
            if error.status not in SHOWN_REFUSALS:
                raise
            if not error.fields:
                return refused(error, url_for("buyer.need", need_id=need_id))
            fail(state, error)
        else:
            flash(_("Thank you: the outcome is recorded and the need is closed."), "success")
            return redirect(url_for("buyer.need", need_id=need_id))
    return _need_page(need_id, state, 422)


# ---------------------------------------------------------------------- impact report
def _period(state: FormState) -> dict[str, str | None]:
    start = a_date(request.args.get("from"), "from", state)
    end = a_date(request.args.get("to"), "to", state)
    return {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None}


@blp.get("/impact")
@auth.signed_in("buyer")
def impact() -> ResponseReturnValue:
    state = form_state(request.args)
    period = _period(state)
    report = None
    if state.ok:
        try:
            report = market().get("/api/v1/impact-report", auth.token(), params=period)
        except ServiceError as error:
            if error.status != 422:
                raise
            fail(state, error)
    if report and not request.args:
        state.values = {"from": report["period"]["from"], "to": report["period"]["to"]}
    return render_template("buyer/impact.html", state=state, report=report, period=period)


@blp.get("/impact.csv")
@auth.signed_in("buyer")
def impact_csv() -> ResponseReturnValue:
    """The report as a spreadsheet, fetched with the buyer's token and handed on as a download."""
    state = FormState()
    period = _period(state)
    if not state.ok:
        return redirect(url_for("buyer.impact", **request.args))
    try:
        sheet = market().download("/api/v1/impact-report.csv", auth.token(), params=period)
    except ServiceError as error:
        if error.status != 422:
            raise
        return redirect(url_for("buyer.impact", **request.args))
    filename = sheet.filename.replace('"', "") or "impact-report.csv"
    mimetype = sheet.content_type.split(";")[0].strip() or "text/csv"
    return Response(
        sheet.content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
