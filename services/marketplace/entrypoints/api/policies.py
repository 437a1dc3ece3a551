"""Who may call each operation of the marketplace's API, in the order of the URLs (see shared/web/policy.py).

The roles are checked before every request; the ownership rules are enforced by the use cases
(services/marketplace/service_layer) and declared here so they can be read, documented and tested.
"""

from __future__ import annotations

from shared.auth import Role
from shared.web.policy import Ownership, Policy, allow, public

REPRESENTATIVE, BUYER, CLERK, ADMIN = Role.REPRESENTATIVE, Role.BUYER, Role.CLERK, Role.ADMIN

POLICIES: dict[str, Policy] = {
    "listings.taxonomy": public(),
    "deals.favourites": allow(BUYER, ADMIN, ownership=Ownership.SCOPED),
    "deals.add_favourite_listing": allow(BUYER, ADMIN, ownership=Ownership.SCOPED, rule="The caller's own favourites."),
    "deals.remove_favourite_listing": allow(
        BUYER, ADMIN, ownership=Ownership.SCOPED, rule="The caller's own favourites."
    ),
    "deals.add_favourite_seller": allow(BUYER, ADMIN, ownership=Ownership.SCOPED, rule="The caller's own favourites."),
    "deals.remove_favourite_seller": allow(
        BUYER, ADMIN, ownership=Ownership.SCOPED, rule="The caller's own favourites."
    ),
    "deals.impact_report": allow(BUYER, ADMIN, ownership=Ownership.SCOPED, rule="The caller's own purchases."),
    "deals.impact_report_csv": allow(BUYER, ADMIN, ownership=Ownership.SCOPED, rule="The caller's own purchases."),
    "listings.search": public(rule="Published listings only."),
    "listings.create": allow(
        REPRESENTATIVE, ADMIN, rule="For the enterprise the representative's token names, if it is a seller."
    ),
    "listings.show": public(rule="A published listing for anyone; others only for its seller's representatives."),
    "listings.edit": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.LISTING_SELLER),
    "listings.archive": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.LISTING_SELLER),
    "listings.pause": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.LISTING_SELLER),
    "listings.publish": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.LISTING_SELLER),
    "photos.add_photo": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.LISTING_SELLER),
    "photos.describe_photo": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.LISTING_SELLER),
    "photos.remove_photo": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.LISTING_SELLER),
    "photos.order_photos": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.LISTING_SELLER),
    "photos.photo": public(
        rule="A published listing's photos for anyone; others only for its seller's representatives."
    ),
    "deals.listing_reviews": public(rule="Reviews show the buyer's first name only."),
    "needs.board": public(rule="Published needs still open to sellers."),
    "needs.post": allow(BUYER, ADMIN, rule="The need belongs to the buyer who posts it."),
    "needs.show": public(rule="A published need for anyone; others only for their buyer, clerks and admins."),
    "needs.interest": allow(REPRESENTATIVE, ADMIN, rule="Any seller in good standing, for its own enterprise."),
    "needs.outcome": allow(BUYER, ADMIN, ownership=Ownership.NEED_BUYER),
    "needs.reject": allow(CLERK, ADMIN, rule="Clerks check every need."),
    "needs.validate_need": allow(CLERK, ADMIN, rule="Clerks check every need."),
    "needs.withdraw": allow(BUYER, ADMIN, ownership=Ownership.NEED_BUYER),
    "deals.orders": allow(
        BUYER,
        REPRESENTATIVE,
        ADMIN,
        ownership=Ownership.SCOPED,
        rule="A buyer's own orders, or those of the representative's enterprise; admins: all.",
    ),
    "deals.order": allow(BUYER, ADMIN, rule="Any buyer, of a published listing."),
    "deals.show_order": allow(BUYER, REPRESENTATIVE, ADMIN, ownership=Ownership.DEAL_PARTY),
    "deals.cancel": allow(BUYER, REPRESENTATIVE, ADMIN, ownership=Ownership.DEAL_PARTY),
    "deals.dispute": allow(BUYER, REPRESENTATIVE, ADMIN, ownership=Ownership.DEAL_PARTY),
    "deals.fulfil": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.DEAL_SELLER),
    "deals.receive": allow(BUYER, ADMIN, ownership=Ownership.DEAL_BUYER),
    "deals.resolve": allow(ADMIN, rule="Administrators settle disputes."),
    "deals.review": allow(BUYER, ADMIN, ownership=Ownership.DEAL_BUYER),
    "deals.quotes": allow(
        BUYER,
        REPRESENTATIVE,
        ADMIN,
        ownership=Ownership.SCOPED,
        rule="A buyer's own requests, or those addressed to the representative's enterprise.",
    ),
    "deals.request_quote": allow(BUYER, ADMIN, rule="Any buyer, of a published listing."),
    "deals.quote": allow(BUYER, REPRESENTATIVE, ADMIN, ownership=Ownership.DEAL_PARTY),
    "deals.accept": allow(BUYER, ADMIN, ownership=Ownership.DEAL_BUYER),
    "deals.decline": allow(BUYER, REPRESENTATIVE, ADMIN, ownership=Ownership.DEAL_PARTY),
    "deals.offer": allow(REPRESENTATIVE, ADMIN, ownership=Ownership.DEAL_SELLER),
    "listings.seller": public(),
    "deals.seller_reviews": public(rule="Reviews show the buyer's first name only."),
}
