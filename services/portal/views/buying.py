"""A buyer's purchases: quote requests and the offers they get, orders, favourites, needs, impact report."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from services.portal import auth
from services.portal.clients import ServiceError
from services.portal.forms import FormState
from services.portal.market_api import api_path, ask, market, press, send, told
from services.portal.market_deals import deal_list, deal_page, deal_step, fetch, order_page, take_order_step
from services.portal.market_forms import (
    a_date,
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
    return deal_list("buyer", "quotes")


@blp.get("/quotes/<deal_id>")
@auth.signed_in("buyer")
def quote(deal_id: str) -> ResponseReturnValue:
    return _quote_page(deal_id)


def _quote_page(
    deal_id: str, state: FormState | None = None, failed: str = "", status: int = 200
) -> ResponseReturnValue:
    deal = fetch("quotes", deal_id)
    if deal.get("order_number"):  # accepted: it lives on as an order
        return redirect(url_for("buyer.order", deal_id=deal_id))
    return deal_page("buyer", "quotes", deal, state, failed, status)


@blp.post("/quotes/<deal_id>/<any(accept, decline):step>")
@auth.signed_in("buyer")
def quote_step(deal_id: str, step: str) -> ResponseReturnValue:
    """Accept the offer (the quote becomes an order) or decline it (with an optional reason)."""
    body: dict[str, Any] = {} if step == "accept" else {"reason": request.form.get("reason", "").strip()}

    def done(deal: dict[str, Any]) -> ResponseReturnValue:
        if step == "accept":
            number = deal.get("order_number") or ""
            return told(
                _("You accepted the offer: order %(number)s is placed.", number=number),
                url_for("buyer.order", deal_id=deal_id),
            )
        return told(_("The quote request is declined."), url_for("buyer.quotes"))

    return deal_step("buyer", "quotes", deal_id, step, body, form_state(request.form), page=_quote_page, done=done)


# ---------------------------------------------------------------------- orders
@blp.get("/orders")
@auth.signed_in("buyer")
def orders() -> ResponseReturnValue:
    return deal_list("buyer", "orders")


@blp.get("/orders/<deal_id>")
@auth.signed_in("buyer")
def order(deal_id: str) -> ResponseReturnValue:
    return order_page("buyer", deal_id)


@blp.post("/orders/<deal_id>/<any(receive, cancel, dispute):step>")
@auth.signed_in("buyer")
def order_step(deal_id: str, step: str) -> ResponseReturnValue:
    """Confirm receipt (then rate it), cancel a placed order (optional reason) or dispute it (a reason is required)."""
    anchor = "review-heading" if step == "receive" else None
    return take_order_step("buyer", deal_id, step, url_for("buyer.order", deal_id=deal_id, _anchor=anchor))


@blp.post("/orders/<deal_id>/review")
@auth.signed_in("buyer")
def review(deal_id: str) -> ResponseReturnValue:
    state = form_state(request.form)
    payload = review_payload(request.form, state)
    return deal_step(
        "buyer",
        "orders",
        deal_id,
        "review",
        payload,
        state,
        page=partial(order_page, "buyer"),
        done=lambda _deal: told(_("Thank you: your review is published."), url_for("buyer.order", deal_id=deal_id)),
    )


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
    return send(
        "/api/v1/needs",
        payload,
        state,
        again=lambda failed: _need_form(failed, 422),
        done=lambda made: told(
            _("Your need is sent. The regional centre checks it before sellers see it."),
            url_for("buyer.need", need_id=made["id"]),
        ),
    )


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
    page = url_for("buyer.need", need_id=need_id)
    return press(
        api_path("/api/v1/needs/{}/withdraw", need_id),
        back=page,
        done=lambda _need: told(_("The need is withdrawn."), page),
    )


@blp.post("/needs/<need_id>/outcome")
@auth.signed_in("buyer")
def outcome(need_id: str) -> ResponseReturnValue:
    state = form_state(request.form)
    payload = outcome_payload(request.form, state)
    page = url_for("buyer.need", need_id=need_id)
    return send(
        api_path("/api/v1/needs/{}/outcome", need_id),
        payload,
        state,
        back=page,
        again=lambda failed: _need_page(need_id, failed, 422),
        done=lambda _need: told(_("Thank you: the outcome is recorded and the need is closed."), page),
    )


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
    report = ask("/api/v1/impact-report", period, state)
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
