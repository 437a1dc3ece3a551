"""Fairs, bazaars, exhibitions, forums, campaigns and conferences of the regional centres (the events service).

For everyone: the calendar by centre, district and kind (a GET form), each event's page with its exhibitors'
products, each centre's calendar feed and the open data of past events. For a signed-in person: registering for
a seat, the waiting position, cancelling and the personal calendar entry. For an enterprise's representative:
applying for a stand with its own published listings, withdrawing, the report of contacts and sales after the
event. For the organising centre's staff (the ministry's for all): creating and publishing an event,
rescheduling, cancelling, choosing exhibitors, the check-in list, attendance, the event's and a period's report.

Times are Sofia times; the services speak UTC and euro cents, the forms take dates as 12.06.2027, times as
10:00 and euro with a decimal comma, and every problem is shown at its field."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.portal import auth
from services.portal.clients import ServiceClient, ServiceError, current_services
from services.portal.formatting import day as format_day
from services.portal.formatting import euro
from services.portal.forms import UNREADABLE, FormState, euro_to_cents, whole_number, with_unreadable
from services.portal.i18n import localised
from services.portal.training_forms import Rows, parse_day, parse_time, used_rows
from shared.bg.geography import geography
from shared.bg.places import places
from shared.clock import SOFIA

blp = Blueprint("events", __name__)

EVENTS = "/api/v1/events"
MAX_ID = 200
"""An exhibitor's id is the event's and the enterprise's, joined by a colon."""
STAND_ROWS = 4
REFUSALS = (400, 403, 409, 422)
NATIONAL = "national"

KINDS = {
    "fair": _l("Fair"),
    "bazaar": _l("Bazaar"),
    "exhibition": _l("Exhibition"),
    "forum": _l("Forum"),
    "campaign": _l("Information campaign"),
    "conference": _l("Conference"),
}
STATUS_KINDS = {
    "draft": "wait",
    "published": "ok",
    "rescheduled": "wait",
    "cancelled": "bad",
    "held": "ok",
    "reported": "ok",
}
"""How each state looks; its words are the events service's (``status_name``: "обявено", "с нова дата")."""
EXHIBITOR_STATES = {
    "applied": (_l("Applied, awaiting the centre's choice"), "wait"),
    "selected": (_l("Selected"), "ok"),
    "waiting": (_l("On the waiting list"), "wait"),
    "rejected": (_l("Not selected"), "bad"),
    "withdrawn": (_l("Withdrawn"), "bad"),
}
VISITOR_STATES = {
    "registered": (_l("Seat confirmed"), "ok"),
    "waiting": (_l("On the waiting list"), "wait"),
    "cancelled": (_l("Registration cancelled"), "bad"),
}
VENUE_KINDS = {"hall": _l("The hall of a regional centre"), "address": _l("An address"), "online": _l("Online")}
UPCOMING = ("published", "rescheduled")


def api() -> ServiceClient:
    return current_services().events


def _id(value: str) -> str:
    if not value or len(value) > MAX_ID:
        abort(404)
    return quote(value, safe=":@")


# ---------------------------------------------------------------------- how things read
def moment(value: str | None) -> datetime | None:
    """A service's UTC instant as a Sofia time."""
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(SOFIA)


def span(starts_at: str, ends_at: str) -> str:
    """``събота, 12.06.2027 г., 10:00 – 18:00`` (Sofia time); over several days, each end named."""
    starts, ends = moment(starts_at), moment(ends_at)
    assert starts is not None and ends is not None
    first = f"{format_day(starts.date(), 'full')}, {starts:%H:%M}"
    if ends.date() == starts.date():
        return f"{first} – {ends:%H:%M}"
    return f"{first} – {format_day(ends.date(), 'full')}, {ends:%H:%M}"


def has_passed(value: str | None) -> bool:
    found = moment(value)
    return found is not None and found <= datetime.now(UTC)


