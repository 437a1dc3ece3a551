"""Reference lists for forms: districts with their regions and centres, legal forms, groups, reasons."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from services.registry.domain.reference import reference_data
from shared.bg.geography import geography
from shared.web.blueprint import Blueprint

blp = Blueprint("reference", __name__, url_prefix="/api/v1/reference", description="Reference data (no sign-in)")


@blp.get("")
@blp.response(200)
def reference() -> dict[str, Any]:
    geo, ref = geography(), reference_data()
    return {
        "centres": [asdict(c) for c in geo.centres.values()],
        "regions": [asdict(r) for r in geo.regions.values()],
        "districts": [asdict(d) for d in geo.districts.values()],
        "legal_forms": [asdict(i) for i in ref.legal_forms.values()],
        "vulnerable_groups": [asdict(i) for i in ref.vulnerable_groups.values()],
        "deletion_reasons": [asdict(i) for i in ref.deletion_reasons.values()],
    }
