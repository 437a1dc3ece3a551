"""Kafka on Kubernetes: the Strimzi resources are valid for the operator, and match what the code uses.

A resource the operator's schema refuses is never reconciled; a topic without its KafkaTopic does not
exist (auto-creation is off), so its producer's relay stalls; an ACL missing from a KafkaUser makes the
service's consumer or relay fail with an authorisation error.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from shared.kafka import dlq_topic
from tests.deploy.conftest import OVERLAYS, Manifest, of_kind
from tests.deploy.manifests import DATA_SERVICES, deployments, main_container, secret_key_ref, service_of
from tests.deploy.topics import CONSUMED, PRODUCED, topics_used

STRIMZI_KINDS = ("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser")
API_VERSION = "kafka.strimzi.io/v1"


def strict(schema: Any) -> Any:
    """The schema with unknown fields refused where Kubernetes would silently drop them.

    A structural schema prunes fields it does not declare, so a misspelt field is lost without a word;
    here it fails the test instead. Objects that keep unknown fields (e.g. Kafka's ``config``) stay open.
    """
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    closed = {key: strict(value) for key, value in schema.items()}
    open_ended = "additionalProperties" in schema or schema.get("x-kubernetes-preserve-unknown-fields")
    if "properties" in schema and not open_ended:
        closed["additionalProperties"] = False
    return closed


def validator(crd: Manifest) -> jsonschema.Draft4Validator:
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == API_VERSION.split("/")[1]]
    assert version["served"], f"{crd['spec']['names']['kind']} is not served at {API_VERSION}"
    schema = strict(version["schema"]["openAPIV3Schema"])
    schema["properties"]["metadata"] = {"type": "object"}
    return jsonschema.Draft4Validator(schema)


def by_name(manifests: list[Manifest], kind: str) -> dict[str, Manifest]:
    return {m["metadata"]["name"]: m for m in of_kind(manifests, kind)}


def topic_name(topic: Manifest) -> str:
    return topic["spec"].get("topicName", topic["metadata"]["name"])


def rights(user: Manifest) -> set[tuple[str, str, str]]:
    """(resource type, name, operation) for each ACL of a KafkaUser; a prefixed name ends with ``*``."""
    granted = set()
    for acl in user["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        pattern = resource.get("patternType", "literal")
        assert pattern in ("literal", "prefix"), f"{user['metadata']['name']}: {acl}"
        assert pattern == "literal" or resource["type"] == "group", f"{user['metadata']['name']}: a topic prefix {acl}"
        name = resource["name"] + ("*" if pattern == "prefix" else "")
        granted |= {(resource["type"], name, operation) for operation in acl["operations"]}
    return granted


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_strimzi_resource_is_valid_for_the_operator(
    rendered: dict[str, list[Manifest]], strimzi_crds: dict[str, Manifest], overlay: str
) -> None:
    resources = of_kind(rendered[overlay], *STRIMZI_KINDS)
    assert {r["kind"] for r in resources} == set(STRIMZI_KINDS)
    validators = {kind: validator(strimzi_crds[kind]) for kind in STRIMZI_KINDS}
    problems = []
    for resource in resources:
        where = f"{resource['kind']} {resource['metadata']['name']}"
        if resource["apiVersion"] != API_VERSION:
            problems.append(f"{where}: {resource['apiVersion']} (the operator serves only {API_VERSION})")
        for error in validators[resource["kind"]].iter_errors(resource):
            problems.append(f"{where}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
    assert not problems, "\n".join(problems)


def test_the_schema_check_catches_a_misspelt_field(strimzi_crds: dict[str, Manifest]) -> None:
    topic = {
        "apiVersion": API_VERSION,
        "kind": "KafkaTopic",
        "metadata": {"name": "t"},
        "spec": {"partition": 6, "replicas": 3},
    }
    assert not validator(strimzi_crds["KafkaTopic"]).is_valid(topic)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_topic_the_code_uses_has_a_kafka_topic_and_no_other(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    declared = {topic_name(t) for t in of_kind(rendered[overlay], "KafkaTopic")}
    assert declared >= topics_used(), f"topics without a KafkaTopic: {sorted(topics_used() - declared)}"
    assert declared <= topics_used(), f"KafkaTopics no code uses: {sorted(declared - topics_used())}"


def test_every_consumed_topic_has_its_dead_letter_topic(rendered: dict[str, list[Manifest]]) -> None:
    declared = {topic_name(t) for t in of_kind(rendered["prod"], "KafkaTopic")}
    consumed = set().union(*CONSUMED.values())
    assert {dlq_topic(topic) for topic in consumed} <= declared


def test_production_topics_survive_the_loss_of_a_broker(rendered: dict[str, list[Manifest]]) -> None:
    for topic in of_kind(rendered["prod"], "KafkaTopic"):
        spec, name = topic["spec"], topic_name(topic)
        assert spec["replicas"] == 3, name
        assert spec["config"]["min.insync.replicas"] == "2", name
        assert int(spec["config"]["retention.ms"]) != 0, name
        assert spec["partitions"] >= 1, name
    kafka = by_name(rendered["prod"], "Kafka")["solidarity-kafka"]["spec"]["kafka"]
    assert kafka["config"]["auto.create.topics.enable"] is False
    assert kafka["config"]["min.insync.replicas"] == 2


def test_production_runs_kraft_with_three_controllers_and_three_brokers(rendered: dict[str, list[Manifest]]) -> None:
    pools = of_kind(rendered["prod"], "KafkaNodePool")
    assert all(pool["metadata"]["labels"]["strimzi.io/cluster"] == "solidarity-kafka" for pool in pools)
    by_role = {
        role: sum(p["spec"]["replicas"] for p in pools if role in p["spec"]["roles"])
        for role in ("controller", "broker")
    }
    assert by_role == {"controller": 3, "broker": 3}
    assert all(pool["spec"]["storage"]["type"] == "persistent-claim" for pool in pools)


def test_development_runs_one_node_and_topics_with_one_copy(rendered: dict[str, list[Manifest]]) -> None:
    (pool,) = of_kind(rendered["dev"], "KafkaNodePool")
    assert pool["spec"]["replicas"] == 1 and set(pool["spec"]["roles"]) == {"controller", "broker"}
    for topic in of_kind(rendered["dev"], "KafkaTopic"):
        assert topic["spec"]["replicas"] == 1, topic_name(topic)
        assert topic["spec"]["config"]["min.insync.replicas"] == "1", topic_name(topic)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_sign_in_on_the_tls_listener_as_a_kafka_user_that_exists(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    manifests = rendered[overlay]
    (listener,) = by_name(manifests, "Kafka")["solidarity-kafka"]["spec"]["kafka"]["listeners"]
    assert (listener["port"], listener["tls"], listener["authentication"]["type"]) == (9093, True, "scram-sha-512")
    users = by_name(manifests, "KafkaUser")
    for deployment in deployments(manifests):
        app = main_container(deployment)
        password = secret_key_ref(app, "KAFKA_SASL_PASSWORD")
        if password is None:
            continue
        user = next(e["value"] for e in app["env"] if e["name"] == "KAFKA_SASL_USERNAME")
        assert user in users, f"{deployment['metadata']['name']} signs in as {user}, which no KafkaUser creates"
        assert password == (user, "password"), "Strimzi writes a user's password into the Secret of its name"
        assert user == service_of(deployment)


@pytest.mark.parametrize("service", DATA_SERVICES)
def test_each_service_may_touch_only_its_own_topics_and_group(
    rendered: dict[str, list[Manifest]], service: str
) -> None:
    user = by_name(rendered["prod"], "KafkaUser")[service]
    assert user["spec"]["authentication"]["type"] == "scram-sha-512"
    produced, consumed = PRODUCED.get(service, set()), CONSUMED.get(service, set())
    expected = {("topic", t, op) for t in produced for op in ("Write", "Describe")}
    expected |= {("topic", t, op) for t in consumed for op in ("Read", "Describe")}
    expected |= {("topic", dlq_topic(t), op) for t in consumed for op in ("Write", "Describe")}
    expected |= {("group", f"{service}*", "Read")} if consumed else set()
    assert rights(user) == expected


def may_join(user: Manifest, group: str) -> bool:
    """Whether Kafka's simple authorizer lets the user read as a member of ``group``."""
    for acl in user["spec"]["authorization"]["acls"]:
        resource = acl["resource"]
        if resource["type"] != "group" or "Read" not in acl["operations"]:
            continue
        if resource.get("patternType", "literal") == "literal" and resource["name"] == group:
            return True
        if resource.get("patternType") == "prefix" and group.startswith(resource["name"]):
            return True
    return False


@pytest.mark.parametrize("service", sorted(CONSUMED))
def test_a_consumer_moved_to_a_new_group_is_let_in(rendered: dict[str, list[Manifest]], service: str) -> None:
    """<SERVICE>_CONSUMER_GROUP may name a new group (the runbook's "Rebuilding a read model" and "Restore"); it
    starts with the service's name, and the service's KafkaUser must let it read there, not another's group."""
    users = by_name(rendered["prod"], "KafkaUser")
    assert may_join(users[service], service)
    assert may_join(users[service], f"{service}-2"), f"{service}'s consumer under {service}-2 is refused"
    others = [name for name in CONSUMED if name != service]
    assert not any(may_join(users[service], other) for other in others)


def test_the_replay_user_reads_dead_letters_and_writes_them_back_only(rendered: dict[str, list[Manifest]]) -> None:
    user = by_name(rendered["prod"], "KafkaUser")["dlq-replay"]
    consumed = set().union(*CONSUMED.values())
    expected = {("topic", dlq_topic(t), op) for t in consumed for op in ("Read", "Describe")}
    expected |= {("topic", t, op) for t in consumed for op in ("Write", "Describe")}
    assert rights(user) == expected | {("group", "dlq-replay", "Read")}


def test_the_exporter_publishes_lag_and_offsets_for_the_alerts(rendered: dict[str, list[Manifest]]) -> None:
    exporter = by_name(rendered["prod"], "Kafka")["solidarity-kafka"]["spec"]["kafkaExporter"]
    assert exporter["topicRegex"] == ".*" and exporter["groupRegex"] == ".*"


def test_only_the_platforms_kafka_clients_are_let_in_to_the_brokers(rendered: dict[str, list[Manifest]]) -> None:
    (listener,) = by_name(rendered["prod"], "Kafka")["solidarity-kafka"]["spec"]["kafka"]["listeners"]
    (peer,) = listener["networkPolicyPeers"]
    (expression,) = peer["podSelector"]["matchExpressions"]
    assert expression["key"] == "app.kubernetes.io/name"
    assert set(expression["values"]) == set(PRODUCED) | set(CONSUMED) | {"dlq-replay"}
