"""The services' processes run in the cluster as their code expects: the right processes, probes that watch
what the code touches, bounded resources, hardened pods, and enough pods (but not more than are useful)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pytest

from shared.scheduling import LIVENESS_TOUCH_SECONDS
from tests.deploy.conftest import OVERLAYS, Manifest, of_kind
from tests.deploy.manifests import (
    DATA_SERVICES,
    SERVICES,
    WORKERS,
    component_of,
    containers,
    deployments,
    env_value,
    find,
    liveness_file,
    main_container,
    matches,
    pod_labels,
    pod_spec,
    project_scripts,
    service_of,
    title,
    workloads,
)
from tests.deploy.topics import CONSUMED, PRODUCED

WEB_PORT = 8000
METRICS_PORT = 9100


def expected_processes(service: str) -> set[str]:
    """Web for every service; a consumer where it consumes, a relay where it publishes, a scheduler and a
    sender where its code has one."""
    processes = {"web"}
    processes |= {"consumer"} if service in CONSUMED else set()
    processes |= {"relay"} if service in PRODUCED else set()
    processes |= {"scheduler"} if f"{service}-scheduler" in project_scripts() else set()
    processes |= {"sender"} if f"{service}-sender" in project_scripts() else set()
    return processes


def pods_of(deployment: Manifest, manifests: list[Manifest]) -> int:
    """How many pods a Deployment runs at least: its autoscaler's minimum, else its replicas."""
    hpa = autoscaler_of(deployment, manifests)
    return hpa["spec"].get("minReplicas", 1) if hpa else deployment["spec"].get("replicas", 1)


