"""A small OpenID Connect provider for tests: discovery, authorize, token (authorization code and refresh
token grants), revocation (RFC 7009), end of session (RP-initiated logout) and JWKS on 127.0.0.1.

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
    refresh_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Refresh tokens still valid, with what they were issued for."""
    revoked: list[str] = field(default_factory=list)
    """Every token revoked at the revocation endpoint, in order."""
    logouts: list[dict[str, str]] = field(default_factory=list)
    """The query of every visit to the end-of-session endpoint."""
    access_token_seconds: int = 600

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}/jwks"

    def token(self, claims: dict[str, Any], audience: str = AUDIENCE, key: Any = None) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": audience,
            "iat": now,
            "exp": now + self.access_token_seconds,
            "jti": uuid.uuid4().hex,
            **claims,
        }
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
                revocation_endpoint=f"{self.issuer}/revoke",
                end_session_endpoint=f"{self.issuer}/logout",
                grant_types_supported=["authorization_code", "refresh_token"],
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
            if request.form.get("grant_type") == "refresh_token":
                grant = self.refresh_tokens.get(request.form.get("refresh_token", ""))
                if grant is None:
                    return jsonify(error="invalid_grant"), 400
                return jsonify(
                    access_token=self.token(grant["person"]),
                    token_type="Bearer",
                    expires_in=self.access_token_seconds,
                )
            grant = self.codes.pop(request.form["code"])
            identity = {k: v for k, v in self.person.items() if k in ("email", "email_verified")}
            id_token = self.token(
                {"sub": self.person["sub"], "nonce": grant["nonce"], "name": self.person.get("name", ""), **identity},
                audience=grant["client_id"],
            )
            refresh_token = uuid.uuid4().hex
            self.refresh_tokens[refresh_token] = {"person": dict(self.person), "client_id": grant["client_id"]}
            return jsonify(
                access_token=self.token(self.person),
                id_token=id_token,
                refresh_token=refresh_token,
                token_type="Bearer",
                expires_in=self.access_token_seconds,
            )

        @app.post("/revoke")
        def revoke() -> Any:
            token = request.form["token"]
            self.revoked.append(token)
            self.refresh_tokens.pop(token, None)
            return "", 200

        @app.get("/logout")
        def logout() -> Any:
            self.logouts.append(dict(request.args))
            return redirect(request.args.get("post_logout_redirect_uri", self.issuer))

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
