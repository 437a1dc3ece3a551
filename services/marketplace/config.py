"""The marketplace's configuration."""

from __future__ import annotations

from shared.config import declare

SERVICE = "marketplace"
REGISTRY_ENTERPRISE_TOPIC = "registry.enterprise.v1"
CONSUMER_GROUP = "marketplace"

PHOTO_MAX_BYTES = declare(
    "MARKETPLACE_PHOTO_MAX_BYTES",
    8 * 1024 * 1024,
    "Largest photo file a seller may add to a listing, in bytes (413 above; the Ingress lets 12 MB through).",
)
PHOTO_MAX_PIXELS = declare(
    "MARKETPLACE_PHOTO_MAX_PIXELS",
    40_000_000,
    "Most pixels (width × height) of a listing's photo, read before decoding it, so a small file that would "
    "unpack into gigabytes is refused (422).",
)
