"""Best-practice linting of the rendered overlays with kube-score, with the accepted exceptions of
deploy/kube-score.yaml (each with its reason).

kube-score is built from its Go module into the shared cache on first use; when it cannot be built (no Go,
no module proxy) the test fails and says why: it is never skipped.
"""

from __future__ import annotations

import fnmatch
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy import tools
from tests.deploy.conftest import OVERLAYS, Manifest
from tests.deploy.tools import kube_score_config as config

CRITICAL, WARNING = 1, 5


@pytest.fixture(scope="session")
def kube_score() -> Path:
    try:
        return tools.kube_score()
    except Exception as exc:  # whatever stops the build, the check must not pass silently
        pytest.fail(f"kube-score could not be built from {config()['module']}@{config()['version']}: {exc}")


def findings(kube_score: Path, manifests: list[Manifest], work: Path) -> list[tuple[str, str, str]]:
    """(check id, "Kind/name", what it says) for every critical finding and warning."""
    rendered = work / "rendered.yaml"
    rendered.write_text(yaml.safe_dump_all(manifests), encoding="utf-8")
    argv = [
        str(kube_score),
        "score",
        "--output-format",
        "json",
        "--kubernetes-version",
        config()["kubernetes-version"],
    ]
    argv += [f"--enable-optional-test={check}" for check in config().get("enable-optional", [])]
    done = subprocess.run([*argv, str(rendered)], capture_output=True, text=True, timeout=300, check=False)
    assert done.stdout.strip(), f"kube-score printed nothing: {done.stderr}"
    found = []
    for scored in json.loads(done.stdout):
        kind, name = scored["type_meta"]["kind"], scored["object_meta"]["name"]
        for check in scored["checks"]:
            if check["skipped"] or check["grade"] not in (CRITICAL, WARNING):
                continue
            summaries = sorted({c["summary"] for c in check.get("comments") or []}) or [check["check"]["name"]]
            found += [(check["check"]["id"], f"{kind}/{name}", s) for s in summaries]
    return found


def accepted(overlay: str, check: str, target: str) -> dict[str, Any] | None:
    for exception in config()["exceptions"]:
        if overlay not in exception.get("overlays", OVERLAYS):
            continue
        if exception["check"] == check and any(fnmatch.fnmatchcase(target, o) for o in exception["objects"]):
            return exception
    return None


def test_every_exception_gives_its_reason() -> None:
    for exception in config()["exceptions"]:
        assert len(exception.get("reason", "").split()) >= 8, f"{exception['check']}: the reason is missing"


def test_the_overlays_pass_kube_score_but_for_the_accepted_exceptions(
    kube_score: Path, rendered: dict[str, list[Manifest]], tmp_path: Path
) -> None:
    unaccepted, used = [], set()
    for overlay in OVERLAYS:
        for check, target, summary in findings(kube_score, rendered[overlay], tmp_path):
            exception = accepted(overlay, check, target)
            if exception is None:
                unaccepted.append(f"{overlay}: {target}: {check}: {summary}")
            else:
                used.add(exception["check"] + str(exception["objects"]))
    stale = [e["check"] for e in config()["exceptions"] if e["check"] + str(e["objects"]) not in used]
    assert not unaccepted, "kube-score findings (fix them, or accept one in deploy/kube-score.yaml):\n" + "\n".join(
        unaccepted
    )
    assert not stale, f"exceptions in deploy/kube-score.yaml that no finding needs any more: {stale}"
