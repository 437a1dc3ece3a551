"""Who may call each operation of the registry's API, in the order of the URLs (see shared/web/policy.py).

The roles are checked before every request; the ownership rules are enforced by the use cases
(services/registry/service_layer) and declared here so they can be read, documented and tested.
"""

from __future__ import annotations

from shared.auth import Role
from shared.web.policy import Ownership, Policy, allow, public

REPRESENTATIVE, CLERK, ADMIN = Role.REPRESENTATIVE, Role.CLERK, Role.ADMIN

POLICIES: dict[str, Policy] = {
    "applications.list_applications": allow(
        REPRESENTATIVE,
        CLERK,
        ADMIN,
        ownership=Ownership.SCOPED,
        rule="A representative: their own applications; a clerk: their centre's queue; admins: all.",
    ),
    "applications.create_application": allow(REPRESENTATIVE, ADMIN, rule="The draft belongs to whoever starts it."),
    "applications.get_application": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "applications.amend_application": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.ENTERPRISE),
    "applications.answer_request": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.ENTERPRISE),
    "applications.approve_application": allow(CLERK, ADMIN, ownership=Ownership.CENTRE),
    "applications.reject_application": allow(CLERK, ADMIN, ownership=Ownership.CENTRE),
    "applications.request_information": allow(CLERK, ADMIN, ownership=Ownership.CENTRE),
    "applications.submit_application": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.ENTERPRISE),
    "applications.withdraw_application": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.ENTERPRISE),
    "attachments.upload_document": allow(
        REPRESENTATIVE,
        ADMIN,
        ownership=Ownership.ENTERPRISE,
        rule="A representative of the application's enterprise (or its applicant), to a draft or an answer.",
    ),
    "attachments.list_documents": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "attachments.download_document": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "audit.reads": allow(ADMIN, rule="Administrators only: the record of who read applicants' personal data."),
    "applications.check_eligibility": public(rule="Figures in, rules' outcomes out; nothing is saved."),
    "enterprises.update_details": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "enterprises.annual_report": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.ENTERPRISE),
    "enterprises.change_class": allow(CLERK, ADMIN, ownership=Ownership.CENTRE),
    "enterprises.delete": allow(CLERK, ADMIN, ownership=Ownership.CENTRE),
    "applications.get_file": allow(REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE),
    "enterprises.renew": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.ENTERPRISE),
    "enterprises.overdue_reports": allow(
        CLERK, ADMIN, ownership=Ownership.SCOPED, rule="A clerk: their centre's enterprises; admins: all."
    ),
    "reference.reference": public(),
    "register.search": public(rule="Only what the register publishes."),
    "register.districts": public(rule="Only counts of what the register publishes."),
    "register.entry": public(rule="Only what the register publishes, at every point of its history."),
    "register.certificate": public(rule="Only what the register publishes of the entry the certificate belongs to."),
    "register.export_csv": public(rule="Only what the register publishes."),
    "register.export_json": public(rule="Only what the register publishes."),
}
