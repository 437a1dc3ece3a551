"""Buyers' needs over HTTP, against real FerretDB: post, check, match, interest, deadline and outcome."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.marketplace.adapters.needs import NEEDS
from services.marketplace.service_layer.needs import NeedService
from shared.auth import Role
from shared.clock import FixedClock
from tests.integration.marketplace_api import (
    ADMIN,
    BUYER,
    CLERK,
    NEED,
    OTHER_BUYER,
    buyer,
    posted_need,
    published_listing,
    representative_of,
    seed_seller,
)
from tests.integration.registry_api import token

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LAST_EVENING = datetime(2026, 12, 10, 21, 30, tzinfo=UTC)
"""23:30 in Sofia on the deadline (10 December): sellers may still answer."""
PAST_DEADLINE = datetime(2026, 12, 10, 22, 30, tzinfo=UTC)
"""00:30 in Sofia on 11 December: the deadline has passed."""
GABROVO_BUYER = buyer("buyer-gabrovo", "d.koleva@gabrovo.example.bg")


@pytest.fixture
def needs(market: FlaskClient) -> NeedService:
    service = market.application.extensions["marketplace"].needs
    assert isinstance(service, NeedService)
    return service


@pytest.fixture
def clock(needs: NeedService) -> FixedClock:
    """The need service's clock, standing at NOW until a test moves it."""
    fixed = FixedClock(NOW)
    needs.clock = fixed
    return fixed


def outbox(db: Database, need_id: str) -> list[dict[str, Any]]:
    document = db[NEEDS].find_one({"_id": need_id}) or {}
    return [entry["envelope"] for entry in document.get("outbox", [])]


def event_types(db: Database, need_id: str) -> list[str]:
    return [envelope["event_type"].removeprefix("marketplace.") for envelope in outbox(db, need_id)]


def validated(client: FlaskClient, need_id: str) -> dict[str, Any]:
    response = client.post(f"/api/v1/needs/{need_id}/validate", headers=CLERK)
    assert response.status_code == 200, response.json
    return response.json


def interest(client: FlaskClient, need_id: str, seller_id: str, message: str = "Можем до 1 декември.") -> Any:
    return client.post(
        f"/api/v1/needs/{need_id}/interest",
        json={"message": message},
        headers=representative_of(seller_id, f"rep-{seller_id[:8]}"),
    )


