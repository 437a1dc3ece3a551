"""The training programme's figures for the ministry and each regional centre, as JSON and as CSV.

What each figure means is in ``services.training.domain.programme``. Clerks of a centre see their centre;
national clerks and admins any centre or all of them (the national view, with the targets and a row per
centre).
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

from flask import Response
from marshmallow import Schema, ValidationError, fields, validates_schema

from services.training.domain.programme import Figures, Programme, Target, percent
from services.training.entrypoints.api.context import training
from shared.auth.principal import NATIONAL
from shared.bg.geography import geography
from shared.text import spreadsheet
from shared.web.auth import current_principal
from shared.web.blueprint import Blueprint, documented
from shared.web.schemas import LocalisedMessageSchema, StrictSchema, one_of
from shared.web.translations import bilingual

blp = Blueprint(
    "programme",
    __name__,
    url_prefix="/api/v1",
    description="The training programme's figures for the ministry and the regional centres",
)

TO_BEFORE_FROM = bilingual("Крайната дата е преди началната.", "The end date is before the start date.")
TARGET_NAMES = {
    "surveyed": ("Оценени предприятия", "Enterprises assessed"),
    "digitalised": ("Дигитализирани предприятия", "Enterprises digitalised"),
}
NATIONAL_NAME = ("Национално (всички центрове)", "National (all centres)")


# ---------------------------------------------------------------------- request
class ProgrammeQuerySchema(StrictSchema):
    date_from = fields.Date(
        data_key="from", metadata={"description": "First Sofia date (included); 1 January of the year of `to`"}
    )
    date_to = fields.Date(data_key="to", metadata={"description": "Last Sofia date (included); today by default"})
    centre = fields.String(
        validate=one_of([*sorted(geography().centres), NATIONAL], "център", "centre"),
        metadata={
            "description": "A regional centre, or `national` for all; by default a centre's clerk gets their centre, "
            "national clerks and admins the national view"
        },
    )

    @validates_schema
    def dates_in_order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise ValidationError(TO_BEFORE_FROM, "to")


# ---------------------------------------------------------------------- response shapes (for the OpenAPI document)
class ProgrammeCentreSchema(Schema):
    code = fields.String(metadata={"example": "plovdiv"})
    name = fields.Nested(LocalisedMessageSchema)


class ProgrammeFiguresSchema(Schema):
    enterprises_assessed = fields.Integer(metadata={"description": "With an assessment taken in the period"})
    enterprises_with_recommendations = fields.Integer(
        metadata={"description": "Of those assessed, the ones an active course is recommended to"}
    )
    enterprises_digitalised = fields.Integer(
        metadata={"description": "With a later assessment in the period scoring above their T0"}
    )
    workers_enrolled = fields.Integer(metadata={"description": "In sessions whose first meeting is in the period"})
    workers_trained = fields.Integer(metadata={"description": "Present at a meeting of a session ended in the period"})
    workers_certified = fields.Integer(metadata={"description": "With a certificate issued in the period"})
    sessions_held = fields.Integer(metadata={"description": "Not cancelled, last meeting in the period"})
    seats_filled = fields.Integer(metadata={"description": "Confirmed and completed seats of the sessions held"})
    seats_capacity = fields.Integer(metadata={"description": "The seats the sessions held offered"})
    seats_filled_percent = fields.Float(allow_none=True, metadata={"description": "None when no session was held"})


class ProgrammeTargetSchema(Schema):
    code = fields.String(metadata={"enum": list(TARGET_NAMES)})
    name = fields.Nested(LocalisedMessageSchema)
    target = fields.Integer(metadata={"example": 200})
    achieved = fields.Integer(metadata={"example": 57})
    percent = fields.Float(metadata={"description": "Of the target reached, uncapped (above 100 when passed)"})
    shown_percent = fields.Float(metadata={"description": "The same, at most 100 (for a progress bar)"})
    reached = fields.Boolean()


class ProgrammeCentreFiguresSchema(Schema):
    centre = fields.Nested(ProgrammeCentreSchema)
    figures = fields.Nested(ProgrammeFiguresSchema)


class ProgrammePeriodSchema(Schema):
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class ProgrammeSchema(Schema):
    scope = fields.String(metadata={"enum": ["national", "centre"]})
    period = fields.Nested(ProgrammePeriodSchema)
    centre = fields.Nested(ProgrammeCentreSchema, allow_none=True, metadata={"description": "None nationally"})
    figures = fields.Nested(ProgrammeFiguresSchema)
    targets = fields.List(fields.Nested(ProgrammeTargetSchema), metadata={"description": "Only nationally"})
    centres = fields.List(fields.Nested(ProgrammeCentreFiguresSchema), metadata={"description": "Only nationally"})


# ---------------------------------------------------------------------- views
def _centre_names(code: str) -> tuple[str, str]:
    found = geography().centres.get(code)
    return (found.name_bg, found.name_en) if found else (code, code)


def centre_view(code: str) -> dict[str, Any]:
    bg, en = _centre_names(code)
    return {"code": code, "name": {"bg": bg, "en": en}}


def _percent(share: Fraction | None) -> float | None:
    return None if share is None else percent(share)


def figures_view(figures: Figures) -> dict[str, Any]:
    return {
        "enterprises_assessed": figures.enterprises_assessed,
        "enterprises_with_recommendations": figures.enterprises_with_recommendations,
        "enterprises_digitalised": figures.enterprises_digitalised,
        "workers_enrolled": figures.workers_enrolled,
        "workers_trained": figures.workers_trained,
        "workers_certified": figures.workers_certified,
        "sessions_held": figures.sessions_held,
        "seats_filled": figures.seats_filled,
        "seats_capacity": figures.seats_capacity,
        "seats_filled_percent": _percent(figures.seats_share),
    }


def target_view(target: Target) -> dict[str, Any]:
    bg, en = TARGET_NAMES[target.code]
    return {
        "code": target.code,
        "name": {"bg": bg, "en": en},
        "target": target.target,
        "achieved": target.achieved,
        "percent": percent(target.share),
        "shown_percent": percent(target.shown_share),
        "reached": target.reached,
    }


def programme_view(report: Programme) -> dict[str, Any]:
    return {
        "scope": "national" if report.national else "centre",
        "period": {"from": report.period.date_from.isoformat(), "to": report.period.date_to.isoformat()},
        "centre": None if report.centre is None else centre_view(report.centre),
        "figures": figures_view(report.figures),
        "targets": [target_view(t) for t in report.targets],
        "centres": [{"centre": centre_view(c.centre), "figures": figures_view(c.figures)} for c in report.centres],
    }


CSV_COLUMNS = (
    "Център",
    "Код",
    "От",
    "До",
    "Оценени предприятия",
    "Предприятия с препоръки",
    "Дигитализирани предприятия",
    "Записани работници",
    "Обучени работници",
    "Сертифицирани работници",
    "Проведени сесии",
    "Заети места",
    "Места общо",
    "Заети места (%)",
    "Цел: оценени предприятия",
    "Изпълнение на целта за оценени (%)",
    "Цел: дигитализирани предприятия",
    "Изпълнение на целта за дигитализирани (%)",
)


def _decimal(value: float | None) -> str:
    """A percentage for a Bulgarian spreadsheet: a decimal comma; empty when there is none."""
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def programme_csv(report: Programme) -> str:
    """UTF-8 with a BOM and ``;`` between fields (Bulgarian Excel): the national row first, then one per centre
    (a centre's report has its own row only)."""
    period = (report.period.date_from.isoformat(), report.period.date_to.isoformat())
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = spreadsheet.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)

    def row(name: str, code: str, figures: Figures, targets: tuple[Target, ...] = ()) -> None:
        goals: list[object] = []
        for target in targets:
            goals += [target.target, _decimal(percent(target.share))]
        goals += [""] * (4 - len(goals))
        writer.writerow(
            [
                name,
                code,
                *period,
                figures.enterprises_assessed,
                figures.enterprises_with_recommendations,
                figures.enterprises_digitalised,
                figures.workers_enrolled,
                figures.workers_trained,
                figures.workers_certified,
                figures.sessions_held,
                figures.seats_filled,
                figures.seats_capacity,
                _decimal(_percent(figures.seats_share)),
                *goals,
            ]
        )

    if report.centre is None:
        row(NATIONAL_NAME[0], NATIONAL, report.figures, report.targets)
        for centre in report.centres:
            row(_centre_names(centre.centre)[0], centre.centre, centre.figures)
    else:
        row(_centre_names(report.centre)[0], report.centre, report.figures)
    return buffer.getvalue()


