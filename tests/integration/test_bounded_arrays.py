"""No array grows without bound in one document, and every effect stays exactly-once (real FerretDB)."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.marketplace.adapters import deals as deals_adapter
from services.marketplace.adapters import listings as listings_adapter
from services.marketplace.adapters.ratings import RECENT_REVIEWS
from services.marketplace.adapters.search_index import MongoSearchIndex
from services.marketplace.domain.search import ALL, SearchKeys
from services.marketplace.entrypoints.wiring import build as build_marketplace
from services.notifications.adapters.attempts import HISTORY_KEPT
from services.notifications.entrypoints.wiring import build as build_notifications
from services.notifications.service_layer.delivering import DeliveryStatus, StatusChange
from services.registry.adapters import archive
from services.training.adapters.enrolments import ENROLMENTS, SEATS
from services.training.domain import enrolment as enrolment_domain
from shared.clock import FixedClock
from shared.consumer import apply_once
from shared.events import Envelope
from tests.integration.marketplace_api import buyer, published_listing, seed_seller
from tests.integration.notifications_api import fake_render, notice
from tests.integration.registry_api import REP, application
from tests.integration.test_registry_api import registered
from tests.integration.test_training_enrolments_api import add_session, enrol
from tests.integration.training_api import learner_token, seed_enterprise

pytestmark = pytest.mark.integration

NOW = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]
REVIEW = Envelope.from_dict(
    json.loads((ROOT / "services/marketplace/events/examples/marketplace.ReviewPosted.v1.json").read_text("utf-8"))
)


def test_a_read_model_document_keeps_only_the_ids_of_the_version_it_holds_and_still_refuses_old_events(
    db: Database[dict[str, Any]],
) -> None:
    mirrors = db["mirrors"]
    events = [(str(uuid.uuid4()), version) for version in range(1, 121)]
    for event_id, version in events:
        assert apply_once(mirrors, "agg-1", event_id, {"$inc": {"total": version}}, aggregate_version=version)

    document = mirrors.find_one({"_id": "agg-1"})
    assert document is not None
    assert document["applied_event_ids"] == [events[-1][0]]  # not one id per event ever applied
    assert document["total"] == sum(range(1, 121)) and document["aggregate_version"] == 120

    for event_id, version in [events[0], events[59], events[-1]]:  # replays, old and newest
        assert apply_once(mirrors, "agg-1", event_id, {"$inc": {"total": version}}, aggregate_version=version) is False
    assert mirrors.find_one({"_id": "agg-1"})["total"] == sum(range(1, 121))

    # Events of one version (recorded before versions existed) are still told apart by their ids.
    twins = [str(uuid.uuid4()) for _ in range(3)]
    for event_id in twins:
        assert apply_once(mirrors, "agg-0", event_id, {"$inc": {"total": 1}}, aggregate_version=0)
    assert apply_once(mirrors, "agg-0", twins[0], {"$inc": {"total": 1}}, aggregate_version=0) is False
    assert mirrors.find_one({"_id": "agg-0"})["total"] == 3


def test_a_read_model_document_with_a_long_list_from_before_is_trimmed_by_its_next_event(
    db: Database[dict[str, Any]],
) -> None:
    mirrors = db["mirrors"]
    old_ids = [str(uuid.uuid4()) for _ in range(200)]
    mirrors.insert_one({"_id": "agg-1", "applied_event_ids": old_ids, "aggregate_version": 7, "name": "old"})

    assert apply_once(mirrors, "agg-1", old_ids[0], {"$set": {"name": "replayed"}}, aggregate_version=7) is False
    assert apply_once(mirrors, "agg-1", "new", {"$set": {"name": "new"}}, aggregate_version=8)
    document = mirrors.find_one({"_id": "agg-1"})
    assert document["applied_event_ids"] == ["new"] and document["name"] == "new"


def review(seller_id: str, listing_id: str, rating: int) -> Envelope:
    payload = REVIEW.payload | {"seller_id": seller_id, "listing_id": listing_id, "rating": rating}
    return dataclasses.replace(REVIEW, event_id=str(uuid.uuid4()), aggregate_id=str(uuid.uuid4()), payload=payload)


def test_a_seller_with_many_reviews_keeps_a_bounded_document_and_counts_every_review_once_under_replays(
    db: Database[dict[str, Any]],
) -> None:
    ratings = build_marketplace(db).ratings
    reviews = [review("seller-1", f"listing-{n % 3}", 1 + n % 5) for n in range(5 * RECENT_REVIEWS)]
    for envelope in reviews:
        ratings.apply_review(envelope, envelope.payload)

    expected_average = round(sum(e.payload["rating"] for e in reviews) / len(reviews), 2)
    assert ratings.of("seller", "seller-1") == {"count": len(reviews), "average": expected_average}
    for key in ("seller:seller-1", "listing:listing-0"):
        assert len(db["ratings"].find_one({"_id": key})["applied_event_ids"]) <= 2 * RECENT_REVIEWS

    for envelope in reviews:  # a replay of the whole topic, the oldest reviews first
        ratings.apply_review(envelope, envelope.payload)
    assert ratings.of("seller", "seller-1") == {"count": len(reviews), "average": expected_average}
    listing_0 = [e for e in reviews if e.payload["listing_id"] == "listing-0"]
    assert ratings.of("listing", "listing-0")["count"] == len(listing_0)


def test_a_rating_that_lost_its_review_record_in_a_crash_still_refuses_the_redelivery(
    db: Database[dict[str, Any]],
) -> None:
    ratings = build_marketplace(db).ratings
    envelope = review("seller-1", "listing-1", 4)
    ratings.apply_review(envelope, envelope.payload)
    db["rating_reviews"].delete_one({"_id": envelope.event_id})  # as if the process died before recording it
    ratings.apply_review(envelope, envelope.payload)
    assert ratings.of("seller", "seller-1") == {"count": 1, "average": 4.0}


def test_a_rating_written_before_the_bound_is_trimmed_on_its_next_review_and_old_replays_stay_refused(
    db: Database[dict[str, Any]],
) -> None:
    ratings = build_marketplace(db).ratings
    old = [review("seller-1", "listing-1", 5) for _ in range(3 * RECENT_REVIEWS)]
    db["ratings"].insert_one(
        {
            "_id": "seller:seller-1",
            "count": len(old),
            "total": 5 * len(old),
            "applied_event_ids": [e.event_id for e in old],
        }
    )
    newest = review("seller-1", "listing-1", 2)
    ratings.apply_review(newest, newest.payload)
    assert len(db["ratings"].find_one({"_id": "seller:seller-1"})["applied_event_ids"]) <= 2 * RECENT_REVIEWS

    for envelope in old:
        ratings.apply_review(envelope, envelope.payload)
    assert ratings.of("seller", "seller-1")["count"] == len(old) + 1


def keys(price_cents: int) -> SearchKeys:
    return SearchKeys("food", 1, "A", price_cents, 40, 1_700_000_000)


def test_a_term_with_more_postings_than_one_document_holds_is_found_whole_and_loses_what_is_taken_out(
    db: Database[dict[str, Any]],
) -> None:
    index = MongoSearchIndex(db, postings_per_document=4)
    listings = [f"listing-{n:02}" for n in range(11)]
    for n, listing_id in enumerate(listings):
        index.put(listing_id, keys(100 * n), {"med": 5, ALL: 0, f"own{n}": 1}, {})

    assert index.postings(["med", ALL])["med"] == dict.fromkeys(listings, 5)
    assert set(index.postings([ALL])[ALL]) == set(listings)
    assert max(len(document["m"]) for document in db["search_terms"].find()) <= 4

    index.put(listings[0], keys(0), {"med": 7, ALL: 0, "own0": 1}, {"med": 5, ALL: 0, "own0": 1})  # reweighed
    for listing_id in listings[5:8]:  # unpublished
        index.remove(listing_id, {"med": 5, ALL: 0})
    expected = {listings[0]: 7} | {listing_id: 5 for listing_id in listings[1:5] + listings[8:]}
    assert index.postings(["med"])["med"] == expected

    index.put("listing-new", keys(1), {"med": 5, ALL: 0}, {})  # takes a freed place: no new document
    assert db["search_terms"].count_documents({"_id": {"$regex": "^med"}}) == 3
    assert index.postings(["med"])["med"] == expected | {"listing-new": 5}
    assert max(len(document["m"]) for document in db["search_terms"].find()) <= 4


def test_a_term_document_from_before_chunking_is_read_whole_and_new_postings_go_beside_it(
    db: Database[dict[str, Any]],
) -> None:
    old = [f"old-{n}|3" for n in range(10)]
    db["search_terms"].insert_one({"_id": "med", "m": old})
    index = MongoSearchIndex(db, postings_per_document=4)

    index.put("listing-new", keys(1), {"med": 5}, {})
    index.remove("old-0", {"med": 3})
    found = index.postings(["med"])["med"]
    assert found == {f"old-{n}": 3 for n in range(1, 10)} | {"listing-new": 5}
    assert len(db["search_terms"].find_one({"_id": "med"})["m"]) == 9  # no longer grows


def test_the_keys_log_keeps_only_what_a_reader_may_still_follow_and_readers_still_see_every_change(
    db: Database[dict[str, Any]],
) -> None:
    # Entries written before the log was pruned.
    db["search_keys_log"].insert_many([{"_id": f"k{n}", "listing_id": "gone"} for n in range(1, 31)])
    db["counters"].insert_one({"_id": "search_keys_seq", "value": 30})
    writer = MongoSearchIndex(db, catch_up_limit=5)
    reader = MongoSearchIndex(db, catch_up_limit=5)
    writer.put("listing-1", keys(100), {"med": 5}, {})
    assert reader.keys(["listing-1"])["listing-1"].price_cents == 100  # the reader is now following the log

    for price in range(101, 104):  # three changes: the reader follows them from the log
        writer.put("listing-1", keys(price), {"med": 5}, {"med": 5})
    assert reader.keys(["listing-1"])["listing-1"].price_cents == 103
    for price in range(104, 175):
        writer.put("listing-1", keys(price), {"med": 5}, {"med": 5})
    assert reader.keys(["listing-1"])["listing-1"].price_cents == 174  # too far behind: it rereads all keys

    assert db["search_keys_log"].count_documents({}) <= 5


def test_an_enterprise_with_a_long_history_keeps_the_newest_in_its_document_and_shows_it_all(
    registry: FlaskClient, registry_db: Database[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(archive.KEPT, "history", 3)
    enterprise_id = registered(registry)["enterprise_id"]
    settlements = [f"с. Ново село {n}" for n in range(6)]
    for settlement in settlements:  # six public changes of the seat
        details = application(details__seat__settlement=settlement)["details"]
        response = registry.patch(f"/api/v1/enterprises/{enterprise_id}", json={"details": details}, headers=REP)
        assert response.status_code == 200, response.json

    stored = registry_db["enterprises"].find_one({"_id": enterprise_id})
    assert len(stored["history"]) == 3
    file = registry.get(f"/api/v1/enterprises/{enterprise_id}/file", headers=REP).json
    actions = [record["action"] for record in file["history"]]
    assert actions[0] == "application_started" and "registered" in actions
    assert len(actions) == 3 + stored["history_archived"] and len(actions) >= 9
    assert [record["at"] for record in file["history"]] == sorted(record["at"] for record in file["history"])

    entry = registry.get(f"/api/v1/register/{enterprise_id}").json
    public = [record["action"] for record in entry["history"]]
    assert public[0] == "registered" and len(public) == 7  # registered, then each change of the seat
    shown = [change["to"] for record in entry["history"][1:] for change in record["changes"]]
    assert [value for value in shown if str(value).startswith("с. Ново село")] == settlements

    # The next change moves one more record out, and the file is still whole.
    details = application(details__seat__settlement="гр. Раковски")["details"]
    registry.patch(f"/api/v1/enterprises/{enterprise_id}", json={"details": details}, headers=REP)
    again = registry.get(f"/api/v1/enterprises/{enterprise_id}/file", headers=REP).json["history"]
    assert again[: len(file["history"])] == file["history"] and len(again) == len(file["history"]) + 1


def test_a_delivery_retried_many_times_keeps_its_newest_status_changes_and_counts_every_attempt(
    notifications_db: Database[dict[str, Any]],
) -> None:
    service = build_notifications(notifications_db, clock=FixedClock(NOW), renderer=fake_render)
    sent = notice()
    service.deliveries.deliver([sent])
    deliveries = service.deliveries.deliveries
    delivery_id = f"{sent.delivery_key}:email"
    tries = HISTORY_KEPT + 10
    for n in range(tries):
        at = NOW + timedelta(minutes=n)
        claimed = deliveries.claim(delivery_id, f"claim-{n}", at, at - timedelta(minutes=5))
        assert claimed is not None
        assert deliveries.mark_retrying(delivery_id, f"claim-{n}", at, at, f"451 busy ({n})")

    delivery = deliveries.get(delivery_id)
    assert delivery is not None and delivery.attempts == tries
    assert len(delivery.history) == HISTORY_KEPT
    assert delivery.history[-1] == StatusChange(
        DeliveryStatus.RETRYING, NOW + timedelta(minutes=tries - 1), f"451 busy ({tries - 1})"
    )


@pytest.fixture
def three_listings_a_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listings_adapter, "LISTINGS_PER_DOCUMENT", 3)


def test_a_seller_with_many_listings_shows_them_all_while_no_document_lists_more_than_a_chunk(
    three_listings_a_document: None, market: FlaskClient, market_db: Database[dict[str, Any]]
) -> None:
    seller_id = seed_seller(market_db)
    created = [published_listing(market, seller_id, title_bg=f"Мед от липа {n}")["id"] for n in range(7)]

    page = market.get(f"/api/v1/sellers/{seller_id}").json
    assert sorted(listing["id"] for listing in page["listings"]) == sorted(created)
    assert "listing_ids" not in market_db["sellers"].find_one({"_id": seller_id})
    assert max(len(document["m"]) for document in market_db["seller_listings"].find()) <= 3


def test_a_buyer_keeps_a_bounded_number_of_favourites_and_is_told_so_past_it(
    market: FlaskClient, market_db: Database[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deals_adapter, "MAX_FAVOURITES", 3)
    seller_id = seed_seller(market_db)
    listings = [published_listing(market, seller_id, title_bg=f"Мед от липа {n}")["id"] for n in range(4)]
    maria = buyer("maria")
    for listing_id in listings[:3]:
        assert market.put(f"/api/v1/favourites/listings/{listing_id}", headers=maria).status_code == 200

    refused = market.put(f"/api/v1/favourites/listings/{listings[3]}", headers=maria)
    assert refused.status_code == 409, refused.json
    assert "най-много" in refused.json["message"]["bg"] and "at most" in refused.json["message"]["en"]
    assert "listing_id" in refused.json["fields"]
    assert market.put(f"/api/v1/favourites/listings/{listings[0]}", headers=maria).status_code == 200  # kept already
    assert market.get("/api/v1/favourites", headers=maria).json["listing_ids"] == listings[:3]

    assert market.delete(f"/api/v1/favourites/listings/{listings[0]}", headers=maria).status_code == 200
    assert market.put(f"/api/v1/favourites/listings/{listings[3]}", headers=maria).status_code == 200
    assert market.get("/api/v1/favourites", headers=maria).json["listing_ids"] == listings[1:]


def test_a_full_waitlist_refuses_the_next_learner_before_anything_is_written_and_takes_them_once_there_is_room(
    training: FlaskClient, training_db: Database[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(enrolment_domain, "MAX_WAITING", 2)
    enterprise = seed_enterprise(training_db)
    session_id = add_session(training_db, capacity=1)
    ana, boris, vera, galya = (learner_token(f"{n}@example.bg", enterprise) for n in ("ana", "boris", "vera", "galya"))
    first, _, _ = (enrol(training, session_id, person) for person in (ana, boris, vera))

    refused = training.post(f"/api/v1/sessions/{session_id}/enrolments", json={}, headers=galya)
    assert refused.status_code == 409, refused.json
    assert "листата на чакащите е пълна" in refused.json["message"]["bg"]
    assert "the waitlist is full" in refused.json["message"]["en"]
    assert training_db[ENROLMENTS].find_one({"learner": "galya@example.bg"}) is None
    assert len(training_db[SEATS].find_one({"_id": session_id})["waiting"]) == 2
    assert training.get(f"/api/v1/sessions/{session_id}").json["seats"] == {"taken": 1, "free": 0, "waiting": 2}

    training.post(f"/api/v1/enrolments/{first['id']}/cancel", json={}, headers=ana)  # boris takes the seat
    taken = enrol(training, session_id, galya)
    assert (taken["state"], taken["waitlist_position"]) == ("waitlisted", 2)
