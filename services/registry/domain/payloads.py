"""What the register's events say: the facts marketplace, training and notifications need.

Every enterprise event carries the whole public picture of the entry (class, status, place,
validity, staff from vulnerable groups, contact e-mail), so a consumer's read model can be
rebuilt from the latest event alone. Never personal numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shared.bg.geography import geography

if TYPE_CHECKING:
    from services.registry.domain.application import Application
    from services.registry.domain.enterprise import Enterprise


def placement(district: str) -> dict[str, str]:
    place = geography().place(district)
    return {"district": place.district.code, "region": place.region.code, "centre": place.centre.id}


def application_payload(enterprise: Enterprise, app: Application, with_certificate: bool) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "application_id": app.id,
        "enterprise_id": enterprise.id,
        "kind": app.kind.value,
        "status": app.status.value,
        "name": app.details.name,
        "eik": app.details.eik,
        **placement(app.details.seat.district),
        "requested_class": app.requested_class.value,
        "applicant_email": app.details.contacts.email,
        "due_at": app.clock.due_at.isoformat() if app.clock.due_at else None,
        **people(enterprise, app),
    }
    if with_certificate and enterprise.entry is not None:
        payload["registration_number"] = enterprise.entry.registration_number
        payload["certificate_number"] = enterprise.entry.certificate.number
        payload["valid_until"] = enterprise.entry.certificate.valid_until.isoformat()
    return payload


def enterprise_payload(enterprise: Enterprise) -> dict[str, Any]:
    entry, details = enterprise.entry, enterprise.details
    assert entry is not None
    evidence = enterprise.current_evidence()
    return {
        "enterprise_id": enterprise.id,
        "registration_number": entry.registration_number,
        "name": details.name,
        "eik": details.eik,
        "legal_form": details.legal_form,
        "enterprise_class": entry.enterprise_class.value,
        "status": entry.status.value,
        **placement(enterprise.district),
        "activities": list(details.activities),
        "contact_email": details.contacts.email,
        "public_contacts": details.public_contacts(),
        "certificate": {
            "number": entry.certificate.number,
            "valid_from": entry.certificate.valid_from.isoformat(),
            "valid_until": entry.certificate.valid_until.isoformat(),
        },
        "staff_count": evidence.staff_count,
        "vulnerable_staff_total": evidence.vulnerable_total,
        "vulnerable_staff": dict(evidence.vulnerable_staff),
        **people(enterprise),
    }


def people(enterprise: Enterprise, app: Application | None = None) -> dict[str, Any]:
    """Whom a message about it concerns: the person who submitted the application (``applicant``) and the
    enterprise's representatives (sign-in subject, name, verified e-mail or null)."""
    found: dict[str, Any] = {"representatives": [person.as_payload() for person in enterprise.representatives]}
    if app is not None and app.applicant is not None:
        found["applicant"] = app.applicant.as_payload()
    return found
