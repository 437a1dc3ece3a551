"""The error answers each operation of the OpenAPI document lists, each with the platform's error schema.

The document names the statuses an operation really answers, not a catch-all ``default``, so a client (and
the fuzzing in tests/e2e/test_fuzz.py) can hold the service to it. What every operation shares is derived
here from the operation itself:

- 401 everywhere: a token that cannot be read is refused even where no sign-in is needed;
- 403 where the policy (``x-policy``) does not admit everyone;
- 404 where the address names something (a path parameter);
- 409 for writes (a transition not allowed now, a duplicate, a stale version);
- 400, 413 and 415 where a JSON body is read (not JSON or nested too deep, too large, not ``application/json``);
- 422 where a body or query is validated (flask-smorest lists it itself);
- 414 everywhere: an address past ``MAX_URL_BYTES``;
- 429 where the view is rate-limited (shared/web/ratelimit.py), with ``Retry-After``.

An operation that answers something else says so itself (``@blp.alt_response``). A body whose schema
requires no field is documented as optional, which it is: no body reads as ``{}``; any other body is
required, as a missing one misses its required fields (422).
"""

from __future__ import annotations

from typing import Any

from apispec import APISpec, BasePlugin
from flask import Flask

from shared.web.ratelimit import MARK as RATE_LIMITED

API_PREFIX = "/api/"
WRITES = ("post", "put", "patch", "delete")
REFERENCES: dict[int, str | dict[str, Any]] = {
    # flask-smorest registers one response per status, named as http.HTTPStatus names it
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "REQUEST_ENTITY_TOO_LARGE",
    414: "REQUEST_URI_TOO_LONG",
    415: "UNSUPPORTED_MEDIA_TYPE",
    422: "UNPROCESSABLE_ENTITY",
    429: {
        "description": "Too Many Requests",
        "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}},
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    },
}


def error_statuses(path: str, method: str, operation: dict[str, Any], *, limited: bool) -> list[int]:
    statuses = [401, 414, *([429] if limited else [])]
    policy = operation.get("x-policy") or {}
    if policy.get("roles") != ["public"]:
        statuses.append(403)
    if "{" in path:
        statuses.append(404)
    if method in WRITES:
        statuses.append(409)
    if "requestBody" in operation:
        statuses += [400, 413, 415, 422]
    if any(parameter.get("in") == "query" for parameter in operation.get("parameters", [])):
        statuses.append(422)
    return statuses


class ErrorResponsesPlugin(BasePlugin):
    """Lists each API operation's error answers (see the module's docstring), and marks a request body as
    optional when its schema requires no field (a missing body reads as ``{}``). Runs after the policy plugin."""

    spec: APISpec | None = None

    def __init__(self, app: Flask) -> None:
        self.app = app

    def rate_limited(self, rule: Any) -> bool:
        view = self.app.view_functions.get(rule.endpoint) if rule is not None else None
        return getattr(view, RATE_LIMITED, None) is not None

    def init_spec(self, spec: APISpec) -> None:
        self.spec = spec

    def body_is_optional(self, operation: dict[str, Any]) -> bool:
        schema = operation["requestBody"].get("content", {}).get("application/json", {}).get("schema", {})
        reference = schema.get("$ref", "") if isinstance(schema, dict) else ""
        if not reference or self.spec is None:
            return False
        component = self.spec.components.schemas.get(reference.rpartition("/")[2], {})
        return not component.get("required")

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        if not path or not path.startswith(API_PREFIX) or not operations:
            return
        for method, operation in operations.items():
            if "requestBody" in operation and self.body_is_optional(operation):
                operation["requestBody"]["required"] = False
            responses = operation.setdefault("responses", {})
            documented = {str(status) for status in responses}  # flask-smorest keys some by int
            for status in error_statuses(path, method, operation, limited=self.rate_limited(kwargs.get("rule"))):
                if str(status) not in documented:
                    responses[str(status)] = REFERENCES[status]
