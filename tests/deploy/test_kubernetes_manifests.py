"""The overlays render into objects a cluster accepts, wired to what the code really reads.

Everything is checked offline: the built-in kinds against Kubernetes' published schemas, the commands
against the project's console scripts, the environment against the variables the code declares.
"""

from __future__ import annotations

import importlib
from urllib.parse import parse_qs, urlsplit

import kubernetes_validate
import pytest
import yaml

from tests.deploy.conftest import K8S, OVERLAYS, Manifest, of_kind
from tests.deploy.manifests import (
    DATA_SERVICES,
    DEV_SECRETS,
    KAFKA_CA_SECRET,
    NAMESPACE,
    POD_KINDS,
    SECRETS,
    SERVICES,
    component_of,
    console_commands,
    containers,
    declared_names,
    deployments,
    env_from,
    env_value,
    environment,
    expansions,
    find,
    main_container,
    pod_spec,
    portal_calls,
    secret_key_ref,
    secrets_read,
    service_of,
    title,
    workloads,
)

KUBERNETES_VERSION = "1.33"
"""The oldest Kubernetes the manifests are for; its schemas ship with kubernetes-validate."""
VALIDATED_ELSEWHERE = {"kafka.strimzi.io": "tests/deploy/test_strimzi.py, against the Strimzi CRDs"}
EXPANSION_ONLY = {"MONGODB_USERNAME", "MONGODB_PASSWORD", "MONGODB_HOSTS"}
"""Variables no code reads: they exist only to be expanded into MONGODB_URI."""
PROBES = ("startupProbe", "livenessProbe", "readinessProbe")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_built_in_object_is_valid_for_the_cluster(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """A misspelt or misplaced field would make ``kubectl apply`` refuse the object, or silently drop it."""
    problems = []
    for manifest in rendered[overlay]:
        group = manifest["apiVersion"].rpartition("/")[0]
        if group in VALIDATED_ELSEWHERE:
            continue
        try:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            problems.append(f"{title(manifest)}: {path}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError:
            problems.append(
                f"{title(manifest)}: {manifest['apiVersion']} is no built-in kind of Kubernetes {KUBERNETES_VERSION}"
            )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_everything_lands_in_the_platform_namespace(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    namespaced = [
        m for m in rendered[overlay] if m["kind"] not in ("Namespace", "CustomResourceDefinition", "PriorityClass")
    ]
    elsewhere = [title(m) for m in namespaced if m["metadata"].get("namespace") != NAMESPACE]
    assert not elsewhere, f"not in namespace {NAMESPACE}: {elsewhere}"
    namespace = find(rendered[overlay], "Namespace", NAMESPACE)
    assert namespace is not None, f"the overlay does not create the namespace {NAMESPACE}"
    assert namespace["metadata"]["labels"].get("pod-security.kubernetes.io/enforce") == "restricted"


def test_no_secret_is_kept_in_the_repository(rendered: dict[str, list[Manifest]]) -> None:
    """Secrets are made by operators (or Strimzi) in the cluster; one committed here would be public."""
    committed = []
    for path in sorted(K8S.rglob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(document, dict) and (document.get("kind") == "Secret" or "secretGenerator" in document):
                committed.append(str(path.relative_to(K8S)))
    for overlay, manifests in rendered.items():
        committed += [
            f"{overlay}: {title(m)}" for m in of_kind(manifests, "Secret") if m.get("data") or m.get("stringData")
        ]
    assert not committed, f"secrets in the repository: {committed}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_pods_read_only_the_documented_secrets(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """A Secret the runbook does not list is one operators never create: the pod would not start."""
    documented = SECRETS | (DEV_SECRETS if overlay == "dev" else {})
    unknown = []
    for workload in of_kind(rendered[overlay], *POD_KINDS):
        for secret, key in secrets_read(workload):
            if secret not in documented or (key is not None and key not in documented[secret]):
                unknown.append(f"{title(workload)} reads {secret}/{key or '*'}")
    assert not unknown, "undocumented secrets:\n" + "\n".join(unknown)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_a_service_reads_only_its_own_secrets(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """Each service logs in as itself: registry pods never hold the marketplace's database password."""
    extra = {"notifications": {"notifications-smtp"}, "portal": {"portal-secrets"}}
    borrowed = []
    for workload in workloads(rendered[overlay]):
        service = service_of(workload)
        own = {service, f"{service}-mongodb", KAFKA_CA_SECRET, *extra.get(service, set()), *DEV_SECRETS}
        borrowed += [f"{title(workload)} reads {s}" for s, _ in secrets_read(workload) if s not in own]
    assert not borrowed, "\n".join(borrowed)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_images_are_the_services_own_at_one_released_tag(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """``latest`` or no tag would let a restart pull another version than the one deployed."""
    untagged = []
    for workload in of_kind(rendered[overlay], *POD_KINDS):
        for container in containers(workload):
            image = container["image"]
            last = image.rpartition("/")[2]
            tag = last.rpartition(":")[2] if ":" in last else ""
            if "@sha256:" not in image and tag in ("", "latest"):
                untagged.append(f"{title(workload)}: {image}")
    assert not untagged, f"images without a pinned tag: {untagged}"
    tags = {}
    for workload in workloads(rendered[overlay]):
        for container in containers(workload):
            name, _, tag = container["image"].partition(":")
            assert name == f"solidarity-hub/{service_of(workload)}", f"{title(workload)} runs {name}"
            tags[title(workload)] = tag
    assert len(set(tags.values())) == 1, f"the services' images are at different tags (one release is one tag): {tags}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_command_is_in_the_image(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """A command the image lacks fails at start (``executable file not found``), probes included."""
    known = console_commands()
    missing = []
    for workload in workloads(rendered[overlay]):
        for container in containers(workload):
            commands = [container.get("command", [])]
            commands += [container.get(p, {}).get("exec", {}).get("command", []) for p in PROBES]
            missing += [f"{title(workload)}/{container['name']}: {c[0]}" for c in commands if c and c[0] not in known]
    assert not missing, f"commands no console script provides: {missing}"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_web_pods_serve_an_application_that_exists(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    for deployment in deployments(rendered[overlay], "web"):
        app = main_container(deployment)
        target = env_value(app, "WSGI_APP") or ""
        module_name, _, call = target.partition(":")
        assert call.endswith("()"), f"{title(deployment)}: WSGI_APP {target!r} does not call an application factory"
        assert module_name == f"services.{service_of(deployment)}.entrypoints.app", f"{title(deployment)}: {target}"
        assert callable(getattr(importlib.import_module(module_name), call.removesuffix("()"), None)), target


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_variable_set_is_one_the_code_reads(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """A misspelt name is silently ignored: the process runs on its default (e.g. a local Kafka)."""
    manifests = rendered[overlay]
    unread = []
    for workload in workloads(manifests):
        read = declared_names(service_of(workload))
        for container in containers(workload):
            env = environment(container, manifests)
            expanded = {name for value in env.values() if isinstance(value, str) for name in expansions(value)}
            for name in env:
                if name not in read and not (name in EXPANSION_ONLY and name in expanded):
                    unread.append(f"{title(workload)}/{container['name']}: {name}")
    assert not unread, "variables no code reads:\n" + "\n".join(unread)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_expansions_refer_to_variables_defined_before(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """Kubernetes expands ``$(VAR)`` only from ``envFrom`` and variables listed earlier; otherwise the text stays
    literal and MongoDB sees the user ``$(MONGODB_USERNAME)``."""
    manifests = rendered[overlay]
    late = []
    for workload in of_kind(manifests, *POD_KINDS):
        for container in containers(workload):
            defined = set(env_from(container, manifests))
            for entry in container.get("env", []):
                late += [
                    f"{title(workload)}/{container['name']}: {entry['name']} uses $({name})"
                    for name in expansions(entry.get("value", ""))
                    if name not in defined
                ]
                defined.add(entry["name"])
            for word in [*container.get("command", []), *container.get("args", [])]:
                late += [f"{title(workload)}/{container['name']}: $({n})" for n in expansions(word) if n not in defined]
    assert not late, "\n".join(late)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_logs_in_to_its_own_database(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    """The MongoDB user of ``<service>-mongodb`` exists only in the service's database (its authSource)."""
    for workload in workloads(rendered[overlay]):
        service = service_of(workload)
        for container in containers(workload):
            uri = env_value(container, "MONGODB_URI")
            if service not in DATA_SERVICES:
                assert uri is None, f"{title(workload)} has no database but sets MONGODB_URI"
                continue
            where = f"{title(workload)}/{container['name']}"
            assert uri, f"{where} sets no MONGODB_URI: it would connect to 127.0.0.1"
            parts = urlsplit(uri)
            query = parse_qs(parts.query)
            assert parts.username == "$(MONGODB_USERNAME)" and parts.password == "$(MONGODB_PASSWORD)", where
            assert parts.netloc.partition("@")[2] == "$(MONGODB_HOSTS)", f"{where}: {parts.netloc}"
            assert parts.path == f"/{service}", f"{where}: database {parts.path}"
            assert query.get("authSource") == [service], f"{where}: authSource {query.get('authSource')}"
            assert query.get("replicaSet") == ["rs0"], f"{where}: replicaSet {query.get('replicaSet')}"
            assert secret_key_ref(container, "MONGODB_USERNAME") == (f"{service}-mongodb", "username"), where
            assert secret_key_ref(container, "MONGODB_PASSWORD") == (f"{service}-mongodb", "password"), where


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_kafka_clients_use_the_tls_listener_as_their_own_user(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    """Consumers, relays and the APIs whose readiness checks Kafka: SCRAM over TLS, trusting the cluster CA."""
    manifests = rendered[overlay]
    clients = [d for d in deployments(manifests) if component_of(d) in ("consumer", "relay") or _web_checks_kafka(d)]
    assert clients
    for deployment in clients:
        service, app = service_of(deployment), main_container(deployment)
        where = title(deployment)
        assert env_value(app, "KAFKA_BOOTSTRAP_SERVERS") == "solidarity-kafka-kafka-bootstrap:9093", where
        assert env_value(app, "KAFKA_SECURITY_PROTOCOL") == "SASL_SSL", where
        assert env_value(app, "KAFKA_SASL_MECHANISM") == "SCRAM-SHA-512", where
        assert env_value(app, "KAFKA_SASL_USERNAME") == service, where
        assert secret_key_ref(app, "KAFKA_SASL_PASSWORD") == (service, "password"), where
        assert env_value(app, "CREATE_TOPICS") == "false", f"{where} would create topics the KafkaTopics own"
        cafile = env_value(app, "KAFKA_SSL_CAFILE") or ""
        mount = next((m for m in app.get("volumeMounts", []) if cafile.startswith(m["mountPath"] + "/")), None)
        assert mount, f"{where}: nothing is mounted at {cafile!r}"
        volume = next(v for v in pod_spec(deployment)["volumes"] if v["name"] == mount["name"])
        assert volume.get("secret", {}).get("secretName") == KAFKA_CA_SECRET, where
        keys = {item["path"]: item["key"] for item in volume["secret"].get("items", [])}
        assert keys.get(cafile.removeprefix(mount["mountPath"] + "/")) == "ca.crt", f"{where}: {cafile} is not ca.crt"


def _web_checks_kafka(deployment: Manifest) -> bool:
    """Whether the service's web application checks Kafka in /readyz (it imports the Kafka check)."""
    if component_of(deployment) != "web" or service_of(deployment) not in DATA_SERVICES:
        return False
    return hasattr(importlib.import_module(f"services.{service_of(deployment)}.entrypoints.app"), "KafkaCheck")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_portal_calls_the_services_inside_and_links_to_their_public_hosts(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    manifests = rendered[overlay]
    (portal,) = [d for d in deployments(manifests, "web") if service_of(d) == "portal"]
    env = environment(main_container(portal), manifests)
    for service in portal_calls():
        url = urlsplit(env[f"PORTAL_{service.upper()}_URL"])
        target = find(manifests, "Service", url.hostname or "")
        assert url.scheme == "http" and target and service_of(target) == service, f"the portal calls {url.geturl()}"
        assert any(port["port"] == (url.port or 80) for port in target["spec"]["ports"]), url.geturl()
    published = {
        rule["host"]
        for ingress in of_kind(manifests, "Ingress")
        for rule in ingress["spec"]["rules"]
        if any(path["path"] == "/api" for path in rule["http"]["paths"])
    }
    for name in ("PORTAL_PUBLIC_REGISTRY_URL", "PORTAL_PUBLIC_TRAINING_URL"):
        url = urlsplit(env[name])
        assert url.scheme == "https" and url.hostname in published, f"{name}={url.geturl()} is no published API host"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_ingresses_publish_existing_services_over_tls(rendered: dict[str, list[Manifest]], overlay: str) -> None:
    manifests = rendered[overlay]
    hosts: dict[str, set[str]] = {}
    for ingress in of_kind(manifests, "Ingress"):
        spec = ingress["spec"]
        assert spec.get("ingressClassName") == "nginx", title(ingress)
        with_tls = {host for tls in spec.get("tls", []) for host in tls["hosts"] if tls.get("secretName")}
        for rule in spec["rules"]:
            assert rule["host"] in with_tls, f"{title(ingress)}: {rule['host']} has no TLS certificate"
            for path in rule["http"]["paths"]:
                backend = path["backend"]["service"]
                service = find(manifests, "Service", backend["name"])
                assert service, f"{title(ingress)}: no Service {backend['name']}"
                ports = {p.get("name") for p in service["spec"]["ports"]} | {
                    p["port"] for p in service["spec"]["ports"]
                }
                assert backend["port"].get("name", backend["port"].get("number")) in ports, title(ingress)
                hosts.setdefault(rule["host"], set()).add(backend["name"])
    expected = {"solidarityhub.example.bg": {"portal"}}  # which paths: tests/deploy/test_ingress.py
    expected |= {f"{s}.api.solidarityhub.example.bg": {s} for s in DATA_SERVICES}
    assert hosts == expected


def test_development_signs_in_anyone_with_a_shared_key(rendered: dict[str, list[Manifest]]) -> None:
    manifests = rendered["dev"]
    for deployment in deployments(manifests, "web"):
        env = environment(main_container(deployment), manifests)
        assert env.get("JWT_ALGORITHM") == "HS256", title(deployment)
        assert secret_key_ref(main_container(deployment), "JWT_SECRET") == ("dev-jwt", "JWT_SECRET"), title(deployment)
        if service_of(deployment) == "portal":
            assert env.get("PORTAL_DEV_SIGN_IN") == "true"


def test_production_accepts_only_the_identity_providers_tokens(rendered: dict[str, list[Manifest]]) -> None:
    """No shared key and no developer sign-in; the APIs trust the issuer the portal signs people in with."""
    manifests = rendered["prod"]
    (portal,) = [d for d in deployments(manifests, "web") if service_of(d) == "portal"]
    portal_env = environment(main_container(portal), manifests)
    assert portal_env.get("PORTAL_DEV_SIGN_IN") == "false"
    issuer = portal_env.get("PORTAL_OIDC_ISSUER_URL", "")
    assert issuer.startswith("https://"), f"PORTAL_OIDC_ISSUER_URL={issuer!r}"
    for workload in workloads(manifests):
        for container in containers(workload):
            assert "JWT_SECRET" not in environment(container, manifests), f"{title(workload)} has a JWT_SECRET"
    for deployment in deployments(manifests, "web"):
        if service_of(deployment) == "portal":
            continue
        env = environment(main_container(deployment), manifests)
        where = title(deployment)
        assert env.get("JWT_ALGORITHM") == "RS256", where
        assert str(env.get("JWT_JWKS_URL", "")).startswith("https://"), where
        assert env.get("JWT_ISSUER") == issuer, f"{where} expects tokens from {env.get('JWT_ISSUER')}, not {issuer}"
        assert env.get("JWT_AUDIENCE"), where


def test_every_service_is_deployed(rendered: dict[str, list[Manifest]]) -> None:
    for overlay, manifests in rendered.items():
        deployed = {service_of(d) for d in deployments(manifests)}
        assert deployed == set(SERVICES), f"{overlay} deploys {sorted(deployed)}"
