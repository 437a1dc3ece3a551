"""Every pod of the namespace is admitted by its Pod Security level ("restricted"): those the overlays create,
the operations toolbox, and those Strimzi creates from the Kafka CR (brokers, controllers, the entity operator
and the Kafka exporter). A refused pod is never created: its Deployment or StatefulSet stays at zero, and for
the entity operator that means no KafkaTopic or KafkaUser is reconciled, so no service gets its Kafka user.
"""

from __future__ import annotations

import pytest

from tests.deploy.conftest import K8S, OVERLAYS, Manifest, of_kind, render
from tests.deploy.manifests import POD_KINDS, pod_spec, title
from tests.deploy.pod_security import strimzi_pods, violations


def namespace_level(manifests: list[Manifest]) -> str:
    (namespace,) = of_kind(manifests, "Namespace")
    return namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_the_overlays_create_meets_the_restricted_level(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    manifests = rendered[overlay]
    assert namespace_level(manifests) == "restricted"
    found = [f"{title(w)}: {v}" for w in of_kind(manifests, *POD_KINDS) for v in violations(pod_spec(w))]
    assert not found, "\n".join(found)


def test_the_operations_toolbox_meets_the_restricted_level(kustomize) -> None:  # type: ignore[no-untyped-def]
    (pod,) = of_kind(render(kustomize, K8S / "operations" / "dlq-replay"), "Pod")
    assert not violations(pod["spec"]), violations(pod["spec"])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_pods_strimzi_creates_meet_the_restricted_level(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """The entity operator and the exporter get no security context unless their ``template`` gives one."""
    pods = strimzi_pods(rendered[overlay])
    assert {"solidarity-kafka-entity-operator", "solidarity-kafka-kafka-exporter"} <= set(pods)
    assert any("broker" in p["roles"] for p in pods.values() if "roles" in p)
    found = [f"{name}: {v}" for name, spec in pods.items() for v in violations(spec)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_volumes_stay_writable_for_the_kafka_user(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """Strimzi's images run Kafka as a user of group 0 and rely on ``fsGroup: 0`` to write a new volume; a
    custom pod security context replaces Strimzi's default, so it must keep that fsGroup."""
    for name, spec in strimzi_pods(rendered[overlay]).items():
        if "roles" in spec:
            assert spec["securityContext"].get("fsGroup") == 0, (
                f"{name}: fsGroup {spec['securityContext'].get('fsGroup')}"
            )