def test_a_need_is_checked_matched_answered_closed_and_its_outcome_recorded(
    market: FlaskClient, market_db: Database, needs: NeedService, clock: FixedClock
) -> None:
    baskets = seed_seller(market_db, name="Плетени мечти ЕООД", contact_email="office@pleteni.example.bg")
    published_listing(market, baskets, title_bg="Кошница от ракита", category="crafts.basketry",
                      districts_served=["BG-07", "BG-04"])  # fmt: skip
    published_listing(market, baskets, title_bg="Голяма кошница", category="crafts.basketry",
                      districts_served=["BG-07"])  # fmt: skip  # two listings, still one match
    honey = seed_seller(market_db, name="Пчеларите от Габрово")
    published_listing(market, honey, category="food.honey", districts_served=["BG-07"])  # another category
    burgas = seed_seller(market_db, name="Плетки от Бургас")
    published_listing(market, burgas, category="crafts.basketry", districts_served=["BG-02"])  # other districts
    lapsed = seed_seller(market_db, name="Ракитата")
    published_listing(market, lapsed, category="crafts.basketry", districts_served=["BG-07"])
    seed_seller(market_db, "EnterpriseDeleted", enterprise_id=lapsed, status="deleted")  # left the register

    need = posted_need(market, GABROVO_BUYER)
    url = f"/api/v1/needs/{need['id']}"
    assert (need["status"], need["buyer"]["email"]) == ("submitted", "d.koleva@gabrovo.example.bg")
    assert event_types(market_db, need["id"]) == ["NeedSubmitted"]

    # Until it is checked, only its buyer, clerks and admins know of it.
    for stranger in (OTHER_BUYER, buyer("buyer-2"), representative_of(baskets), {}):
        assert market.get(url, headers=stranger).status_code == 404
    assert market.get(url, headers=ADMIN).json["buyer"]["email"] == "d.koleva@gabrovo.example.bg"
    assert market.get("/api/v1/needs").json["total"] == 0
    queue = market.get("/api/v1/needs", query_string={"status": "submitted"}, headers=CLERK)
    assert [item["id"] for item in queue.json["items"]] == [need["id"]]

    refused = market.post(f"{url}/validate", headers=GABROVO_BUYER)
    assert refused.status_code == 403
    shown = validated(market, need["id"])
    assert shown["status"] == "published" and shown["validated_by"] == "clerk-1"
    assert [m["seller_id"] for m in shown["matches"]] == [baskets]
    assert event_types(market_db, need["id"]) == ["NeedSubmitted", "NeedPublished", "NeedMatched"]
    matched = outbox(market_db, need["id"])[-1]
    assert matched["aggregate_type"] == "need" and matched["aggregate_id"] == need["id"]
    assert matched["payload"]["seller_id"] == baskets
    assert matched["payload"]["seller_email"] == "office@pleteni.example.bg"
    assert outbox(market_db, need["id"])[1]["payload"]["match_count"] == 1

    # The public board shows it, with the buyer's organisation and never the buyer's e-mail.
    board = market.get("/api/v1/needs")
    assert [item["id"] for item in board.json["items"]] == [need["id"]]
    assert board.json["items"][0]["buyer"] == {"organisation": "Община Габрово", "kind": "municipality"}
    assert board.json["items"][0]["budget"]["display"] == "4\u00a0500,00 € – 6\u00a0000,00 €"
    assert b"gabrovo.example.bg" not in board.data and b"gabrovo.example.bg" not in market.get(url).data
    for query, total in [({"category": "crafts"}, 1), ({"category": "food"}, 0), ({"district": "BG-07"}, 1),
                         ({"district": "BG-02"}, 0)]:  # fmt: skip
        assert market.get("/api/v1/needs", query_string=query).json["total"] == total, query

    # Sellers in good standing answer once each; each sees its own answer and nobody else's.
    answered = interest(market, need["id"], baskets)
    assert answered.status_code == 201, answered.json
    assert answered.json["my_interest"]["seller_name"] == "Плетени мечти ЕООД" and "interests" not in answered.json
    again = interest(market, need["id"], baskets)
    assert again.status_code == 409 and "already expressed interest" in again.json["message"]["en"]
    clock.advance(days=3)
    assert interest(market, need["id"], burgas, "Доставяме и до Габрово.").status_code == 201
    as_burgas = market.get(url, headers=representative_of(burgas, "rep-burgas")).json
    assert as_burgas["my_interest"]["message"] == "Доставяме и до Габрово." and "interests" not in as_burgas
    out_of_register = interest(market, need["id"], lapsed)
    assert out_of_register.status_code == 409 and "register" in out_of_register.json["message"]["en"]
    assert market.post(f"{url}/interest", json={"message": "Здравейте"}, headers=BUYER).status_code == 403
    as_buyer = market.get(url, headers=GABROVO_BUYER).json
    assert [(i["seller_id"], i["seller_email"]) for i in as_buyer["interests"]] == [
        (baskets, "office@pleteni.example.bg"),
        (burgas, "office@maritsa.example.bg"),
    ]

    # The scheduler asks for the outcome once the Sofia deadline has passed, and only once.
    assert needs.close_due(LAST_EVENING) == 0
    assert needs.close_due(PAST_DEADLINE) == 1
    assert needs.close_due(PAST_DEADLINE) == 0
    requested = outbox(market_db, need["id"])[-1]
    assert requested["event_type"] == "marketplace.NeedOutcomeRequested"
    assert requested["payload"]["interest_count"] == 2 and requested["payload"]["status"] == "awaiting_outcome"
    assert market.get("/api/v1/needs").json["total"] == 0

    clock.advance(days=30)
    not_theirs = market.post(f"{url}/outcome", json={"deal_happened": False}, headers=OTHER_BUYER)
    assert not_theirs.status_code == 404  # no longer published: not even its existence is shown
    recorded = market.post(
        f"{url}/outcome",
        json={"deal_happened": True, "seller_id": baskets, "amount_cents": 540_000, "note": "Доставени навреме."},
        headers=GABROVO_BUYER,
    )
    assert recorded.status_code == 200, recorded.json
    assert recorded.json["status"] == "closed" and recorded.json["outcome"]["amount_cents"] == 540_000
    assert event_types(market_db, need["id"])[-2:] == ["NeedOutcomeRequested", "NeedOutcomeRecorded"]
    assert outbox(market_db, need["id"])[-1]["payload"]["seller_id"] == baskets
    twice = market.post(f"{url}/outcome", json={"deal_happened": False}, headers=GABROVO_BUYER)
    assert twice.status_code == 409
    # The seller who answered still sees the need it answered, with its own interest.
    assert market.get(url, headers=representative_of(baskets, "rep-b")).json["my_interest"]["seller_id"] == baskets


