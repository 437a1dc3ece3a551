"""Events load without marshmallow's per-field machinery, and a consumer accepts and refuses exactly as before.

The property: for any input, ``SchemaLoader.load`` returns what ``Schema.load`` returns, or raises the same
errors. The inputs are the platform's golden examples, changed at random (a value replaced by any JSON
value, a field dropped, one added), for every payload schema a service produces or consumes and for the
envelope; and a schema made for this test with every field kind and option the quick checks treat.
Bounded: ``EVENT_LOADER_EXAMPLES`` (default 150 per test) sets how many inputs each property tries.
"""

from __future__ import annotations

import copy
import datetime as dt
import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import EXCLUDE, INCLUDE, RAISE, Schema, ValidationError, fields, validate, validates

from shared.events import Envelope, EventCatalog
from shared.events.envelope import EnvelopeSchema
from shared.events.loader import SchemaLoader, quick_load

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("EVENT_LOADER_EXAMPLES", "150"))
PROPERTY = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)  # fmt: skip


def _catalogs() -> Iterator[EventCatalog]:
    for path in sorted(ROOT.glob("services/*/events/*.py")):
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        yield from (value for value in vars(module).values() if isinstance(value, EventCatalog))


def _golden() -> dict[tuple[str, int], Envelope]:
    examples = {}
    for catalog in CATALOGS:
        for event_type in catalog:
            try:
                examples[(event_type.name, event_type.version)] = catalog.example(event_type)
            except LookupError:  # a consumer's catalogue: the producer's has the example
                break
    return examples


CATALOGS = list(_catalogs())
GOLDEN = _golden()
CASES = sorted(
    {(t.name, t.version, t.payload_schema) for catalog in CATALOGS for t in catalog if (t.name, t.version) in GOLDEN},
    key=lambda case: (case[0], case[1], case[2].__module__, case[2].__qualname__),
)


def _case_id(case: tuple[str, int, type[Schema]]) -> str:
    return f"{case[0]}.v{case[1]}-{case[2].__module__.split('.')[1]}"


def _outcome(load: Any, data: Any) -> tuple[str, Any]:
    try:
        return "loaded", load(data)
    except ValidationError as error:
        return "refused", error.messages


