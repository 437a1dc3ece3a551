"""The runbook's prerequisites name what the rendered manifests rely on the cluster for: an object that
needs something the cluster lacks sits there silently (an autoscaler that never scales, a volume claim that
stays Pending, a pod refused for a missing PriorityClass, alerts that never fire)."""

from __future__ import annotations

import re

from tests.deploy.conftest import DEPLOY, Manifest, of_kind

RUNBOOK = DEPLOY / "README.md"


def prerequisites() -> str:
    text = RUNBOOK.read_text(encoding="utf-8")
    start = text.index("## First deployment")
    return text[start : text.index("1. **Namespace.**", start)]


def test_the_prerequisites_name_what_the_manifests_need(rendered: dict[str, list[Manifest]]) -> None:
    manifests = rendered["prod"]
    needed = []
    if any(m["spec"]["metrics"][0]["type"] == "Resource" for m in of_kind(manifests, "HorizontalPodAutoscaler")):
        needed.append("metrics-server")
    claims = [*of_kind(manifests, "PersistentVolumeClaim")]
    claims += [t for s in of_kind(manifests, "StatefulSet") for t in s["spec"].get("volumeClaimTemplates", [])]
    if any("storageClassName" not in c["spec"] for c in claims):
        needed.append("default StorageClass")
    if any(m["kind"] == "KafkaNodePool" and m["spec"]["storage"].get("class") is None for m in manifests):
        needed.append("default StorageClass")
    if of_kind(manifests, "PriorityClass"):
        needed.append("PriorityClasses")
    alerts = (DEPLOY / "monitoring" / "alerts.yml").read_text(encoding="utf-8")
    if re.search(r"\bkube_", alerts):
        needed.append("kube-state-metrics")
    if any("requiredDuringSchedulingIgnoredDuringExecution" in str(p) for p in of_kind(manifests, "KafkaNodePool")):
        needed.append("three nodes")
    text = prerequisites().lower()
    missing = [n for n in dict.fromkeys(needed) if n.lower() not in text]
    assert not missing, f"the runbook's prerequisites do not name: {missing}"
