"""Request and response schemas of the registry's HTTP API."""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, post_load, validate, validates, validates_schema

from services.registry.domain.details import Contacts, EnterpriseDetails, Representative, Seat
from services.registry.domain.eligibility import APlusCriterion, ClassARoute, EnterpriseClass, Evidence
from services.registry.domain.enterprise import ApplicationRequest
from services.registry.domain.entry import Order
from services.registry.domain.reference import reference_data
from shared.bg.geography import geography
from shared.bg.identifiers import is_valid_egn, is_valid_eik
from shared.bg.places import places
from shared.web.schemas import PageQuerySchema, StrictSchema, district_field, one_of, text
from shared.web.translations import bilingual

MAX_CENTS = 10**13  # a hundred billion euro: far above any real figure, below overflow
EGN_GIVEN = bilingual(
    "Това прилича на ЕГН (личен номер). Въведете ЕИК на предприятието.",
    "This looks like a personal number (ЕГН). Enter the enterprise's ЕИК.",
)
EIK_MESSAGE = bilingual(
    "Невалиден ЕИК: очакват се 9 или 13 цифри с вярна контролна цифра.",
    "Invalid ЕИК: 9 or 13 digits with a correct check digit are expected.",
)


_URL = validate.URL(schemes={"http", "https"}, require_tld=True)


def optional_url(value: str) -> None:
    """Empty means "no website"; anything else must be an http(s) address."""
    if value:
        _URL(value)


class SeatSchema(StrictSchema):
    district = district_field(required=True)
    municipality = text(100, required=True)
    settlement = text(100, required=True)
    address = text(200, required=True)
    postcode = fields.String(
        load_default="",
        validate=validate.Regexp(
            r"^(\d{4})?$", error=bilingual("Пощенският код е 4 цифри.", "A postcode is 4 digits.")
        ),
    )

    @post_load
    def make(self, data: dict, **_: Any) -> Seat:
        return Seat(**data)


class ContactsSchema(StrictSchema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    phone = fields.String(
        load_default="",
        validate=validate.Regexp(
            r"^(\+?[0-9 ()-]{6,20})?$", error=bilingual("Невалиден телефонен номер.", "Invalid phone number.")
        ),
    )
    website = fields.String(load_default="", validate=[validate.Length(max=300), optional_url])
    email_public = fields.Boolean(load_default=True)
    phone_public = fields.Boolean(load_default=False)

    @post_load
    def make(self, data: dict, **_: Any) -> Contacts:
        return Contacts(**data)


class RepresentativeSchema(StrictSchema):
    full_name = text(150, required=True)
    position = text(100, min_length=0, load_default="")

    @post_load
    def make(self, data: dict, **_: Any) -> Representative:
        return Representative(**data)


class DetailsSchema(StrictSchema):
    name = text(200, required=True)
    legal_form = fields.String(
        required=True, validate=one_of(sorted(reference_data().legal_forms), "правна форма", "legal form")
    )
    eik = fields.String(required=True)
    seat = fields.Nested(SeatSchema, required=True)
    contacts = fields.Nested(ContactsSchema, required=True)
    representative = fields.Nested(RepresentativeSchema, required=True)
    activities = fields.List(text(200), load_default=list, validate=validate.Length(max=30))
    description = text(5000, min_length=0, load_default="")

    @validates("eik")
    def check_eik(self, value: str, **_: Any) -> None:
        if is_valid_egn(value):
            raise ValidationError(EGN_GIVEN)  # and the personal number goes nowhere: not stored, not logged
        if not is_valid_eik(value):
            raise ValidationError(EIK_MESSAGE)

    @post_load
    def make(self, data: dict, **_: Any) -> EnterpriseDetails:
        return EnterpriseDetails(**data)


def cents(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=-MAX_CENTS, max=MAX_CENTS), **kwargs)


def count(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=0, max=100_000), **kwargs)


