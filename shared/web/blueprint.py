"""The Blueprint every service's API uses: unknown query parameters are errors, as unknown body fields are."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any, TypeVar

import flask
import flask_smorest
from marshmallow import Schema, missing
from webargs.flaskparser import FlaskParser

from shared.web.request_input import is_json, load_json, refuse_media_type

F = TypeVar("F", bound=Callable[..., Any])


class StrictParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {  # noqa: RUF012  # overrides the parent's class-level table
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }

    def _raw_load_json(self, req: flask.Request) -> Any:
        """JSON only (any other body is a 415), read with the platform's limits (see request_input)."""
        raw = req.get_data(cache=True)
        if not raw:
            return missing
        if not is_json(req.mimetype):
            refuse_media_type(req.mimetype)
        return load_json(raw)


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()

    def arguments(self, schema: type[Schema] | Schema, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        """As flask-smorest's, with a schema class made into its instance once, here: webargs would make one for
        every request (~0.1 ms each, 3 % of a marketplace search). A schema keeps no state between loads."""
        return super().arguments(schema() if isinstance(schema, type) else schema, *args, **kwargs)


def documented(
    schema: type[Schema] | dict[str, Any], status: int = 200, content_type: str = "application/json"
) -> Callable[[F], F]:
    """Describe a response's shape in the OpenAPI document without passing the body through the schema.

    For views that build their answer themselves: JSON they serialise once (a schema), or another format
    such as ``text/csv`` (``schema`` is then a JSON Schema, e.g. ``{"type": "string"}``).
    """

    def decorator(view: F) -> F:
        apidoc = view.__dict__.setdefault("_apidoc", {})
        manual = apidoc.setdefault("manual_doc", {})
        responses = manual.setdefault("responses", {})
        description = HTTPStatus(status).phrase
        responses[str(status)] = {"description": description, "content": {content_type: {"schema": schema}}}
        return view

    return decorator


TEXT_BODY: dict[str, Any] = {"type": "string"}
"""The JSON Schema of a body that is not JSON (CSV, iCalendar, HTML)."""
