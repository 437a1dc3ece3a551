"""Reading what a client sends before any schema sees it: the URL's length and the JSON body.

Hostile input must be a 4xx in the platform's error format, never a 500 and never a half-written
record. Python's JSON parser recurses once per level and stops with a RecursionError somewhere near a
thousand levels; a lone UTF-16 surrogate (``"\\ud800"``) parses into a string that can be neither
stored nor written back out as UTF-8; integers beyond 64 bits cannot be stored. All three are refused
here, once, for every service.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from shared.errors import InvalidInput, MalformedRequest, Text, UnsupportedMediaType, UriTooLong

MAX_JSON_DEPTH = 32
"""Objects and arrays inside each other; the platform's own bodies are at most five deep."""

MAX_URL_BYTES = 4096
"""Path and query together. gunicorn's own limit on the request line (``limit_request_line``) is above it,
so a long URL is answered by the application, in the platform's JSON format."""

INT64 = range(-(2**63), 2**63)

SURROGATE = re.compile("[\ud800-\udfff]")


def printable(value: str) -> str:
    """``value`` with any lone surrogate written as its escape, so it can be shown and encoded."""
    return SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def check_url_length(raw_uri: str) -> None:
    if len(raw_uri.encode("utf-8", "surrogateescape")) > MAX_URL_BYTES:
        raise UriTooLong(
            Text(
                f"Адресът (URL) е по-дълъг от {MAX_URL_BYTES} байта.",
                f"The address (URL) is longer than {MAX_URL_BYTES} bytes.",
            )
        )


def is_json(mimetype: str) -> bool:
    return mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json"))


def refuse_media_type(mimetype: str) -> None:
    shown = printable(mimetype) or "(none)"
    raise UnsupportedMediaType(
        Text(
            f"Тялото на заявката трябва да е JSON (Content-Type: application/json), а е {shown}.",
            f"The request body must be JSON (Content-Type: application/json), not {shown}.",
        )
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def load_json(raw: bytes) -> Any:
    """The parsed body, or a 400/422 that names what is wrong (and where, when it is one field)."""
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except RecursionError:
        raise _too_deep("") from None
    except UnicodeDecodeError as exc:
        raise MalformedRequest(
            Text(
                f"Тялото на заявката не е текст в UTF-8 (байт {exc.start}).",
                f"The request body is not UTF-8 text (byte {exc.start}).",
            )
        ) from None
    except json.JSONDecodeError as exc:
        raise MalformedRequest(
            Text(
                f"Тялото на заявката не е валиден JSON: ред {exc.lineno}, колона {exc.colno}.",
                f"The request body is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            )
        ) from None
    except ValueError:  # NaN/Infinity, or an integer of more digits than Python converts
        raise MalformedRequest(
            Text(
                "Тялото на заявката съдържа число, което JSON не допуска (NaN, Infinity) или е твърде дълго.",
                "The request body holds a number JSON does not allow (NaN, Infinity) or one too long to read.",
            )
        ) from None
    check_values(body)
    return body


def _too_deep(path: str) -> MalformedRequest:
    where_en = f" (at {printable(path)})" if path else ""
    where_bg = f" (при {printable(path)})" if path else ""
    return MalformedRequest(
        Text(
            f"JSON е вложен на повече от {MAX_JSON_DEPTH} нива{where_bg}.",
            f"The JSON nests deeper than {MAX_JSON_DEPTH} levels{where_en}.",
        )
    )


def _bad_value(path: str, bg: str, en: str) -> InvalidInput:
    name = printable(path) or "_request"
    return InvalidInput(Text("Данните не са валидни.", "The data is not valid."), {name: Text(bg, en)})


def _surrogate(path: str) -> InvalidInput:
    return _bad_value(
        path,
        "Съдържа невалиден Unicode знак (самостоятелен сурогат, напр. \\ud800).",
        "Contains an invalid Unicode character (a lone surrogate such as \\ud800).",
    )


def check_values(body: Any) -> None:
    """Walks the parsed body without recursion: depth, strings (values and keys) and numbers."""
    pending: list[tuple[Any, int, str]] = [(body, 0, "")]
    while pending:
        value, depth, path = pending.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_JSON_DEPTH:
                raise _too_deep(path)
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                name = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and SURROGATE.search(key):
                    raise _surrogate(name)
                pending.append((item, depth + 1, name))
        elif isinstance(value, str):
            if SURROGATE.search(value):
                raise _surrogate(path)
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int):
            if value not in INT64:
                raise _bad_value(path, "Числото е твърде голямо.", "The number is too large.")
        elif isinstance(value, float) and not math.isfinite(value):
            raise _bad_value(path, "Числото е твърде голямо.", "The number is too large.")
