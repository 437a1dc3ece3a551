"""Hostile input is refused with a 4xx naming the problem: JSON nested too deep, lone surrogates, huge numbers,
texts made of control or invisible characters; and the error answer itself survives any odd string."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from marshmallow import ValidationError

from shared.errors import InvalidInput, MalformedRequest
from shared.web.errors import error_response, field_messages
from shared.web.request_input import MAX_JSON_DEPTH, load_json
from shared.web.schemas import StrictSchema, text


def nested(levels: int) -> bytes:
    return b'{"a":' + b"[" * (levels - 1) + b"]" * (levels - 1) + b"}"


def test_json_nested_past_the_limit_is_a_400_not_a_recursion_error() -> None:
    assert load_json(nested(MAX_JSON_DEPTH)) == json.loads(nested(MAX_JSON_DEPTH))
    with pytest.raises(MalformedRequest) as deeper:
        load_json(nested(MAX_JSON_DEPTH + 1))
    assert f"deeper than {MAX_JSON_DEPTH} levels" in deeper.value.message.en
    with pytest.raises(MalformedRequest) as far_deeper:  # past Python's own recursion limit
        load_json(b"[" * 100_000 + b"]" * 100_000)
    assert far_deeper.value.status == 400 and "nests deeper" in far_deeper.value.message.en


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"details": {"name": "\\ud800"}}', "details.name"),
        (b'{"tags": ["ok", "x\\udfff"]}', "tags.1"),
        (b'{"details": {"\\ud800": 1}}', "details.\\ud800"),
    ],
)
def test_a_lone_surrogate_is_a_422_naming_where_it_is(body: bytes, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        load_json(body)
    assert list(refused.value.fields) == [field]
    assert "lone surrogate" in refused.value.fields[field].en
    assert load_json(b'{"name": "\\ud83d\\ude00"}') == {"name": "😀"}, "a surrogate pair is a character"


def test_numbers_that_cannot_be_stored_are_refused() -> None:
    with pytest.raises(InvalidInput) as too_large:
        load_json(b'{"price_cents": 123456789012345678901234567890}')
    assert list(too_large.value.fields) == ["price_cents"]
    with pytest.raises(InvalidInput):
        load_json(b'{"score": 1e400}')
    for body in (b'{"a": NaN}', b'{"a": -Infinity}', b'{"a": ' + b"1" * 5000 + b"}"):
        with pytest.raises(MalformedRequest):
            load_json(body)


def test_bytes_that_are_not_utf8_or_not_json_are_a_400() -> None:
    for body in (b'{"a": "\xff"}', b"{not json", b"   "):
        with pytest.raises(MalformedRequest):
            load_json(body)


class NameSchema(StrictSchema):
    name = text(200, required=True)
    description = text(5000, min_length=0, load_default="")


@pytest.mark.parametrize(
    "name",
    ["\x00", "Пекарна\x00", "\u202eанрекеп", "Пекарна \u2066x\u2069", "\u200b", " \u200b\u200d\ufeff ", "\t", "a\nb"],
)
def test_names_of_control_or_only_invisible_characters_are_refused(name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        NameSchema().load({"name": name})
    assert list(refused.value.messages) == ["name"]
    message = refused.value.messages["name"][0]
    assert message in (
        "Contains a control character that is not allowed (e.g. NUL or a text-direction override).",
        "Must contain at least one visible character.",
    )
    bulgarian = field_messages({"json": refused.value.messages})["name"][0]["bg"]
    assert bulgarian != message and bulgarian.startswith(("Съдържа", "Трябва"))


@pytest.mark.parametrize("name", ["Социална пекарна „Добро утро“", "O'Brien & Co", "семейство 👩‍👩‍👧", "Café ٣"])
def test_real_names_pass(name: str) -> None:
    assert NameSchema().load({"name": name})["name"] == name


def test_free_text_may_hold_line_breaks_and_be_empty() -> None:
    assert NameSchema().load({"name": "x", "description": "Ред 1\r\nРед 2\tи таб"})["description"]
    assert NameSchema().load({"name": "x", "description": ""})["description"] == ""
    with pytest.raises(ValidationError):
        NameSchema().load({"name": "x", "description": "Ред\x00"})


def test_an_error_answer_survives_lone_surrogates_in_field_names_and_messages() -> None:
    app = Flask("test")
    with app.app_context():
        response = error_response(422, "validation_failed", None, {"\ud800": [{"bg": "\udfff", "en": "x"}]})
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"\\ud800": [{"bg": "\\udfff", "en": "x"}]}
