"""What the Ingress publishes: every page of the portal and every API, and nothing else of the services.

`/metrics`, `/healthz` and `/readyz` are read from inside the cluster, at the pods (Prometheus, the
kubelet); published, they would tell anyone the platform's traffic, errors and dependencies. The paths
are matched as Kubernetes defines it (Exact: the whole path; Prefix: whole path elements), which is how
ingress-nginx routes them; nothing that would change that (regular expressions, snippets) is allowed.
"""

from __future__ import annotations

import re

import pytest

from services.portal.entrypoints.app import create_app
from tests.deploy.conftest import OVERLAYS, Manifest, of_kind
from tests.deploy.manifests import DATA_SERVICES, title

INTERNAL = ("/metrics", "/healthz", "/readyz")
PROBES = [
    *INTERNAL,
    *(path + "/" for path in INTERNAL),
    "/metrics/x",
    "/api/../metrics",  # nginx resolves the dots before it chooses a path
    "/static/../metrics",
    "//metrics",  # and merges slashes
]
REWRITING = ("use-regex", "rewrite-target", "server-snippet", "configuration-snippet", "app-root")
LIMITS = ("limit-rps", "limit-connections")
PORTAL_HOST = "solidarityhub.example.bg"


def normalised(path: str) -> str:
    """The path as nginx matches it: repeated slashes merged, dot segments resolved."""
    path = re.sub("/+", "/", path)
    segments: list[str] = []
    for segment in path.split("/")[1:]:
        if segment == "..":
            if segments:
                segments.pop()
        elif segment != ".":
            segments.append(segment)
    return "/" + "/".join(segments)


def routes(rule_path: dict[str, str], request_path: str) -> bool:
    """Whether an Ingress path (Exact or Prefix) takes the request path."""
    path, wanted = rule_path["path"], normalised(request_path)
    if rule_path["pathType"] == "Exact":
        return wanted == path
    prefix = [s for s in path.split("/") if s]
    return [s for s in wanted.split("/") if s][: len(prefix)] == prefix


def published(ingresses: list[Manifest], host: str) -> list[dict[str, str]]:
    return [
        {"path": path["path"], "pathType": path["pathType"]}
        for ingress in ingresses
        for rule in ingress["spec"]["rules"]
        if rule["host"] == host
        for path in rule["http"]["paths"]
    ]


def portal_pages() -> list[str]:
    """A request path for every route of the portal (its variable parts filled in)."""
    app = create_app()
    return sorted(
        {re.sub(r"<[^>]+>", "x", rule.rule) for rule in app.url_map.iter_rules() if not rule.rule.startswith(INTERNAL)}
    )


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_ingress_publishes_metrics_or_health_checks(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    ingresses = of_kind(rendered[overlay], "Ingress")
    assert ingresses
    for ingress in ingresses:
        annotations = ingress["metadata"].get("annotations", {})
        assert not [a for a in annotations if a.rpartition("/")[2] in REWRITING], f"{title(ingress)} rewrites paths"
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                assert path["pathType"] in ("Exact", "Prefix"), f"{title(ingress)} {path['path']}: {path['pathType']}"
                reached = [probe for probe in PROBES if routes(path, probe)]
                assert not reached, f"{title(ingress)}: https://{rule['host']}{path['path']} publishes {reached}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_page_of_the_portal_is_published(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    paths = published(of_kind(rendered[overlay], "Ingress"), PORTAL_HOST)
    missing = [page for page in portal_pages() if not any(routes(path, page) for path in paths)]
    assert not missing, f"portal pages the Ingress does not publish (add their first segment): {missing}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_api_host_publishes_only_the_api(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    ingresses = of_kind(rendered[overlay], "Ingress")
    for service in DATA_SERVICES:
        paths = published(ingresses, f"{service}.api.solidarityhub.example.bg")
        assert paths == [{"path": "/api", "pathType": "Prefix"}], service


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_ingress_limits_requests_per_client(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    for ingress in of_kind(rendered[overlay], "Ingress"):
        annotations = ingress["metadata"].get("annotations", {})
        for limit in LIMITS:
            value = annotations.get(f"nginx.ingress.kubernetes.io/{limit}", "")
            assert value.isdigit() and int(value) > 0, f"{title(ingress)}: no {limit}"


def test_the_path_rule_is_the_one_kubernetes_defines() -> None:
    prefix = {"path": "/register", "pathType": "Prefix"}
    assert routes(prefix, "/register") and routes(prefix, "/register/x") and routes(prefix, "/register/")
    assert not routes(prefix, "/registers") and not routes(prefix, "/metrics")
    assert routes({"path": "/", "pathType": "Prefix"}, "/metrics")
    assert routes({"path": "/", "pathType": "Exact"}, "/") and not routes({"path": "/", "pathType": "Exact"}, "/x")
    assert routes(prefix, "/metrics/../register") and normalised("/register/../metrics") == "/metrics"
