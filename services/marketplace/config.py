"""The marketplace's configuration."""

from __future__ import annotations

SERVICE = "marketplace"
REGISTRY_ENTERPRISE_TOPIC = "registry.enterprise.v1"
CONSUMER_GROUP = "marketplace"