def _report(query: dict[str, Any]) -> Programme:
    return training().programme.figures(
        current_principal(), query.get("centre"), query.get("date_from"), query.get("date_to")
    )


# ---------------------------------------------------------------------- endpoints
@blp.get("/programme")
@blp.arguments(ProgrammeQuerySchema, location="query")
@blp.response(200)
@documented(ProgrammeSchema)
def figures(query: dict[str, Any]) -> dict[str, Any]:
    """The programme's figures for a period (Sofia dates, both included; from 1 January of the year of ``to``,
    which defaults to today): enterprises assessed, with recommendations and digitalised; workers enrolled,
    trained and certified; sessions held and seats filled. Nationally also the progress against the targets
    (200 enterprises assessed, 100 digitalised) and the same figures per centre. A centre's clerk sees their
    centre; national clerks and admins any centre or all (``centre=national``, the default for them)."""
    return programme_view(_report(query))


@blp.get("/programme.csv")
@blp.arguments(ProgrammeQuerySchema, location="query")
@blp.doc(responses={"200": {"description": "OK", "content": {"text/csv": {"schema": {"type": "string"}}}}})
def figures_csv(query: dict[str, Any]) -> Response:
    """The same figures as CSV for Bulgarian spreadsheets (UTF-8 with BOM, ``;`` between fields): the national
    row, with the targets, then a row per centre; a centre's report has its own row."""
    report = _report(query)
    scope = report.centre or NATIONAL
    name = f"programme-{scope}-{report.period.date_from.isoformat()}-{report.period.date_to.isoformat()}.csv"
    return Response(
        programme_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
