"""Quotes, orders, reviews, favourites and the buyers' impact report."""

from __future__ import annotations

import io
from typing import Any

from flask import Response
from marshmallow import ValidationError, fields, validate, validates_schema

from services.marketplace.domain.deal import STATE_BG, TEXT_LIMIT, Deal, DealState
from services.marketplace.domain.parties import BuyerKind, Supplier
from services.marketplace.domain.seller import MARK
from services.marketplace.entrypoints.api.context import marketplace
from services.marketplace.entrypoints.api.responses import (
    DealListSchema,
    DealSchema,
    FavouritesSchema,
    ImpactReportSchema,
    ReviewListSchema,
)
from services.marketplace.entrypoints.api.schemas import cents
from services.marketplace.entrypoints.api.views import euro, listing_view, seller_view
from services.marketplace.service_layer.deals import (
    NO_SUCH_SELLER,
    ORDER_LIST_STATES,
    QUOTE_STATES,
    is_buyer_of,
    is_seller_of,
)
from shared.auth import Principal
from shared.bg.geography import geography
from shared.clock import SOFIA
from shared.errors import NotFound
from shared.text import spreadsheet
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.schemas import StrictSchema, one_of, text
from shared.web.translations import bilingual

blp = Blueprint("deals", __name__, url_prefix="/api/v1", description="Quotes, orders, reviews and favourites")

MAX_QUANTITY = 1_000_000
LIST_LIMIT = 200


# ---------------------------------------------------------------------- request schemas
def _free_text(**kwargs: Any) -> fields.String:
    return text(TEXT_LIMIT, min_length=0, load_default="", **kwargs)


def _states(states: tuple[DealState, ...]) -> fields.String:
    return fields.String(validate=one_of([s.value for s in states], "състояние", "state"))


class _Starting(StrictSchema):
    """What a buyer sends to start a deal."""

    listing_id = text(64, required=True)
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_QUANTITY))
    message = _free_text()
    organisation = text(200, min_length=0, load_default="")
    buyer_kind = fields.String(validate=one_of([k.value for k in BuyerKind], "вид купувач", "buyer kind"))


class QuoteRequestSchema(_Starting):
    needed_by = fields.Date(allow_none=True, load_default=None)


class OrderRequestSchema(_Starting):
    pass


class OfferSchema(StrictSchema):
    unit_price_cents = cents(required=True)
    valid_until = fields.Date(required=True)
    terms = _free_text()


class ReasonSchema(StrictSchema):
    reason = _free_text()


class DisputeSchema(StrictSchema):
    reason = text(TEXT_LIMIT, required=True)


class NoteSchema(StrictSchema):
    note = _free_text()


class ResolveSchema(StrictSchema):
    resolution = fields.String(
        required=True, validate=one_of([DealState.RECEIVED.value, DealState.CANCELLED.value], "решение", "resolution")
    )
    note = _free_text()


class ReviewSchema(StrictSchema):
    rating = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=5))
    text = _free_text()


class EmptySchema(StrictSchema):
    """No fields: anything sent is a mistake worth naming."""


class QuoteListQuerySchema(StrictSchema):
    state = _states(QUOTE_STATES)
    limit = fields.Integer(validate=validate.Range(min=1, max=LIST_LIMIT), load_default=100)


class OrderListQuerySchema(StrictSchema):
    state = _states(ORDER_LIST_STATES)
    limit = fields.Integer(validate=validate.Range(min=1, max=LIST_LIMIT), load_default=100)


class ReviewQuerySchema(StrictSchema):
    limit = fields.Integer(validate=validate.Range(min=1, max=LIST_LIMIT), load_default=50)


class ImpactQuerySchema(StrictSchema):
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")
    buyer_id = text(64)
    """Only for admins: whose report."""

    @validates_schema
    def period(self, data: dict[str, Any], **_: Any) -> None:
        start, end = data.get("date_from"), data.get("date_to")
        if start is not None and end is not None and start > end:
            raise ValidationError(bilingual("Краят е преди началото.", "The end is before the start."), "to")


