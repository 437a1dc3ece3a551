"""The Prometheus configuration and alert rules read metrics the platform really exports.

An alert on a misspelt metric never fires; a scrape annotation on the wrong port collects nothing.
"""

from __future__ import annotations

import re

import promql_parser
import pytest
import yaml
from prometheus_client import REGISTRY

import services.notifications.entrypoints.sender
import shared.consumer.runner
import shared.outbox.relay
import shared.web.metrics
from tests.deploy.conftest import DEPLOY, Manifest, of_kind

MONITORING = DEPLOY / "monitoring"
RUNBOOK = DEPLOY / "README.md"
KAFKA_EXPORTER_METRICS = {
    "kafka_consumergroup_lag",
    "kafka_topic_partition_current_offset",
    "kafka_brokers",
    "kafka_topic_partition_under_replicated_partition",
}
KUBE_STATE_METRICS = {
    "kube_job_status_failed",
    "kube_job_status_start_time",
    "kube_cronjob_status_last_successful_time",
    "kube_pod_status_phase",
}
"""What kube-state-metrics publishes and the platform alerts read (a prerequisite of the cluster)."""
"""Series of the Kafka exporter Strimzi runs beside the cluster (``kafkaExporter`` in the Kafka resource)."""
SAMPLE_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}
EXPORTERS = (shared.web.metrics, shared.consumer.runner, shared.outbox.relay, services.notifications.entrypoints.sender)
"""The modules whose metrics the rules read; imported so their metrics are registered."""


def exported_series() -> set[str]:
    names = set()
    for metric in REGISTRY.collect():
        names |= {metric.name + suffix for suffix in SAMPLE_SUFFIXES.get(metric.type, ())}
    return names


def load(name: str) -> dict:
    return yaml.safe_load((MONITORING / name).read_text(encoding="utf-8"))


def rules() -> list[dict]:
    return [rule for group in load("alerts.yml")["groups"] for rule in group["rules"]]


def selected_metrics(expression: str) -> set[str]:
    names: set[str] = set()

    def visit(node: promql_parser.Expr) -> None:
        if isinstance(node, promql_parser.VectorSelector) and node.name:
            names.add(node.name)

    promql_parser.walk(promql_parser.parse(expression), visit)
    return names


def runbook_anchors() -> set[str]:
    headings = re.findall(r"^#+ (.+)$", RUNBOOK.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading).strip().lower().replace(" ", "-") for heading in headings}


def test_the_scrape_configuration_loads_the_alert_rules_beside_it() -> None:
    config = load("prometheus.yml")
    assert config["rule_files"] == ["alerts.yml"]
    assert {job["job_name"] for job in config["scrape_configs"]} == {
        "solidarity-hub",
        "kafka-exporter",
        "kube-state-metrics",
    }


def test_scraped_series_are_labelled_with_the_service_and_process_the_alerts_group_by() -> None:
    (platform,) = [job for job in load("prometheus.yml")["scrape_configs"] if job["job_name"] == "solidarity-hub"]
    targets = {
        step["target_label"]: step["source_labels"] for step in platform["relabel_configs"] if "target_label" in step
    }
    assert targets["service"] == ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
    assert targets["process"] == ["__meta_kubernetes_pod_label_app_kubernetes_io_component"]
    assert targets["__address__"] == ["__meta_kubernetes_pod_ip", "__meta_kubernetes_pod_annotation_prometheus_io_port"]


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["alert"])
def test_every_alert_reads_metrics_that_exist(rule: dict) -> None:
    known = exported_series() | KAFKA_EXPORTER_METRICS | KUBE_STATE_METRICS | {"up"}
    read = selected_metrics(rule["expr"])
    assert read, f"{rule['alert']} reads no metric"
    assert read <= known, f"{rule['alert']} reads {sorted(read - known)}, which nothing exports"


@pytest.mark.parametrize("rule", rules(), ids=lambda rule: rule["alert"])
def test_every_alert_says_how_bad_it_is_and_where_the_runbook_explains_it(rule: dict) -> None:
    assert rule["labels"]["severity"] in {"warning", "critical"}
    assert rule["annotations"]["summary"]
    page, _, anchor = rule["annotations"]["runbook"].partition("#")
    assert page == "deploy/README.md"
    assert anchor in runbook_anchors(), f"{rule['alert']}: the runbook has no section #{anchor}"


def test_the_alerts_cover_lag_dead_letters_outbox_backlog_and_errors() -> None:
    read = {metric for rule in rules() for metric in selected_metrics(rule["expr"])}
    assert {
        "kafka_consumergroup_lag",
        "consumer_events_total",
        "outbox_oldest_pending_age_seconds",
        "http_requests_total",
    } <= read


def scraped_pods(manifests: list[Manifest]) -> list[tuple[str, dict]]:
    return [
        (workload["metadata"]["name"], workload["spec"]["template"])
        for workload in of_kind(manifests, "Deployment")
        if workload["spec"]["template"]["metadata"].get("annotations", {}).get("prometheus.io/scrape") == "true"
    ]


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_every_process_of_the_services_is_scraped_on_a_port_it_listens_on(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    deployments = {d["metadata"]["name"] for d in of_kind(rendered[overlay], "Deployment")}
    scraped = scraped_pods(rendered[overlay])
    platform = {d for d in deployments if not d.startswith(("solidarity-kafka", "strimzi"))}
    assert {name for name, _ in scraped} == platform
    for name, template in scraped:
        annotations = template["metadata"]["annotations"]
        ports = {str(p["containerPort"]) for c in template["spec"]["containers"] for p in c.get("ports", [])}
        assert annotations["prometheus.io/port"] in ports, f"{name} is scraped on a port it does not open"
        assert annotations["prometheus.io/path"] == "/metrics"


def test_the_alerts_cover_backups_brokers_and_pods_that_cannot_start() -> None:
    """A failed or late backup, a lost broker or under-replicated partitions, and Pending pods page someone."""
    read = {metric for rule in rules() for metric in selected_metrics(rule["expr"])}
    assert {
        "kube_job_status_failed",
        "kube_cronjob_status_last_successful_time",
        "kafka_brokers",
        "kafka_topic_partition_under_replicated_partition",
        "kube_pod_status_phase",
    } <= read
    backup_rules = [r for r in rules() if "mongodb-backup" in r["expr"]]
    assert {r["labels"]["severity"] for r in backup_rules} == {"critical"}
    jobs = {job["job_name"] for job in load("prometheus.yml")["scrape_configs"]}
    assert "kube-state-metrics" in jobs, "nothing scrapes kube-state-metrics: the backup and Pending alerts never fire"
