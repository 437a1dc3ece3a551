"""How the registry's resources look in JSON: for applicants and clerks, and for the public."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from services.registry.adapters.documents import plain
from services.registry.domain.appeal import refusal_appeal
from services.registry.domain.application import STATUS_NAMES_BG, Application, ApplicationStatus
from services.registry.domain.eligibility import Assessment
from services.registry.domain.enterprise import Enterprise
from services.registry.domain.history import HistoryRecord, shown_publicly
from services.registry.domain.policy import RegistryPolicy
from services.registry.domain.reference import reference_data
from shared.bg.geography import geography


def placement(district_code: str) -> dict[str, Any]:
    place = geography().place(district_code)
    return {
        "district": {"code": place.district.code, "name_bg": place.district.name_bg, "name_en": place.district.name_en},
        "region": {"code": place.region.code, "name_bg": place.region.name_bg, "name_en": place.region.name_en},
        "centre": {"id": place.centre.id, "name_bg": place.centre.name_bg, "name_en": place.centre.name_en},
    }


def assessment_view(assessment: Assessment) -> dict[str, Any]:
    return {
        "class_a_met": assessment.class_a_met,
        "class_a_plus_met": assessment.class_a_plus_met,
        "requested_met": assessment.requested_met,
        "highest_class": assessment.highest_class,
        "rules": [
            {"code": r.code, "passed": r.passed, "rule": r.rule.as_dict(), "detail": r.detail.as_dict()}
            for r in assessment.rules
        ],
    }


def history_view(records: list[HistoryRecord], *, public_only: bool) -> list[dict[str, Any]]:
    """The whole history (for representatives and clerks), or what the public may see of it."""
    if public_only:
        return [{"at": r.at, "action": r.action, "changes": plain(shown_publicly(r))} for r in records if r.public]
    return [plain({k: v for k, v in asdict(r).items() if k != "public_changes"}) for r in records]


def public_history(enterprise: Enterprise) -> list[dict[str, Any]]:
    """The public history, without any value of a contact the enterprise does not show now."""
    hidden = {"contacts." + name for name in ("email", "phone") if name not in enterprise.details.public_contacts()}
    return [
        {**record, "changes": [c for c in record["changes"] if c["field"] not in hidden]}
        for record in history_view(enterprise.history, public_only=True)
    ]


def application_view(enterprise: Enterprise, app: Application, policy: RegistryPolicy, now: datetime) -> dict[str, Any]:
    assessment = enterprise.assessment(policy) if app is enterprise.application else None
    due = app.clock.due_at
    view: dict[str, Any] = {
        "id": app.id,
        "enterprise_id": enterprise.id,
        "version": enterprise.version,
        "kind": app.kind,
        "status": app.status,
        "status_bg": STATUS_NAMES_BG[app.status],
        "details": plain(asdict(app.details)),
        "placement": placement(app.details.seat.district),
        "requested_class": app.requested_class,
        "class_a_route": app.class_a_route,
        "a_plus_criterion": app.a_plus_criterion,
        "evidence": plain(asdict(app.evidence)),
        "created_at": app.created_at,
        "submitted_at": app.submitted_at,
        "due_at": due,
        "overdue": app.clock.is_overdue(now),
        "days_left": (due - now).days if due else None,
        "information_requests": plain([asdict(r) for r in app.information_requests]),
        "decision": plain(asdict(app.decision)) if app.decision else None,
    }
    if app.decision is not None and app.decision.outcome == ApplicationStatus.REJECTED:
        view["decision"]["appeal"] = plain(asdict(refusal_appeal(app.decision.decided_at)))
    if assessment is not None:
        view["eligibility"] = assessment_view(assessment)
    if enterprise.entry is not None:
        view["registration_number"] = enterprise.entry.registration_number
        view["register_status"] = enterprise.entry.status
    return view


def competing_view(enterprise: Enterprise) -> dict[str, Any]:
    """Another application for the same ЕИК, as the clerk deciding sees it (no personal data)."""
    app = enterprise.application
    return {
        "enterprise_id": enterprise.id,
        "application_id": app.id if app else None,
        "name": enterprise.details.name,
        "status": app.status if app else None,
        "status_bg": STATUS_NAMES_BG[app.status] if app else None,
        "centre": app.centre if app else enterprise.centre,
        "submitted_at": app.submitted_at if app else None,
        "registration_number": enterprise.entry.registration_number if enterprise.entry else None,
        "register_status": enterprise.entry.status if enterprise.entry else None,
    }


def file_view(enterprise: Enterprise, policy: RegistryPolicy, now: datetime) -> dict[str, Any]:
    """Everything about an enterprise, for its representatives and clerks: current application and history."""
    return {
        "id": enterprise.id,
        "version": enterprise.version,
        "details": plain(asdict(enterprise.details)),
        "placement": placement(enterprise.district),
        "application": application_view(enterprise, enterprise.application, policy, now)
        if enterprise.application
        else None,
        "past_applications": [application_view(enterprise, a, policy, now) for a in enterprise.past_applications],
        "entry": plain(asdict(enterprise.entry)) if enterprise.entry else None,
        "history": history_view(enterprise.history, public_only=False),
    }


def register_item(view: dict[str, Any]) -> dict[str, Any]:
    """One line of the public register, from its slim register document."""
    legal_form = reference_data().legal_forms.get(view.get("legal_form", ""))
    return {
        "id": view["_id"],
        "registration_number": view.get("registration_number"),
        "name": view.get("name"),
        "legal_form": view.get("legal_form"),
        "legal_form_bg": legal_form.name_bg if legal_form else None,
        "eik": view.get("eik"),
        "enterprise_class": view.get("enterprise_class"),
        "status": view.get("register_status"),
        "settlement": view.get("settlement"),
        "municipality": view.get("municipality"),
        "district": view.get("district"),
        "region": view.get("region"),
        "centre": view.get("centre"),
        "activities": view.get("activities", []),
        "valid_until": view.get("valid_until"),
        "registered_at": view.get("registered_at"),
    }


def public_entry_view(enterprise: Enterprise) -> dict[str, Any]:
    """The public register entry: never private contacts, never figures of staff by person."""
    entry = enterprise.entry
    assert entry is not None
    details = enterprise.details
    deletion = entry.deletion
    reasons = reference_data().deletion_reasons
    return {
        "id": enterprise.id,
        "registration_number": entry.registration_number,
        "name": details.name,
        "legal_form": details.legal_form,
        "eik": details.eik,
        "seat": plain(asdict(details.seat)),
        "placement": placement(enterprise.district),
        "representative": details.representative.full_name,
        "contacts": details.public_contacts(),
        "activities": details.activities,
        "description": details.description,
        "enterprise_class": entry.enterprise_class,
        "class_a_route": entry.class_a_route,
        "a_plus_criterion": entry.a_plus_criterion,
        "status": entry.status,
        "registered_at": entry.registered_at,
        "order": plain(asdict(entry.order)),
        "certificate": plain(asdict(entry.certificate)),
        "mark": "Продукт на социално предприятие" if entry.status == "active" else None,
        "deletion": {
            "deleted_at": deletion.deleted_at,
            "reason_code": deletion.reason_code,
            "reason_bg": reasons[deletion.reason_code].name_bg if deletion.reason_code in reasons else "",
            "order": plain(asdict(deletion.order)),
        }
        if deletion
        else None,
        "history": public_history(enterprise),
    }


EXPORT_COLUMNS = [
    "registration_number",
    "name",
    "legal_form",
    "eik",
    "enterprise_class",
    "status",
    "district",
    "region",
    "centre",
    "settlement",
    "address",
    "activities",
    "registered_at",
    "order_number",
    "order_date",
    "certificate_number",
    "valid_from",
    "valid_until",
    "deleted_at",
    "deletion_reason",
    "website",
    "email",
]


EXPORT_LABELS_BG = {
    "registration_number": "Регистров номер",
    "name": "Наименование",
    "legal_form": "Правна форма",
    "eik": "ЕИК",
    "enterprise_class": "Клас",
    "status": "Статус",
    "district": "Област",
    "region": "Район за планиране",
    "centre": "Регионален център",
    "settlement": "Населено място",
    "address": "Адрес",
    "activities": "Дейности",
    "registered_at": "Дата на вписване",
    "order_number": "Номер на заповедта",
    "order_date": "Дата на заповедта",
    "certificate_number": "Номер на удостоверението",
    "valid_from": "Удостоверението е валидно от",
    "valid_until": "Удостоверението е валидно до",
    "deleted_at": "Дата на заличаване",
    "deletion_reason": "Основание за заличаване",
    "website": "Уебсайт",
    "email": "Електронна поща",
}
EXPORT_STATUS_BG = {"active": "Вписано", "expired": "С изтекло удостоверение", "deleted": "Заличено"}
_EXPORT_DATES = ("registered_at", "order_date", "valid_from", "valid_until", "deleted_at")


def readable_export_row(row: dict[str, Any]) -> dict[str, Any]:
    """An export row for people: Bulgarian column names, names instead of codes, dates as 21.12.2029."""
    geo, ref = geography(), reference_data()

    def name(items: dict[str, Any], code: Any) -> Any:
        item = items.get(code) if code else None
        return item.name_bg if item is not None else code

    readable = {
        **row,
        "legal_form": name(ref.legal_forms, row["legal_form"]),
        "status": EXPORT_STATUS_BG.get(row["status"], row["status"]),
        "district": name(geo.districts, row["district"]),
        "region": name(geo.regions, row["region"]),
        "centre": name(geo.centres, row["centre"]),
        "deletion_reason": name(ref.deletion_reasons, row["deletion_reason"]),
    }
    for column in _EXPORT_DATES:
        value = str(readable[column] or "")
        if len(value) >= 10 and value[4] == "-" and value[7] == "-":
            readable[column] = f"{value[8:10]}.{value[5:7]}.{value[:4]}"
    return {EXPORT_LABELS_BG[column]: readable[column] for column in EXPORT_COLUMNS}


def export_row(document: dict[str, Any]) -> dict[str, Any]:
    """One row of the open-data export; the columns are stable (new ones only ever go at the end)."""
    details, entry = document.get("details", {}), document.get("entry") or {}
    certificate, order = entry.get("certificate", {}), entry.get("order", {})
    deletion = entry.get("deletion") or {}
    contacts = details.get("contacts", {})
    registered_at = entry.get("registered_at")
    deleted_at = deletion.get("deleted_at")
    return {
        "registration_number": document.get("registration_number"),
        "name": details.get("name"),
        "legal_form": details.get("legal_form"),
        "eik": document.get("eik"),
        "enterprise_class": document.get("enterprise_class"),
        "status": document.get("register_status"),
        "district": document.get("district"),
        "region": document.get("region"),
        "centre": document.get("centre"),
        "settlement": details.get("seat", {}).get("settlement"),
        "address": details.get("seat", {}).get("address"),
        "activities": "; ".join(details.get("activities", [])),
        "registered_at": registered_at.date().isoformat() if registered_at else "",
        "order_number": order.get("number"),
        "order_date": order.get("date"),
        "certificate_number": certificate.get("number"),
        "valid_from": certificate.get("valid_from"),
        "valid_until": certificate.get("valid_until"),
        "deleted_at": deleted_at.date().isoformat() if deleted_at else "",
        "deletion_reason": deletion.get("reason_code", ""),
        "website": contacts.get("website", ""),
        "email": contacts.get("email", "") if contacts.get("email_public") else "",
    }