def window_open(window: dict[str, str] | None) -> bool:
    if not window:
        return False
    now = datetime.now(UTC)
    opens, closes = moment(window["opens_at"]), moment(window["closes_at"])
    return opens is not None and closes is not None and opens <= now < closes


def organiser_name(organiser: str | None) -> str:
    if organiser == NATIONAL:
        return _("Ministry of Labour and Social Policy")
    centre = geography().centres.get(organiser or "")
    return localised({"bg": centre.name_bg, "en": centre.name_en}) if centre else organiser or ""


def title(event: dict[str, Any]) -> str:
    return localised({"bg": event.get("title_bg", ""), "en": event.get("title_en", "")})


def venue_text(venue: dict[str, Any]) -> str:
    """Where, as a visitor finds it: the centre's hall with its address, the settlement and street, or online."""
    if venue.get("kind") == "hall":
        centre = geography().centres.get(venue.get("centre") or "")
        if centre is not None:
            name = localised({"bg": centre.name_bg, "en": centre.name_en})
            address = localised({"bg": centre.address_bg, "en": centre.address_en})
            return _("Hall of %(centre)s, %(address)s", centre=name, address=address)
    if venue.get("kind") == "address":
        return f"{venue.get('settlement') or ''}, {venue.get('street') or ''}"
    return _("online")


def stand_text(stand: dict[str, Any]) -> str:
    """``A1 (300 × 200 см, 50,00 €)``; a free stand says so."""
    price = euro(stand["price_cents"]) if stand.get("price_cents") else _("free")
    size = _("%(width)s × %(depth)s cm", width=stand["width_cm"], depth=stand["depth_cm"])
    return f"{stand['code']} ({size}, {price})"


def _labels() -> dict[str, Any]:
    return {
        "event_kinds": KINDS,
        "status_kinds": STATUS_KINDS,
        "stand_text": stand_text,
        "exhibitor_states": EXHIBITOR_STATES,
        "visitor_states": VISITOR_STATES,
        "venue_kinds": VENUE_KINDS,
        "event_span": span,
        "event_title": title,
        "organiser_name": organiser_name,
        "venue_text": venue_text,
        "window_open": window_open,
        "has_passed": has_passed,
    }


blp.context_processor(_labels)


def centre_choices(with_national: bool = True) -> list[tuple[str, str]]:
    found = [(c.id, localised({"bg": c.name_bg, "en": c.name_en})) for c in geography().centres.values()]
    return [*found, (NATIONAL, organiser_name(NATIONAL))] if with_national else found


def district_choices() -> list[tuple[str, str]]:
    found = [(d.code, localised({"bg": d.name_bg, "en": d.name_en})) for d in geography().districts.values()]
    return sorted(found, key=lambda pair: pair[1])


def municipality_choices() -> list[tuple[str, str]]:
    districts = geography().districts
    found = []
    for m in places().municipalities.values():
        district = districts.get(m.district)
        where = localised({"bg": district.name_bg, "en": district.name_en}) if district else m.district
        found.append((m.code, f"{localised({'bg': m.name_bg, 'en': m.name_en})} ({where})"))
    return sorted(found, key=lambda pair: pair[1])


def _refused(error: ServiceError) -> str:
    """A refusal in one sentence, the fields' own messages after it."""
    details = [localised(m) for messages in error.fields.values() for m in messages]
    return " ".join([localised(error.message), *details])


def _send(method: str, path: str, body: Any = None) -> ServiceError | None:
    try:
        getattr(api(), method)(path, auth.token(), **({} if method == "delete" else {"json": body}))
    except ServiceError as error:
        if error.status not in REFUSALS:
            raise
        return error
    return None


def _proxied(path: str, filename: str, token: str | None = None) -> Response:
    found = api().download(path, token)
    return Response(
        found.content,
        content_type=found.content_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": found.cache_control or "no-store",
        },
    )


