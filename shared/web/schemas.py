"""Schema building blocks that every service's API uses."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from shared.bg.geography import geography
from shared.web.translations import bilingual

MIN_YEAR, MAX_YEAR = 1900, 2200
DATE_MESSAGE = bilingual(
    f"Датата трябва да е между {MIN_YEAR} и {MAX_YEAR} г.",
    f"The date must be between the years {MIN_YEAR} and {MAX_YEAR}.",
)


class PlausibleDate(validate.Validator):
    """A date or time the platform can compute with: periods, deadlines and time zones near year 1 or 9999
    overflow Python's calendar."""

    def __call__(self, value: date) -> date:
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            raise ValidationError(DATE_MESSAGE)
        return value


class StrictSchema(Schema):
    """Rejects unknown fields, so a typo is an error and never silently dropped; every date and time it reads
    is plausible (see PlausibleDate)."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        if isinstance(field_obj, fields.Date | fields.DateTime) and not any(
            isinstance(v, PlausibleDate) for v in field_obj.validators
        ):
            field_obj.validators = [*field_obj.validators, PlausibleDate()]


MULTILINE_FROM = 201
"""Texts allowed this long or longer are free text, where line breaks and tabs belong; shorter ones
(names, titles, units, numbers) are one line."""

BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
"""Embeddings, overrides and isolates: they reorder what people read (a name that shows as something else)."""

LINE_BREAKS = frozenset("\t\n\r")

CONTROL_MESSAGE = bilingual(
    "Съдържа непозволен управляващ знак (напр. NUL или знак за посока на текста).",
    "Contains a control character that is not allowed (e.g. NUL or a text-direction override).",
)
INVISIBLE_MESSAGE = bilingual(
    "Трябва да съдържа поне един видим знак.",
    "Must contain at least one visible character.",
)


class VisibleText(validate.Validator):
    """No control characters (tabs and line breaks only in free text), and something people can see.

    Refused: C0/C1 controls such as NUL, the bidirectional embeddings and overrides (U+202A-U+202E,
    U+2066-U+2069), lone surrogates; and a text made only of spaces, zero-width or other format characters.
    An empty text is left to the length rule (some fields may be empty).
    """

    def __init__(self, *, multiline: bool) -> None:
        self.allowed_controls = LINE_BREAKS if multiline else frozenset()

    def __call__(self, value: str) -> str:
        visible = False
        for char in value:
            category = unicodedata.category(char)
            if (category in ("Cc", "Cs") and char not in self.allowed_controls) or char in BIDI_CONTROLS:
                raise ValidationError(CONTROL_MESSAGE)
            if not visible and category[0] in "LNPS":
                visible = True
        if value and not visible:
            raise ValidationError(INVISIBLE_MESSAGE)
        return value


def text(
    max_length: int, *, required: bool = False, min_length: int = 1, multiline: bool | None = None, **kwargs: object
) -> fields.String:
    """A bounded string people will read: it has a maximum length, no control characters and something visible.

    ``multiline`` (by default: texts of MULTILINE_FROM characters or more) allows tabs and line breaks.
    """
    lines = max_length >= MULTILINE_FROM if multiline is None else multiline
    return fields.String(
        required=required,
        validate=[validate.Length(min=min_length, max=max_length), VisibleText(multiline=lines)],
        **kwargs,
    )


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
