"""A small OpenID Connect provider for tests: discovery, authorize, token and JWKS on 127.0.0.1.

It signs in whoever it is told to (no login page) and issues RS256 tokens carrying the platform's
claims, as a real provider configured for the platform would.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify, redirect, request
from jwt.algorithms import RSAAlgorithm
from werkzeug.serving import make_server

AUDIENCE = "solidarity-hub"
CLIENT_ID = "solidarity-portal"


@dataclass
class IdentityProvider:
    issuer: str = ""
    key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    kid: str = field(default_factory=lambda: uuid.uuid4().hex)
    person: dict[str, Any] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    def token(self, claims: dict[str, Any], audience: str = AUDIENCE, key: Any = None) -> str:
        now = int(time.time())
        body = {"iss": self.issuer, "aud": audience, "iat": now, "exp": now + 600, **claims}
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": self.kid})

    def app(self) -> Flask:
        app = Flask("identity-provider")

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify(
                issuer=self.issuer,
                authorization_endpoint=f"{self.issuer}/authorize",
                token_endpoint=f"{self.issuer}/token",
                jwks_uri=self.jwks_url,
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                code_challenge_methods_supported=["S256"],
            )

        @app.get("/authorize")
        def authorize() -> Any:
            code = uuid.uuid4().hex
            self.codes[code] = {"nonce": request.args.get("nonce"), "client_id": request.args["client_id"]}
            query = urlencode({"code": code, "state": request.args["state"]})
            return redirect(f"{request.args['redirect_uri']}?{query}")

        @app.post("/token")
        def token() -> Any:
            grant = self.codes.pop(request.form["code"])
            id_token = self.token(
                {"sub": self.person["sub"], "nonce": grant["nonce"], "name": self.person.get("name", "")},
                audience=grant["client_id"],
            )
            return jsonify(access_token=self.token(self.person), id_token=id_token, token_type="Bearer", expires_in=600)

        @app.get("/jwks")
        def jwks() -> Any:
            public = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return jsonify(keys=[{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}])

        return app


@contextmanager
def running_identity_provider() -> Iterator[IdentityProvider]:
    provider = IdentityProvider()
    server = make_server("127.0.0.1", 0, provider.app(), threaded=True)
    provider.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(5)