# ---------------------------------------------------------------------- the public
@blp.get("/events")
def calendar() -> ResponseReturnValue:
    args = {key: request.args.get(key, "").strip() for key in ("centre", "district", "kind")}
    state = FormState.of(args)
    found: list[dict[str, Any]] = []
    try:
        found = api().get(EVENTS, params=args)["items"]
    except ServiceError as error:
        if error.status != 422:
            raise
        state.fail(error)
    return render_template(
        "events/calendar.html",
        state=state,
        events=found,
        centres=centre_choices(),
        districts=district_choices(),
    )


@blp.get("/events/centres/<centre>.ics")
def centre_feed(centre: str) -> Response:
    return _proxied(f"/api/v1/centres/{_id(centre)}/events.ics", f"events-{_id(centre)}.ics")


@blp.get("/events/open-data")
def open_data() -> ResponseReturnValue:
    past = api().get(f"{EVENTS}/past.json")["items"]
    return render_template("events/open_data.html", past=sorted(past, key=lambda e: e["starts_at"], reverse=True))


@blp.get("/events/past.<any(csv, json):kind>")
def past(kind: str) -> Response:
    return _proxied(f"{EVENTS}/past.{kind}", f"events-past.{kind}")


def _my_registration(event_id: str) -> dict[str, Any] | None:
    person = auth.current_person()
    if person is None or not person.email_verified:
        return None
    try:
        return api().get(f"{EVENTS}/{_id(event_id)}/registration", person.token)
    except ServiceError as error:
        if error.status in (403, 404):
            return None
        raise


def _my_application(event_id: str) -> dict[str, Any] | None:
    person = auth.current_person()
    if person is None or not person.is_seller:
        return None
    try:
        items = api().get("/api/v1/exhibitors", person.token)["items"]
    except ServiceError as error:
        if error.status in (401, 403):
            return None
        raise
    return next((a for a in items if a["event_id"] == event_id and a["state"] != "withdrawn"), None)


