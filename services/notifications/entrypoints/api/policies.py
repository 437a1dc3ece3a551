"""Who may call each operation of the notifications' API, in the order of the URLs (see shared/web/policy.py).

The roles are checked before every request; the ownership rules are enforced by the use cases
(services/notifications/service_layer) and declared here so they can be read, documented and tested.
"""

from __future__ import annotations

from shared.auth import Role
from shared.web.policy import Ownership, Policy, allow, signed_in

SUBSCRIBERS = (Role.REPRESENTATIVE, Role.BUYER, Role.INTEGRATOR, Role.ADMIN)
"""Who may have webhooks: an enterprise for its own events, a buyer for its own deals, an integrator for public
events; admins see and manage everyone's."""

POLICIES: dict[str, Policy] = {
    "preferences.all_templates": allow(Role.ADMIN),
    "preferences.preview": allow(Role.ADMIN),
    "inbox.mine": signed_in(rule="Messages to the caller, their enterprise and their centre."),
    "inbox.read": signed_in(ownership=Ownership.RECIPIENT),
    "inbox.read_all": signed_in(rule="Messages to the caller, their enterprise and their centre."),
    "inbox.unread_count": signed_in(rule="Messages to the caller, their enterprise and their centre."),
    "preferences.mine": signed_in(rule="The caller's own preferences."),
    "preferences.change": signed_in(rule="The caller's own preferences."),
    "webhooks.mine": allow(
        *SUBSCRIBERS, ownership=Ownership.SCOPED, rule="The caller's own subscriptions; admins: all."
    ),
    "webhooks.create": allow(
        *SUBSCRIBERS, rule="Only event types about the caller's own enterprise or deals, or public ones."
    ),
    "webhooks.one": allow(*SUBSCRIBERS, ownership=Ownership.SUBSCRIPTION),
    "webhooks.remove": allow(*SUBSCRIBERS, ownership=Ownership.SUBSCRIPTION),
    "webhooks.disable": allow(*SUBSCRIBERS, ownership=Ownership.SUBSCRIPTION),
    "webhooks.enable": allow(*SUBSCRIBERS, ownership=Ownership.SUBSCRIPTION),
}
