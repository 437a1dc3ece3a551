"""A stand-in for the services' HTTP APIs: canned answers by method and path, every call recorded."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from services.portal.clients import Download, ServiceError, Services


@dataclass
class Call:
    method: str
    path: str
    token: str | None
    params: dict[str, Any] | None = None
    json: Any = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    data: dict[str, str] | None = None


@dataclass
class FakeService:
    """Answers are registered as ``answer("GET", "/api/v1/register", {...})``; a path may be a regex.

    An answer may be a value, a :class:`ServiceError` (raised), or a function of the call.
    """

    name: str
    answers: list[tuple[str, str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)

    def answer(self, method: str, path: str, result: Any) -> None:
        self.answers.insert(0, (method, path, result))

    def _respond(self, call: Call) -> Any:
        self.calls.append(call)
        for method, path, result in self.answers:
            if method == call.method and (path == call.path or re.fullmatch(path, call.path)):
                if isinstance(result, ServiceError):
                    raise result
                return result(call) if callable(result) else result
        raise ServiceError(404, "not_found", {"bg": "Не е намерено.", "en": "Not found."})

    def get(self, path: str, token: str | None = None, params: dict[str, Any] | None = None) -> Any:
        return self._respond(Call("GET", path, token, params=params))

    def post(self, path: str, token: str | None = None, json: Any = None) -> Any:
        return self._respond(Call("POST", path, token, json=json))

    def patch(self, path: str, token: str | None = None, json: Any = None) -> Any:
        return self._respond(Call("PATCH", path, token, json=json))

    def put(self, path: str, token: str | None = None, json: Any = None) -> Any:
        return self._respond(Call("PUT", path, token, json=json))

    def delete(self, path: str, token: str | None = None) -> Any:
        return self._respond(Call("DELETE", path, token))

    def upload(
        self, path: str, token: str | None, files: dict[str, tuple[str, bytes, str]], data: dict[str, str] | None = None
    ) -> Any:
        return self._respond(Call("POST", path, token, files=files, data=data))

    def download(self, path: str, token: str | None = None, params: dict[str, Any] | None = None) -> Download:
        return self._respond(Call("GET", path, token, params=params))

    def sent(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and (c.path == path or re.fullmatch(path, c.path))]


def fake_services() -> Services:
    names = ("registry", "marketplace", "training", "notifications", "grants", "events")
    return Services(*(FakeService(name) for name in names))  # type: ignore[arg-type]


def refusal(status: int, fields: dict[str, str] | None = None, message: str = "Данните не са валидни.") -> ServiceError:
    """A service's 4xx answer; field messages are given in Bulgarian and echoed in English with a prefix."""
    return ServiceError(
        status,
        "validation_failed" if status == 422 else "conflict",
        {"bg": message, "en": f"EN {message}"},
        {path: [{"bg": text, "en": f"EN {text}"}] for path, text in (fields or {}).items()},
    )