def test_interest_after_the_deadline_is_refused_with_the_reason(
    market: FlaskClient, market_db: Database, clock: FixedClock
) -> None:
    seller = seed_seller(market_db)
    need = posted_need(market)
    validated(market, need["id"])
    clock.advance(days=17, hours=12, minutes=30)  # 11 December, 00:30 in Sofia; the scheduler has not run yet
    late = interest(market, need["id"], seller)
    assert late.status_code == 409, late.json
    assert late.json["message"]["en"] == "Cannot express interest: the need's deadline has passed."
    assert "срокът на нуждата е изтекъл" in late.json["message"]["bg"]
    assert event_types(market_db, need["id"]) == ["NeedSubmitted", "NeedPublished"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"budget_min_cents": -1}, "budget_min_cents"),
        ({"budget_max_cents": 12.5}, "budget_max_cents"),
        ({"budget_max_cents": "600000"}, "budget_max_cents"),
        ({"budget_min_cents": 700_000}, "budget_max_cents"),  # above the maximum
        ({"deadline": "10.12.2026"}, "deadline"),
        ({"deadline": "2026-11-23"}, "deadline"),  # today in Sofia: it must be later
        ({"districts": ["BG-99"]}, "districts.0"),
        ({"districts": []}, "districts"),
        ({"category": "food.caviar"}, "category"),
        ({"quantity": 0}, "quantity"),
        ({"quantity": "300"}, "quantity"),
        ({"title": "   "}, "title"),
        ({"kind": "alien"}, "kind"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_needs_are_refused_naming_the_field_and_nothing_is_written(
    market: FlaskClient, market_db: Database, clock: FixedClock, body: dict[str, Any], field: str
) -> None:
    response = market.post("/api/v1/needs", json={**NEED, **body}, headers=buyer())
    assert response.status_code == 422, response.json
    assert field in response.json["fields"]
    assert market_db[NEEDS].count_documents({}) == 0


def test_every_bad_field_is_named_at_once(market: FlaskClient, market_db: Database, clock: FixedClock) -> None:
    body = {**NEED, "budget_min_cents": -1, "deadline": "soon", "districts": ["BG-99"], "category": "x"}
    response = market.post("/api/v1/needs", json=body, headers=buyer())
    assert response.status_code == 422
    assert {"budget_min_cents", "deadline", "districts.0", "category"} <= set(response.json["fields"])
    assert market_db[NEEDS].count_documents({}) == 0


def test_only_buyers_with_an_email_post_and_only_clerks_check(
    market: FlaskClient, market_db: Database, clock: FixedClock
) -> None:
    no_email = market.post("/api/v1/needs", json=NEED, headers=BUYER)
    assert no_email.status_code == 403 and "e-mail" in no_email.json["message"]["en"]
    assert market.post("/api/v1/needs", json=NEED).status_code == 401
    assert market.post("/api/v1/needs", json=NEED, headers=representative_of("e-1")).status_code == 403
    assert market_db[NEEDS].count_documents({}) == 0

    need = posted_need(market)
    assert market.post(f"/api/v1/needs/{need['id']}/validate", headers=OTHER_BUYER).status_code == 403
    assert market.get("/api/v1/needs", query_string={"status": "submitted"}, headers=buyer()).status_code == 403
    assert market.get("/api/v1/needs", query_string={"mine": "true"}).status_code == 401


def test_an_unverified_address_never_becomes_the_one_the_platform_and_sellers_write_to(
    market: FlaskClient, market_db: Database, clock: FixedClock
) -> None:
    claimed = token("buyer-x", Role.BUYER, name="Някой", email="mayor@obshtina.example.bg", email_verified=False)
    refused = market.post("/api/v1/needs", json=NEED, headers=claimed)
    assert refused.status_code == 403 and "verified e-mail" in refused.json["message"]["en"]
    assert market_db[NEEDS].count_documents({}) == 0


def test_a_clerk_whose_token_names_no_centre_is_not_staff(
    market: FlaskClient, market_db: Database, clock: FixedClock
) -> None:
    nowhere = token("clerk-nowhere", Role.CLERK)
    need = posted_need(market)
    url = f"/api/v1/needs/{need['id']}"
    assert market.get(url, headers=nowhere).status_code == 404  # a submitted need is unseen, as by the public
    refused = market.post(f"{url}/validate", headers=nowhere)
    assert refused.status_code == 403 and "names no regional centre" in refused.json["message"]["en"]
    assert market.get("/api/v1/needs", query_string={"status": "submitted"}, headers=nowhere).status_code == 403
    validated(market, need["id"])
    shown = market.get(url, headers=nowhere)
    assert shown.status_code == 200 and "buyer-1@example.bg" not in shown.text  # the buyer's e-mail is for staff
    assert "buyer-1@example.bg" in market.get(url, headers=CLERK).text
    assert event_types(market_db, need["id"]) == ["NeedSubmitted", "NeedPublished"]


def test_a_rejected_need_tells_its_buyer_why_and_stays_hidden(
    market: FlaskClient, market_db: Database, clock: FixedClock
) -> None:
    need = posted_need(market)
    url = f"/api/v1/needs/{need['id']}"
    no_reason = market.post(f"{url}/reject", json={}, headers=CLERK)
    assert no_reason.status_code == 422 and "reason" in no_reason.json["fields"]
    rejected = market.post(f"{url}/reject", json={"reason": "Това е реклама, не нужда."}, headers=CLERK)
    assert rejected.status_code == 200 and rejected.json["status"] == "rejected"
    mine = market.get("/api/v1/needs", query_string={"mine": "true"}, headers=buyer())
    assert [item["rejection_reason"] for item in mine.json["items"]] == ["Това е реклама, не нужда."]
    assert market.get(url).status_code == 404
    assert market.post(f"{url}/validate", headers=CLERK).status_code == 409
    assert event_types(market_db, need["id"]) == ["NeedSubmitted", "NeedRejected"]


def test_only_its_buyer_withdraws_a_need(market: FlaskClient, market_db: Database, clock: FixedClock) -> None:
    need = posted_need(market)
    url = f"/api/v1/needs/{need['id']}"
    assert market.post(f"{url}/withdraw", headers=buyer("buyer-2")).status_code == 404  # unpublished: unseen
    validated(market, need["id"])
    assert market.post(f"{url}/withdraw", headers=buyer("buyer-2")).status_code == 403
    withdrawn = market.post(f"{url}/withdraw", headers=buyer())
    assert withdrawn.status_code == 200 and withdrawn.json["status"] == "withdrawn"
    assert market.get("/api/v1/needs").json["total"] == 0
    assert event_types(market_db, need["id"]) == ["NeedSubmitted", "NeedPublished", "NeedWithdrawn"]


def test_the_clerks_queue_is_oldest_first_and_the_board_soonest_deadline_first(
    market: FlaskClient, clock: FixedClock
) -> None:
    later = posted_need(market, title="Първа", deadline="2026-12-20")
    clock.advance(hours=1)
    sooner = posted_need(market, title="Втора", deadline="2026-12-05")
    queue = market.get("/api/v1/needs", query_string={"status": "submitted"}, headers=CLERK).json
    assert [item["id"] for item in queue["items"]] == [later["id"], sooner["id"]]
    for need in (later, sooner):
        validated(market, need["id"])
    board = market.get("/api/v1/needs").json
    assert [item["id"] for item in board["items"]] == [sooner["id"], later["id"]]
    assert market.get("/api/v1/needs", query_string={"per_page": 1, "page": 2}).json["items"][0]["id"] == later["id"]
    mine = market.get("/api/v1/needs", query_string={"mine": "true"}, headers=buyer()).json
    assert [item["id"] for item in mine["items"]] == [sooner["id"], later["id"]]  # newest first
    assert market.get("/api/v1/needs", query_string={"mine": "true"}, headers=OTHER_BUYER).json["total"] == 0
    bad = market.get("/api/v1/needs", query_string={"mine": "true", "district": "BG-07"}, headers=buyer())
    assert bad.status_code == 422 and "district" in bad.json["fields"]
