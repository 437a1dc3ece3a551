"""The network policies let each pod reach what its process needs, and nothing else.

The policies are evaluated as Kubernetes does (a connection passes when no policy selects the pod for that
direction, or when a rule of one that does allows it), for connections to every pod the overlays deploy, to
MongoDB, to the Kafka brokers, and to addresses outside the cluster.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.deploy.conftest import OVERLAYS, Manifest, of_kind
from tests.deploy.flows import Need, needs, strimzi_bootstrap
from tests.deploy.manifests import (
    DATA_SERVICES,
    NAMESPACE,
    SERVICES,
    component_of,
    deployments,
    matches,
    pod_labels,
    portal_calls,
    service_of,
    title,
)

MONGODB = {"app.kubernetes.io/name": "mongodb", "app.kubernetes.io/component": "database"}
KAFKA_BROKER = {**strimzi_bootstrap("solidarity-kafka"), "strimzi.io/pool-name": "broker"}
KAFKA_CONTROLLER = {
    "strimzi.io/cluster": "solidarity-kafka",
    "strimzi.io/kind": "Kafka",
    "strimzi.io/controller-role": "true",
    "strimzi.io/pool-name": "controller",
}
DNS = {"k8s-app": "kube-dns"}
PUBLIC_ADDRESS = "93.184.215.14"
INTERNAL_ADDRESSES = ("10.0.0.12", "172.20.1.5", "192.168.1.1", "169.254.169.254", "100.64.0.10", "127.0.0.1")
PORTS = (25, 53, 80, 443, 587, 8000, 9092, 9093, 9100, 27017)


@dataclass(frozen=True)
class Peer:
    """The other end of a connection: a pod (with its labels and namespace) or an address outside the cluster."""

    labels: dict[str, str] = field(default_factory=dict, hash=False)
    namespace: str = NAMESPACE
    address: str = ""

    def __str__(self) -> str:
        if self.address:
            return self.address
        return f"{self.namespace}/{','.join(f'{k}={v}' for k, v in sorted(self.labels.items()))}"


def allowed(
    policies: list[Manifest], pod: dict[str, str], direction: str, peer: Peer, port: int, protocol: str
) -> bool:
    """Whether a connection from (Egress) or to (Ingress) a pod of the namespace with labels ``pod`` passes."""
    selecting = [
        p
        for p in policies
        if direction in p["spec"].get("policyTypes", ["Ingress"]) and matches(p["spec"]["podSelector"], pod)
    ]
    if not selecting:
        return True
    key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    return any(
        _peers_match(rule.get(peers_key), peer) and _ports_match(rule.get("ports"), port, protocol)
        for policy in selecting
        for rule in policy["spec"].get(key, [])
    )


def _peers_match(peers: list[dict[str, Any]] | None, peer: Peer) -> bool:
    if not peers:
        return True
    return any(_peer_matches(p, peer) for p in peers)


def _peer_matches(rule: dict[str, Any], peer: Peer) -> bool:
    if "ipBlock" in rule:
        if not peer.address:
            return False  # pod-to-pod traffic is matched by selectors (ipBlock is for addresses outside)
        address = ipaddress.ip_address(peer.address)
        block = rule["ipBlock"]
        if address.version != ipaddress.ip_network(block["cidr"]).version:
            return False
        inside = address in ipaddress.ip_network(block["cidr"])
        excepted = any(
            address in ipaddress.ip_network(e)
            for e in block.get("except", [])
            if ipaddress.ip_network(e).version == address.version
        )
        return inside and not excepted
    if peer.address:
        return False
    if "namespaceSelector" in rule:
        namespace_labels = {"kubernetes.io/metadata.name": peer.namespace}
        if not matches(rule["namespaceSelector"], namespace_labels):
            return False
    elif peer.namespace != NAMESPACE:
        return False
    return "podSelector" not in rule or matches(rule["podSelector"], peer.labels)


def _ports_match(ports: list[dict[str, Any]] | None, port: int, protocol: str) -> bool:
    if not ports:
        return True
    return any(
        p.get("protocol", "TCP") == protocol and ("port" not in p or p["port"] <= port <= p.get("endPort", p["port"]))
        for p in ports
    )


def egress(policies: list[Manifest], pod: dict[str, str], peer: Peer, port: int, protocol: str = "TCP") -> bool:
    return allowed(policies, pod, "Egress", peer, port, protocol)


def ingress(policies: list[Manifest], pod: dict[str, str], peer: Peer, port: int) -> bool:
    return allowed(policies, pod, "Ingress", peer, port, "TCP")


def pods(manifests: list[Manifest]) -> dict[str, Manifest]:
    """The services' Deployments and Jobs, by title."""
    workloads = of_kind(manifests, "Deployment", "Job")
    return {title(w): w for w in workloads if service_of(w) in SERVICES}


