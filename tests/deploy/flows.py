"""What each process needs to reach, read from its configuration in the rendered manifests.

A process's destinations are the addresses in its settings, resolved as the cluster resolves them:

- ``MONGODB_URI`` (with ``$(MONGODB_HOSTS)`` expanded) and ``KAFKA_BOOTSTRAP_SERVERS`` name hosts inside the
  namespace: a Service (``registry``), a pod of a headless Service (``mongodb-0.mongodb``) or the bootstrap
  Service Strimzi makes for the Kafka CR (``<cluster>-kafka-bootstrap``, which selects the brokers);
- ``JWT_JWKS_URL``, ``PORTAL_OIDC_ISSUER_URL`` and ``SMTP_HOST``/``SMTP_PORT`` name hosts outside the cluster;
- the portal's ``PORTAL_<SERVICE>_URL`` name the services' Services (``PORTAL_PUBLIC_*`` are links people
  follow in their browsers, which the portal never calls);
- the notifications sender delivers webhooks to any public address its integrators register (HTTPS or HTTP).

Settings a process does not use are not needs: every notifications pod reads the ConfigMap with ``SMTP_HOST``,
but only the sender (``notifications-sender``) sends mail or calls webhooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from tests.deploy.conftest import Manifest, of_kind
from tests.deploy.manifests import (
    NAMESPACE,
    containers,
    environment,
    expansions,
    find,
    matches,
    pod_labels,
    portal_calls,
)

OUTSIDE = "outside"
"""The destination of a host outside the cluster: any public address (NetworkPolicies cannot name hosts)."""
SENDERS = {"notifications-sender"}
"""The commands that send mail and call webhooks."""
PORTAL_CALLS = {f"PORTAL_{s.upper()}_URL": s for s in portal_calls()}
"""The portal's settings naming the APIs it calls (PORTAL_PUBLIC_* are links for browsers, never called)."""
WEBHOOK_PORTS = frozenset({443, 80})
CLUSTER_SUFFIXES = (f".{NAMESPACE}.svc.cluster.local", f".{NAMESPACE}.svc", f".{NAMESPACE}", ".svc.cluster.local")


@dataclass(frozen=True)
class Need:
    """A destination a process connects to: pods of the namespace (a label selector) or OUTSIDE, on a port."""

    why: str
    port: int
    selector: tuple[tuple[str, str], ...] = ()
    """matchLabels of the pods it reaches; empty for OUTSIDE."""

    @property
    def outside(self) -> bool:
        return not self.selector

    def reaches(self, labels: dict[str, str], port: int) -> bool:
        return not self.outside and port == self.port and matches({"matchLabels": dict(self.selector)}, labels)

    def __str__(self) -> str:
        where = OUTSIDE if self.outside else ",".join(f"{k}={v}" for k, v in self.selector)
        return f"{where}:{self.port} ({self.why})"


def strimzi_bootstrap(cluster: str) -> dict[str, str]:
    """The selector of the bootstrap Service Strimzi makes for a Kafka CR: its brokers."""
    return {"strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka", "strimzi.io/broker-role": "true"}


def _expanded(value: str, env: dict[str, Any]) -> str:
    for name in expansions(value):
        if isinstance(env.get(name), str):
            value = value.replace(f"$({name})", env[name])
    return value


def resolve(host: str, port: int, why: str, manifests: list[Manifest]) -> Need:
    """The pods (or the outside) a host name and port lead to, as the cluster's DNS and Services route them."""
    name = host
    for suffix in CLUSTER_SUFFIXES:
        name = name.removesuffix(suffix)
    if "." in name:  # <pod>.<headless service>, or a name outside the cluster
        _pod, _, service_name = name.partition(".")
        service = find(manifests, "Service", service_name)
        if service is None or service["spec"].get("clusterIP") != "None":
            return Need(why, port)
        name = service_name
    for kafka in of_kind(manifests, "Kafka"):
        if name == f"{kafka['metadata']['name']}-kafka-bootstrap":
            return Need(why, port, tuple(sorted(strimzi_bootstrap(kafka["metadata"]["name"]).items())))
    service = find(manifests, "Service", name)
    assert service, f"{why}: no Service {name!r} in the namespace, the name would not resolve"
    target = _target_port(service, port, manifests)
    return Need(why, target, tuple(sorted(service["spec"]["selector"].items())))


def _target_port(service: Manifest, port: int, manifests: list[Manifest]) -> int:
    (entry,) = [p for p in service["spec"]["ports"] if p["port"] == port] or [None]
    assert entry, f"Service {service['metadata']['name']} has no port {port}"
    target = entry.get("targetPort", port)
    if isinstance(target, int):
        return target
    for workload in of_kind(manifests, "Deployment", "StatefulSet"):
        if matches({"matchLabels": service["spec"]["selector"]}, pod_labels(workload)):
            for container in containers(workload):
                for declared in container.get("ports", []):
                    if declared.get("name") == target:
                        return int(declared["containerPort"])
    raise AssertionError(f"Service {service['metadata']['name']}: no pod declares the port {target!r}")


def _url(value: str, why: str, manifests: list[Manifest]) -> Need:
    parts = urlsplit(value)
    assert parts.hostname, f"{why}: {value!r} names no host"
    return resolve(parts.hostname, parts.port or {"https": 443, "http": 80}[parts.scheme], why, manifests)


def needs(workload: Manifest, manifests: list[Manifest]) -> set[Need]:
    """Every destination a workload's processes (init containers included) connect to, from their settings."""
    found: set[Need] = set()
    for container in containers(workload):
        env = environment(container, manifests)
        command = " ".join(container.get("command", []))
        for name, raw in env.items():
            if not isinstance(raw, str):
                continue
            value = _expanded(raw, env)
            if name == "MONGODB_URI":
                hosts = value.split("@")[-1].split("/")[0]
                for host in hosts.split(","):
                    found.add(resolve(*_host_port(host, 27017), "MongoDB", manifests))
            elif name == "KAFKA_BOOTSTRAP_SERVERS":
                for host in value.split(","):
                    found.add(resolve(*_host_port(host, 9092), "Kafka", manifests))
            elif name == "JWT_JWKS_URL" and value:
                found.add(_url(value, "the identity provider's keys", manifests))
            elif name == "PORTAL_OIDC_ISSUER_URL" and value:
                found.add(_url(value, "the identity provider (sign-in)", manifests))
            elif name in PORTAL_CALLS and value:
                found.add(_url(value, f"the {PORTAL_CALLS[name]} API", manifests))
            elif name == "SMTP_HOST" and value and command in SENDERS:
                found.add(resolve(value, int(env.get("SMTP_PORT", "587")), "the mail server", manifests))
        if command in SENDERS:
            found |= {Need("webhook receivers", port) for port in WEBHOOK_PORTS}
    return found


def _host_port(address: str, default: int) -> tuple[str, int]:
    host, _, port = address.strip().rpartition(":") if ":" in address else (address.strip(), "", str(default))
    return host, int(port)
