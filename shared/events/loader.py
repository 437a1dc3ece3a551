"""Loading an event with its marshmallow schema, without marshmallow's per-field machinery.

A consumer loads every event it reads twice, the envelope and then the payload, and ``Schema.load``'s
machinery around each field (error store, getter closures, hook lookups) took most of a consumer's CPU.
A ``SchemaLoader`` walks the schema's fields once into plain checks for the field types events use, which
run the field's own validators; a value they accept loads to exactly what ``Schema.load`` returns. Any
other case (a value the checks doubt, a field or schema feature they do not know) is loaded by
``Schema.load`` itself, so what is refused, and the message that says why, stay marshmallow's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields
from marshmallow.decorators import POST_LOAD, PRE_LOAD, VALIDATES, VALIDATES_SCHEMA
from marshmallow.utils import missing

LOAD_HOOKS = (PRE_LOAD, POST_LOAD, VALIDATES, VALIDATES_SCHEMA)

Convert = Callable[[Any], Any]
LoadValue = Callable[[Any, Any], Any]
"""Loads a present value (given the object it was read from), or raises ``_Unsure`` or ``ValidationError``."""


class _Unsure(Exception):
    """The quick checks cannot vouch for a value: ``Schema.load`` decides."""


class SchemaLoader:
    """``schema.load(data)``, quicker for the schemas and values events have."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self._quick = quick_load(schema)

    def load(self, data: Any) -> Any:
        if self._quick is not None:
            try:
                return self._quick(data)
            except (_Unsure, ValidationError):
                pass
        return self.schema.load(data)


def quick_load(schema: Schema, unknown: str | None = None) -> Convert | None:
    """The quick checks for ``schema`` (None if it uses what they do not know); ``unknown`` overrides its own."""
    if schema.many or schema.partial or schema.dict_class is not dict or any(schema._hooks[h] for h in LOAD_HOOKS):
        return None
    policy = unknown or schema.unknown
    steps = []
    for name, field in schema.load_fields.items():
        target = field.attribute or name
        if "." in target:  # marshmallow would build nested dicts
            return None
        key = field.data_key if field.data_key is not None else name
        steps.append((key, target, field, _value_loader(field, key)))
    known = frozenset(key for key, *_ in steps)

    def load(data: Any) -> dict[str, Any]:
        if type(data) is not dict:
            raise _Unsure
        result, present = {}, 0
        for key, target, field, load_value in steps:
            value = data.get(key, missing)
            if value is missing:
                if field.required:
                    raise _Unsure
                default = field.load_default
                value = default() if callable(default) else default
                if value is not missing:
                    result[target] = value
            else:
                result[target] = load_value(value, data)
                present += 1
        if policy != EXCLUDE and len(data) > present:
            for key in data:
                if key not in known:
                    if policy == RAISE:
                        raise _Unsure
                    result[key] = data[key]
        return result

    return load


def _value_loader(field: fields.Field, attr: str | None) -> LoadValue:
    convert = None if field.pre_load or field.post_load else _converter(field)
    if convert is None:

        def load_by_field(value: Any, data: Any) -> Any:
            return field.deserialize(value, attr, data)

        return load_by_field
    validators = tuple(field.validators)
    allow_none = field.allow_none

    def load(value: Any, data: Any) -> Any:
        if value is None:
            if allow_none:
                return None
            raise _Unsure
        loaded = convert(value)
        for validator in validators:
            validator(loaded)
        return loaded

    return load


def _exactly(kind: type) -> Convert:
    def convert(value: Any) -> Any:
        if type(value) is not kind:
            raise _Unsure
        return value

    return convert


def _converter(field: fields.Field) -> Convert | None:
    """What ``field._deserialize`` does to the values JSON gives it, where that is simple."""
    kind = type(field)
    if kind in (fields.String, fields.Email):
        return _exactly(str)
    if kind is fields.Integer:
        return _exactly(int)
    if kind is fields.Boolean:
        truthy, falsy = field.truthy, field.falsy
        keeps_bools = not truthy or (True in truthy and False not in truthy and False in falsy)
        return _exactly(bool) if keeps_bools else None
    if kind is fields.Raw:
        return lambda value: value
    if kind is fields.List:
        return _list_converter(field)
    if kind is fields.Dict:
        return _dict_converter(field)
    if kind is fields.Nested and not field.many:
        return quick_load(field.schema, field.unknown)
    if kind is fields.UUID:
        return _parsed_text(uuid.UUID)
    if kind in (fields.Date, fields.DateTime, fields.AwareDateTime):
        return _iso_converter(field)
    return None


def _parsed_text(parse: Callable[[str], Any]) -> Convert:
    def convert(value: Any) -> Any:
        if type(value) is not str:
            raise _Unsure
        try:
            return parse(value)
        except ValueError:
            raise _Unsure from None

    return convert


def _iso_converter(field: fields.DateTime | fields.Date) -> Convert | None:
    """Dates and moments in ISO 8601, which marshmallow reads with ``fromisoformat``; an aware moment's
    zone checked as ``AwareDateTime`` checks it."""
    parse = field.DESERIALIZATION_FUNCS.get(field.format)  # the format is final once the field is bound
    if parse not in (dt.date.fromisoformat, dt.datetime.fromisoformat):
        return None
    parsed = _parsed_text(parse)
    if type(field) is not fields.AwareDateTime:
        return parsed
    zone = field.default_timezone

    def convert(value: Any) -> dt.datetime:
        moment = parsed(value)
        if moment.tzinfo is None or moment.tzinfo.utcoffset(moment) is None:
            if zone is None:
                raise _Unsure
            return moment.replace(tzinfo=zone)
        return moment

    return convert


def _list_converter(field: fields.List) -> Convert:
    load_item = _value_loader(field.inner, None)

    def convert(value: Any) -> list[Any]:
        if type(value) is not list:
            raise _Unsure
        return [load_item(item, None) for item in value]

    return convert


def _dict_converter(field: fields.Dict) -> Convert | None:
    keys, values = field.key_field, field.value_field
    if keys is not None and (type(keys) is not fields.String or keys.validators or keys.pre_load or keys.post_load):
        return None
    load_value = None if values is None else _value_loader(values, None)

    def convert(value: Any) -> dict[Any, Any]:
        if type(value) is not dict or (keys is not None and not all(type(key) is str for key in value)):
            raise _Unsure
        if load_value is None:
            return dict(value)
        return {key: load_value(item, None) for key, item in value.items()}

    return convert
