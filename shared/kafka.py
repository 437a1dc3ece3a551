"""Kafka clients configured the way every service needs them."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from kafka.serializer import Serializer

from shared.config import declare

SECURITY_PROTOCOL = declare(
    "KAFKA_SECURITY_PROTOCOL", "PLAINTEXT", "`PLAINTEXT`, `SSL`, `SASL_PLAINTEXT` or `SASL_SSL` (Kubernetes)."
)
SASL_MECHANISM = declare("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512", "SASL mechanism when the protocol is SASL_*.")
SASL_USERNAME = declare("KAFKA_SASL_USERNAME", "", "Kafka user (a Strimzi KafkaUser) when the protocol is SASL_*.")
SASL_PASSWORD = declare("KAFKA_SASL_PASSWORD", "", "That user's password, from the Secret Strimzi writes. Secret.")
SSL_CAFILE = declare("KAFKA_SSL_CAFILE", "", "CA certificate file of the brokers' TLS listener (SSL, SASL_SSL).")
CREATE_TOPICS = declare(
    "CREATE_TOPICS", True, "Processes create their own topics at start; `false` where KafkaTopic resources do."
)


def client_security() -> dict[str, Any]:
    """The connection's security settings for any kafka-python client, from the environment."""
    protocol = SECURITY_PROTOCOL.text().upper()
    settings: dict[str, Any] = {"security_protocol": protocol}
    if protocol.startswith("SASL_"):
        settings.update(
            sasl_mechanism=SASL_MECHANISM.text(),
            sasl_plain_username=SASL_USERNAME.text(),
            sasl_plain_password=SASL_PASSWORD.text(),
        )
    if protocol.endswith("SSL") and SSL_CAFILE.text():
        settings["ssl_cafile"] = SSL_CAFILE.text()
    return settings


class JsonSerializer(Serializer):
    """Values as compact UTF-8 JSON; bytes pass through unchanged."""

    def serialize(self, topic: str, headers: list[tuple[str, bytes]], data: Any) -> bytes:
        if isinstance(data, bytes):
            return data
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class KeySerializer(Serializer):
    """Keys (aggregate ids) as UTF-8; bytes and None pass through unchanged."""

    def serialize(self, topic: str, headers: list[tuple[str, bytes]], data: Any) -> bytes | None:
        return data.encode() if isinstance(data, str) else data


def make_producer(bootstrap_servers: str, client_id: str, **overrides: Any) -> KafkaProducer:
    """An idempotent producer that waits for all in-sync replicas: no loss, no reordering on retry."""
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers,
        "client_id": client_id,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "batch_size": 256 * 1024,
        "key_serializer": KeySerializer(),
        "value_serializer": JsonSerializer(),
        **client_security(),
    }
    config.update(overrides)
    return KafkaProducer(**config)


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


def ensure_topics(
    bootstrap_servers: str, topics: Iterable[str], *, partitions: int = 3, replication_factor: int = 1
) -> None:
    """Create the topics (and their dead-letter topics) that do not exist yet.

    In Kubernetes the Strimzi KafkaTopic resources create them; this is for local runs and tests.
    """
    wanted = set()
    for topic in topics:
        wanted.update({topic, dlq_topic(topic)})
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="topic-setup", **client_security())
    try:
        missing = wanted - set(admin.list_topics())
        for topic in sorted(missing):
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics([NewTopic(topic, partitions, replication_factor)])
    finally:
        admin.close()


def ensure_own_topics(bootstrap_servers: str, topics: Iterable[str]) -> None:
    """A service's processes create the topics it owns at start (``CREATE_TOPICS=false`` where Strimzi does)."""
    if CREATE_TOPICS.flag():
        ensure_topics(bootstrap_servers, topics)
