"""Scaffold: replaced by the area's pages."""

from flask import Blueprint, abort

blp = Blueprint("clerk", __name__, url_prefix="/clerk")


@blp.get("/applications")
def queue() -> None:
    abort(404)