class EvidenceSchema(StrictSchema):
    social_activity_evidenced = fields.Boolean(load_default=False)
    participatory_management = fields.Boolean(load_default=False)
    after_tax_result_cents = cents(load_default=0, metadata={"description": "Result after tax, euro cents"})
    social_spending_cents = cents(load_default=0, metadata={"description": "Spent on social goals, euro cents"})
    staff_count = count(load_default=0)
    vulnerable_staff = fields.Dict(
        keys=fields.String(
            validate=one_of(sorted(reference_data().vulnerable_groups), "уязвима група", "vulnerable group")
        ),
        values=count(),
        load_default=dict,
    )
    vulnerable_staff_continuous_6m = count(load_default=0)
    unemployment_area = fields.Boolean(load_default=False)

    @validates_schema
    def consistent(self, data: dict, **_: Any) -> None:
        staff = data.get("staff_count", 0)
        vulnerable = sum(data.get("vulnerable_staff", {}).values())
        if vulnerable > staff:
            raise ValidationError(
                bilingual(
                    "Лицата от уязвими групи не може да са повече от целия персонал.",
                    "Vulnerable-group staff cannot exceed the total staff.",
                ),
                "vulnerable_staff",
            )
        if data.get("vulnerable_staff_continuous_6m", 0) > vulnerable:
            raise ValidationError(
                bilingual(
                    "Не може да са повече от лицата от уязвими групи.", "Cannot exceed the vulnerable-group staff."
                ),
                "vulnerable_staff_continuous_6m",
            )
        if data.get("social_spending_cents", 0) < 0:
            raise ValidationError(
                bilingual("Разходите не може да са отрицателни.", "Spending cannot be negative."),
                "social_spending_cents",
            )

    @post_load
    def make(self, data: dict, **_: Any) -> Evidence:
        return Evidence(**data)


class RequestSchema(StrictSchema):
    """Class, route and figures: the part of an application that eligibility is judged on."""

    requested_class = fields.Enum(EnterpriseClass, by_value=True, required=True)
    class_a_route = fields.Enum(ClassARoute, by_value=True, required=True)
    a_plus_criterion = fields.Enum(APlusCriterion, by_value=True, load_default=None, allow_none=True)
    evidence = fields.Nested(EvidenceSchema, load_default=Evidence)

    @validates_schema
    def criterion_for_a_plus(self, data: dict, **_: Any) -> None:
        if data.get("requested_class") is EnterpriseClass.A_PLUS and data.get("a_plus_criterion") is None:
            raise ValidationError(
                bilingual("За клас А+ изберете допълнителен критерий.", "Class A+ needs an additional criterion."),
                "a_plus_criterion",
            )

    @post_load
    def make(self, data: dict, **_: Any) -> ApplicationRequest:
        return ApplicationRequest(**data)


class NewApplicationSchema(RequestSchema):
    details = fields.Nested(DetailsSchema, required=True)

    @post_load
    def make(self, data: dict, **_: Any) -> dict[str, Any]:  # type: ignore[override]
        details = data.pop("details")
        return {"details": details, "request": ApplicationRequest(**data)}


class AmendApplicationSchema(StrictSchema):
    details = fields.Nested(DetailsSchema)
    request = fields.Nested(RequestSchema)
    expected_version = fields.Integer(strict=True, validate=validate.Range(min=1))


class MessageSchema(StrictSchema):
    message = text(4000, required=True)


class AnswerSchema(StrictSchema):
    answer = text(4000, required=True)


class OrderSchema(StrictSchema):
    order_number = text(50, required=True)
    order_date = fields.Date(required=True)

    @post_load
    def make(self, data: dict, **_: Any) -> Order:
        return Order(data["order_number"], data["order_date"])


class RejectSchema(StrictSchema):
    reasons = fields.List(text(2000), required=True, validate=validate.Length(min=1, max=20))


class ClassChangeSchema(StrictSchema):
    new_class = fields.Enum(EnterpriseClass, by_value=True, required=True)
    reason = text(2000, required=True)