def _covers(exhibitors: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each shown product's cover photo, from its seller's page on the marketplace (one call per exhibitor);
    a seller the marketplace does not answer for shows its products without pictures."""
    covers: dict[str, dict[str, Any]] = {}
    for exhibitor in exhibitors:
        if not exhibitor.get("products"):
            continue
        try:
            page = current_services().marketplace.get(f"/api/v1/sellers/{_id(exhibitor['enterprise_id'])}")
        except ServiceError:
            continue
        for listing in page.get("listings", []):
            if listing.get("photos"):
                covers[listing["id"]] = listing["photos"][0]
    return covers


def _event_page(event_id: str, state: FormState | None = None, status: int = 200) -> ResponseReturnValue:
    shown = api().get(f"{EVENTS}/{_id(event_id)}", auth.token())
    exhibitors: list[dict[str, Any]] = []
    if shown["status"] != "draft":
        exhibitors = api().get(f"{EVENTS}/{_id(event_id)}/exhibitors")["items"]
    person = auth.current_person()
    state = state or FormState(values={"name": person.name if person else ""})
    return (
        render_template(
            "events/event.html",
            event=shown,
            exhibitors=exhibitors,
            covers=_covers(exhibitors),
            registration=_my_registration(event_id),
            application=_my_application(event_id),
            state=state,
            organises=_organises(shown["organiser"]),
        ),
        status,
    )


def _organises(organiser: str) -> bool:
    person = auth.current_person()
    if person is None:
        return False
    if person.has("admin"):
        return True
    return person.has("clerk") and person.centre in (organiser, NATIONAL)


@blp.get("/events/<event_id>")
def event(event_id: str) -> ResponseReturnValue:
    return _event_page(event_id)


# ---------------------------------------------------------------------- visitors
@blp.post("/events/<event_id>/registration")
@auth.signed_in()
def register(event_id: str) -> ResponseReturnValue:
    state = FormState.of(request.form)
    name = str(state.value("name")).strip()
    if not name:
        state.add("name", _("Enter your name as it should appear on the list at the door."))
        return _event_page(event_id, state, 422)
    try:
        found = api().post(f"{EVENTS}/{_id(event_id)}/registration", auth.token(), json={"name": name})
    except ServiceError as error:
        if error.status not in REFUSALS:
            raise
        return _event_page(event_id, state.fail(error), error.status)
    if found["state"] == "registered":
        flash(_("You are registered: your seat is confirmed."), "success")
    else:
        flash(
            _("All seats are taken: you are number %(n)s on the waiting list.", n=found["waiting_position"]), "success"
        )
    return redirect(url_for("events.event", event_id=event_id, _anchor="registration"))


@blp.post("/events/<event_id>/registration/cancel")
@auth.signed_in()
def cancel_registration(event_id: str) -> ResponseReturnValue:
    refused = _send("delete", f"{EVENTS}/{_id(event_id)}/registration")
    if refused is not None:
        flash(_refused(refused), "error")
    else:
        flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("events.event", event_id=event_id))


@blp.get("/events/<event_id>/registration.ics")
@auth.signed_in()
def registration_ics(event_id: str) -> Response:
    return _proxied(f"{EVENTS}/{_id(event_id)}/registration.ics", "event.ics", auth.token())


@blp.get("/my/events")
@auth.signed_in()
def mine() -> ResponseReturnValue:
    person = auth.current_person()
    assert person is not None
    registrations = api().get("/api/v1/registrations", person.token)["items"] if person.email_verified else []
    applications = api().get("/api/v1/exhibitors", person.token)["items"] if person.is_seller else []
    return render_template(
        "events/mine.html",
        registrations=sorted(registrations, key=lambda r: (r["event"] or {}).get("starts_at", "")),
        applications=sorted(applications, key=lambda a: (a["event"] or {}).get("starts_at", "")),
        is_seller=person.is_seller,
    )


# ---------------------------------------------------------------------- enterprises
def _own_listings() -> list[dict[str, Any]]:
    person = auth.current_person()
    assert person is not None and person.enterprise_id
    page = current_services().marketplace.get(f"/api/v1/sellers/{_id(person.enterprise_id)}", person.token)
    return [item for item in page.get("listings", []) if item.get("status") == "published"]


def _stand_form(event_id: str, state: FormState, status: int = 200) -> ResponseReturnValue:
    shown = api().get(f"{EVENTS}/{_id(event_id)}", auth.token())
    return render_template("events/apply.html", event=shown, listings=_own_listings(), state=state), status


@blp.route("/my/events/<event_id>/stand", methods=["GET", "POST"])
@auth.signed_in("representative")
def apply(event_id: str) -> ResponseReturnValue:
    person = auth.current_person()
    if person is None or not person.enterprise_id:
        abort(403)
    if request.method == "GET":
        return _stand_form(event_id, FormState())
    state = FormState.of(request.form)
    chosen = request.form.getlist("listings")
    try:
        found = api().post(f"{EVENTS}/{_id(event_id)}/exhibitors", person.token, json={"listings": chosen})
    except ServiceError as error:
        if error.status not in REFUSALS:
            raise
        state.fail(error, {f"listings.{i}": "listings" for i in range(len(chosen))})
        return _stand_form(event_id, state, error.status)
    flash(_("Your application for a stand is sent. The centre will tell you its choice."), "success")
    return redirect(url_for("events.stand", participation_id=found["id"]))


def _stand_page(participation_id: str, state: FormState, status: int = 200) -> ResponseReturnValue:
    found = api().get(f"/api/v1/exhibitors/{_id(participation_id)}", auth.token())
    shown = api().get(f"{EVENTS}/{_id(found['event_id'])}", auth.token())
    titles = {item["id"]: localised(item.get("title") or "") for item in _listing_titles()}
    return (
        render_template("events/stand.html", application=found, event=shown, titles=titles, state=state),
        status,
    )


def _listing_titles() -> list[dict[str, Any]]:
    try:
        return _own_listings()
    except ServiceError:
        return []


@blp.get("/my/events/stands/<participation_id>")
@auth.signed_in("representative")
def stand(participation_id: str) -> ResponseReturnValue:
    found = FormState()
    return _stand_page(participation_id, found)


@blp.post("/my/events/stands/<participation_id>/withdraw")
@auth.signed_in("representative")
def withdraw(participation_id: str) -> ResponseReturnValue:
    state = FormState.of(request.form)
    reason = str(state.value("reason")).strip()
    if not reason:
        state.add("reason", _("Say why you withdraw: the centre will read it."))
        return _stand_page(participation_id, state, 422)
    refused = _send("post", f"/api/v1/exhibitors/{_id(participation_id)}/withdrawal", {"reason": reason})
    if refused is not None:
        return _stand_page(participation_id, state.fail(refused), refused.status)
    flash(_("Your application is withdrawn."), "success")
    return redirect(url_for("events.stand", participation_id=participation_id))


@blp.post("/my/events/stands/<participation_id>/report")
@auth.signed_in("representative")
def exhibitor_report(participation_id: str) -> ResponseReturnValue:
    state = FormState.of(request.form)
    contacts = whole_number(str(state.value("contacts")), "contacts", state)
    if contacts is None and not state.error_for("contacts"):
        state.add("contacts", _("Enter the number of contacts, 0 if none."))
    sales = euro_to_cents(str(state.value("sales")), "sales", state)
    if not state.ok:
        return _stand_page(participation_id, state, 422)
    body = {"contacts": contacts, "sales_cents": sales}
    refused = _send("post", f"/api/v1/exhibitors/{_id(participation_id)}/report", body)
    if refused is not None:
        return _stand_page(participation_id, state.fail(refused, {"sales_cents": "sales"}), refused.status)
    flash(_("Thank you: your report is recorded."), "success")
    return redirect(url_for("events.stand", participation_id=participation_id))


# ---------------------------------------------------------------------- the centre's staff
def _organiser() -> str:
    """The organiser whose events the page shows: the clerk's centre; national staff and admins choose."""
    person = auth.current_person()
    assert person is not None
    chosen = request.args.get("organiser", "").strip()
    if person.has("admin") or person.centre == NATIONAL:
        return chosen if chosen in dict(centre_choices()) else (person.centre or NATIONAL)
    return person.centre or ""


@blp.get("/centre/events")
@auth.signed_in("clerk")
def staff() -> ResponseReturnValue:
    organiser = _organiser()
    found = api().get(f"/api/v1/organisers/{_id(organiser)}/events", auth.token())["items"]
    person = auth.current_person()
    chooses = bool(person and (person.has("admin") or person.centre == NATIONAL))
    return render_template(
        "events/staff.html", events=found, organiser=organiser, centres=centre_choices(), chooses=chooses
    )


def _when(state: FormState, name: str, *, required: bool, default_time: str | None = None) -> str | None:
    """``<name>.date`` and ``<name>.time`` as the Sofia wall-clock time the API takes (``2027-06-12T10:00``);
    a wrong one is reported at its input."""
    raw_day = str(state.value(f"{name}.date")).strip()
    raw_time = str(state.value(f"{name}.time", default_time or "")).strip()
    if not raw_day and not raw_time:
        if required:
            state.add(f"{name}.date", _("Enter the date, e.g. 28.03.2027."))
        return None
    found_day, found_time = parse_day(raw_day), parse_time(raw_time or default_time or "")
    if found_day is None:
        state.add(f"{name}.date", _("Enter the date, e.g. 28.03.2027."))
    if found_time is None:
        state.add(f"{name}.time", _("Enter the time as hours and minutes, e.g. 10:00."))
    if found_day is None or found_time is None:
        return None
    return f"{found_day.isoformat()}T{found_time}"


WHEN_FIELDS = ("starts_at", "ends_at")
WINDOWS = ("exhibitor_window", "visitor_window")
PLAN_FIELDS = (
    "kind",
    "organiser",
    "title_bg",
    "title_en",
    "description_bg",
    "description_en",
    "venue.kind",
    "venue.centre",
    "venue.municipality",
    "venue.settlement",
    "venue.street",
    "venue.url",
    "starts_at.date",
    "starts_at.time",
    "ends_at.date",
    "ends_at.time",
    "visitor_capacity",
    *(f"stands.{row}.{name}" for row in range(STAND_ROWS) for name in ("code", "width_cm", "depth_cm", "price")),
    *(f"{w}.{part}" for w in WINDOWS for part in ("opens_at.date", "closes_at.date", "closes_at.time")),
)


def _plan(state: FormState) -> tuple[dict[str, Any], dict[str, str]]:
    """The event's fields as the API takes them, and where the API's field names land on the form; what the
    portal cannot read is reported at its input and sent as unreadable, so the service names the rest."""
    unreadable: list[str] = []
    body: dict[str, Any] = {
        name: str(state.value(name)).strip()
        for name in ("kind", "organiser", "title_bg", "title_en", "description_bg", "description_en")
    }
    venue_kind = str(state.value("venue.kind")).strip()
    venue: dict[str, Any] = {"kind": venue_kind}
    for name in {"hall": ("centre",), "address": ("municipality", "settlement", "street"), "online": ("url",)}.get(
        venue_kind, ()
    ):
        venue[name] = str(state.value(f"venue.{name}")).strip() or None
    body["venue"] = venue
    for name in WHEN_FIELDS:
        found = _when(state, name, required=True)
        if found is None:
            unreadable.append(name)
        else:
            body[name] = found
    capacity_raw = str(state.value("visitor_capacity")).strip()
    body["visitor_capacity"] = whole_number(capacity_raw, "visitor_capacity", state) if capacity_raw else None
    if capacity_raw and body["visitor_capacity"] is None:
        unreadable.append("visitor_capacity")
    aliases = {name: f"{name}.date" for name in WHEN_FIELDS}
    aliases["venue"] = "venue.kind"
    body["stands"], stand_aliases = _stands(state)
    aliases.update(stand_aliases)
    for window in WINDOWS:
        body[window] = _window(state, window, unreadable)
        aliases[window] = f"{window}.opens_at.date"
        aliases[f"{window}.opens_at"] = f"{window}.opens_at.date"
        aliases[f"{window}.closes_at"] = f"{window}.closes_at.date"
    return with_unreadable(body, unreadable), aliases


def _stands(state: FormState) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """The stand rows filled in (code, sides in cm, price in euro; empty price: free)."""
    stands = Rows()
    for row in used_rows(state.values, "stands"):
        raw = {k: str(state.value(f"stands.{row}.{k}")).strip() for k in ("code", "width_cm", "depth_cm", "price")}
        if not any(raw.values()):
            continue
        item: dict[str, Any] = {"code": raw["code"]}
        for name in ("width_cm", "depth_cm"):
            value = whole_number(raw[name], f"stands.{row}.{name}", state)
            if value is None and not state.error_for(f"stands.{row}.{name}"):
                state.add(f"stands.{row}.{name}", _("Required."))
            item[name] = value if value is not None else dict(UNREADABLE)
        price = euro_to_cents(raw["price"], f"stands.{row}.price", state) if raw["price"] else 0
        item["price_cents"] = price if price is not None else dict(UNREADABLE)
        fields = {"code": "code", "width_cm": "width_cm", "depth_cm": "depth_cm", "price_cents": "price"}
        stands.add("stands", row, item, fields)
    return stands.items, stands.aliases


def _window(state: FormState, window: str, unreadable: list[str]) -> dict[str, str] | None:
    """A registration window: opens on a day (from midnight), closes on a day at a time; none when left empty."""
    given = any(str(state.value(f"{window}.{p}")).strip() for p in ("opens_at.date", "closes_at.date"))
    if not given:
        return None
    opens = _when(state, f"{window}.opens_at", required=True, default_time="00:00")
    closes = _when(state, f"{window}.closes_at", required=True)
    if opens is None or closes is None:
        unreadable.append(window)
        return None
    return {"opens_at": opens, "closes_at": closes}


def _new_form(state: FormState, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "events/new.html",
            state=state,
            placed=PLAN_FIELDS,
            centres=centre_choices(),
            hall_centres=centre_choices(with_national=False),
            municipalities=municipality_choices(),
            stand_rows=STAND_ROWS,
        ),
        status,
    )


