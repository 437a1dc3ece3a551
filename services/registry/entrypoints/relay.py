"""The registry's outbox relay process (``registry-relay``)."""

from __future__ import annotations

from services.registry.adapters.repository import ENTERPRISES
from services.registry.config import SERVICE, TOPICS, RegistryConfig
from shared.outbox.process import run_relay


def main() -> None:
    run_relay(SERVICE, RegistryConfig.from_env().settings, [ENTERPRISES], TOPICS)


if __name__ == "__main__":
    main()
