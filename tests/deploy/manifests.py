"""Reading the rendered Kubernetes objects of the services: their pods, containers, settings and secrets.

The names here are the deployment's contract (services, Secrets made by operators or by Strimzi), so a test
that finds a name missing from these lists points at an undocumented change, not at a typo in a test.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from functools import cache
from importlib import metadata
from typing import Any

from packaging.requirements import Requirement

from services.notifications.entrypoints.sender import LIVENESS_FILE as SENDER_LIVENESS_FILE
from shared.config import LIVENESS_FILE, Variable
from shared.config_reference import declared_variables
from shared.localinfra.supervisor import read_procfile
from shared.outbox.process import LIVENESS_FILE as RELAY_LIVENESS_FILE
from tests.deploy.conftest import REPO, Manifest, of_kind

PROCFILE = REPO / "deploy" / "local" / "Procfile"


def _project() -> dict[str, Any]:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def project_scripts() -> set[str]:
    """The project's console scripts (``[project.scripts]``)."""
    return set(_project()["scripts"])


SERVICES = tuple(sorted(p.name.removesuffix("-web") for p in read_procfile(PROCFILE) if p.name.endswith("-web")))
"""The services: those whose web process the local platform runs (``<service>-web`` in deploy/local/Procfile),
so a new service is held to every check here as soon as it runs locally."""
DATA_SERVICES = tuple(s for s in SERVICES if f"{s}-indexes" in project_scripts())
"""The services with a MongoDB database (and so an index Job, ``<service>-indexes``); the portal only calls
their APIs."""
NAMESPACE = "solidarity-hub"
KAFKA_CLUSTER = "solidarity-kafka"
KAFKA_CA_SECRET = f"{KAFKA_CLUSTER}-cluster-ca-cert"
WORKERS = ("consumer", "relay", "scheduler", "sender")
POD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob")

SECRETS: dict[str, set[str]] = {
    KAFKA_CA_SECRET: {"ca.crt"},
    "mongodb-keyfile": {"keyfile"},
    "mongodb-admin": {"username", "password"},
    "mongodb-backup": {"username", "password"},
    "portal-secrets": {"PORTAL_SECRET_KEY", "PORTAL_OIDC_CLIENT_SECRET"},
    "notifications-smtp": {"SMTP_USERNAME", "SMTP_PASSWORD"},
    **{f"{service}-mongodb": {"username", "password"} for service in DATA_SERVICES},
    **{service: {"password"} for service in DATA_SERVICES},
}
"""The Secrets the runbook documents (never in the repository), with their keys: made by operators, or
written by Strimzi (a KafkaUser's password, the cluster CA)."""
DEV_SECRETS: dict[str, set[str]] = {"dev-jwt": {"JWT_SECRET"}}
"""Secrets only a development cluster reads."""