@blp.route("/centre/events/new", methods=["GET", "POST"])
@auth.signed_in("clerk")
def new() -> ResponseReturnValue:
    person = auth.current_person()
    assert person is not None
    if request.method == "GET":
        centre = person.centre or ""
        values = {"organiser": centre, "venue.kind": "hall", "venue.centre": centre, "starts_at.time": "10:00"}
        return _new_form(FormState(values={**values, "ends_at.time": "18:00"}))
    state = FormState.of(request.form)
    body, aliases = _plan(state)
    try:
        created = api().post(EVENTS, auth.token(), json=body)
    except ServiceError as error:
        if error.status not in REFUSALS:
            raise
        state.fail(error, aliases)
        return _new_form(state, error.status)
    if not state.ok:  # the service took what the portal could read while something else was unreadable
        return _new_form(state, 422)
    flash(_("The event is saved as a draft. Check it and publish it."), "success")
    return redirect(url_for("events.staff_event", event_id=created["id"]))


def _staff_page(event_id: str, state: FormState | None = None, status: int = 200) -> ResponseReturnValue:
    path = f"{EVENTS}/{_id(event_id)}"
    shown = api().get(path, auth.token())
    applications = api().get(f"{path}/applications", auth.token())["items"]
    visitors = api().get(f"{path}/check-in", auth.token())["items"] if shown["registration_required"] else []
    figures = api().get(f"{path}/figures", auth.token()) if shown["status"] in ("held", "reported") else None
    taken = {a["stand"] for a in applications if a["state"] == "selected" and a["stand"]}
    free = [s for s in shown["stands"] if s["code"] not in taken]
    starts, ends = moment(shown["starts_at"]), moment(shown["ends_at"])
    assert starts is not None and ends is not None
    state = state or FormState(
        values={
            "starts_at.date": starts.strftime("%d.%m.%Y"),
            "starts_at.time": starts.strftime("%H:%M"),
            "ends_at.date": ends.strftime("%d.%m.%Y"),
            "ends_at.time": ends.strftime("%H:%M"),
            "visitors": "" if shown["attendance"] is None else str(shown["attendance"]),
        }
    )
    return (
        render_template(
            "events/staff_event.html",
            event=shown,
            applications=applications,
            visitors=visitors,
            figures=figures,
            free_stands=free,
            state=state,
        ),
        status,
    )


