"""JSON logs that carry the correlation id of the request or event being handled."""

from __future__ import annotations

import logging
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter

_correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)


def current_correlation_id() -> str:
    """The id of the work in progress; a fresh one when none was set (e.g. a scheduled job)."""
    value = _correlation_id.get()
    if value is None:
        value = str(uuid.uuid4())
        _correlation_id.set(value)
    return value


@contextmanager
def correlation_scope(correlation_id: str | None) -> Iterator[str]:
    token = _correlation_id.set(correlation_id or str(uuid.uuid4()))
    try:
        yield current_correlation_id()
    finally:
        _correlation_id.reset(token)


def set_correlation_id(correlation_id: str | None) -> str:
    _correlation_id.set(correlation_id or str(uuid.uuid4()))
    return current_correlation_id()


class _CorrelationFilter(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self._service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.correlation_id = _correlation_id.get()
        record.service = self._service
        return True


def configure_logging(service: str, level: str = "INFO") -> None:
    """One JSON object per line on stderr, for every logger of the process."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}{service}{correlation_id}",
            style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(_CorrelationFilter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("kafka", "pymongo"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