def autoscaler_of(deployment: Manifest, manifests: list[Manifest]) -> Manifest | None:
    target = {"apiVersion": "apps/v1", "kind": "Deployment", "name": deployment["metadata"]["name"]}
    return next(
        (h for h in of_kind(manifests, "HorizontalPodAutoscaler") if h["spec"]["scaleTargetRef"] == target), None
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_runs_the_processes_its_code_has(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """A consumer missing means events nobody applies; a relay missing means events never published."""
    for service in SERVICES:
        running = {component_of(d) for d in deployments(rendered[overlay]) if service_of(d) == service}
        assert running == expected_processes(service), f"{service} runs {sorted(running)}"
    for deployment in deployments(rendered[overlay]):
        if component_of(deployment) in WORKERS:
            expected = [f"{service_of(deployment)}-{component_of(deployment)}"]
            assert main_container(deployment)["command"] == expected, title(deployment)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_pods_are_probed_on_their_health_endpoints(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    for deployment in deployments(rendered[overlay], "web"):
        app = main_container(deployment)
        where = title(deployment)
        assert {"name": "http", "containerPort": WEB_PORT} in app["ports"], where
        assert env_value(app, "WEB_BIND") == f"0.0.0.0:{WEB_PORT}", f"{where} would listen on 127.0.0.1 only"
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
            assert app[probe]["httpGet"] == {"path": path, "port": "http"}, f"{where}: {probe}"
        multiproc = env_value(app, "PROMETHEUS_MULTIPROC_DIR") or ""
        assert writable(deployment, multiproc), f"{where}: gunicorn's metrics folder {multiproc!r} is not writable"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_worker_probes_watch_the_file_the_code_touches(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """A probe on another file than the worker's own restarts a healthy worker forever."""
    for deployment in deployments(rendered[overlay]):
        component = component_of(deployment)
        if component not in WORKERS:
            continue
        app, where = main_container(deployment), title(deployment)
        path = liveness_file(component, service_of(deployment), app)
        assert writable(deployment, path), f"{where}: {path} is on the read-only root filesystem"
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            command = app[probe]["exec"]["command"]
            assert command[:2] == ["liveness-probe", path], f"{where}: {probe} runs {command}, the code touches {path}"
            assert float(command[2]) >= 6 * LIVENESS_TOUCH_SECONDS, f"{where}: {probe} allows only {command[2]} s"
        assert env_value(app, "PROMETHEUS_MULTIPROC_DIR") is None, f"{where}: a single process keeps metrics in memory"


def writable(workload: Manifest, path: str) -> bool:
    """Whether ``path`` lies in an emptyDir mounted into the main container (the root filesystem is read-only)."""
    empty_dirs = {v["name"] for v in pod_spec(workload).get("volumes", []) if "emptyDir" in v}
    mounts = [m for m in main_container(workload).get("volumeMounts", []) if m["name"] in empty_dirs]
    return bool(path) and any(PurePosixPath(path).is_relative_to(m["mountPath"]) for m in mounts)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_prometheus_scrapes_the_port_that_serves_metrics(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    for deployment in deployments(rendered[overlay]):
        app, where = main_container(deployment), title(deployment)
        annotations = deployment["spec"]["template"]["metadata"].get("annotations", {})
        port_name = "http" if component_of(deployment) == "web" else "metrics"
        port = next((p["containerPort"] for p in app.get("ports", []) if p["name"] == port_name), None)
        assert port, f"{where} has no port named {port_name}"
        assert annotations.get("prometheus.io/scrape") == "true", where
        assert annotations.get("prometheus.io/path") == "/metrics", where
        assert annotations.get("prometheus.io/port") == str(port), f"{where}: scraped on another port than {port}"
        if port_name == "metrics":
            assert env_value(app, "METRICS_ADDRESS") == f"0.0.0.0:{port}", f"{where} serves no metrics on {port}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_container_has_bounded_resources(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """Without requests the scheduler packs pods blindly; without limits one leak starves the node."""
    for workload in workloads(rendered[overlay]):
        for container in containers(workload):
            where = f"{title(workload)}/{container['name']}"
            resources = container.get("resources", {})
            for resource in ("cpu", "memory"):
                request = resources.get("requests", {}).get(resource)
                limit = resources.get("limits", {}).get(resource)
                assert request and limit, f"{where}: {resource} request {request}, limit {limit}"
                assert quantity(request) <= quantity(limit), f"{where}: {resource} request {request} > limit {limit}"


def quantity(text: str | int) -> float:
    """A Kubernetes quantity (``250m``, ``1``, ``256Mi``, ``1G``) as a number."""
    units = {"m": 1e-3, "": 1, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    number, unit = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(text)).groups()  # type: ignore[union-attr]
    return float(number) * units[unit]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_services_pods_are_locked_down(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """A read-only root filesystem, and no Kubernetes API token (no process talks to the API)."""
    manifests = rendered[overlay]
    for workload in workloads(manifests):
        spec, service = pod_spec(workload), service_of(workload)
        for container in containers(workload):
            assert container["securityContext"].get("readOnlyRootFilesystem") is True, title(workload)
        assert spec.get("serviceAccountName") == service, f"{title(workload)} runs as {spec.get('serviceAccountName')}"
        assert spec.get("automountServiceAccountToken") is False, f"{title(workload)} mounts an API token"
        account = find(manifests, "ServiceAccount", service)
        assert account and account.get("automountServiceAccountToken") is False, f"ServiceAccount {service}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_start_only_once_their_indexes_exist(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """The index Job builds them at each release; every pod of the service waits for it in an init container."""
    manifests = rendered[overlay]
    for service in DATA_SERVICES:
        job = find(manifests, "Job", f"{service}-indexes")
        assert job, f"no Job {service}-indexes: the new version's pods would wait for their indexes forever"
        assert main_container(job)["command"] == [f"{service}-indexes"], title(job)
        assert pod_spec(job)["restartPolicy"] in ("Never", "OnFailure"), title(job)
        assert "backoffLimit" in job["spec"] and "ttlSecondsAfterFinished" in job["spec"], title(job)
        assert not pod_spec(job).get("initContainers"), f"{title(job)} would wait for the indexes it builds"
    for deployment in deployments(manifests):
        service, where = service_of(deployment), title(deployment)
        init = pod_spec(deployment).get("initContainers", [])
        if service not in DATA_SERVICES:
            assert not init, f"{where} has no database to wait for"
            continue
        (waiting,) = [c for c in init if c["name"] == "wait-for-indexes"]
        assert waiting["command"] == [f"{service}-indexes", "--check"], where
        assert waiting["image"] == main_container(deployment)["image"], f"{where} checks with another version"
        assert not {"livenessProbe", "readinessProbe", "startupProbe"} & set(waiting), (
            f"{where}: probes on an init container"
        )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_one_scheduler_runs_at_a_time(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    for deployment in deployments(rendered[overlay], "scheduler"):
        assert deployment["spec"].get("replicas") == 1, title(deployment)
        assert deployment["spec"].get("strategy", {}).get("type") == "Recreate", f"{title(deployment)} overlaps itself"


def test_production_relays_have_a_standby(rendered: dict[str, list[Manifest]]) -> None:
    """One relay holds the lease; the other takes over within the lease's time when the first pod goes."""
    for deployment in deployments(rendered["prod"], "relay"):
        assert deployment["spec"].get("replicas") == 2, title(deployment)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_consumers_are_no_more_than_their_topics_partitions(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """A group's consumers share the partitions of each topic; a pod beyond the partitions sits idle."""
    manifests = rendered[overlay]
    partitions = {
        t["spec"].get("topicName", t["metadata"]["name"]): t["spec"]["partitions"]
        for t in of_kind(manifests, "KafkaTopic")
    }
    for deployment in deployments(manifests, "consumer"):
        topics = CONSUMED[service_of(deployment)]
        missing = topics - partitions.keys()
        assert not missing, f"no KafkaTopic for {sorted(missing)}, which {title(deployment)} consumes"
        fewest = min(partitions[topic] for topic in topics)
        assert pods_of(deployment, manifests) <= fewest, f"{title(deployment)}: more pods than the {fewest} partitions"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_replicated_deployments_keep_a_pod_through_node_drains(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    """A PodDisruptionBudget keeps one pod up while a node drains, and must still let the drain proceed."""
    manifests = rendered[overlay]
    budgets = of_kind(manifests, "PodDisruptionBudget")
    for deployment in deployments(manifests):
        labels, pods = pod_labels(deployment), pods_of(deployment, manifests)
        covering = [b for b in budgets if matches(b["spec"]["selector"], labels)]
        assert len(covering) <= 1, f"{title(deployment)}: several budgets {[title(b) for b in covering]}"
        if pods > 1:
            assert covering, f"{title(deployment)} runs {pods} pods but has no PodDisruptionBudget"
        for budget in covering:
            spec = budget["spec"]
            assert spec.get("maxUnavailable", 0) >= 1 or spec.get("minAvailable", pods) < pods, (
                f"{title(budget)} lets no pod of {title(deployment)} go: node drains would hang"
            )
    for budget in budgets:
        selected = [d for d in deployments(manifests) if matches(budget["spec"]["selector"], pod_labels(d))]
        assert len(selected) <= 1, f"{title(budget)} counts the pods of {[title(d) for d in selected]} together"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_deployments_autoscale_behind_a_service(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    manifests = rendered[overlay]
    for deployment in deployments(manifests, "web"):
        where, service = title(deployment), service_of(deployment)
        hpa = autoscaler_of(deployment, manifests)
        assert hpa, f"{where} has no HorizontalPodAutoscaler"
        (metric,) = hpa["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu" and metric["resource"]["target"]["averageUtilization"] == 70
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"], title(hpa)
        if overlay == "prod":
            assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 6), title(hpa)
        assert "replicas" not in deployment["spec"], f"{where}: every apply would reset the autoscaler's pod count"
        front = find(manifests, "Service", service)
        assert front, f"no Service {service} in front of {where}"
        assert matches({"matchLabels": front["spec"]["selector"]}, pod_labels(deployment)), title(front)
        others = [d for d in deployments(manifests) if d is not deployment]
        assert not any(matches({"matchLabels": front["spec"]["selector"]}, pod_labels(d)) for d in others), title(front)
        assert front["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http"}], title(front)
