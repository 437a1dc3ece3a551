"""MongoDB on Kubernetes: a replica set whose members, setup, backups and users agree with each other.

The services connect to ``mongodb-<n>.mongodb`` with the user of their own Secret: a setup that knows
another number of members or forgets a service leaves that service unable to sign in.
"""

from __future__ import annotations

import re
from pathlib import Path

import kubernetes_validate
import pytest

from tests.deploy.conftest import K8S, OVERLAYS, Manifest, of_kind, render
from tests.deploy.manifests import (
    DATA_SERVICES,
    console_commands,
    containers,
    environment,
    find,
    matches,
    pod_spec,
    secret_key_ref,
    service_of,
    title,
    workloads,
)
from tests.deploy.test_kubernetes_manifests import KUBERNETES_VERSION

MONGO_IMAGE = re.compile(r"mongo:7\.0\.\d+")


def statefulset(manifests: list[Manifest]) -> Manifest:
    found = find(manifests, "StatefulSet", "mongodb")
    assert found, "no StatefulSet mongodb"
    return found


def setup_settings(manifests: list[Manifest]) -> dict[str, str]:
    (config,) = [m for m in of_kind(manifests, "ConfigMap") if m["metadata"]["name"].startswith("mongodb-setup")]
    return config["data"]


def setup_container(manifests: list[Manifest]) -> dict:
    job = find(manifests, "Job", "mongodb-setup")
    assert job, "no Job mongodb-setup: the replica set would never be initiated"
    (container,) = pod_spec(job)["containers"]
    return container


@pytest.mark.parametrize(("overlay", "members"), [("prod", 3), ("dev", 1)])
def test_setup_backup_and_services_know_exactly_the_members_the_statefulset_runs(
    rendered: dict[str, list[Manifest]], overlay: str, members: int
) -> None:
    """A member listed but not running stalls the setup; one running but not listed is never joined."""
    manifests = rendered[overlay]
    assert statefulset(manifests)["spec"]["replicas"] == members
    backup = find(manifests, "CronJob", "mongodb-backup")
    assert backup, "no nightly backup"
    readers = [find(manifests, "Job", "mongodb-setup"), backup]
    readers += [w for w in workloads(manifests) if service_of(w) in DATA_SERVICES]
    expected = ",".join(f"mongodb-{n}.mongodb:27017" for n in range(members))
    for workload in readers:
        for container in containers(workload):
            hosts = environment(container, manifests).get("MONGODB_HOSTS")
            assert hosts == expected, f"{title(workload)}/{container['name']} knows the members {hosts!r}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_with_data_gets_its_own_user_from_its_own_secret(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    manifests = rendered[overlay]
    assert sorted(setup_settings(manifests)["MONGODB_SERVICES"].split()) == sorted(DATA_SERVICES)
    container = setup_container(manifests)
    for service in DATA_SERVICES:
        for key in ("username", "password"):
            assert secret_key_ref(container, f"{service.upper()}_{key.upper()}") == (f"{service}-mongodb", key)
    assert secret_key_ref(container, "MONGODB_ADMIN_PASSWORD") == ("mongodb-admin", "password")


def test_a_service_user_may_read_and_write_only_its_own_database(rendered: dict[str, list[Manifest]]) -> None:
    script = setup_settings(rendered["prod"])["setup.js"]
    assert 'const roles = [{ role: "readWrite", db: service }];' in script
    assert "getSiblingDB(service)" in script, "each user lives in its service's database (the URI's authSource)"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_members_are_mongodb_7_secured_probed_and_bounded(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    members = statefulset(rendered[overlay])
    spec = pod_spec(members)
    (mongod,) = spec["containers"]
    assert MONGO_IMAGE.fullmatch(mongod["image"]), mongod["image"]
    assert "--replSet=rs0" in mongod["args"]
    assert "--keyFile=/etc/mongodb-keyfile/keyfile" in mongod["args"], "members must authenticate to one another"
    for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
        assert probe in mongod, probe
    assert spec["securityContext"]["runAsUser"] == 999 and spec["securityContext"]["runAsNonRoot"] is True
    for container in [*spec["initContainers"], mongod]:
        assert container["securityContext"]["readOnlyRootFilesystem"] is True, container["name"]
        assert {"requests", "limits"} <= set(container["resources"]), container["name"]
    claim = members["spec"]["volumeClaimTemplates"][0]
    assert claim["metadata"]["name"] == "data", "the data must live on a volume that survives the pod"


def test_a_drain_takes_one_member_at_a_time(rendered: dict[str, list[Manifest]]) -> None:
    manifests = rendered["prod"]
    budget = find(manifests, "PodDisruptionBudget", "mongodb")
    assert budget and budget["spec"]["maxUnavailable"] == 1
    labels = statefulset(manifests)["spec"]["template"]["metadata"]["labels"]
    assert matches(budget["spec"]["selector"], labels)


def test_only_the_services_with_data_and_mongodb_itself_may_connect(rendered: dict[str, list[Manifest]]) -> None:
    policy = find(rendered["prod"], "NetworkPolicy", "mongodb")
    assert policy, "no NetworkPolicy for MongoDB"
    (rule,) = policy["spec"]["ingress"]
    (peer,) = rule["from"]
    (expression,) = peer["podSelector"]["matchExpressions"]
    assert set(expression["values"]) == {*DATA_SERVICES, "mongodb"}
    assert rule["ports"] == [{"protocol": "TCP", "port": 27017}]
    for kind in ("Job", "CronJob"):
        for workload in of_kind(rendered["prod"], kind):
            if workload["metadata"]["name"].startswith("mongodb"):
                labels = workload["spec"].get("jobTemplate", workload)["spec"]["template"]["metadata"]["labels"]
                assert labels["app.kubernetes.io/name"] == "mongodb", "the setup and backup pods must be let in"


@pytest.fixture(scope="module")
def dlq_toolbox(kustomize: Path) -> list[Manifest]:
    return render(kustomize, K8S / "operations" / "dlq-replay")


def test_the_replay_toolbox_is_valid_and_signs_in_as_the_replay_user(dlq_toolbox: list[Manifest]) -> None:
    for manifest in dlq_toolbox:
        kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        assert manifest["metadata"]["namespace"] == "solidarity-hub"
    (pod,) = of_kind(dlq_toolbox, "Pod")
    (app,) = pod["spec"]["containers"]
    assert "dlq-replay" in console_commands(), "the image must have the command operators run"
    assert app["image"].startswith("solidarity-hub/") and app["image"].rpartition(":")[2] not in ("", "latest")
    assert secret_key_ref(app, "KAFKA_SASL_PASSWORD") == ("dlq-replay", "password")
    assert next(e["value"] for e in app["env"] if e["name"] == "KAFKA_SASL_USERNAME") == "dlq-replay"
    assert app["securityContext"]["readOnlyRootFilesystem"] is True
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
