"""The Pod Security Standards' "restricted" level (which includes "baseline"), as the admission controller
checks a pod, and the pods Strimzi creates from the Kafka CR and its node pools.

Rules (https://kubernetes.io/docs/concepts/security/pod-security-standards/, policy version "latest"):
baseline: no host namespaces, no privileged containers, capabilities added only from the baseline list, no
hostPath volumes, no host ports, AppArmor unset/runtime/localhost, SELinux type limited and no user/role, the
default /proc mount, seccomp never Unconfined, only safe sysctls;
restricted: only the volume types listed below, allowPrivilegeEscalation false, runAsNonRoot true (and
runAsUser never 0), seccomp RuntimeDefault or Localhost (pod or every container), capabilities drop ALL and
add nothing but NET_BIND_SERVICE.
"""

from __future__ import annotations

from typing import Any

from tests.deploy.conftest import Manifest, of_kind

BASELINE_CAPABILITIES = {
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
}
RESTRICTED_VOLUMES = {
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "persistentVolumeClaim",
    "projected",
    "secret",
}
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}


def violations(spec: dict[str, Any]) -> list[str]:
    """What keeps a pod (its spec) from the "restricted" level; empty when it is admitted."""
    found = []
    pod = spec.get("securityContext", {})
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(key):
            found.append(f"{key}: true")
    for volume in spec.get("volumes", []):
        kind = next((k for k in volume if k != "name"), "emptyDir")
        if kind not in RESTRICTED_VOLUMES:
            found.append(f"volume {volume['name']} is {kind}")
    for sysctl in pod.get("sysctls", []):
        if sysctl["name"] not in SAFE_SYSCTLS:
            found.append(f"sysctl {sysctl['name']}")
    found += _selinux(pod.get("seLinuxOptions"), "pod")
    if pod.get("appArmorProfile", {}).get("type", "RuntimeDefault") not in ("RuntimeDefault", "Localhost"):
        found.append("pod AppArmor profile is not RuntimeDefault or Localhost")
    if pod.get("seccompProfile", {}).get("type") == "Unconfined":
        found.append("pod seccomp Unconfined")
    if pod.get("runAsUser") == 0:
        found.append("pod runAsUser 0")
    containers = [*spec.get("initContainers", []), *spec.get("containers", []), *spec.get("ephemeralContainers", [])]
    for container in containers:
        found += [f"{container['name']}: {v}" for v in _container(container, pod)]
    return found


def _container(container: dict[str, Any], pod: dict[str, Any]) -> list[str]:
    found = []
    context = container.get("securityContext", {})
    if context.get("privileged"):
        found.append("privileged")
    capabilities = context.get("capabilities", {})
    if set(capabilities.get("add", [])) - BASELINE_CAPABILITIES:
        found.append(f"adds capabilities beyond baseline {capabilities['add']}")
    if set(capabilities.get("add", [])) - {"NET_BIND_SERVICE"}:
        found.append(f"adds capabilities {capabilities['add']}")
    if "ALL" not in capabilities.get("drop", []):
        found.append("does not drop ALL capabilities")
    if any(p.get("hostPort") for p in container.get("ports", [])):
        found.append("uses a host port")
    found += _selinux(context.get("seLinuxOptions"), "container")
    if context.get("procMount", "Default") != "Default":
        found.append("procMount is not Default")
    if context.get("allowPrivilegeEscalation") is not False:
        found.append("allowPrivilegeEscalation is not false")
    run_as_non_root = context.get("runAsNonRoot", pod.get("runAsNonRoot"))
    if run_as_non_root is not True:
        found.append("runAsNonRoot is not true")
    if context.get("runAsUser") == 0:
        found.append("runAsUser 0")
    seccomp = context.get("seccompProfile", pod.get("seccompProfile", {})).get("type")
    if seccomp not in ("RuntimeDefault", "Localhost"):
        found.append(f"seccomp profile {seccomp or 'unset'}")
    if context.get("appArmorProfile", {}).get("type", "RuntimeDefault") not in ("RuntimeDefault", "Localhost"):
        found.append("AppArmor profile is not RuntimeDefault or Localhost")
    return found


