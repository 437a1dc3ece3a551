"""Losing one node, a rollout or a shortage of room in the cluster leaves the platform up.

- Pods of one replicated process never share a node while nodes are free (required anti-affinity, or a
  topology spread that may not be broken), so one node's loss takes one pod of each at most: Kafka keeps
  ``min.insync.replicas`` and its controllers their quorum, and every web process, relay and consumer keeps
  a pod.
- Web pods leave the Service's endpoints before gunicorn stops (a preStop wait inside the grace period).
- The data stores have the highest priority, then the services; every long-running pod names a class.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.deploy.conftest import OVERLAYS, Manifest, of_kind
from tests.deploy.manifests import component_of, deployments, find, matches, pod_labels, pod_spec, title
from tests.deploy.pod_security import strimzi_pods

SPREAD = ("web", "relay", "consumer", "sender")
GUNICORN_GRACEFUL_SECONDS = 20  # shared/web/gunicorn_conf.py


def selects_own_pods_per_node(spec: dict[str, Any], labels: dict[str, str]) -> bool:
    """Whether a pod spec keeps two pods with ``labels`` off one node, by anti-affinity or a hard spread."""
    for term in (
        spec.get("affinity", {}).get("podAntiAffinity", {}).get("requiredDuringSchedulingIgnoredDuringExecution", [])
    ):
        if term["topologyKey"] == "kubernetes.io/hostname" and matches(term["labelSelector"], labels):
            return True
    for constraint in spec.get("topologySpreadConstraints") or []:
        selector = dict(constraint["labelSelector"])
        keys = constraint.get("matchLabelKeys", [])
        selector["matchLabels"] = {**selector.get("matchLabels", {}), **{k: labels.get(k, "") for k in keys}}
        if (
            constraint["topologyKey"] == "kubernetes.io/hostname"
            and constraint["whenUnsatisfiable"] == "DoNotSchedule"
            and constraint["maxSkew"] == 1
            and matches(selector, labels)
        ):
            return True
    return False


def spread_counts_only_its_own(deployment: Manifest, manifests: list[Manifest]) -> bool:
    """The spread's selector counts this Deployment's pods, not another process's."""
    spec = pod_spec(deployment)
    for constraint in spec.get("topologySpreadConstraints", []):
        for other in deployments(manifests):
            if other is deployment:
                continue
            labels = pod_labels(other)
            keys = constraint.get("matchLabelKeys", [])
            own = pod_labels(deployment)
            selector = dict(constraint["labelSelector"])
            selector["matchLabels"] = {**selector.get("matchLabels", {}), **{k: own.get(k, "") for k in keys}}
            if matches(selector, {**labels, "pod-template-hash": own.get("pod-template-hash", "")}):
                return False
    return True


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_loses_at_most_one_broker_and_one_controller_with_a_node(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    manifests = rendered[overlay]
    (kafka,) = of_kind(manifests, "Kafka")
    min_insync = int(kafka["spec"]["kafka"]["config"]["min.insync.replicas"])
    for name, pod in strimzi_pods(manifests).items():
        if "roles" not in pod:
            continue
        labels = {
            "strimzi.io/cluster": "solidarity-kafka",
            "strimzi.io/pool-name": name.removeprefix("solidarity-kafka-"),
        }
        assert selects_own_pods_per_node(pod, labels), f"{name}: two of its pods may share a node"
        if "broker" in pod["roles"] and pod["replicas"] > 1:
            assert pod["replicas"] - 1 >= min_insync, f"{name}: one node's loss drops below min.insync.replicas"
        if "controller" in pod["roles"] and pod["replicas"] > 1:
            assert pod["replicas"] - 1 > pod["replicas"] // 2, f"{name}: one node's loss breaks the quorum"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_replicated_processes_spread_over_nodes(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    manifests = rendered[overlay]
    for deployment in deployments(manifests):
        if component_of(deployment) in SPREAD:
            labels = {**pod_labels(deployment), "pod-template-hash": "h1"}
            assert selects_own_pods_per_node(pod_spec(deployment), labels), f"{title(deployment)} may pile on a node"
            assert spread_counts_only_its_own(deployment, manifests), f"{title(deployment)} counts others' pods"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_pods_stop_receiving_requests_before_they_stop(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    for deployment in deployments(rendered[overlay], "web"):
        spec = pod_spec(deployment)
        (app,) = [c for c in spec["containers"] if c["name"] == "app"]
        wait = app.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
        assert wait >= 3, f"{title(deployment)}: no preStop wait, connections are cut on every rollout"
        grace = spec.get("terminationGracePeriodSeconds", 30)
        assert wait + GUNICORN_GRACEFUL_SECONDS < grace, f"{title(deployment)}: the grace period ends mid-request"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_data_stores_come_first_then_the_services(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    manifests = rendered[overlay]
    value = {c["metadata"]["name"]: c["value"] for c in of_kind(manifests, "PriorityClass")}
    mongodb = find(manifests, "StatefulSet", "mongodb")
    assert mongodb
    data = value[pod_spec(mongodb)["priorityClassName"]]
    for name, pod in strimzi_pods(manifests).items():
        assert pod["priorityClassName"] in value, f"{name} names no PriorityClass"
        if "roles" in pod:
            assert value[pod["priorityClassName"]] == data, name
    for deployment in deployments(manifests):
        name = pod_spec(deployment).get("priorityClassName")
        assert name in value, f"{title(deployment)} names no PriorityClass"
        assert 0 < value[name] < data, title(deployment)
    assert not any(c.get("globalDefault") for c in of_kind(manifests, "PriorityClass"))
