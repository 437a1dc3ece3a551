"""Who may call each operation of the training service's API, in the order of the URLs (see shared/web/policy.py).

The roles are checked before every request; the ownership rules are enforced by the use cases
(services/training/service_layer) and declared here so they can be read, documented and tested.
"""

from __future__ import annotations

from shared.auth import Role
from shared.web.policy import Ownership, Policy, allow, public

REPRESENTATIVE, LEARNER, TRAINER, CLERK, ADMIN = (
    Role.REPRESENTATIVE,
    Role.LEARNER,
    Role.TRAINER,
    Role.CLERK,
    Role.ADMIN,
)

POLICIES: dict[str, Policy] = {
    "assessments.show": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "calendars.centre_feed": public(rule="Sessions without their online links."),
    "enrolments.certificate": public(),
    "enrolments.certificate_html_page": public(),
    "sessions.list_courses": public(),
    "sessions.create_course": allow(CLERK, ADMIN, rule="The catalogue is national."),
    "sessions.show_course": public(),
    "sessions.edit_course": allow(CLERK, ADMIN, rule="The catalogue is national."),
    "enrolments.my_enrolments": allow(
        LEARNER,
        REPRESENTATIVE,
        ADMIN,
        ownership=Ownership.SCOPED,
        rule="A learner's own enrolments (by verified e-mail); a representative's, its enterprise's workers'.",
    ),
    "enrolments.show_enrolment": allow(LEARNER, REPRESENTATIVE, TRAINER, CLERK, ADMIN, ownership=Ownership.ENROLMENT),
    "enrolments.accept_invitation": allow(
        LEARNER, ownership=Ownership.ENROLMENT, rule="Only the invited worker, by the verified e-mail invited."
    ),
    "enrolments.cancel_enrolment": allow(LEARNER, REPRESENTATIVE, ADMIN, ownership=Ownership.ENROLMENT),
    "enrolments.decline_invitation": allow(
        LEARNER, ownership=Ownership.ENROLMENT, rule="Only the invited worker, by the verified e-mail invited."
    ),
    "assessments.history": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "assessments.submit": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "assessments.recommendations": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "assessments.progress": allow(
        REPRESENTATIVE,
        CLERK,
        ADMIN,
        ownership=Ownership.ENTERPRISE_OR_CENTRE,
        rule="The centre's averages only of 3 or more other enterprises.",
    ),
    "staff.list_staff": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "staff.add_worker": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "staff.edit_worker": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "staff.remove_worker": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "staff.enrol_staff": allow(
        REPRESENTATIVE,
        ownership=Ownership.ENTERPRISE,
        rule="The enterprise's own representative; each worker is invited by the work e-mail.",
    ),
    "enrolments.learner_calendar": public(ownership=Ownership.CAPABILITY),
    "enrolments.calendar_link": allow(LEARNER, ADMIN, ownership=Ownership.SCOPED, rule="The caller's own calendar."),
    "enrolments.new_calendar_link": allow(
        LEARNER, ownership=Ownership.SCOPED, rule="The caller's own link (verified e-mail); the old one stops."
    ),
    "enrolments.revoke_calendar_link": allow(
        LEARNER, ownership=Ownership.SCOPED, rule="The caller's own link (verified e-mail)."
    ),
    "programme.figures": allow(CLERK, ADMIN, ownership=Ownership.SCOPED, rule="A clerk: their centre; admins: all."),
    "programme.figures_csv": allow(
        CLERK, ADMIN, ownership=Ownership.SCOPED, rule="A clerk: their centre; admins: all."
    ),
    "assessments.questionnaire": public(),
    "assessments.current_questionnaire": public(),
    "sessions.upcoming": public(rule="Sessions without their online links."),
    "sessions.schedule": allow(
        TRAINER, CLERK, ADMIN, rule="A trainer for themself; a clerk at their centre; admins anywhere."
    ),
    "sessions.show": public(rule="The online link only for the session's trainer and staff of its centre."),
    "enrolments.attendance": allow(TRAINER, CLERK, ADMIN, ownership=Ownership.SESSION),
    "sessions.cancel": allow(TRAINER, CLERK, ADMIN, ownership=Ownership.SESSION),
    "enrolments.complete": allow(TRAINER, CLERK, ADMIN, ownership=Ownership.SESSION),
    "enrolments.enrol": allow(
        LEARNER,
        REPRESENTATIVE,
        ADMIN,
        rule="A learner enrols themself (verified e-mail); a representative invites its own enterprise's workers.",
    ),
    "sessions.reschedule": allow(TRAINER, CLERK, ADMIN, ownership=Ownership.SESSION),
    "enrolments.roster": allow(TRAINER, CLERK, ADMIN, ownership=Ownership.SESSION),
    "sessions.of_trainer": allow(
        TRAINER,
        CLERK,
        ADMIN,
        ownership=Ownership.SCOPED,
        rule="The trainer themself; a clerk sees only the trainer's sessions at their centre; admins: all.",
    ),
    "calendars.trainer_feed": public(rule="Sessions without their online links."),
}