@blp.get("/centre/events/<event_id>")
@auth.signed_in("clerk")
def staff_event(event_id: str) -> ResponseReturnValue:
    return _staff_page(event_id)


STAFF_DONE = {
    "publish": _l("The event is published: it is in the calendar."),
    "held": _l("The event is marked as held."),
    "report": _l("The event's report is made."),
    "attendance": _l("The attendance is recorded."),
    "cancel": _l("The event is cancelled. Exhibitors and visitors are told."),
    "reschedule": _l("The new dates are saved. Exhibitors and visitors are told."),
}


@blp.post("/centre/events/<event_id>/<action>")
@auth.signed_in("clerk")
def staff_action(event_id: str, action: str) -> ResponseReturnValue:
    if action not in STAFF_DONE:
        abort(404)
    state = FormState.of(request.form)
    body: dict[str, Any] | None = None
    aliases: dict[str, str] = {}
    if action == "cancel":
        body = {"reason": str(state.value("reason")).strip()}
        if not body["reason"]:
            state.add("reason", _("Give the reason: exhibitors and visitors will read it."))
    elif action == "attendance":
        visitors = whole_number(str(state.value("visitors")), "visitors", state)
        if visitors is None and not state.error_for("visitors"):
            state.add("visitors", _("Enter the number of visitors counted."))
        body = {"visitors": visitors}
    elif action == "reschedule":
        body = {name: _when(state, name, required=True) for name in WHEN_FIELDS}
        aliases = {name: f"{name}.date" for name in WHEN_FIELDS}
    if not state.ok:
        return _staff_page(event_id, state, 422)
    refused = _send("post", f"{EVENTS}/{_id(event_id)}/{action}", body)
    if refused is not None:
        state.fail(refused, aliases)
        return _staff_page(event_id, state, refused.status)
    flash(str(STAFF_DONE[action]), "success")
    return redirect(url_for("events.staff_event", event_id=event_id))