def pod_template(workload: Manifest) -> dict[str, Any]:
    spec = workload["spec"]
    if workload["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec["template"]


def pod_spec(workload: Manifest) -> dict[str, Any]:
    return pod_template(workload)["spec"]


def pod_labels(workload: Manifest) -> dict[str, str]:
    return pod_template(workload)["metadata"].get("labels", {})


def containers(workload: Manifest) -> list[dict[str, Any]]:
    """Init containers and containers."""
    spec = pod_spec(workload)
    return [*spec.get("initContainers", []), *spec["containers"]]


def main_container(workload: Manifest) -> dict[str, Any]:
    """The container running the process (every pod of the services has one, named ``app``)."""
    (app,) = [c for c in pod_spec(workload)["containers"] if c["name"] == "app"]
    return app


def service_of(manifest: Manifest) -> str:
    return manifest["metadata"].get("labels", {}).get("app.kubernetes.io/name", "")


def component_of(manifest: Manifest) -> str:
    return manifest["metadata"].get("labels", {}).get("app.kubernetes.io/component", "")


def title(manifest: Manifest) -> str:
    return f"{manifest['kind']} {manifest['metadata']['name']}"


def workloads(manifests: list[Manifest], *kinds: str) -> list[Manifest]:
    """The services' Deployments and Jobs (or ``kinds``), not MongoDB's or Kafka's."""
    return [m for m in of_kind(manifests, *(kinds or ("Deployment", "Job"))) if service_of(m) in SERVICES]


def deployments(manifests: list[Manifest], component: str | None = None) -> list[Manifest]:
    return [d for d in workloads(manifests, "Deployment") if component in (None, component_of(d))]


def find(manifests: list[Manifest], kind: str, name: str) -> Manifest | None:
    return next((m for m in of_kind(manifests, kind) if m["metadata"]["name"] == name), None)


def matches(selector: dict[str, Any] | None, labels: dict[str, str]) -> bool:
    """Whether a label selector (``matchLabels`` and ``matchExpressions``) selects ``labels``."""
    selector = selector or {}
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        present = key in labels
        if not {
            "In": present and labels.get(key) in values,
            "NotIn": not present or labels[key] not in values,
            "Exists": present,
            "DoesNotExist": not present,
        }[operator]:
            return False
    return True


def env_from(container: dict[str, Any], manifests: list[Manifest]) -> dict[str, str]:
    """The variables of the ConfigMaps in the container's ``envFrom``, which Kubernetes sets before ``env``."""
    found: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            config_map = find(manifests, "ConfigMap", source["configMapRef"]["name"])
            assert config_map, f"no ConfigMap {source['configMapRef']['name']}: the pod could not start"
            found.update(config_map.get("data", {}))
    return found


def environment(container: dict[str, Any], manifests: list[Manifest]) -> dict[str, Any]:
    """The container's variables: each ConfigMap of ``envFrom`` (its value), then ``env`` (its entry)."""
    found: dict[str, Any] = dict(env_from(container, manifests))
    for entry in container.get("env", []):
        found[entry["name"]] = entry.get("value", entry)
    return found


def env_value(container: dict[str, Any], name: str) -> str | None:
    """The literal value of an ``env`` entry, None when unset or taken from elsewhere."""
    entry = next((e for e in container.get("env", []) if e["name"] == name), None)
    return None if entry is None else entry.get("value")


def secret_key_ref(container: dict[str, Any], name: str) -> tuple[str, str] | None:
    entry = next((e for e in container.get("env", []) if e["name"] == name), None)
    ref = (entry or {}).get("valueFrom", {}).get("secretKeyRef")
    return None if ref is None else (ref["name"], ref["key"])


def secrets_read(workload: Manifest) -> Iterator[tuple[str, str | None]]:
    """Every (Secret, key) a workload's pods read; key None where a whole Secret is read."""
    spec = pod_spec(workload)
    for container in containers(workload):
        for entry in container.get("env", []):
            ref = entry.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                yield ref["name"], ref["key"]
        for source in container.get("envFrom", []):
            if "secretRef" in source:
                yield source["secretRef"]["name"], None
    for volume in spec.get("volumes", []):
        sources = [volume, *volume.get("projected", {}).get("sources", [])]
        for source in sources:
            secret = source.get("secret")
            if secret:
                name = secret.get("secretName") or secret.get("name")
                items = secret.get("items")
                yield from ((name, item["key"]) for item in items) if items else [(name, None)]


EXPANSION = re.compile(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def expansions(text: str) -> list[str]:
    """The ``$(VAR)`` references Kubernetes expands in an env value, command or argument."""
    return EXPANSION.findall(text)


@cache
def declared_names(service: str) -> set[str]:
    """The environment variables the code reads in ``service``'s processes: the shared library's and its own."""
    return {
        variable.name_for(service)
        for variable in declared_variables(["shared", "services"])
        if _reads(variable, service)
    }


def portal_calls() -> tuple[str, ...]:
    """The services whose APIs the portal calls: those it has a ``PORTAL_<SERVICE>_URL`` setting for."""
    return tuple(s for s in DATA_SERVICES if f"PORTAL_{s.upper()}_URL" in declared_names("portal"))


def _reads(variable: Variable, service: str) -> bool:
    parts = variable.declared_in.split(".")
    return parts[0] != "services" or parts[1] == service


def liveness_file(component: str, service: str, container: dict[str, Any]) -> str:
    """The file a worker touches: the container's own setting, else the code's default."""
    variable = {"relay": RELAY_LIVENESS_FILE, "sender": SENDER_LIVENESS_FILE}.get(component, LIVENESS_FILE)
    return env_value(container, variable.name_for(service)) or str(variable.default).replace("<service>", service)


def console_commands() -> set[str]:
    """The commands in the images: the project's console scripts and its dependencies' (e.g. gunicorn)."""
    commands = project_scripts()
    for requirement in _project()["dependencies"]:
        distribution = metadata.distribution(Requirement(requirement).name)
        commands |= {ep.name for ep in distribution.entry_points if ep.group == "console_scripts"}
    return commands
