"""The runbook's restore drill, followed command by command on a model of the cluster's Deployments, brings
every process back; its restore goes to the primary, whichever member that is, from a toolbox the namespace
admits. (The commands themselves, ``mongodb-backup`` and ``mongodb-restore``, run against a real database in
tests/integration/test_backup_restore.py.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.deploy.conftest import DEPLOY, K8S, Manifest, of_kind, render
from tests.deploy.manifests import environment, expansions, find, matches, title
from tests.deploy.pod_security import violations

RUNBOOK = DEPLOY / "README.md"


def drill_commands() -> list[list[str]]:
    text = RUNBOOK.read_text(encoding="utf-8")
    start = text.index("### Restore drill")
    section = text[start : text.index("\n## ", start)]
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip().startswith("kubectl"):
                commands.append(shlex.split(line))
    assert commands, "the restore drill has no commands"
    return commands


def selector(text: str) -> dict[str, list[dict[str, object]]]:
    """A kubectl label selector (``a=b``, ``a in (x,y)``, comma-separated) as matchExpressions."""
    expressions: list[dict[str, object]] = []
    for found in re.findall(r"[^,(]+(?:\([^)]*\))?", text):
        term = found.strip()
        if " in " in term:
            key, _, values = term.partition(" in ")
            expressions.append({"key": key.strip(), "operator": "In", "values": values.strip("() ").split(",")})
        else:
            key, _, value = term.partition("=")
            expressions.append({"key": key, "operator": "In", "values": [value]})
    return {"matchExpressions": expressions}


def option(command: list[str], name: str) -> str:
    for index, word in enumerate(command):
        if word == name:
            return command[index + 1]
        if word.startswith(f"{name}="):
            return word.partition("=")[2]
    raise AssertionError(f"{' '.join(command)}: no {name}")


def test_following_the_drill_brings_every_process_back(rendered: dict[str, list[Manifest]]) -> None:
    manifests = rendered["prod"]
    deployments = {d["metadata"]["name"]: d for d in of_kind(manifests, "Deployment")}
    autoscalers = {
        h["spec"]["scaleTargetRef"]["name"]: h["spec"] for h in of_kind(manifests, "HorizontalPodAutoscaler")
    }
    running = {
        name: d["spec"].get("replicas", autoscalers.get(name, {}).get("minReplicas", 1))
        for name, d in deployments.items()
    }
    replicas = dict(running)
    for command in drill_commands():
        if "scale" in command:
            labels = selector(option(command, "-l"))
            for name, deployment in deployments.items():
                if matches(labels, deployment["metadata"]["labels"]):
                    replicas[name] = int(option(command, "--replicas"))
        elif "apply" in command and "-k" in command and option(command, "-k").endswith("overlays/prod"):
            for name, deployment in deployments.items():
                if "replicas" in deployment["spec"]:
                    replicas[name] = deployment["spec"]["replicas"]
    for name, spec in autoscalers.items():  # an autoscaler never scales a Deployment up from zero
        if replicas[name]:
            replicas[name] = max(spec["minReplicas"], min(spec["maxReplicas"], replicas[name]))
    down = [
        f"{n}: {replicas[n]} pods after the drill, {running[n]} before" for n in running if replicas[n] < running[n]
    ]
    assert not down, "\n".join(down)
    stopped = [c for c in drill_commands() if "scale" in c and option(c, "--replicas") == "0"]
    assert stopped, "the drill restores while the services still write"


def test_the_drill_restores_to_the_primary_from_a_toolbox_the_namespace_admits(
    kustomize: Path, rendered: dict[str, list[Manifest]]
) -> None:
    restores = [c for c in drill_commands() if "mongodb-restore" in c and "exec" in c]
    assert restores, "the drill never runs mongodb-restore"
    assert not any(re.search(r"\bmongodb-\d+(\.mongodb|$)", word) for c in restores for word in c), (
        "a member is named by hand"
    )
    toolbox = render(kustomize, K8S / "operations" / "mongodb-restore")
    (pod,) = of_kind(toolbox, "Pod")
    assert not violations(pod["spec"]), violations(pod["spec"])
    (app,) = pod["spec"]["containers"]
    env = environment(app, toolbox)
    uri = env["MONGODB_URI"]
    for name in expansions(uri):
        if isinstance(env.get(name), str):
            uri = uri.replace(f"$({name})", env[name])
    members = find(rendered["prod"], "StatefulSet", "mongodb")
    assert members
    expected = ",".join(f"mongodb-{n}.mongodb:27017" for n in range(members["spec"]["replicas"]))
    assert f"@{expected}/" in uri and "replicaSet=rs0" in uri, f"{title(pod)} does not find the primary: {uri}"
    policy = find(rendered["prod"], "NetworkPolicy", "mongodb")
    assert policy
    (rule,) = policy["spec"]["ingress"]
    assert any(matches(peer["podSelector"], pod["metadata"]["labels"]) for peer in rule["from"]), "refused by MongoDB"


@pytest.mark.parametrize("overlay", ["dev", "prod"])
def test_backups_run_as_the_backup_user_not_the_administrator(
    rendered: dict[str, list[Manifest]], overlay: str
) -> None:
    cronjob = find(rendered[overlay], "CronJob", "mongodb-backup")
    assert cronjob
    spec = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    (container,) = spec["containers"]
    assert container["command"][0] == "mongodb-backup"
    refs = {e["valueFrom"]["secretKeyRef"]["name"] for e in container.get("env", []) if "valueFrom" in e}
    assert refs == {"mongodb-backup"}, f"the backup signs in with {refs}"
    assert spec["securityContext"]["runAsUser"] != 0 and spec["securityContext"]["runAsNonRoot"] is True
    # the ConfigMap's name carries a hash: found by its prefix
    (setup,) = [c for c in of_kind(rendered[overlay], "ConfigMap") if c["metadata"]["name"].startswith("mongodb-setup")]
    assert '[{ role: "backup", db: "admin" }]' in setup["data"]["setup.js"], (
        "the backup user must have role backup only"
    )
