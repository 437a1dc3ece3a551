"""What every service's JSON answers look like, whichever encoder writes them (shared.web.app_factory)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

import numpy as np
from flask import Flask

from shared.web.app_factory import IsoJSONProvider


class Status(StrEnum):
    PUBLISHED = "published"


def _answer(body: object, *, debug: bool = False) -> str:
    app = Flask("answers")
    app.debug = debug
    app.json = IsoJSONProvider(app)
    with app.app_context():
        return app.json.response(body).get_data(as_text=True)


def test_an_answer_has_readable_cyrillic_iso_moments_and_sorted_keys() -> None:
    body = {
        "title": "Липов мед „Балкан“",
        "published_at": datetime(2026, 3, 1, 8, 30, tzinfo=UTC),
        "valid_until": date(2028, 2, 29),
        "price": Decimal("12.50"),
        "status": Status.PUBLISHED,
        "counts": {"BG41": np.int64(3)},
    }

    assert _answer(body) == (
        '{"counts":{"BG41":3},"price":"12.50","published_at":"2026-03-01T08:30:00Z","status":"published",'
        '"title":"Липов мед „Балкан“","valid_until":"2028-02-29"}\n'
    )


def test_what_orjson_refuses_is_still_answered_the_same_way() -> None:
    body = {"number": 2**70, "title": "Керамика"}

    assert json.loads(_answer(body)) == body
    assert _answer(body) == '{"number":1180591620717411303424,"title":"Керамика"}\n'


def test_a_debugging_developer_gets_indented_answers() -> None:
    assert _answer({"title": "Мед"}, debug=True) == '{\n  "title": "Мед"\n}\n'
