"""Errors a use case can raise, each with the HTTP status it means and a message in both languages.

Plain Python on purpose: domain and service-layer code raise these without knowing about Flask.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """A message for people, Bulgarian first."""

    bg: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"bg": self.bg, "en": self.en}


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: Text, fields: dict[str, Text] | None = None) -> None:
        super().__init__(message.en)
        self.message = message
        self.fields = fields or {}


class InvalidInput(AppError):
    status = 422
    code = "validation_failed"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    """The request is valid but not allowed in the current state (a transition, a duplicate)."""

    status = 409
    code = "conflict"


class StaleVersion(Conflict):
    """Someone else saved the record since it was read (optimistic concurrency)."""

    code = "stale_version"

    def __init__(self) -> None:
        super().__init__(
            Text(
                "Записът беше променен от друг потребител. Презаредете и опитайте отново.",
                "The record was changed by someone else. Reload it and try again.",
            )
        )


class Unavailable(AppError):
    """Something the request needs does not answer just now (a file scanner): nothing was done, try again."""

    status = 503
    code = "service_unavailable"


class MalformedRequest(AppError):
    """The request cannot be read at all (not JSON, nested too deep, not valid text)."""

    status = 400
    code = "malformed_request"


class UriTooLong(AppError):
    status = 414
    code = "uri_too_long"


class PayloadTooLarge(AppError):
    """A file larger than the endpoint takes."""

    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(AppError):
    """A body in a format the endpoint does not read (it reads JSON)."""

    status = 415
    code = "unsupported_media_type"
