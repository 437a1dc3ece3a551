"""Listing states, and how listings follow their seller's standing in the register."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from services.marketplace.domain.categories import categories, with_ancestors
from services.marketplace.domain.listing import (
    Listing,
    ListingContent,
    ListingKind,
    ListingStatus,
    ListingTransitionNotAllowed,
    PauseReason,
    Price,
    with_content,
)
from services.marketplace.domain.seller import Seller

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ACTIVE = Seller(
    enterprise_id="e-1",
    registration_number="СП-00007",
    name="Пчеларска кооперация Странджа",
    enterprise_class="A+",
    register_status="active",
    district="BG-02",
    region="BG34",
    centre="burgas",
    valid_until="2028-11-23",
    staff_count=10,
    vulnerable_staff_total=6,
    contact_email="office@strandzha.example",
)
DELETED = replace(ACTIVE, register_status="deleted")


def listing(seller: Seller = ACTIVE) -> Listing:
    content = ListingContent(
        kind=ListingKind.PRODUCT,
        title_bg="Липов мед от Странджа",
        description_bg="Буркан 900 г.",
        category="food.honey",
        price=Price(1250, "буркан"),
        districts_served=("BG-02",),
    )
    return Listing(id="l-1", seller=seller, content=content, created_at=NOW)


def test_a_draft_is_published_only_by_a_seller_in_good_standing() -> None:
    item = listing(DELETED)
    with pytest.raises(ListingTransitionNotAllowed) as refused:
        item.publish(NOW)
    assert refused.value.status == 409 and "регистъра" in refused.value.message.bg
    assert item.status is ListingStatus.DRAFT and item.pull_events() == []
    item.follow_seller(ACTIVE)
    item.publish(NOW)
    assert item.visible and item.published_at == NOW
    assert [e.name for e in item.pull_events()] == ["ListingPublished"]


def test_the_register_pauses_and_restores_only_its_own_pause() -> None:
    item = listing()
    item.publish(NOW)
    assert item.follow_seller(DELETED)
    assert (item.status, item.pause_reason, item.visible) == (ListingStatus.PAUSED, PauseReason.REGISTER, False)
    assert item.follow_seller(ACTIVE)
    assert item.visible
    events = item.pull_events()
    assert [(e.name, e.payload.get("reason")) for e in events] == [
        ("ListingPublished", None),
        ("ListingPaused", "register"),
        ("ListingPublished", None),
    ]

    item.pause()  # the seller's own pause
    assert not item.follow_seller(ACTIVE)
    assert item.status is ListingStatus.PAUSED


def test_a_replayed_picture_of_the_seller_changes_nothing() -> None:
    item = listing()
    item.publish(NOW)
    assert not item.follow_seller(ACTIVE)
    item.follow_seller(DELETED)
    item.pull_events()
    assert not item.follow_seller(DELETED)
    assert item.pull_events() == []


def test_a_new_name_from_the_register_is_taken_without_a_state_change() -> None:
    item = listing()
    assert item.follow_seller(replace(ACTIVE, name="Кооперация Странджа мед"))
    assert item.seller.name == "Кооперация Странджа мед" and item.status is ListingStatus.DRAFT


def test_editing_a_published_listing_is_announced_and_archived_is_final() -> None:
    item = listing()
    item.edit(with_content(item, title_en="Linden honey"), NOW)
    item.publish(NOW)
    item.pull_events()
    item.edit(with_content(item, price=Price(1390, "буркан")), NOW)
    assert [(e.name, e.payload["price_cents"]) for e in item.pull_events()] == [("ListingUpdated", 1390)]
    item.archive()
    with pytest.raises(ListingTransitionNotAllowed):
        item.publish(NOW)
    with pytest.raises(ListingTransitionNotAllowed):
        item.edit(with_content(item, title_bg="Нов"), NOW)
    assert not item.follow_seller(ACTIVE)


def test_drafts_cannot_be_paused() -> None:
    with pytest.raises(ListingTransitionNotAllowed):
        listing().pause()


def test_price_on_request() -> None:
    assert Price(None, "услуга").on_request and not Price(0, "бр.").on_request


def test_taxonomy_is_data_with_two_levels() -> None:
    assert with_ancestors("food.honey") == ["food", "food.honey"]
    assert with_ancestors("crafts") == ["crafts"]
    assert categories()["it.web"].name_en == "Websites"
