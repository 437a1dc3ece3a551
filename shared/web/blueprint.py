"""The Blueprint every service's API uses: unknown query parameters are errors, as unknown body fields are."""

from __future__ import annotations

import flask_smorest
from webargs.flaskparser import FlaskParser


class StrictParser(FlaskParser):
    DEFAULT_UNKNOWN_BY_LOCATION = {  # noqa: RUF012  # overrides the parent's class-level table
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "query": None,
        "querystring": None,
    }


class Blueprint(flask_smorest.Blueprint):
    ARGUMENTS_PARSER = StrictParser()
