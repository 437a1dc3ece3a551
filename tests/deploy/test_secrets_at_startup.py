"""Every web pod of each overlay passes the secrets check it runs at start-up (`Settings.check_secrets`).

The check refuses default, empty and short secrets outside development mode; here it runs on the
environment each rendered Deployment gives its container, with the Secrets operators create (random
values, as the runbook makes them) standing in for `secretKeyRef`s.
"""

from __future__ import annotations

import pytest

from services.notifications.config import SmtpSettings
from services.portal.config import SECRET_KEY, PortalConfig
from services.registry.config import RegistryConfig
from shared.config import JWT_SECRET, InsecureSecret, Settings
from tests.deploy.conftest import OVERLAYS, Manifest
from tests.deploy.manifests import (
    component_of,
    deployments,
    environment,
    main_container,
    service_of,
    title,
    workloads,
)

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


def loaded_configuration(deployment: Manifest) -> None:
    """What a process of the deployment reads at start-up (every setting parsed, secrets checked where the
    process checks them); raises what the process would die of."""
    service, component = service_of(deployment), component_of(deployment)
    settings = Settings.from_env(service)
    if service == "portal":
        PortalConfig.from_env().check_secrets()
    elif component == "web":
        settings.check_secrets()
    if service == "registry":
        RegistryConfig.from_env()
    if service == "notifications" and component == "sender":
        SmtpSettings.from_env()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_process_reads_its_configuration_from_the_overlay(
    rendered: dict[str, list[Manifest]], overlay: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every Deployment's and Job's process (web, workers, index Jobs) parses every setting it is given."""
    manifests = rendered[overlay]
    for workload in workloads(manifests):
        monkeypatch.delenv("DEVELOPMENT_MODE", raising=False)
        for name, value in start_up_environment(workload, manifests).items():
            monkeypatch.setenv(name, value)
        try:
            loaded_configuration(workload)
        except (ValueError, InsecureSecret) as exc:
            pytest.fail(f"{overlay}: {title(workload)} would not start: {exc}")
        finally:
            monkeypatch.undo()


@pytest.mark.parametrize(
    ("service", "change", "setting"),
    [
        ("registry", {"JWT_ALGORITHM": "HS256"}, "JWT_ALGORITHM"),  # a shared key next to the provider's keys
        ("registry", {"JWT_JWKS_URL": ""}, "JWT_SECRET"),  # the provider's patch lost: the public default key
        ("notifications", {"JWT_JWKS_URL": "", "JWT_SECRET": str(JWT_SECRET.default)}, "JWT_SECRET"),
        ("portal", {"PORTAL_SECRET_KEY": str(SECRET_KEY.default)}, "PORTAL_SECRET_KEY"),
        ("portal", {"PORTAL_SECRET_KEY": ""}, "PORTAL_SECRET_KEY"),
        ("portal", {"PORTAL_DEV_SIGN_IN": "true"}, "PORTAL_DEV_SIGN_IN"),
    ],
)
def test_in_prod_a_public_default_secret_is_refused_naming_the_setting(
    rendered: dict[str, list[Manifest]],
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    change: dict[str, str],
    setting: str,
) -> None:
    manifests = rendered["prod"]
    (web,) = [d for d in deployments(manifests, "web") if service_of(d) == service]
    monkeypatch.delenv("DEVELOPMENT_MODE", raising=False)
    for name, value in {**start_up_environment(web, manifests), **change}.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(InsecureSecret, match=setting):
        loaded_configuration(web)