# ---------------------------------------------------------------------- views
def _named(code: str, names: dict[str, Any]) -> dict[str, Any]:
    found = names.get(code)
    return {"code": code, "name": {"bg": found.name_bg, "en": found.name_en} if found else None}


def supplier_view(supplier: Supplier) -> dict[str, Any]:
    places = geography()
    return {
        "id": supplier.id,
        "name": supplier.name,
        "mark": MARK,
        "enterprise_class": supplier.enterprise_class,
        "district": _named(supplier.district, places.districts),
        "region": _named(supplier.region, places.regions),
    }


def deal_view(deal: Deal, principal: Principal) -> dict[str, Any]:
    """A deal as its parties see it; the buyer's e-mail only for the buyer and the seller."""
    buyer = {"id": deal.buyer.id, "name": deal.buyer.name, "organisation": deal.buyer.organisation or None}
    buyer["kind"] = deal.buyer.kind.value
    if is_buyer_of(principal, deal) or is_seller_of(principal, deal):
        buyer["email"] = deal.buyer.email
    offer = None
    if deal.offer is not None:
        total = deal.offer.unit_price_cents * deal.quantity
        offer = {
            "unit_price_cents": deal.offer.unit_price_cents,
            "unit_price_display": euro(deal.offer.unit_price_cents),
            "total_cents": total,
            "display": euro(total),
            "valid_until": deal.offer.valid_until,
            "terms": deal.offer.terms,
            "offered_at": deal.offer.offered_at,
        }
    review = None
    if deal.review is not None:
        review = {"rating": deal.review.rating, "text": deal.review.text, "posted_at": deal.review.posted_at}
    return {
        "id": deal.id,
        "state": deal.state.value,
        "state_bg": STATE_BG[deal.state],
        "listing": {"id": deal.listing_id, "title": deal.listing_title},
        "supplier": supplier_view(deal.supplier),
        "buyer": buyer,
        "quantity": deal.quantity,
        "unit": deal.unit,
        "needed_by": deal.needed_by,
        "message": deal.message,
        "offer": offer,
        "order_number": deal.order_number,
        "placed_at": deal.placed_at,
        "placed_via": deal.placed_via.value if deal.placed_via else None,
        "declined_by": deal.declined_by.value if deal.declined_by else None,
        "cancelled_by": deal.cancelled_by.value if deal.cancelled_by else None,
        "reason": deal.reason or None,
        "timeline": [
            {"at": step.at, "state": step.state.value, "state_bg": STATE_BG[step.state], "note": step.note}
            for step in deal.timeline
        ],
        "review": review,
        "seller_in_good_standing": deal.seller_in_good_standing,
        "expires_at": deal.expires_at,
        "created_at": deal.created_at,
        "version": deal.version,
    }


def review_view(deal: Deal) -> dict[str, Any]:
    """A public review: the rating, the text, the day and the buyer's first name, nothing else about them."""
    posted = deal.review
    if posted is None:
        raise ValueError("only a reviewed deal has a review to show")
    first_name = (deal.buyer.name.split() or [""])[0]
    return {
        "rating": posted.rating,
        "text": posted.text,
        "date": posted.posted_at.astimezone(SOFIA).date(),
        "buyer": first_name or None,
        "listing": {"id": deal.listing_id, "title": deal.listing_title},
    }


def _figures(figures: dict[str, int]) -> dict[str, Any]:
    return {**figures, "display": euro(figures["cents"])}


def impact_view(report: dict[str, Any]) -> dict[str, Any]:
    regions = geography().regions
    return {
        "buyer_id": report["buyer_id"],
        "period": {"from": report["from"], "to": report["to"]},
        "currency": "EUR",
        "total": _figures(report["total"]),
        "by_class": {c: _figures(figures) for c, figures in report["by_class"].items()},
        "by_region": [{**_named(code, regions), **_figures(figures)} for code, figures in report["by_region"].items()],
    }


