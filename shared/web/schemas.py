"""Schema building blocks that every service's API uses."""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, validate

from shared.bg.geography import geography
from shared.web.translations import bilingual


class StrictSchema(Schema):
    """Rejects unknown fields, so a typo is an error and never silently dropped."""

    class Meta:
        unknown = RAISE


def text(max_length: int, *, required: bool = False, min_length: int = 1, **kwargs: object) -> fields.String:
    """A bounded string: every string the platform accepts has a maximum length."""
    return fields.String(required=required, validate=validate.Length(min=min_length, max=max_length), **kwargs)


class LocalisedMessageSchema(Schema):
    bg = fields.String()
    en = fields.String()


class ErrorSchema(Schema):
    status = fields.Integer()
    code = fields.String()
    message = fields.Nested(LocalisedMessageSchema)
    fields_ = fields.Dict(
        data_key="fields", keys=fields.String(), values=fields.List(fields.Nested(LocalisedMessageSchema))
    )


class PageQuerySchema(StrictSchema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=10_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


def one_of(codes: list[str], what_bg: str, what_en: str) -> validate.OneOf:
    """A choice from a list, with a message that lists what is allowed, in both languages."""
    listed = ", ".join(codes)
    return validate.OneOf(
        codes, error=bilingual(f"Непознат(а) {what_bg}. Позволени: {listed}.", f"Unknown {what_en}. Allowed: {listed}.")
    )


def district_field(**kwargs: Any) -> fields.String:
    return fields.String(validate=one_of(sorted(geography().districts), "област", "district"), **kwargs)


def region_field(**kwargs: Any) -> fields.String:
    return fields.String(validate=one_of(sorted(geography().regions), "регион", "region"), **kwargs)
