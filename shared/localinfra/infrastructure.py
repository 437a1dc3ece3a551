"""The handle returned to callers: where the servers are, and how to stop them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal

from shared.localinfra.process import ServerProcess

Source = Literal["environment", "docker", "local"]

KAFKA_ENV = "KAFKA_BOOTSTRAP_SERVERS"
MONGODB_ENV = "MONGODB_URI"


@dataclass
class Infrastructure:
    """Running Kafka and MongoDB-protocol servers.

    ``source`` says where they came from: given by the environment (never stopped by us),
    Docker containers, or local processes (``servers``, listening on ``ports``).
    """

    kafka_bootstrap: str
    mongodb_uri: str
    source: Source
    servers: tuple[ServerProcess, ...] = ()
    ports: dict[str, int] = field(default_factory=dict)
    on_stop: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def env(self) -> dict[str, str]:
        """The environment variables the services read to find these servers."""
        return {KAFKA_ENV: self.kafka_bootstrap, MONGODB_ENV: self.mongodb_uri}

    def stop(self) -> None:
        """Stop what we started; safe to call more than once."""
        callbacks, self.on_stop = self.on_stop, []
        errors: list[BaseException] = []
        for callback in reversed(callbacks):
            try:
                callback()
            except Exception as err:
                errors.append(err)
        if errors:
            raise errors[0]

    def __enter__(self) -> Infrastructure:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
