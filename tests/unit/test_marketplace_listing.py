"""Listing states, and how listings follow their seller's standing in the register."""

from datetime import UTC, datetime

import pytest

from services.marketplace.domain.categories import categories, with_ancestors
from services.marketplace.domain.listing import Listing, ListingStatus, ListingTransitionNotAllowed, PauseReason, Price

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def listing() -> Listing:
    return Listing(
        id="l-1",
        seller_id="e-1",
        kind="product",
        title_bg="Липов мед от Странджа",
        description_bg="Буркан 900 г.",
        category="food.honey",
        price=Price(1250, "буркан"),
        districts_served=["BG-02"],
        created_at=NOW,
    )


def test_a_draft_is_published_only_by_a_seller_in_good_standing() -> None:
    item = listing()
    with pytest.raises(ListingTransitionNotAllowed) as refused:
        item.publish(seller_in_good_standing=False, now=NOW)
    assert refused.value.status == 409 and "регистъра" in refused.value.message.bg
    assert item.status is ListingStatus.DRAFT
    item.publish(seller_in_good_standing=True, now=NOW)
    assert item.visible and item.published_at == NOW


def test_the_register_pauses_and_restores_only_its_own_pause() -> None:
    item = listing()
    item.publish(seller_in_good_standing=True, now=NOW)
    assert item.follow_register(seller_in_good_standing=False)
    assert (item.status, item.pause_reason, item.visible) == (ListingStatus.PAUSED, PauseReason.REGISTER, False)
    assert item.follow_register(seller_in_good_standing=True)
    assert item.visible

    item.pause()  # the seller's own pause
    assert not item.follow_register(seller_in_good_standing=True)
    assert item.status is ListingStatus.PAUSED


def test_a_replayed_standing_changes_nothing() -> None:
    item = listing()
    item.publish(seller_in_good_standing=True, now=NOW)
    assert not item.follow_register(seller_in_good_standing=True)
    item.follow_register(seller_in_good_standing=False)
    assert not item.follow_register(seller_in_good_standing=False)


def test_archived_is_final_and_drafts_cannot_be_paused() -> None:
    item = listing()
    with pytest.raises(ListingTransitionNotAllowed):
        item.pause()
    item.archive()
    with pytest.raises(ListingTransitionNotAllowed):
        item.publish(seller_in_good_standing=True, now=NOW)
    assert not item.follow_register(seller_in_good_standing=True)


def test_price_on_request() -> None:
    assert Price(None, "услуга").on_request and not Price(0, "бр.").on_request


def test_taxonomy_is_data_with_two_levels() -> None:
    assert with_ancestors("food.honey") == ["food", "food.honey"]
    assert with_ancestors("crafts") == ["crafts"]
    assert categories()["it.web"].name_en == "Websites"
