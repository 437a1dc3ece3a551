"""Who may call each operation of the events API (see shared/web/policy.py).

The roles are checked before every request; the ownership rules are enforced by the use cases
(services/events/service_layer/events.py): organisers are clerks of the organising centre (national
clerks for the ministry's events) and admins; exhibitors act for their own enterprise; a visitor only
for themselves, by their verified e-mail address.
"""

from __future__ import annotations

from shared.auth import Role
from shared.web.policy import Ownership, Policy, allow, public, signed_in

REPRESENTATIVE, CLERK, ADMIN = Role.REPRESENTATIVE, Role.CLERK, Role.ADMIN
ORGANISERS = "A clerk of the organising centre (national clerks for the ministry's events) and admins."
EXHIBITOR = "A representative of the exhibiting enterprise, or the event's organisers."
VISITOR = "The caller's own registration, by their verified e-mail address."


def organisers() -> Policy:
    return allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=ORGANISERS)


POLICIES: dict[str, Policy] = {
    "calendar.list_events": public(rule="Published events only; an online event's address is not shown."),
    "calendar.create": organisers(),
    "calendar.show": public(rule="A draft only for its organisers; an online event's address only for them."),
    "calendar.edit": organisers(),
    "calendar.publish": organisers(),
    "calendar.reschedule": organisers(),
    "calendar.cancel": organisers(),
    "calendar.hold": organisers(),
    "calendar.attendance": organisers(),
    "calendar.report": organisers(),
    "calendar.figures": organisers(),
    "calendar.applications": organisers(),
    "calendar.organised": organisers(),
    "calendar.period": allow(
        CLERK, ADMIN, ownership=Ownership.CENTRE, rule="A centre's staff for its events; national staff for all."
    ),
    "participation.exhibitors": public(
        rule="Enterprises selected, their stands and published products: no person's data."
    ),
    "participation.my_exhibitors": allow(
        REPRESENTATIVE, ownership=Ownership.SCOPED, rule="The applications of the caller's own enterprise."
    ),
    "participation.apply": allow(
        REPRESENTATIVE, ownership=Ownership.ENTERPRISE, rule="For the caller's own enterprise."
    ),
    "participation.show_exhibitor": allow(
        REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE, rule=EXHIBITOR
    ),
    "participation.change_listings": allow(REPRESENTATIVE, ownership=Ownership.ENTERPRISE),
    "participation.select": organisers(),
    "participation.wait": organisers(),
    "participation.reject": organisers(),
    "participation.withdraw": allow(
        REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE, rule=EXHIBITOR
    ),
    "participation.exhibitor_report": allow(REPRESENTATIVE, ownership=Ownership.ENTERPRISE),
    "participation.register": signed_in(rule=VISITOR),
    "participation.my_registrations": signed_in(rule=VISITOR),
    "participation.my_registration": signed_in(rule=VISITOR),
    "participation.cancel_registration": signed_in(rule=VISITOR),
    "participation.check_in_list": organisers(),
    "participation.check_in": organisers(),
    "feeds.centre_feed": public(rule="Published events of the centre: no person's data."),
    "feeds.registration_ics": signed_in(rule=VISITOR),
    "feeds.past_json": public(rule="Events held and their figures: no person's data."),
    "feeds.past_csv": public(rule="Events held and their figures: no person's data."),
}
