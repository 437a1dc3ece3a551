"""Request schemas of the marketplace's HTTP API (listings and search)."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from services.marketplace.domain.categories import categories
from services.marketplace.domain.listing import ListingContent, ListingKind, Price
from services.marketplace.domain.search import SearchRequest, Sort, region_districts
from shared.web.schemas import StrictSchema, district_field, one_of, region_field, text
from shared.web.translations import bilingual

MAX_CENTS = 10**11  # a billion euro per unit: far above any real price
PRICE_OR_REQUEST = bilingual(
    "Посочете цена в евроцентове или „цена при запитване“ (price_on_request), не и двете.",
    "Give a price in euro cents or price_on_request, not both.",
)


def cents(**kwargs: Any) -> fields.Integer:
    """Money in euro cents: a whole, non-negative number."""
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_CENTS), **kwargs)


def category_field(**kwargs: Any) -> fields.String:
    return fields.String(validate=one_of(sorted(categories()), "категория", "category"), **kwargs)


_URL = validate.URL(schemes={"https", "http"}, require_tld=True)


class ListingFieldsSchema(StrictSchema):
    """Every field of a listing's content; creating needs the required ones, editing may send any."""

    kind = fields.String(validate=one_of([k.value for k in ListingKind], "вид", "kind"), load_default="product")
    title_bg = text(140, required=True)
    title_en = text(140, min_length=0, load_default="")
    description_bg = text(5000, required=True)
    description_en = text(5000, min_length=0, load_default="")
    category = category_field(required=True)
    price_cents = cents(allow_none=True, load_default=None)
    price_on_request = fields.Boolean(load_default=False)
    unit = text(30, required=True)
    minimum_quantity = fields.Integer(strict=True, validate=validate.Range(min=1, max=1_000_000), load_default=1)
    districts_served = fields.List(district_field(), validate=validate.Length(min=1, max=28), required=True)
    image_urls = fields.List(fields.String(validate=[validate.Length(max=500), _URL]), validate=validate.Length(max=12))
    tags = fields.List(text(40), validate=validate.Length(max=15), load_default=list)
    available = fields.Boolean(load_default=True)

    @validates_schema
    def price_given_once(self, data: dict[str, Any], partial: bool = False, **_: Any) -> None:
        if partial and "price_cents" not in data and "price_on_request" not in data:
            return
        if (data.get("price_cents") is None) != bool(data.get("price_on_request")):
            raise ValidationError(PRICE_OR_REQUEST, "price_cents")


def content_of(data: dict[str, Any], base: ListingContent | None = None) -> ListingContent:
    """A listing's content from validated fields (an edit keeps what it does not name)."""
    merged: dict[str, Any] = {}
    if base is not None:
        merged = {
            "kind": base.kind.value,
            "title_bg": base.title_bg,
            "title_en": base.title_en,
            "description_bg": base.description_bg,
            "description_en": base.description_en,
            "category": base.category,
            "price_cents": base.price.cents,
            "price_on_request": base.price.on_request,
            "unit": base.price.unit,
            "minimum_quantity": base.price.minimum_quantity,
            "districts_served": list(base.districts_served),
            "image_urls": list(base.image_urls),
            "tags": list(base.tags),
            "available": base.available,
        }
    merged.update(data)
    if data.get("price_on_request"):
        merged["price_cents"] = None
    return ListingContent(
        kind=ListingKind(merged["kind"]),
        title_bg=merged["title_bg"].strip(),
        title_en=merged.get("title_en", "").strip(),
        description_bg=merged["description_bg"].strip(),
        description_en=merged.get("description_en", "").strip(),
        category=merged["category"],
        price=Price(merged.get("price_cents"), merged["unit"].strip(), merged.get("minimum_quantity", 1)),
        districts_served=tuple(dict.fromkeys(merged["districts_served"])),
        image_urls=tuple(merged.get("image_urls") or ()),
        tags=tuple(dict.fromkeys(t.strip() for t in merged.get("tags") or ())),
        available=merged.get("available", True),
    )


class NewListingSchema(ListingFieldsSchema):
    seller_id = text(64)
    """Only for admins acting for an enterprise; a representative's own enterprise is taken from their account."""


class SearchQuerySchema(StrictSchema):
    q = text(200, min_length=0, load_default="")
    category = category_field()
    district = fields.List(district_field(), load_default=list)
    region = region_field()
    enterprise_class = fields.List(fields.String(validate=one_of(["A", "A+"], "клас", "class")), load_default=list)
    price_min_cents = fields.Integer(validate=validate.Range(min=0, max=MAX_CENTS))
    price_max_cents = fields.Integer(validate=validate.Range(min=0, max=MAX_CENTS))
    vulnerable_min_percent = fields.Integer(strict=False, validate=validate.Range(min=0, max=100))
    sort = fields.String(validate=one_of([s.value for s in Sort], "подреждане", "sort"), load_default="relevance")
    limit = fields.Integer(validate=validate.Range(min=1, max=100), load_default=20)
    cursor = text(500)
    page = fields.Integer(
        validate=validate.Range(min=1, max=1000),
        load_default=1,
        metadata={"description": "A numbered page of `limit` results (1 is the first); a cursor wins over it"},
    )

    @validates_schema
    def price_range(self, data: dict[str, Any], **_: Any) -> None:
        low, high = data.get("price_min_cents"), data.get("price_max_cents")
        if low is not None and high is not None and low > high:
            raise ValidationError(
                bilingual("Горната граница е под долната.", "The upper bound is below the lower one."),
                "price_max_cents",
            )

    @post_load
    def make(self, data: dict[str, Any], **_: Any) -> SearchRequest:
        districts = set(data["district"])
        if data.get("region"):
            districts.update(region_districts(data["region"]))
        return SearchRequest(
            text=data["q"],
            category=data.get("category"),
            districts=frozenset(districts),
            classes=frozenset(data["enterprise_class"]),
            price_min_cents=data.get("price_min_cents"),
            price_max_cents=data.get("price_max_cents"),
            vulnerable_min_percent=data.get("vulnerable_min_percent"),
            sort=Sort(data["sort"]),
            limit=data["limit"],
            cursor=data.get("cursor"),
            page=data["page"],
        )
