"""Who may call each operation of the grants API (see shared/web/policy.py).

The roles are checked before every request; the ownership rules are enforced by the use cases
(services/grants/service_layer/grants.py). Evaluators are staff (clerks) assigned to an application
by sign-in id; whoever declared a conflict of interest on it never reaches it again.
"""

from __future__ import annotations

from shared.auth import Role
from shared.web.policy import Ownership, Policy, allow, public

REPRESENTATIVE, CLERK, ADMIN = Role.REPRESENTATIVE, Role.CLERK, Role.ADMIN
STAFF = "A clerk of the application's centre, national clerks and admins."
READERS = (
    "Who may see the application: its enterprise's representatives, its centre's staff and the evaluators "
    "assigned to it without a conflict of interest."
)
EVALUATOR = "Only an evaluator assigned to the application, who has not declared a conflict of interest."

POLICIES: dict[str, Policy] = {
    "calls.list_calls": public(),
    "calls.publish": allow(CLERK, ADMIN, rule="National clerks (the ministry) and admins."),
    "calls.show": public(),
    "calls.close": allow(CLERK, ADMIN, rule="National clerks (the ministry) and admins."),
    "calls.figures": public(rule="Figures per region only: no person's data."),
    "calls.awards": public(rule="Beneficiaries (enterprises), amounts, dates and calls."),
    "calls.awards_csv": public(rule="Beneficiaries (enterprises), amounts, dates and calls."),
    "calls.rank": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule="A clerk of the region's centre."),
    "applications.list_applications": allow(
        REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.SCOPED, rule="The caller's enterprise, centre or evaluations."
    ),
    "applications.start": allow(REPRESENTATIVE, rule="For the caller's own enterprise."),
    "applications.show": allow(
        REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE, rule="Also its assigned evaluators."
    ),
    "applications.edit": allow(REPRESENTATIVE, ownership=Ownership.ENTERPRISE),
    "applications.submit": allow(REPRESENTATIVE, ownership=Ownership.ENTERPRISE),
    "applications.answer": allow(REPRESENTATIVE, ownership=Ownership.ENTERPRISE),
    "applications.change_lines": allow(REPRESENTATIVE, ownership=Ownership.ENTERPRISE),
    "applications.start_check": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=STAFF),
    "applications.request_information": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=STAFF),
    "applications.admit": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=STAFF),
    "applications.assign_evaluator": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=STAFF),
    "applications.declare": allow(CLERK, ADMIN, ownership=Ownership.SCOPED, rule=EVALUATOR),
    "applications.score": allow(CLERK, ADMIN, ownership=Ownership.SCOPED, rule=EVALUATOR),
    "applications.reject": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=STAFF),
    "applications.reserve": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=STAFF),
    "applications.award": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=STAFF),
    "applications.contract": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=STAFF),
    "applications.deliver": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=STAFF),
    "applications.pay": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=STAFF),
    "applications.settle_change": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=STAFF),
    "applications.complete": allow(CLERK, ADMIN, ownership=Ownership.CENTRE, rule=STAFF),
    "documents.upload_document": allow(
        REPRESENTATIVE, ownership=Ownership.ENTERPRISE, rule="With a draft or an answer to a request for information."
    ),
    "documents.list_documents": allow(
        REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE, rule=READERS
    ),
    "documents.download_document": allow(
        REPRESENTATIVE, CLERK, ADMIN, ownership=Ownership.ENTERPRISE_OR_CENTRE, rule=READERS
    ),
}
