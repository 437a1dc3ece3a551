"""Liveness (/healthz) and readiness (/readyz) endpoints."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

Check = Callable[[], None]


def health_blueprint(checks: Mapping[str, Check]) -> Blueprint:
    blueprint = Blueprint("health", __name__)

    @blueprint.get("/healthz")
    def healthz() -> ResponseReturnValue:
        return jsonify(status="ok")

    @blueprint.get("/readyz")
    def readyz() -> ResponseReturnValue:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:
                results[name] = f"unavailable: {type(exc).__name__}"
        ready = all(v == "ok" for v in results.values())
        return jsonify(status="ready" if ready else "not ready", checks=results), 200 if ready else 503

    return blueprint