CHOICES = {"select": "selection", "wait": "waiting", "reject": "rejection"}


@blp.post("/centre/events/<event_id>/stands/<participation_id>")
@auth.signed_in("clerk")
def choose(event_id: str, participation_id: str) -> ResponseReturnValue:
    """Select the exhibitor for a stand, put it on the waiting list or reject it (with the reason it reads)."""
    action = request.form.get("do", "")
    if action not in CHOICES:
        abort(404)
    if action == "select":
        body = {"stand": request.form.get("stand", "").strip()}
    else:
        body = {"reason": request.form.get("reason", "").strip()}
    refused = _send("post", f"/api/v1/exhibitors/{_id(participation_id)}/{CHOICES[action]}", body)
    if refused is not None:
        flash(_refused(refused), "error")
    else:
        flash(_("The applicant's state is saved and the enterprise is told."), "success")
    return redirect(url_for("events.staff_event", event_id=event_id, _anchor="exhibitors"))


@blp.post("/centre/events/<event_id>/check-in/<participation_id>")
@auth.signed_in("clerk")
def check_in(event_id: str, participation_id: str) -> ResponseReturnValue:
    present = request.form.get("present") == "yes"
    refused = _send("post", f"{EVENTS}/{_id(event_id)}/check-in/{_id(participation_id)}", {"present": present})
    if refused is not None:
        flash(_refused(refused), "error")
    return redirect(url_for("events.staff_event", event_id=event_id, _anchor="check-in"))


