"""The grants use cases as the HTTP layer reaches them."""

from __future__ import annotations

from flask import current_app

from services.grants.service_layer.documents import DocumentService
from services.grants.service_layer.grants import GrantsService

EXTENSION = "grants"
DOCUMENTS = "grants_documents"


def grants() -> GrantsService:
    return current_app.extensions[EXTENSION]


def documents() -> DocumentService:
    return current_app.extensions[DOCUMENTS]
