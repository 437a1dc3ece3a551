"""Links people open from paper and e-mail go to the portal's one configured public address."""

from __future__ import annotations

import re

import pytest

from services.notifications.config import portal_url
from shared.web.public_links import certificate_check_url, public_portal_url, qr_svg


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


def test_a_qr_code_sized_smaller_by_the_page_shrinks_whole_instead_of_being_cut() -> None:
    """The printed training certificate gives its QR code 30 mm (about 113 px) of a 180 px drawing: without
    a viewBox the browser cut off its right and bottom edges and no phone could read it."""
    svg = str(qr_svg(certificate_check_url("ДУ-2026-000001", "9NNZ-NCQJ-DJFU")))
    opening = svg[: svg.index(">") + 1]
    size = re.search(r'width="(\d+)" height="(\d+)"', opening)
    box = re.search(r'viewBox="0 0 (\d+) (\d+)"', opening)
    assert size and box, opening
    assert size.groups() == box.groups() == ("180", "180")  # version 6 (41 modules) and the border, at scale 4