def _agree(schema: Schema, data: Any) -> None:
    expected = _outcome(schema.load, copy.deepcopy(data))
    assert _outcome(SchemaLoader(schema).load, data) == expected


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=False) | st.text(max_size=12)
    | st.sampled_from(["", "A+", "active", "2026-12-07", "2026-02-30", "2026-12-07T10:00:00Z", "x@example.bg"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield (*prefix, key)
            yield from _paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield (*prefix, index)
            yield from _paths(inner, (*prefix, index))


@st.composite
def changed(draw: st.DrawFn, original: dict[str, Any]) -> Any:
    """The original with one to three changes: a value replaced, a field dropped or a field added."""
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(data))
        if not paths or draw(st.integers(0, 5)) == 0:
            data[draw(st.text(min_size=1, max_size=8))] = draw(json_values)
            continue
        *parent_path, last = draw(st.sampled_from(paths))
        parent = data
        for step in parent_path:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[last]
        else:
            parent[last] = draw(json_values)
    return data


def test_every_service_s_produced_and_consumed_schemas_are_checked() -> None:
    services = {case[2].__module__.split(".")[1] for case in CASES}
    assert services == {"registry", "marketplace", "training", "grants", "events"}
    assert len(CASES) > len(GOLDEN) >= 70  # the consumers' own schemas of events as well as the producers'


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_every_golden_example_loads_on_the_quick_path_to_what_marshmallow_gives(case: Any) -> None:
    name, version, payload_schema = case
    schema, example = payload_schema(), GOLDEN[(name, version)]
    quick = quick_load(schema)
    assert quick is not None, f"{payload_schema.__qualname__} has no quick path"
    assert quick(copy.deepcopy(example.payload)) == schema.load(example.payload)


def test_every_golden_envelope_loads_on_the_quick_path() -> None:
    schema = EnvelopeSchema()
    quick = quick_load(schema)
    assert quick is not None
    for example in GOLDEN.values():
        assert quick(example.to_dict()) == schema.load(example.to_dict())


@PROPERTY
@given(data=st.data())
def test_a_changed_payload_is_loaded_or_refused_exactly_as_marshmallow_does(data: st.DataObject) -> None:
    name, version, payload_schema = data.draw(st.sampled_from(CASES))
    _agree(payload_schema(), data.draw(changed(GOLDEN[(name, version)].payload)))


@PROPERTY
@given(data=st.data())
def test_a_changed_envelope_is_loaded_or_refused_exactly_as_marshmallow_does(data: st.DataObject) -> None:
    example = data.draw(st.sampled_from(sorted(GOLDEN.values(), key=lambda e: e.event_type)))
    _agree(EnvelopeSchema(), data.draw(changed(example.to_dict())))


class _Part(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=validate.Length(min=2, max=4))
    note = fields.String(load_default=None)


class _Everything(Schema):
    """Every field kind and option the quick checks treat, and some they leave to marshmallow."""

    class Meta:
        unknown = INCLUDE

    name = fields.String(required=True, data_key="display_name", validate=validate.OneOf(["a", "b"]))
    count = fields.Integer(strict=True, validate=validate.Range(min=0))
    loose = fields.Integer(attribute="loose_count")
    flag = fields.Boolean()
    yes_no = fields.Boolean(truthy={"yes"}, falsy={"no"})
    email = fields.Email(allow_none=True)
    tags = fields.List(fields.String(validate=validate.Length(max=3)), load_default=list)
    parts = fields.List(fields.Nested(_Part))
    part = fields.Nested(_Part, unknown=EXCLUDE)
    extra = fields.Dict()
    texts = fields.Dict(keys=fields.String())
    amounts = fields.Dict(keys=fields.String(), values=fields.Integer())
    anything = fields.Raw()
    day = fields.Date()
    moment = fields.AwareDateTime(format="iso")
    zoned = fields.AwareDateTime(default_timezone=dt.UTC)
    local = fields.DateTime()
    stamp = fields.DateTime(format="timestamp")
    token = fields.UUID()
    ratio = fields.Float()
    server_side = fields.String(dump_only=True)


class _Hooked(Schema):
    count = fields.Integer()

    @validates("count")
    def _even(self, value: int, **_: Any) -> None:
        if value % 2:
            raise ValidationError("Must be even.")


EVERYTHING_EXAMPLE = {
    "display_name": "a", "count": 3, "loose": 4, "flag": True, "yes_no": "yes", "email": "x@example.bg",
    "tags": ["ab"], "parts": [{"code": "ab"}], "part": {"code": "abc", "other": 1}, "extra": {"k": 1},
    "texts": {"k": "v"}, "amounts": {"k": 1}, "anything": [1], "day": "2026-12-07",
    "moment": "2026-12-07T10:00:00+02:00", "zoned": "2026-12-07T10:00:00", "local": "2026-12-07T10:00:00Z",
    "stamp": 1796684348, "token": "8e1f3a52-0c1e-4c59-9d7e-2f5b8a6c1d40", "ratio": 1, "unknown": {"kept": True},
}  # fmt: skip


@PROPERTY
@given(data=st.data())
def test_every_field_kind_loads_or_is_refused_exactly_as_marshmallow_does(data: st.DataObject) -> None:
    _agree(_Everything(), data.draw(changed(EVERYTHING_EXAMPLE)))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"count": True}, "refused"),  # a boolean is not a strict integer
        ({"count": -1}, "refused"),
        ({"loose": "7"}, "loaded"),  # a loose integer takes digits
        ({"yes_no": True}, "refused"),  # its own truthy values only
        ({"email": None}, "loaded"),
        ({"flag": None}, "refused"),
        ({"server_side": "x"}, "loaded"),  # a dump-only name is an unknown field, kept
        ({"part": {"code": "abc", "other": 1}}, "loaded"),  # the nested field excludes what its schema refuses
        ({"parts": [{"code": "abc", "other": 1}]}, "refused"),
        ({"tags": ["abcd"]}, "refused"),
        ({"texts": {"k": None}}, "loaded"),
        ({"amounts": {"k": "x"}}, "refused"),
        ({"moment": "2026-12-07T10:00:00"}, "refused"),  # a moment without its zone
        ({"moment": "2026-02-30T10:00:00Z"}, "refused"),
        ({"day": "20261207"}, "loaded"),  # what Python's ISO reading takes
        ({"local": "2026-12-07"}, "loaded"),
        ({"token": "8E1F3A520C1E4C599D7E2F5B8A6C1D40"}, "loaded"),
        ({"token": "not-a-uuid"}, "refused"),
    ],
)
def test_edge_cases_load_or_are_refused_as_marshmallow_decides(change: dict[str, Any], expected: str) -> None:
    data = EVERYTHING_EXAMPLE | change
    assert _outcome(_Everything().load, copy.deepcopy(data))[0] == expected
    _agree(_Everything(), data)


def test_a_field_missing_gets_its_default_and_an_absent_optional_field_stays_absent() -> None:
    loaded = SchemaLoader(_Everything()).load({"display_name": "b"})

    assert loaded == {"name": "b", "tags": []}


def test_a_schema_with_its_own_validation_methods_is_loaded_by_marshmallow() -> None:
    assert quick_load(_Hooked()) is None
    with pytest.raises(ValidationError, match="Must be even"):
        SchemaLoader(_Hooked()).load({"count": 3})
