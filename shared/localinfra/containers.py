"""Kafka and MongoDB in Docker containers, used when a Docker engine answers."""

from __future__ import annotations

import logging
from typing import Any

from shared.localinfra.errors import InfrastructureError
from shared.localinfra.infrastructure import Infrastructure

# Confluent's image, because testcontainers' KafkaContainer drives Confluent's start-up scripts.
KAFKA_IMAGE = "confluentinc/cp-kafka:7.9.0"
MONGODB_IMAGE = "mongo:7"

logger = logging.getLogger(__name__)


def docker_available(timeout: int = 3) -> bool:
    """True if a Docker engine answers a ping within ``timeout`` seconds."""
    try:
        import docker
    except ImportError:
        return False
    try:
        client = docker.from_env(timeout=timeout)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no socket, refused, permission denied, bad DOCKER_HOST: all mean "no engine"
        return False


def start_containers(timeout: float = 90.0) -> Infrastructure:
    """Start Kafka (KRaft) and MongoDB 7 containers; raise `InfrastructureError` if either fails."""
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.mongodb import MongoDbContainer

    started: list[Any] = []
    try:
        kafka = KafkaContainer(KAFKA_IMAGE).with_kraft()
        kafka.start(timeout=int(timeout))
        started.append(kafka)
        mongo = MongoDbContainer(MONGODB_IMAGE)
        mongo.start()
        started.append(mongo)
        bootstrap, uri = kafka.get_bootstrap_server(), mongo.get_connection_url()
    except Exception as err:
        for container in reversed(started):
            container.stop()
        raise InfrastructureError(f"A Docker engine answered, but the containers did not start: {err}") from err
    return Infrastructure(bootstrap, uri, "docker", on_stop=[container.stop for container in started])