def _selinux(options: dict[str, Any] | None, where: str) -> list[str]:
    if not options:
        return []
    found = []
    if options.get("type", "") not in SELINUX_TYPES:
        found.append(f"{where} SELinux type {options['type']}")
    if options.get("user") or options.get("role"):
        found.append(f"{where} SELinux user or role set")
    return found


def strimzi_pods(manifests: list[Manifest]) -> dict[str, dict[str, Any]]:
    """The pod specs (security-relevant parts) Strimzi 1.x creates from each Kafka CR, with the default
    PodSecurityProvider (the namespace's level is not known to the operator unless
    STRIMZI_POD_SECURITY_PROVIDER_CLASS=restricted is set, which these manifests do not rely on):

    - a node pool's pods take ``template.pod`` from the pool, else from the Kafka CR's ``spec.kafka.template``
      (taken as a whole, the safer reading); without a security context there the provider sets
      ``fsGroup: 0`` on pods with persistent storage (and nothing else). Their container is ``kafkaContainer``'s;
    - the entity operator: ``entityOperator.template.pod`` and the topic and user operator containers;
    - the Kafka exporter: ``kafkaExporter.template.pod`` and ``container``.
    Volumes are persistent claims, emptyDirs, Secrets and ConfigMaps (no hostPath).
    """
    pods: dict[str, dict[str, Any]] = {}
    for kafka in of_kind(manifests, "Kafka"):
        cluster, spec = kafka["metadata"]["name"], kafka["spec"]
        kafka_template = spec["kafka"].get("template", {})
        for pool in of_kind(manifests, "KafkaNodePool"):
            if pool["metadata"].get("labels", {}).get("strimzi.io/cluster") != cluster:
                continue
            template = pool["spec"].get("template", {})
            persistent = pool["spec"]["storage"]["type"] in ("persistent-claim", "jbod")
            pod = template.get("pod") or kafka_template.get("pod") or {}  # the pool's replaces the CR's
            context = pod.get("securityContext")
            if context is None:
                context = {"fsGroup": 0} if persistent else {}
            container = template.get("kafkaContainer") or kafka_template.get("kafkaContainer") or {}
            pods[f"{cluster}-{pool['metadata']['name']}"] = {
                "securityContext": context,
                "priorityClassName": pod.get("priorityClassName", ""),
                "affinity": pod.get("affinity"),
                "topologySpreadConstraints": pod.get("topologySpreadConstraints"),
                "containers": [{"name": "kafka", "securityContext": container.get("securityContext", {})}],
                "volumes": [{"name": "data", "persistentVolumeClaim": {}}, {"name": "tmp", "emptyDir": {}}],
                "roles": pool["spec"]["roles"],
                "replicas": pool["spec"]["replicas"],
            }
        if "entityOperator" in spec:
            template = spec["entityOperator"].get("template", {})
            pods[f"{cluster}-entity-operator"] = {
                "priorityClassName": template.get("pod", {}).get("priorityClassName", ""),
                "securityContext": template.get("pod", {}).get("securityContext", {}),
                "containers": [
                    {"name": name, "securityContext": template.get(f"{key}Container", {}).get("securityContext", {})}
                    for name, key in (("topic-operator", "topicOperator"), ("user-operator", "userOperator"))
                    if key in spec["entityOperator"]
                ],
                "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "certs", "secret": {}}],
            }
        if "kafkaExporter" in spec:
            template = spec["kafkaExporter"].get("template", {})
            pods[f"{cluster}-kafka-exporter"] = {
                "priorityClassName": template.get("pod", {}).get("priorityClassName", ""),
                "securityContext": template.get("pod", {}).get("securityContext", {}),
                "containers": [
                    {
                        "name": "kafka-exporter",
                        "securityContext": template.get("container", {}).get("securityContext", {}),
                    }
                ],
                "volumes": [{"name": "certs", "secret": {}}],
            }
    return pods