CSV_COLUMNS = (
    "Група",
    "Наименование",
    "Сума (EUR)",
    "Сума (евроцента)",
    "Поръчки",
    "Предприятия",
    "Работни места за уязвими групи",
    "Общо персонал",
)


def _amount(cents_: int) -> str:
    """Euro for a Bulgarian spreadsheet: a decimal comma, no thousands separator."""
    whole, rest = divmod(cents_, 100)
    return f"{whole},{rest:02d}"


def impact_csv(report: dict[str, Any]) -> str:
    regions = geography().regions
    rows: list[tuple[str, str, dict[str, int]]] = [
        ("Общо", f"{report['from'].isoformat()} – {report['to'].isoformat()}", report["total"])
    ]
    rows += [("Клас", c, figures) for c, figures in report["by_class"].items()]
    for code, figures in report["by_region"].items():
        rows.append(("Регион", regions[code].name_bg if code in regions else code, figures))
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = spreadsheet.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for group, name, f in rows:
        writer.writerow(
            [
                group,
                name,
                _amount(f["cents"]),
                f["cents"],
                f["orders"],
                f["enterprises"],
                f["vulnerable_staff_total"],
                f["staff_count"],
            ]
        )
    return buffer.getvalue()


def _shown(deal: Deal) -> dict[str, Any]:
    return deal_view(deal, current_principal())


# ---------------------------------------------------------------------- quotes
@blp.post("/quotes")
@blp.alt_response(404, response="NOT_FOUND")  # no such listing
@blp.arguments(QuoteRequestSchema)
@blp.response(201)
@documented(DealSchema, 201)
def request_quote(data: dict[str, Any]) -> dict[str, Any]:
    """Ask the seller of a published listing for a price (at least the listing's minimum quantity)."""
    return _shown(marketplace().deals.request_quote(current_principal(), **data))


@blp.get("/quotes")
@blp.arguments(QuoteListQuerySchema, location="query")
@blp.response(200)
@documented(DealListSchema)
def quotes(query: dict[str, Any]) -> dict[str, Any]:
    """My quotes, newest first: a buyer's own requests, or those addressed to a representative's enterprise."""
    state = DealState(query["state"]) if query.get("state") else None
    found = marketplace().deals.mine(current_principal(), QUOTE_STATES, state, query["limit"])
    return {"items": [_shown(deal) for deal in found]}


@blp.get("/quotes/<deal_id>")
@blp.response(200)
@documented(DealSchema)
def quote(deal_id: str) -> dict[str, Any]:
    """A quote (or the order it became), for its buyer and the seller."""
    return _shown(marketplace().deals.view(current_principal(), deal_id))


@blp.post("/quotes/<deal_id>/offer")
@blp.arguments(OfferSchema)
@blp.response(200)
@documented(DealSchema)
def offer(data: dict[str, Any], deal_id: str) -> dict[str, Any]:
    """The seller's price, valid until a Sofia date; a new offer replaces the previous one."""
    return _shown(marketplace().deals.make_offer(current_principal(), deal_id, **data))


@blp.post("/quotes/<deal_id>/decline")
@blp.arguments(ReasonSchema)
@blp.response(200)
@documented(DealSchema)
def decline(data: dict[str, Any], deal_id: str) -> dict[str, Any]:
    """The buyer withdraws the request, or the seller declines it (decided by who asks)."""
    return _shown(marketplace().deals.decline(current_principal(), deal_id, **data))


@blp.post("/quotes/<deal_id>/accept")
@blp.arguments(EmptySchema)
@blp.response(200)
@documented(DealSchema)
def accept(_: dict[str, Any], deal_id: str) -> dict[str, Any]:
    """The buyer accepts the offer: the quote becomes an order with its number."""
    return _shown(marketplace().deals.accept(current_principal(), deal_id))


