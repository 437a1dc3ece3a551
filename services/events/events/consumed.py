"""The events service's own reading of other services' topics: only the fields it relies on.

- ``registry.enterprise.v1``: whether an enterprise is active in the register, and its name;
- ``marketplace.listing.v1``: the listings an exhibitor may show (published ones, with their seller).

Unknown fields are let through; a missing or malformed field it needs makes the event poison.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from services.events.config import MARKETPLACE_LISTING_TOPIC, REGISTRY_ENTERPRISE_TOPIC
from shared.events import EventCatalog, EventType

ENTERPRISE_EVENTS = (
    "EnterpriseRegistered",
    "EnterpriseUpdated",
    "EnterpriseClassChanged",
    "CertificateExpiring",
    "CertificateExpired",
    "EnterpriseRenewed",
    "EnterpriseDeleted",
    "AnnualReportSubmitted",
    "AnnualReportOverdue",
)
LISTING_EVENTS = ("ListingPublished", "ListingUpdated", "ListingPaused", "ListingArchived")


class RegistryEnterprise(Schema):
    class Meta:
        unknown = INCLUDE

    enterprise_id = fields.String(required=True)
    name = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["active", "expired", "deleted"]))


class MarketplaceListing(Schema):
    class Meta:
        unknown = INCLUDE

    listing_id = fields.String(required=True)
    seller_id = fields.String(required=True)
    title_bg = fields.String(required=True)
    status = fields.String(required=True)
    # Shown with an exhibitor at a fair: optional, as an older consumer's reading of the topic did not need them.
    title_en = fields.String(allow_none=True, load_default="")
    price_cents = fields.Integer(strict=True, allow_none=True, load_default=None, validate=validate.Range(min=0))
    unit = fields.String(allow_none=True, load_default="")


ENTERPRISE_TYPES = [
    EventType(f"registry.{name}", 1, REGISTRY_ENTERPRISE_TOPIC, RegistryEnterprise) for name in ENTERPRISE_EVENTS
]
LISTING_TYPES = [
    EventType(f"marketplace.{name}", 1, MARKETPLACE_LISTING_TOPIC, MarketplaceListing) for name in LISTING_EVENTS
]
CONSUMED = EventCatalog([*ENTERPRISE_TYPES, *LISTING_TYPES])
