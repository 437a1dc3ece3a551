"""Links people open from paper and e-mail go to the portal's one configured public address."""

from __future__ import annotations

import pytest

from services.notifications.config import portal_url
from shared.web.public_links import certificate_check_url, public_portal_url


def test_the_certificate_check_is_the_portals_public_page(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_PORTAL_URL", "https://solidarityhub.example.bg/")
    assert certificate_check_url("ДУ-2026-000001", "K7QM-2XHD-94RT") == (
        "https://solidarityhub.example.bg/certificates?number=%D0%94%D0%A3-2026-000001&code=K7QM-2XHD-94RT"
    )
    assert certificate_check_url("УСП-2026-00001") == (
        "https://solidarityhub.example.bg/certificates?number=%D0%A3%D0%A1%D0%9F-2026-00001"
    )
    assert public_portal_url("/register/x") == "https://solidarityhub.example.bg/register/x"


def test_e_mails_link_to_the_public_portal_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFICATIONS_PORTAL_URL", raising=False)
    monkeypatch.setenv("PUBLIC_PORTAL_URL", "https://solidarityhub.example.bg")
    assert portal_url() == "https://solidarityhub.example.bg"  # one address configured for every service
    monkeypatch.setenv("NOTIFICATIONS_PORTAL_URL", "https://mail-links.example.bg")
    assert portal_url() == "https://mail-links.example.bg"
