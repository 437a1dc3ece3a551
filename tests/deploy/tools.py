"""The Go tools the deployment checks run, built once from the module proxy into the shared cache."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from shared.localinfra.gotools import installed_tool, module_tool

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUSTOMIZE = ("sigs.k8s.io/kustomize/kustomize/v5", "v5.8.1")


@cache
def kube_score_config() -> dict[str, Any]:
    """``deploy/kube-score.yaml``: the version to build, the Kubernetes version and the accepted exceptions."""
    return yaml.safe_load((DEPLOY / "kube-score.yaml").read_text(encoding="utf-8"))


def kustomize() -> Path:
    return installed_tool(*KUSTOMIZE)


def kube_score() -> Path:
    config = kube_score_config()
    return installed_tool(config["module"], config["version"])


def composecheck() -> Path:
    return module_tool(DEPLOY / "tools" / "composecheck", "composecheck")


EVERY_TOOL = (kustomize, kube_score, composecheck)
