"""Scaffold: replaced by the area's pages."""

from flask import Blueprint, abort

blp = Blueprint("register", __name__, url_prefix="/register")


@blp.get("")
def search() -> None:
    abort(404)


@blp.get("/<key>")
def entry(key: str) -> None:
    abort(404)


@blp.get("/export.<fmt>")
def export(fmt: str) -> None:
    abort(404)
