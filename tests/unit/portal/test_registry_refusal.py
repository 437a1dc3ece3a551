"""A refusal shows the applicant and the centre's clerk its legal ground, how and by when to appeal, and a
printable copy of the decision."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.unit.portal.test_registry_applications import APP_ID, application, representative
from tests.unit.portal.test_registry_clerk import clerk, reviewing

APPEAL = {
    "legal_ground_bg": "Закон за предприятията на социалната и солидарна икономика: не отговаря на изискванията.",
    "legal_ground_en": "Social and Solidarity Economy Enterprises Act: does not meet the requirements.",
    "body_bg": "Административен съд – София-град",
    "body_en": "Administrative Court of Sofia City",
    "through_bg": "чрез министъра на труда и социалната политика",
    "through_en": "through the Minister of Labour and Social Policy",
    "days": 14,
    "communicated_on": "2026-11-21",
    "deadline": "2026-12-07",
}
REFUSED = {
    "status": "rejected",
    "decision": {
        "outcome": "rejected",
        "decided_at": "2026-11-21T09:00:00Z",
        "decided_by": "demo-clerk",
        "order_number": "",
        "order_date": None,
        "certificate_number": "",
        "reasons": ["Няма протокол от общото събрание.", "Невярна сума."],
        "appeal": APPEAL,
    },
}


def test_the_applicant_sees_the_ground_the_court_and_the_last_day_and_prints_a_copy(
    portal: FlaskClient, services: Any
) -> None:
    services.registry.answer("GET", f"/api/v1/applications/{APP_ID}", application(**REFUSED))
    representative(portal)
    page = portal.get(f"/my/applications/{APP_ID}").get_data(as_text=True)
    assert "Правно основание и обжалване" in page
    assert "Закон за предприятията на социалната и солидарна икономика" in page
    assert "Пред Административен съд – София-град, чрез министъра на труда и социалната политика, " in page
    assert "в 14-дневен срок от съобщаването на отказа" in page
    assert "<strong>07.12.2026 г.</strong> — 14 дни от 21.11.2026 г." in page
    assert f'href="/my/applications/{APP_ID}/refusal">Препис от отказа (за печат)</a>' in page

    copy = portal.get(f"/my/applications/{APP_ID}/refusal")
    printed = copy.get_data(as_text=True)
    assert copy.status_code == 200
    assert "Отказ за вписване в регистъра на социалните предприятия" in printed
    assert "<li>Няма протокол от общото събрание.</li>" in printed and "<li>Невярна сума.</li>" in printed
    assert "Административен съд – София-град" in printed and "07.12.2026" in printed
    english = portal.get(f"/my/applications/{APP_ID}/refusal?lang=en").get_data(as_text=True)
    assert "Before the Administrative Court of Sofia City" in english


def test_the_clerk_sees_the_same_and_an_application_not_refused_has_no_copy(portal: FlaskClient, services: Any) -> None:
    reviewing(services, **REFUSED)
    clerk(portal)
    page = portal.get(f"/clerk/applications/{APP_ID}").get_data(as_text=True)
    assert "Административен съд – София-град" in page
    assert f'href="/clerk/applications/{APP_ID}/refusal"' in page
    assert portal.get(f"/clerk/applications/{APP_ID}/refusal").status_code == 200

    reviewing(services, status="submitted")
    assert portal.get(f"/clerk/applications/{APP_ID}/refusal").status_code == 404
    assert "Правно основание и обжалване" not in portal.get(f"/clerk/applications/{APP_ID}").get_data(as_text=True)


def test_the_copy_is_for_the_applicant_and_clerks_only(portal: FlaskClient, services: Any) -> None:
    services.registry.answer("GET", f"/api/v1/applications/{APP_ID}", application(**REFUSED))
    assert portal.get(f"/my/applications/{APP_ID}/refusal").status_code == 302  # sign in first
    representative(portal)
    assert portal.get(f"/clerk/applications/{APP_ID}/refusal").status_code == 403
