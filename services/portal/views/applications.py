"""Scaffold: replaced by the area's pages."""

from flask import Blueprint, abort

blp = Blueprint("enterprise", __name__, url_prefix="/my/applications")


@blp.get("")
def applications() -> None:
    abort(404)
