"""The register's words on the pages: states, classes, routes, criteria and what happened in a file.

States are shown with a word (never by colour alone) and a kind for the ``status`` macro (ok, bad, wait).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from services.portal.reference import name_of, register_reference

# application status → (label, kind)
APPLICATION_STATES = {
    "draft": (_l("Draft, not submitted yet"), "wait"),
    "submitted": (_l("Submitted, awaiting a decision"), "wait"),
    "information_requested": (_l("Information requested"), "bad"),
    "approved": (_l("Approved"), "ok"),
    "rejected": (_l("Refused"), "bad"),
    "withdrawn": (_l("Withdrawn by the applicant"), "bad"),
}
# register entry status → (label, kind)
ENTRY_STATES = {
    "active": (_l("In the register"), "ok"),
    "expired": (_l("Certificate expired"), "bad"),
    "deleted": (_l("Deleted from the register"), "bad"),
}
ENTRY_FILTERS = {
    "active": _l("In the register"),
    "expired": _l("Certificate expired"),
    "deleted": _l("Deleted from the register"),
    "all": _l("All, including past entries"),
}
KINDS = {"registration": _l("Entry in the register"), "renewal": _l("Renewal")}
ROUTES = {
    "profit": _l("More than half of the after-tax result goes to social goals"),
    "employment": _l("At least 30% of the staff are from vulnerable groups"),
}
CRITERIA = {
    "unemployment_area": _l("Works only in municipalities with unemployment at or above the national average"),
    "high_profit_share": _l(
        "More than half of the after-tax result, and at least €38,346.89 (75,000 BGN in the Act), to social goals"
    ),
    "employment_continuity": _l("At least 30% of staff from vulnerable groups employed for 6 months without a break"),
}
ROUTE_RULES = {"profit": "A3a", "employment": "A3b"}
CRITERION_RULES = {"unemployment_area": "P1", "high_profit_share": "P2", "employment_continuity": "P3"}
HISTORY = {
    "application_started": _l("Application started"),
    "renewal_started": _l("Renewal application started"),
    "application_amended": _l("Application changed"),
    "application_submitted": _l("Application submitted"),
    "application_resubmitted": _l("Application submitted again"),
    "information_requested": _l("The centre asked for more information"),
    "information_answered": _l("The applicant answered"),
    "application_rejected": _l("Application refused"),
    "application_withdrawn": _l("Application withdrawn"),
    "registered": _l("Entered in the register"),
    "renewed": _l("Certificate renewed"),
    "details_updated": _l("Details changed"),
    "class_changed": _l("Class changed"),
    "deleted": _l("Deleted from the register"),
    "certificate_expiring": _l("Certificate expiry notice"),
    "certificate_expired": _l("Certificate expired"),
    "annual_report_submitted": _l("Yearly report submitted"),
    "annual_report_overdue": _l("Yearly report overdue"),
}
ROLES = {
    "representative": _l("Enterprise representative"),
    "clerk": _l("Centre clerk"),
    "admin": _l("Administrator"),
    "system": _l("The register (automatic)"),
}
FIELDS = {
    "details.name": _l("Name of the enterprise"),
    "details.legal_form": _l("Legal form"),
    "details.eik": _l("ЕИК"),
    "details.seat.district": _l("District"),
    "details.seat.municipality": _l("Municipality"),
    "details.seat.settlement": _l("Town or village"),
    "details.seat.address": _l("Address"),
    "details.seat.postcode": _l("Postcode"),
    "details.contacts.email": _l("E-mail for the register"),
    "details.contacts.email_public": _l("Show the e-mail in the public register"),
    "details.contacts.phone": _l("Phone"),
    "details.contacts.phone_public": _l("Show the phone in the public register"),
    "details.contacts.website": _l("Website"),
    "details.representative.full_name": _l("Full name of the representative"),
    "details.representative.position": _l("Job title"),
    "details.activities": _l("Activities"),
    "details.description": _l("What the enterprise does"),
    "requested_class": _l("Requested class"),
    "class_a_route": _l("Class A route"),
    "a_plus_criterion": _l("Additional criterion for class A+"),
    "evidence.social_activity_evidenced": _l("The social activity and its added value are evidenced"),
    "evidence.participatory_management": _l("Members or workers take part in management"),
    "evidence.after_tax_result_cents": _l("Result after tax (euro)"),
    "evidence.social_spending_cents": _l("Spent on social goals (euro)"),
    "evidence.staff_count": _l("Staff (persons)"),
    "evidence.vulnerable_staff": _l("Staff from vulnerable groups"),
    "evidence.vulnerable_staff_continuous_6m": _l("Of them, employed for 6 months without a break"),
    "evidence.unemployment_area": _l("Works only in municipalities with unemployment at or above the national average"),
    "q": _l("Name or ЕИК"),
    "district": _l("District"),
    "region": _l("Region"),
    "class": _l("Class"),
    "status": _l("Entries"),
    "activity": _l("Activity"),
    "year": _l("Year"),
    "note": _l("Note"),
    "order_number": _l("Administrative order number"),
    "order_date": _l("Administrative order date"),
    "reason_code": _l("Reason"),
    "reasons": _l("Reasons for the refusal"),
    "message": _l("What information is needed"),
    "answer": _l("Your answer"),
    "confirm_approval": _l("Confirmation of the approval"),
    "confirm_refusal": _l("Confirmation of the refusal"),
    "confirm_deletion": _l("Confirmation of the deletion"),
    "documents": _l("Documents"),
}


def label_of(path: str) -> str:
    """A field's label by its API path; a vulnerable group's name for ``evidence.vulnerable_staff.<code>``."""
    if path.startswith("evidence.vulnerable_staff."):
        return f"{FIELDS['evidence.vulnerable_staff']}: {group_name(path.rsplit('.', 1)[-1])}"
    return str(FIELDS.get(path, path))


def change_label(field: str) -> str:
    """A changed field of a history record (``seat.address``, ``enterprise_class``) by its label."""
    if field == "enterprise_class":
        return str(_l("Class"))
    for candidate in (f"details.{field}", field):
        if candidate in FIELDS or candidate.startswith("evidence.vulnerable_staff."):
            return label_of(candidate)
    return field


def group_name(code: str) -> str:
    for group in register_reference()["vulnerable_groups"]:
        if group["code"] == code:
            return name_of(group)
    return code


def reference_name(kind: str, code: str | None) -> str:
    """A district's, region's, legal form's or deletion reason's name in the page language."""
    for item in register_reference()[kind]:
        if (item.get("code") or item.get("id")) == code:
            return name_of(item)
    return code or ""


def applicable_rules(requested_class: str | None, route: str | None, criterion: str | None) -> set[str]:
    """The rules the chosen class, route and criterion depend on (the service reports all of them)."""
    codes = {"A1", "A2"}
    if route in ROUTE_RULES:
        codes.add(ROUTE_RULES[route])
    if requested_class == "A+" and criterion in CRITERION_RULES:
        codes.add(CRITERION_RULES[criterion])
    return codes


def labels() -> dict[str, Any]:
    """What the register's templates use to name things."""
    return {
        "APPLICATION_STATES": APPLICATION_STATES,
        "ENTRY_STATES": ENTRY_STATES,
        "KINDS": KINDS,
        "ROUTES": ROUTES,
        "CRITERIA": CRITERIA,
        "HISTORY": HISTORY,
        "ROLES": ROLES,
        "label_of": label_of,
        "change_label": change_label,
        "applicable": lambda chosen: applicable_rules(
            chosen.get("requested_class"), chosen.get("class_a_route"), chosen.get("a_plus_criterion")
        ),
        "group_name": group_name,
        "reference_name": reference_name,
    }
