"""Every web pod of each overlay passes the secrets check it runs at start-up (`Settings.check_secrets`).

The check refuses default, empty and short secrets outside development mode; here it runs on the
environment each rendered Deployment gives its container, with the Secrets operators create (random
values, as the runbook makes them) standing in for `secretKeyRef`s.
"""

from __future__ import annotations

import pytest

from services.portal.config import PortalConfig
from shared.config import Settings
from tests.deploy.conftest import OVERLAYS, Manifest
from tests.deploy.manifests import deployments, environment, main_container, service_of, title

A_RANDOM_SECRET = "3f9c2a7e1b4d8f6a0c5e9b2d7a1f4c8e6b0d3a9f5c7e2b1d"  # what `openssl rand -hex 24` makes


def start_up_environment(deployment: Manifest, manifests: list[Manifest]) -> dict[str, str]:
    env = environment(main_container(deployment), manifests)
    return {name: value if isinstance(value, str) else A_RANDOM_SECRET for name, value in env.items()}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_web_pod_passes_its_start_up_secrets_check(
    rendered: dict[str, list[Manifest]], overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifests = rendered[overlay]
    for deployment in deployments(manifests, "web"):
        monkeypatch.delenv("DEVELOPMENT_MODE", raising=False)  # the tests' own development mode is not the pod's
        for name, value in start_up_environment(deployment, manifests).items():
            monkeypatch.setenv(name, value)
        service = service_of(deployment)
        settings = Settings.from_env(service)
        assert settings.development_mode == (overlay == "dev"), title(deployment)
        if service == "portal":
            PortalConfig.from_env().check_secrets()
        else:
            settings.check_secrets()
        monkeypatch.undo()
