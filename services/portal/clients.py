"""Calls to the services' public HTTP APIs, with the signed-in person's token.

A service's refusal arrives as :class:`ServiceError` carrying its message and the fields it names, in
both languages, so a page can show each next to the field it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from flask import has_request_context, request
from requests.adapters import HTTPAdapter
from werkzeug.http import parse_options_header

from shared.logs import current_correlation_id

Bilingual = dict[str, str]


@dataclass
class ServiceError(Exception):
    """A 4xx answer from a service, or a service that could not be reached (status 503)."""

    status: int
    code: str
    message: Bilingual
    fields: dict[str, list[Bilingual]] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message.get('en', '')}"


UNREACHABLE = {
    "bg": "Услугата временно не отговаря. Опитайте отново след малко.",
    "en": "The service is not answering at the moment. Please try again shortly.",
}


@dataclass(frozen=True)
class Download:
    content: bytes
    content_type: str
    filename: str
    cache_control: str = ""
    """As the service sent it (``public, …, immutable`` for a published listing's photo)."""


class ServiceClient:
    """One service's API; a pooled HTTP session shared by the threads of a worker."""

    def __init__(self, name: str, base_url: str, timeout_seconds: float) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout_seconds
        self._http = requests.Session()
        self._http.mount("http://", HTTPAdapter(pool_maxsize=16))
        self._http.mount("https://", HTTPAdapter(pool_maxsize=16))

    def get(self, path: str, token: str | None = None, params: dict[str, Any] | None = None) -> Any:
        return self._call("GET", path, token, params=params)

    def post(self, path: str, token: str | None = None, json: Any = None) -> Any:
        return self._call("POST", path, token, json=json)

    def patch(self, path: str, token: str | None = None, json: Any = None) -> Any:
        return self._call("PATCH", path, token, json=json)

    def put(self, path: str, token: str | None = None, json: Any = None) -> Any:
        return self._call("PUT", path, token, json=json)

    def delete(self, path: str, token: str | None = None) -> Any:
        return self._call("DELETE", path, token)

    def upload(
        self, path: str, token: str | None, files: dict[str, tuple[str, bytes, str]], data: dict[str, str] | None = None
    ) -> Any:
        """A ``multipart/form-data`` POST of files (field → (name, bytes, type)) and text fields (``data``)."""
        return self._call("POST", path, token, files=files, data=data)

    def download(self, path: str, token: str | None = None, params: dict[str, Any] | None = None) -> Download:
        response = self._send("GET", path, token, params=params)
        _kind, options = parse_options_header(response.headers.get("Content-Disposition", ""))
        filename = options.get("filename") or path.rsplit("/", maxsplit=1)[-1]  # filename* decoded, if sent
        kind = response.headers.get("Content-Type", "application/octet-stream")
        return Download(response.content, kind, filename, response.headers.get("Cache-Control", ""))

    def _call(self, method: str, path: str, token: str | None, **kwargs: Any) -> Any:
        response = self._send(method, path, token, **kwargs)
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def _send(self, method: str, path: str, token: str | None, **kwargs: Any) -> requests.Response:
        headers = {"Accept-Language": "bg"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        correlation = current_correlation_id()
        if correlation:
            headers["X-Correlation-ID"] = correlation
        client = _client_address()
        if client:
            headers["X-Forwarded-For"] = client  # the person's address: the services' limits count them, not us
        params = kwargs.pop("params", None)
        if params:
            params = {k: v for k, v in params.items() if v not in (None, "", [])}
        try:
            response = self._http.request(
                method, self.base_url + path, headers=headers, params=params, timeout=self._timeout, **kwargs
            )
        except requests.RequestException as exc:
            raise ServiceError(503, "service_unavailable", UNREACHABLE) from exc
        if response.status_code >= 500:
            raise ServiceError(503, "service_unavailable", UNREACHABLE)
        if response.status_code >= 400:
            raise _error_from(response)
        return response


def _client_address() -> str | None:
    """The address of the person whose page is being made (read through the Ingress, see TRUSTED_PROXIES)."""
    return request.remote_addr if has_request_context() else None


def _error_from(response: requests.Response) -> ServiceError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    message = body.get("message") if isinstance(body.get("message"), dict) else None
    return ServiceError(
        status=response.status_code,
        code=str(body.get("code", "error")),
        message=message or {"bg": "Заявката не беше приета.", "en": "The request was not accepted."},
        fields=body.get("fields") or {},
    )


@dataclass(frozen=True)
class Services:
    registry: ServiceClient
    marketplace: ServiceClient
    training: ServiceClient
    notifications: ServiceClient
    grants: ServiceClient
    events: ServiceClient


def current_services() -> Services:
    """The service clients of the running portal."""
    from flask import current_app

    return current_app.extensions["services"]
