"""Kafka clients configured the way every service needs them."""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterable
from typing import Any

from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import InvalidReplicationFactorError, TopicAlreadyExistsError
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
CONSUMER_SESSION_TIMEOUT_MS = declare(
    "CONSUMER_SESSION_TIMEOUT_MS",
    10000,
    "How long a consumer may go without a heartbeat before Kafka gives its partitions to another replica: a killed "
    "replica's partitions move within about this long (the broker's group.min.session.timeout.ms is 6000).",
)
CONSUMER_HEARTBEAT_INTERVAL_MS = declare(
    "CONSUMER_HEARTBEAT_INTERVAL_MS", 3000, "How often a consumer tells Kafka it lives (at most a third of the above)."
)
CONSUMER_MAX_POLL_INTERVAL_MS = declare(
    "CONSUMER_MAX_POLL_INTERVAL_MS",
    60000,
    "The longest a consumer may take between two polls before it leaves its group; also how long a rebalance waits "
    "for every member to rejoin. The consumer polls at least twice a second, also while it waits out a database "
    "outage, and hands back the rest of a batch after half of this.",
)
CONSUMER_INSTANCE_ID = declare(
    "CONSUMER_INSTANCE_ID",
    "",
    "Static group membership (`group.instance.id`): a replica restarted under the same id gets its partitions back "
    "without a rebalance. Only for pods with stable names (a StatefulSet: set it from `metadata.name`); leave it "
    "empty for Deployments, whose pods get new names at each restart: a static member never leaves its group, so "
    "each old name would hold its partitions until the session timeout.",
)
CONSUMER_STALL_GRACE_SECONDS = declare(
    "CONSUMER_STALL_GRACE_SECONDS",
    60,
    "A consumer that holds no partition while its topics have lag, or reads nothing from partitions with lag, for "
    "this long stops touching its liveness file, so the liveness probe restarts it.",
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
    """Values as compact UTF-8 JSON; bytes and None (a tombstone) pass through unchanged."""

    def serialize(self, topic: str, headers: list[tuple[str, bytes]], data: Any) -> bytes | None:
        if data is None or isinstance(data, bytes):
            return data  # None stays a tombstone (no value), never the JSON text ``null``
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class KeySerializer(Serializer):
    """Keys (aggregate ids) as UTF-8; bytes and None pass through unchanged."""

    def serialize(self, topic: str, headers: list[tuple[str, bytes]], data: Any) -> bytes | None:
        return data.encode() if isinstance(data, str) else data


RECONNECT_BACKOFF_MAX_MS = 1000
"""The longest wait between a client's tries to reach a broker that is away (the Java client's default):
kafka-python's 30 s left relays and consumers idle for up to half a minute after Kafka came back."""


def consumer_settings() -> dict[str, Any]:
    """Group membership settings of a consumer: fast failure detection, static membership where pods have names."""
    settings: dict[str, Any] = {
        "session_timeout_ms": CONSUMER_SESSION_TIMEOUT_MS.integer(),
        "heartbeat_interval_ms": CONSUMER_HEARTBEAT_INTERVAL_MS.integer(),
        "max_poll_interval_ms": CONSUMER_MAX_POLL_INTERVAL_MS.integer(),
        # A topic created after the consumer started (or one whose partitions grew) is noticed within 30 s.
        "metadata_max_age_ms": 30_000,
        "reconnect_backoff_max_ms": RECONNECT_BACKOFF_MAX_MS,
    }
    if CONSUMER_INSTANCE_ID.text():
        settings["group_instance_id"] = CONSUMER_INSTANCE_ID.text()
    return settings


def make_producer(bootstrap_servers: str, client_id: str, **overrides: Any) -> KafkaProducer:
    """An idempotent producer that waits for all in-sync replicas: no loss, no reordering on retry."""
    config: dict[str, Any] = {
        "bootstrap_servers": bootstrap_servers,
        "client_id": client_id,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "batch_size": 256 * 1024,
        "reconnect_backoff_max_ms": RECONNECT_BACKOFF_MAX_MS,
        "key_serializer": KeySerializer(),
        "value_serializer": JsonSerializer(),
        **client_security(),
    }
    config.update(overrides)
    return KafkaProducer(**config)


def dlq_topic(topic: str) -> str:
    return f"{topic}.dlq"


REPLAYED_HEADER = "x-replayed"
"""On a record ``dlq-replay`` sent back to its topic: how many times it was replayed (``1``, ``2``…)."""
REPLAY_GROUP_HEADER = "x-replay-group"
"""On a replayed record: the only consumer group meant to read it; other groups skip it."""


FENCED_BROKER_WAIT_S = 30.0


def ensure_topics(
    bootstrap_servers: str, topics: Iterable[str], *, partitions: int = 3, replication_factor: int = 1
) -> None:
    """Create the topics (and their dead-letter topics) that do not exist yet.

    In Kubernetes the Strimzi KafkaTopic resources create them; this is for local runs and tests. A broker
    that has just started refuses to create topics until it has caught up with its controller (it is
    "fenced"): that refusal is retried for up to ``FENCED_BROKER_WAIT_S``.
    """
    wanted = set()
    for topic in topics:
        wanted.update({topic, dlq_topic(topic)})
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="topic-setup", **client_security())
    try:
        missing = wanted - set(admin.list_topics())
        for topic in sorted(missing):
            deadline = time.monotonic() + FENCED_BROKER_WAIT_S
            while True:
                try:
                    with contextlib.suppress(TopicAlreadyExistsError):
                        admin.create_topics([NewTopic(topic, partitions, replication_factor)])
                    break
                except InvalidReplicationFactorError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.5)
    finally:
        admin.close()


def ensure_own_topics(bootstrap_servers: str, topics: Iterable[str]) -> None:
    """A service's processes create the topics it owns at start (``CREATE_TOPICS=false`` where Strimzi does)."""
    if CREATE_TOPICS.flag():
        ensure_topics(bootstrap_servers, topics)
