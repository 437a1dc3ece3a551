"""Enterprise aggregate ⇄ MongoDB document.

Besides the aggregate itself the document carries flat fields for queries (status, centre,
due date, search terms), recomputed on every save so they can never disagree with the state.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import dacite

from services.registry.domain.enterprise import Enterprise
from shared.bg.places import places
from shared.documents import DACITE_CONFIG, plain
from shared.text.search import fold, index_terms

NO_DEADLINE = datetime(9999, 12, 31, tzinfo=UTC)

REGISTER_VIEW_VERSION = 2
"""What :func:`register_view` writes; raised when that changes, so ``resync_register`` rewrites every view."""


def seat_municipality(enterprise: Enterprise) -> str | None:
    """The ЕКАТТЕ code of the municipality the seat names (typed by the applicant), if it names one."""
    seat = enterprise.details.seat
    found = places().municipality_named(seat.municipality, seat.district)
    return found.code if found else None


def registered_eik(eik: str, enterprise_id: str, *, entered: bool) -> str:
    """The ЕИК of an enterprise ever entered in the register; a value of its own for one never entered.

    A unique index on this field lets only one enterprise hold an ЕИК in the register, while any number
    of applicants may apply for an ЕИК nobody holds yet (every MongoDB-protocol server, FerretDB too,
    supports a plain unique index; partial indexes are not needed).
    """
    return eik if entered else f"applicant:{enterprise_id}"


def query_fields(enterprise: Enterprise) -> dict[str, Any]:
    app, entry, details = enterprise.application, enterprise.entry, enterprise.details
    applications = [*enterprise.past_applications, *([app] if app else [])]
    return {
        "eik": details.eik,
        "registered_eik": registered_eik(details.eik, enterprise.id, entered=entry is not None),
        "name_folded": fold(details.name),
        "district": enterprise.district,
        "region": enterprise.region,
        "centre": enterprise.centre,
        "search_terms": index_terms([details.name, details.eik]),
        "activity_terms": index_terms(details.activities),
        "application_ids": [a.id for a in applications],
        "application_status": app.status.value if app else None,
        "application_centre": app.centre if app else None,
        "application_due_at": app.clock.due_at if app else None,
        # Waiting on the applicant (no running clock) sorts after everything that has a due date.
        "queue_order": (app.clock.due_at if app else None) or NO_DEADLINE,
        "register_status": entry.status.value if entry else None,
        "enterprise_class": entry.enterprise_class.value if entry else None,
        "registration_number": entry.registration_number if entry else None,
        "valid_until": entry.certificate.valid_until.isoformat() if entry else None,
        "has_overdue_report": bool(entry and entry.overdue_report_years),
    }


def register_view(enterprise: Enterprise) -> dict[str, Any] | None:
    """The slim public-register document of an enterprise ever entered in the register (else None).

    Public search reads these instead of the full enterprise documents: a small document is what
    makes a scan cheap where the database cannot use an index (FerretDB's SQLite backend).
    """
    entry, details = enterprise.entry, enterprise.details
    if entry is None:
        return None
    return plain(
        {
            "_id": enterprise.id,
            "version": enterprise.version,
            "registration_number": entry.registration_number,
            "name": details.name,
            "name_folded": fold(details.name),
            "legal_form": details.legal_form,
            "eik": details.eik,
            "enterprise_class": entry.enterprise_class,
            "register_status": entry.status,
            "district": enterprise.district,
            "region": enterprise.region,
            "centre": enterprise.centre,
            "settlement": details.seat.settlement,
            "municipality": seat_municipality(enterprise),
            "view_version": REGISTER_VIEW_VERSION,
            "activities": details.activities,
            "valid_until": entry.certificate.valid_until,
            "registered_at": entry.registered_at,
            "search_terms": index_terms([details.name, details.eik]),
            "activity_terms": index_terms(details.activities),
        }
    )


def to_document(enterprise: Enterprise) -> dict[str, Any]:
    state = asdict(enterprise)
    state.pop("events")
    state["_id"] = state.pop("id")
    return plain({**state, **query_fields(enterprise)})


STATE_FIELDS = (
    "owners",
    "details",
    "created_at",
    "application",
    "past_applications",
    "entry",
    "history",
    "version",
    "representatives",
)


def from_document(document: dict[str, Any]) -> Enterprise:
    state = {name: document.get(name) for name in STATE_FIELDS}
    state["id"] = document["_id"]
    state["past_applications"] = state["past_applications"] or []
    state["history"] = state["history"] or []
    state["representatives"] = state["representatives"] or []
    return dacite.from_dict(Enterprise, state, config=DACITE_CONFIG)