# ---------------------------------------------------------------------- orders
@blp.post("/orders")
@blp.alt_response(404, response="NOT_FOUND")  # no such listing
@blp.arguments(OrderRequestSchema)
@blp.response(201)
@documented(DealSchema, 201)
def order(data: dict[str, Any]) -> dict[str, Any]:
    """Order straight away at the listing's price (a listing priced on request needs a quote)."""
    return _shown(marketplace().deals.order(current_principal(), **data))


@blp.get("/orders")
@blp.arguments(OrderListQuerySchema, location="query")
@blp.response(200)
@documented(DealListSchema)
def orders(query: dict[str, Any]) -> dict[str, Any]:
    """My orders, newest first (admins see all, e.g. ``?state=disputed``)."""
    state = DealState(query["state"]) if query.get("state") else None
    found = marketplace().deals.mine(current_principal(), ORDER_LIST_STATES, state, query["limit"])
    return {"items": [_shown(deal) for deal in found]}


@blp.get("/orders/<deal_id>")
@blp.response(200)
@documented(DealSchema)
def show_order(deal_id: str) -> dict[str, Any]:
    return _shown(marketplace().deals.view_order(current_principal(), deal_id))


@blp.post("/orders/<deal_id>/fulfil")
@blp.arguments(NoteSchema)
@blp.response(200)
@documented(DealSchema)
def fulfil(data: dict[str, Any], deal_id: str) -> dict[str, Any]:
    """The seller has delivered the goods or done the work."""
    return _shown(marketplace().deals.fulfil(current_principal(), deal_id, **data))


@blp.post("/orders/<deal_id>/receive")
@blp.arguments(EmptySchema)
@blp.response(200)
@documented(DealSchema)
def receive(_: dict[str, Any], deal_id: str) -> dict[str, Any]:
    """The buyer confirms receipt: the order now counts in their impact report."""
    return _shown(marketplace().deals.confirm_receipt(current_principal(), deal_id))


@blp.post("/orders/<deal_id>/dispute")
@blp.arguments(DisputeSchema)
@blp.response(200)
@documented(DealSchema)
def dispute(data: dict[str, Any], deal_id: str) -> dict[str, Any]:
    """Either party disputes a placed or fulfilled order; an administrator decides."""
    return _shown(marketplace().deals.dispute(current_principal(), deal_id, **data))


@blp.post("/orders/<deal_id>/resolve")
@blp.arguments(ResolveSchema)
@blp.response(200)
@documented(DealSchema)
def resolve(data: dict[str, Any], deal_id: str) -> dict[str, Any]:
    """An administrator's decision on a dispute: ``received`` or ``cancelled``."""
    return _shown(marketplace().deals.resolve_dispute(current_principal(), deal_id, **data))


@blp.post("/orders/<deal_id>/cancel")
@blp.arguments(ReasonSchema)
@blp.response(200)
@documented(DealSchema)
def cancel(data: dict[str, Any], deal_id: str) -> dict[str, Any]:
    """The buyer or the seller calls off a placed order (decided by who asks)."""
    return _shown(marketplace().deals.cancel(current_principal(), deal_id, **data))


@blp.post("/orders/<deal_id>/review")
@blp.arguments(ReviewSchema)
@blp.response(200)
@documented(DealSchema)
def review(data: dict[str, Any], deal_id: str) -> dict[str, Any]:
    """The buyer's one review (1 to 5) of a received order."""
    return _shown(marketplace().deals.review(current_principal(), deal_id, **data))


# ---------------------------------------------------------------------- public reviews
@blp.get("/listings/<listing_id>/reviews")
@blp.arguments(ReviewQuerySchema, location="query")
@blp.response(200)
@documented(ReviewListSchema)
def listing_reviews(query: dict[str, Any], listing_id: str) -> dict[str, Any]:
    """Reviews of a published listing, newest first, with its average rating."""
    ctx = marketplace()
    listing = ctx.listings.view(current_principal(), listing_id)
    found = ctx.deals.reviews(listing_id=listing.id, limit=query["limit"])
    return {"rating": ctx.ratings.of("listing", listing.id), "items": [review_view(d) for d in found]}


