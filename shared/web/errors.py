"""One JSON error format for every 4xx and 5xx answer.

{"status": 422, "code": "validation_failed",
 "message": {"bg": "...", "en": "..."},
 "fields": {"seat.district": [{"bg": "...", "en": "..."}]}}
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, jsonify
from werkzeug.exceptions import HTTPException

from shared.errors import AppError, Text
from shared.web.request_input import printable
from shared.web.translations import to_bulgarian

log = logging.getLogger(__name__)

_STATUS_TEXT: dict[int, Text] = {
    400: Text("Заявката е неправилна.", "The request is malformed."),
    401: Text("Необходим е вход в системата.", "Sign-in is required."),
    403: Text("Нямате права за това действие.", "You are not allowed to do this."),
    404: Text("Не е намерено.", "Not found."),
    405: Text("Методът не е позволен.", "Method not allowed."),
    409: Text("Действието не е позволено в текущото състояние.", "Not allowed in the current state."),
    413: Text("Заявката е твърде голяма.", "The request body is too large."),
    414: Text("Адресът (URL) е твърде дълъг.", "The address (URL) is too long."),
    415: Text("Очаква се JSON.", "JSON is expected."),
    417: Text("Очакването (Expect) не може да бъде изпълнено.", "The expectation (Expect) cannot be met."),
    422: Text("Данните не са валидни.", "The data is not valid."),
    431: Text("Заглавните редове на заявката са твърде големи.", "The request's header fields are too large."),
    500: Text("Вътрешна грешка. Опитайте отново.", "Internal error. Please try again."),
    501: Text("Не се поддържа.", "Not implemented."),
    503: Text(
        "Услугата е временно недостъпна. Опитайте отново след малко.",
        "The service is unavailable for a moment. Please try again shortly.",
    ),
}
RETRY_AFTER_SECONDS = 5
"""What a 503 asks the client to wait before trying again."""


def status_text(status: int) -> Text:
    return _STATUS_TEXT.get(status, _STATUS_TEXT[400 if status < 500 else 500])


def _printable(value: Any) -> Any:
    """Strings the client sent come back in field names and messages: never let one break the answer."""
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
        return flat
    if isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            return {prefix or "_request": list(messages)}
        flat = {}
        for i, value in enumerate(messages):
            flat.update(_flatten(value, f"{prefix}.{i}" if prefix else str(i)))
        return flat
    return {prefix or "_request": [str(messages)]}


def field_messages(webargs_messages: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """webargs' {location: {field: [msg]}} as {dotted.field: [{bg, en}]}; locations are dropped."""
    fields: dict[str, list[dict[str, str]]] = {}
    for location_messages in webargs_messages.values():
        for name, msgs in _flatten(location_messages).items():
            fields.setdefault(name, []).extend({"bg": to_bulgarian(m), "en": m} for m in msgs)
    return fields


def error_response(
    status: int, code: str, message: Text | None = None, fields: dict[str, list[dict[str, str]]] | None = None
) -> Response:
    text = message or status_text(status)
    body: dict[str, Any] = {"status": status, "code": code, "message": text.as_dict()}
    if fields:
        body["fields"] = fields
    response = jsonify(_printable(body))
    response.status_code = status
    return response


def handle_app_error(error: AppError) -> Response:
    fields = {name: [text.as_dict()] for name, text in error.fields.items()}
    return error_response(error.status, error.code, error.message, fields)


def handle_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    fields = field_messages(data["messages"]) if isinstance(data.get("messages"), dict) else None
    code = "validation_failed" if fields else (error.name or "error").lower().replace(" ", "_")
    response = error_response(status, code, None, fields)
    for name, value in error.get_headers():  # e.g. a 405's Allow, a 429's Retry-After
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    return response


def handle_unavailable(error: Exception) -> Response:
    """A server the request needs (the database) does not answer: a fast 503 the client may retry.

    One warning line, no traceback: the cause is outside the code. Nothing was written (each use case
    writes its one document in one atomic update, or not at all)."""
    log.warning("dependency unavailable, answered 503: %s: %.200s", type(error).__name__, error)
    response = error_response(503, "service_unavailable")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def handle_unexpected(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    return error_response(500, "internal_error")
