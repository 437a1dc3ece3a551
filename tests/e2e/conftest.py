"""End-to-end fixtures shared by the services' tests."""

from tests.e2e.registry_flow import registry_api  # noqa: F401 - a fixture