@blp.get("/sellers/<seller_id>/reviews")
@blp.arguments(ReviewQuerySchema, location="query")
@blp.response(200)
@documented(ReviewListSchema)
def seller_reviews(query: dict[str, Any], seller_id: str) -> dict[str, Any]:
    """Reviews of all of an enterprise's listings, newest first, with its average rating."""
    ctx = marketplace()
    if ctx.sellers.get(seller_id) is None:
        raise NotFound(NO_SUCH_SELLER)
    found = ctx.deals.reviews(seller_id=seller_id, limit=query["limit"])
    return {"rating": ctx.ratings.of("seller", seller_id), "items": [review_view(d) for d in found]}


# ---------------------------------------------------------------------- favourites
def _favourites() -> dict[str, Any]:
    ctx = marketplace()
    listings, sellers, listing_ids, seller_ids = ctx.favourites.of(current_principal())
    return {
        "listing_ids": listing_ids,
        "seller_ids": seller_ids,
        "listings": [listing_view(listing, ctx.ratings.of("listing", listing.id)) for listing in listings],
        "sellers": [seller_view(seller, ctx.ratings.of("seller", seller.enterprise_id)) for seller in sellers],
    }


@blp.get("/favourites")
@blp.response(200)
@documented(FavouritesSchema)
def favourites() -> dict[str, Any]:
    """My favourite listings (those still published) and sellers, with every id kept."""
    return _favourites()


@blp.put("/favourites/listings/<listing_id>")
@blp.response(200)
@documented(FavouritesSchema)
def add_favourite_listing(listing_id: str) -> dict[str, Any]:
    marketplace().favourites.add_listing(current_principal(), listing_id)
    return _favourites()


@blp.delete("/favourites/listings/<listing_id>")
@blp.response(200)
@documented(FavouritesSchema)
def remove_favourite_listing(listing_id: str) -> dict[str, Any]:
    marketplace().favourites.remove_listing(current_principal(), listing_id)
    return _favourites()


@blp.put("/favourites/sellers/<seller_id>")
@blp.response(200)
@documented(FavouritesSchema)
def add_favourite_seller(seller_id: str) -> dict[str, Any]:
    marketplace().favourites.add_seller(current_principal(), seller_id)
    return _favourites()


@blp.delete("/favourites/sellers/<seller_id>")
@blp.response(200)
@documented(FavouritesSchema)
def remove_favourite_seller(seller_id: str) -> dict[str, Any]:
    marketplace().favourites.remove_seller(current_principal(), seller_id)
    return _favourites()


# ---------------------------------------------------------------------- impact report
def _report(query: dict[str, Any]) -> dict[str, Any]:
    return marketplace().deals.impact_report(
        current_principal(), query.get("buyer_id"), query.get("date_from"), query.get("date_to")
    )


@blp.get("/impact-report")
@blp.arguments(ImpactQuerySchema, location="query")
@blp.response(200)
@documented(ImpactReportSchema)
def impact_report(query: dict[str, Any]) -> dict[str, Any]:
    """What my purchases from social enterprises did in a period (received orders placed then; Sofia dates,
    both included; from 1 January of the year of ``to``, which defaults to today): spending in total, by class
    and by region, and the jobs for people of vulnerable groups at the enterprises bought from."""
    return impact_view(_report(query))


@blp.get("/impact-report.csv")
@blp.arguments(ImpactQuerySchema, location="query")
@blp.doc(responses={"200": {"description": "OK", "content": {"text/csv": {"schema": {"type": "string"}}}}})
def impact_report_csv(query: dict[str, Any]) -> Response:
    """The same report as CSV for Bulgarian spreadsheets (UTF-8 with BOM, ``;`` between fields)."""
    report = _report(query)
    name = f"impact-report-{report['from'].isoformat()}-{report['to'].isoformat()}.csv"
    return Response(
        impact_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