def destinations(manifests: list[Manifest]) -> list[Peer]:
    """Every peer a pod could try: every pod deployed, MongoDB, Kafka's brokers and controllers, the DNS, and
    addresses outside the cluster (public, and the private, shared, link-local and loopback ranges)."""
    peers = [Peer(pod_labels(w)) for w in pods(manifests).values()]
    peers += [Peer(MONGODB), Peer(KAFKA_BROKER), Peer(KAFKA_CONTROLLER), Peer(DNS, namespace="kube-system")]
    peers += [Peer(address=PUBLIC_ADDRESS), *(Peer(address=a) for a in INTERNAL_ADDRESSES)]
    return peers


def strimzi_policies(manifests: list[Manifest]) -> list[Manifest]:
    """The NetworkPolicy Strimzi writes for each listener: its networkPolicyPeers may reach the brokers' port."""
    written = []
    for kafka in of_kind(manifests, "Kafka"):
        for listener in kafka["spec"]["kafka"]["listeners"]:
            rule = {"ports": [{"protocol": "TCP", "port": listener["port"]}]}
            if "networkPolicyPeers" in listener:
                rule["from"] = listener["networkPolicyPeers"]
            selector = strimzi_bootstrap(kafka["metadata"]["name"])  # the listeners are the brokers'
            written.append(
                {"spec": {"podSelector": {"matchLabels": selector}, "policyTypes": ["Ingress"], "ingress": [rule]}}
            )
        controllers = {"strimzi.io/cluster": kafka["metadata"]["name"], "strimzi.io/controller-role": "true"}
        cluster = [{"podSelector": {"matchLabels": {"strimzi.io/cluster": kafka["metadata"]["name"]}}}]
        ingress_rule = {"from": cluster, "ports": [{"protocol": "TCP", "port": 9090}]}
        written.append(
            {
                "spec": {
                    "podSelector": {"matchLabels": controllers},
                    "policyTypes": ["Ingress"],
                    "ingress": [ingress_rule],
                }
            }
        )
    return written


def flows(manifests: list[Manifest]) -> dict[str, tuple[set[str], set[str]]]:
    """For each workload: the connections its pods may open (out of theirs and in at the other end) and those
    its processes need, both as ``peer:port`` over every destination and port tried."""
    policies = [*of_kind(manifests, "NetworkPolicy"), *strimzi_policies(manifests)]
    found = {}
    for name, workload in pods(manifests).items():
        pod, wanted = pod_labels(workload), needs(workload, manifests)
        allowed_flows, needed_flows = set(), set()
        for peer in destinations(manifests):
            for port in PORTS:
                passes = egress(policies, pod, peer, port)
                if passes and not peer.address and peer.namespace == NAMESPACE:
                    passes = ingress(policies, peer.labels, Peer(pod), port)
                if passes:
                    allowed_flows.add(f"{peer}:{port}")
                if needed(wanted, peer, port):
                    needed_flows.add(f"{peer}:{port}")
            if peer.namespace == "kube-system" and egress(policies, pod, peer, 53, "UDP"):
                allowed_flows.add(f"{peer}:53/UDP")
            if peer.namespace == "kube-system":
                needed_flows.add(f"{peer}:53/UDP")
        found[name] = (allowed_flows, needed_flows)
    return found