@blp.get("/centre/events/report")
@auth.signed_in("clerk")
def period_report() -> ResponseReturnValue:
    """Events held in a period: exhibitors, visitors, contacts, reported sales (dates typed as 01.01.2027)."""
    person = auth.current_person()
    assert person is not None
    today = datetime.now(SOFIA).date()
    values = {
        "since": request.args.get("since", f"01.01.{today.year}"),
        "until": request.args.get("until", f"31.12.{today.year}"),
        "organiser": _organiser(),
    }
    state = FormState(values=values)
    since, until = parse_day(values["since"]), parse_day(values["until"])
    for name, found in (("since", since), ("until", until)):
        if found is None:
            state.add(name, _("Enter the date, e.g. 28.03.2027."))
    figures = None
    if since is not None and until is not None:
        params = {
            "since": datetime.combine(since, time()).isoformat(timespec="minutes"),
            "until": datetime.combine(until + (date.resolution), time()).isoformat(timespec="minutes"),
            "organiser": values["organiser"],
        }
        try:
            figures = api().get("/api/v1/reports", auth.token(), params=params)
        except ServiceError as error:
            if error.status not in REFUSALS:
                raise
            state.fail(error)
    chooses = person.has("admin") or person.centre == NATIONAL
    return render_template(
        "events/period.html", state=state, figures=figures, centres=centre_choices(), chooses=chooses
    )
