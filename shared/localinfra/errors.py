"""Errors raised when a test or local server cannot be provided."""

from __future__ import annotations


class InfrastructureError(RuntimeError):
    """Kafka or the MongoDB-protocol server could not be started or reached."""


class MissingToolError(InfrastructureError):
    """A program needed to fetch, build or run a server is not on PATH."""

    def __init__(self, tool: str, purpose: str) -> None:
        super().__init__(f"'{tool}' was not found on PATH; it is needed to {purpose}.")
        self.tool = tool


class PortInUseError(InfrastructureError):
    """A port explicitly asked for is already taken by another process."""

    def __init__(self, port: int, host: str, purpose: str) -> None:
        super().__init__(
            f"Port {port} on {host} (asked for the {purpose}) is already in use; "
            "stop whatever listens there or choose another port."
        )
        self.port = port