def needed(wanted: set[Need], peer: Peer, port: int) -> bool:
    if peer.namespace == "kube-system":
        return port == 53  # every process looks names up
    if peer.address:
        return peer.address == PUBLIC_ADDRESS and any(n.outside and n.port == port for n in wanted)
    return peer.namespace == NAMESPACE and any(n.reaches(peer.labels, port) for n in wanted)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_everything_is_denied_unless_allowed(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    policies = of_kind(rendered[overlay], "NetworkPolicy")
    deny = [
        p
        for p in policies
        if p["spec"]["podSelector"] == {}
        and set(p["spec"].get("policyTypes", [])) == {"Ingress", "Egress"}
        and not p["spec"].get("ingress")
        and not p["spec"].get("egress")
    ]
    assert deny, "no default-deny policy: a pod no policy selects may connect anywhere and be reached by anyone"
    stranger = Peer({"app": "anything"})
    assert not egress(policies, {"app": "anything"}, Peer(address=PUBLIC_ADDRESS), 443)
    assert not ingress(policies, {"app": "anything"}, stranger, 8080)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_pod_reaches_what_its_configuration_names_and_nothing_else(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    """The flow check: the connections the NetworkPolicies let each pod open (its own egress rules, and the
    ingress rules at the other end, Strimzi's for the brokers included) are exactly those its processes need
    by their settings (tests/deploy/flows.py): MongoDB, Kafka, the identity provider, the mail server,
    webhook receivers, the APIs the portal calls, and the DNS."""
    wrong = []
    for workload, (allowed_flows, needed_flows) in flows(rendered[overlay]).items():
        wrong += [
            f"{workload} cannot reach {flow}, which its settings name" for flow in sorted(needed_flows - allowed_flows)
        ]
        wrong += [f"{workload} may reach {flow}, which it never needs" for flow in sorted(allowed_flows - needed_flows)]
    assert not wrong, "\n".join(wrong)


def test_in_prod_the_services_web_pods_reach_the_identity_providers_keys(rendered: dict[str, list[Manifest]]) -> None:
    """Without this, PyJWKClient's fetch of JWT_JWKS_URL is dropped and every signed-in API call fails."""
    manifests = rendered["prod"]
    policies = of_kind(manifests, "NetworkPolicy")
    for deployment in deployments(manifests, "web"):
        if service_of(deployment) in DATA_SERVICES:
            assert any(n.outside and n.port == 443 for n in needs(deployment, manifests)), title(deployment)
            assert egress(policies, pod_labels(deployment), Peer(address=PUBLIC_ADDRESS), 443), title(deployment)
    for deployment in deployments(manifests):
        if component_of(deployment) != "web":
            assert not egress(policies, pod_labels(deployment), Peer(address=PUBLIC_ADDRESS), 443) or (
                component_of(deployment) == "sender"
            ), f"{title(deployment)} reaches outside on 443"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_pods_answer_the_ingress_controller_and_the_portal(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    manifests = rendered[overlay]
    policies = of_kind(manifests, "NetworkPolicy")
    controller = Peer({"app.kubernetes.io/name": "ingress-nginx"}, namespace="ingress-nginx")
    (portal,) = [pod_labels(d) for d in deployments(manifests, "web") if service_of(d) == "portal"]
    for deployment in deployments(manifests):
        pod, where = pod_labels(deployment), title(deployment)
        web = component_of(deployment) == "web"
        assert ingress(policies, pod, controller, 8000) == web, f"{where}: the ingress controller on 8000"
        from_portal = web and service_of(deployment) in portal_calls()
        assert ingress(policies, pod, Peer(portal), 8000) == from_portal, f"{where}: the portal on 8000"
        for other in DATA_SERVICES:
            caller = Peer({"app.kubernetes.io/name": other, "app.kubernetes.io/component": "consumer"})
            assert not ingress(policies, pod, caller, 8000), f"{where} answers {other}'s pods"
        assert not ingress(policies, pod, Peer({"app": "x"}, namespace="default"), 8000), f"{where} answers anyone"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_prometheus_may_scrape_every_pod_on_its_metrics_port(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    manifests = rendered[overlay]
    policies = of_kind(manifests, "NetworkPolicy")
    prometheus = Peer({"app.kubernetes.io/name": "prometheus"}, namespace="monitoring")
    for deployment in deployments(manifests):
        port = int(deployment["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"])
        assert ingress(policies, pod_labels(deployment), prometheus, port), f"{title(deployment)} on {port}"
        assert not ingress(policies, pod_labels(deployment), prometheus, 27017), title(deployment)
