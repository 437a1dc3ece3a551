"""Fixtures of the deployment suite: rendered Kustomize overlays and the Strimzi CRDs' schemas.

Nothing here needs a cluster or a Docker engine: manifests are rendered with kustomize (built with
Go from the module proxy, once, into the shared cache) and validated offline.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy import tools
from tests.deploy.tools import DEPLOY

REPO = Path(__file__).resolve().parents[2]
K8S = DEPLOY / "k8s"
OVERLAYS = ("dev", "prod")
STRIMZI_CRDS = REPO.parent / "shared" / "k8s-crds" / "strimzi"
"""The Strimzi 1.2.0 CRDs sit beside the checkout (CI always has them); a bare clone skips those checks."""

Manifest = dict[str, Any]


@pytest.fixture(scope="session")
def kustomize() -> Path:
    return tools.kustomize()


def render(kustomize: Path, directory: Path) -> list[Manifest]:
    """``kustomize build`` of one directory; a failure shows kustomize's own message."""
    done = subprocess.run([str(kustomize), "build", str(directory)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.fail(f"kustomize build {directory.relative_to(REPO)} failed:\n{done.stderr}", pytrace=False)
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@pytest.fixture(scope="session")
def rendered(kustomize: Path) -> dict[str, list[Manifest]]:
    """Every overlay's objects, by overlay name."""
    return {overlay: render(kustomize, K8S / "overlays" / overlay) for overlay in OVERLAYS}


@pytest.fixture(scope="session")
def strimzi_crds() -> dict[str, Manifest]:
    """The Strimzi CRDs by kind; skipped with the reason when ``../shared/k8s-crds/strimzi`` is absent."""
    if not STRIMZI_CRDS.is_dir():
        pytest.skip(f"the Strimzi CRDs are not at {STRIMZI_CRDS} (they sit beside the checkout in CI)")
    crds = {}
    for path in sorted(STRIMZI_CRDS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text(encoding="utf-8"))
        crds[crd["spec"]["names"]["kind"]] = crd
    return crds


def of_kind(manifests: list[Manifest], *kinds: str) -> list[Manifest]:
    return [m for m in manifests if m.get("kind") in kinds]