class DeletionSchema(StrictSchema):
    order_number = text(50, required=True)
    order_date = fields.Date(required=True)
    reason_code = fields.String(
        required=True, validate=one_of(sorted(reference_data().deletion_reasons), "причина", "reason")
    )
    note = text(2000, min_length=0, load_default="")


class UpdateDetailsSchema(StrictSchema):
    details = fields.Nested(DetailsSchema, required=True)
    expected_version = fields.Integer(strict=True, validate=validate.Range(min=1))


class AnnualReportSchema(StrictSchema):
    year = fields.Integer(strict=True, required=True, validate=validate.Range(min=2018, max=2100))
    evidence = fields.Nested(EvidenceSchema, required=True)
    note = text(4000, min_length=0, load_default="")


# ---------------------------------------------------------------- queries
def municipality_field() -> fields.String:
    return fields.String(
        validate=validate.OneOf(
            sorted(places().municipalities),
            error=bilingual(
                "Непозната община: кодът ѝ по ЕКАТТЕ, напр. GAB35 за Трявна.",
                "Unknown municipality: its EKATTE code, e.g. GAB35 for Tryavna.",
            ),
        ),
        metadata={"description": "ЕКАТТЕ code of the seat's municipality, e.g. GAB35 (Трявна)"},
    )


class RegisterQuerySchema(PageQuerySchema):
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "Name, Cyrillic or Latin"})
    eik = fields.String(validate=validate.Regexp(r"^\d{9}(\d{4})?$", error=EIK_MESSAGE))
    district = district_field()
    municipality = municipality_field()
    region = fields.String(validate=one_of(sorted(geography().regions), "регион", "region"))
    enterprise_class = fields.String(data_key="class", validate=one_of(["A", "A+"], "клас", "class"))
    status = fields.String(
        load_default="active", validate=one_of(["active", "expired", "deleted", "all"], "статус", "status")
    )
    activity = fields.String(validate=validate.Length(min=1, max=100))


class ExportQuerySchema(StrictSchema):
    """The register's search filters: an export holds what the same search finds (every entry of the status
    when no other filter is given)."""

    status = fields.String(
        load_default="active", validate=one_of(["active", "expired", "deleted", "all"], "статус", "status")
    )
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "Name, Cyrillic or Latin"})
    eik = fields.String(validate=validate.Regexp(r"^\d{9}(\d{4})?$", error=EIK_MESSAGE))
    district = district_field()
    municipality = municipality_field()
    region = fields.String(validate=one_of(sorted(geography().regions), "регион", "region"))
    enterprise_class = fields.String(data_key="class", validate=one_of(["A", "A+"], "клас", "class"))
    activity = fields.String(validate=validate.Length(min=1, max=100))


class DistrictCountsQuerySchema(StrictSchema):
    """The register's filters that a count per district can take (district and municipality would leave one)."""

    status = fields.String(
        load_default="active", validate=one_of(["active", "expired", "deleted", "all"], "статус", "status")
    )
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "Name, Cyrillic or Latin"})
    enterprise_class = fields.String(data_key="class", validate=one_of(["A", "A+"], "клас", "class"))
    activity = fields.String(validate=validate.Length(min=1, max=100))


class CsvExportQuerySchema(ExportQuerySchema):
    labels = fields.String(
        load_default="codes",
        validate=one_of(["codes", "bg"], "надписи", "labels"),
        metadata={
            "description": "codes: the stable open-data columns and codes; bg: Bulgarian column names and values "
            "(names of districts, legal forms, statuses; dates as 21.12.2029), separated by ';' for spreadsheets"
        },
    )


class QueueQuerySchema(PageQuerySchema):
    centre = fields.String(validate=one_of(sorted(geography().centres), "център", "centre"))
    status = fields.String(validate=one_of(["submitted", "information_requested"], "статус", "status"))
    overdue = fields.Boolean()


class EligibilityRequestSchema(RequestSchema):
    pass
