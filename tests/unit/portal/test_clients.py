"""The portal calls the services on behalf of a person: their address goes along, so the services' abuse
limits count each person, not the portal as one client."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from services.portal.clients import ServiceClient


@pytest.fixture(scope="module")
def echo() -> Iterator[str]:
    app = Flask("echo")

    @app.get("/api/v1/register")
    def headers() -> object:
        return jsonify(forwarded_for=request.headers.get("X-Forwarded-For"))

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


def test_the_person_s_address_goes_to_the_service(echo: str) -> None:
    client = ServiceClient("registry", echo, 5)
    with Flask("portal").test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.7"}):
        assert client.get("/api/v1/register") == {"forwarded_for": "198.51.100.7"}
    assert client.get("/api/v1/register") == {"forwarded_for": None}  # outside a page: nobody's
