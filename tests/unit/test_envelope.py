"""The event envelope: what a consumer accepts and what it must dead-letter (no servers needed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from shared.events.envelope import Envelope, InvalidEvent, new_envelope


def _envelope(**payload: Any) -> Envelope:
    return new_envelope(
        event_type="test.CounterIncremented",
        schema_version=1,
        producer="tests",
        aggregate_type="counter",
        aggregate_id="c-1",
        correlation_id="corr-1",
        payload=payload or {"counter_id": "c-1", "amount": 2},
        occurred_at=datetime(2025, 5, 1, 12, 30, tzinfo=UTC),
    )


def _raw(**changes: Any) -> bytes:
    data = _envelope().to_dict()
    data.update(changes)
    return json.dumps(data).encode()


def _raw_without(field: str) -> bytes:
    data = _envelope().to_dict()
    del data[field]
    return json.dumps(data).encode()


def test_round_trip_through_json_gives_the_same_event() -> None:
    event = _envelope(counter_id="Жълт кооператив", amount=5)

    assert Envelope.from_json(event.to_json()) == event


def test_new_envelope_stores_utc_with_z_and_a_fresh_id() -> None:
    sofia = timezone(timedelta(hours=3))
    event = new_envelope(
        event_type="test.CounterIncremented",
        schema_version=1,
        producer="tests",
        aggregate_type="counter",
        aggregate_id="c-1",
        correlation_id="corr-1",
        payload={},
        occurred_at=datetime(2025, 5, 1, 15, 30, tzinfo=sofia),
    )

    assert event.occurred_at == "2025-05-01T12:30:00Z"
    assert event.event_id != _envelope().event_id
    assert Envelope.from_json(event.to_json()) == event


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"\xff\xfe\x00garbage", id="not-utf8"),
        pytest.param(b"{not json", id="broken-json"),
        pytest.param(b"", id="empty"),
        pytest.param(None, id="tombstone"),
    ],
)
def test_rejects_what_is_not_json(raw: bytes | None) -> None:
    with pytest.raises(InvalidEvent):
        Envelope.from_json(raw)


@pytest.mark.parametrize(
    "raw",
    [b"[" * 100_000, b'{"a":' * 50_000 + b"1" + b"}" * 50_000, b'{"amount": ' + b"9" * 5_000 + b"}"],
    ids=["arrays nested 100 000 deep", "objects nested 50 000 deep", "a number of 5 000 digits"],
)
def test_a_message_the_json_parser_gives_up_on_is_not_an_event(raw: bytes) -> None:
    # A RecursionError here used to stop the consumer, again at every restart, instead of dead-lettering the record.
    with pytest.raises(InvalidEvent, match="not JSON"):
        Envelope.from_json(raw)


@pytest.mark.parametrize(
    ("amount", "encoding"),
    [(2**70 + 1, "utf-8"), (-(2**64) - 1, "utf-8"), (2, "utf-16"), (2, "utf-32")],
    ids=["an integer past 64 bits", "a negative one", "UTF-16", "UTF-32"],
)
def test_reads_any_json_the_standard_parser_reads(amount: int, encoding: str) -> None:
    # The fast parser refuses these; the standard library reads them, and so did every consumer before it.
    raw = json.dumps(_envelope(counter_id="Жълт кооператив", amount=amount).to_dict(), ensure_ascii=False)
    event = Envelope.from_json(raw.encode(encoding))
    assert event.payload == {"counter_id": "Жълт кооператив", "amount": amount}
    assert type(event.payload["amount"]) is int  # not a float near it


def test_a_lone_surrogate_reads_as_the_standard_parser_reads_it() -> None:
    raw = _raw(correlation_id="corr-\ud800")  # written by json.dumps as the escape \\ud800
    assert Envelope.from_json(raw).correlation_id == json.loads(raw)["correlation_id"]


@pytest.mark.parametrize("raw", [b"[]", b'"text"', b"42", b"null"], ids=["array", "string", "number", "null"])
def test_rejects_json_that_is_not_an_object(raw: bytes) -> None:
    with pytest.raises(InvalidEvent, match="not a JSON object"):
        Envelope.from_json(raw)


@pytest.mark.parametrize(
    "field",
    [
        "event_id",
        "event_type",
        "schema_version",
        "occurred_at",
        "producer",
        "aggregate_type",
        "aggregate_id",
        "correlation_id",
        "payload",
    ],
)
def test_rejects_a_missing_field(field: str) -> None:
    with pytest.raises(InvalidEvent, match=field):
        Envelope.from_json(_raw_without(field))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("event_id", "not-a-uuid", id="bad-uuid"),
        pytest.param("event_id", "1234", id="short-uuid"),
        pytest.param("occurred_at", "2025-05-01T12:30:00", id="naive-timestamp"),
        pytest.param("occurred_at", "yesterday", id="not-a-timestamp"),
        pytest.param("schema_version", "1", id="version-as-string"),
        pytest.param("schema_version", 0, id="version-zero"),
        pytest.param("event_type", "CounterIncremented", id="type-without-context"),
        pytest.param("payload", ["amount", 2], id="payload-not-object"),
        pytest.param("aggregate_id", "", id="empty-aggregate-id"),
    ],
)
def test_rejects_a_bad_value(field: str, value: Any) -> None:
    with pytest.raises(InvalidEvent, match=field):
        Envelope.from_json(_raw(**{field: value}))


def test_rejects_unknown_fields() -> None:
    with pytest.raises(InvalidEvent, match="priority"):
        Envelope.from_json(_raw(priority="high"))


def test_accepts_an_aware_timestamp_in_another_zone() -> None:
    event = Envelope.from_json(_raw(occurred_at="2025-05-01T15:30:00+03:00"))

    assert event.occurred_at == "2025-05-01T15:30:00+03:00"


def test_invalid_event_is_a_value_error_so_consumers_dead_letter_it() -> None:
    assert issubclass(InvalidEvent, ValueError)


def test_an_event_recorded_before_versions_existed_decodes_as_version_zero() -> None:
    event = _envelope()
    data = event.to_dict()
    del data["aggregate_version"]
    decoded = Envelope.from_json(json.dumps(data).encode())
    assert decoded.aggregate_version == 0
    assert decoded == event


@pytest.mark.parametrize("version", [-1, "3", 2.5, True, None, 2**53 + 1], ids=repr)
def test_refuses_an_aggregate_version_that_is_not_a_small_whole_number(version: Any) -> None:
    with pytest.raises(InvalidEvent, match="aggregate_version"):
        Envelope.from_json(_raw(aggregate_version=version))
