"""Quotes, orders, reviews, favourites and the buyers' impact report over HTTP, against real FerretDB."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database

from services.marketplace.adapters.deals import DEALS
from services.marketplace.adapters.sellers import MongoSellers
from services.marketplace.entrypoints.consumer import RegisterFollower
from services.marketplace.entrypoints.wiring import build
from shared.clock import SOFIA
from shared.events import Envelope
from tests.integration.marketplace_api import (
    ADMIN,
    BUYER,
    LISTING,
    buyer,
    published_listing,
    registry_event,
    representative_of,
    seed_seller,
)

pytestmark = pytest.mark.integration

MARIA = buyer("buyer-1", "m.petrova@smolyan.example.bg", "Мария Петрова")
IVAN = buyer("buyer-2", "ivan@gabrovo.example.bg", "Иван Иванов")
NBSP = "\u00a0"


def today() -> date:
    return datetime.now(SOFIA).date()


def in_days(days: int) -> str:
    return (today() + timedelta(days=days)).isoformat()


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.json
    return response.json


def ask(client: FlaskClient, listing_id: str, headers: dict[str, str] = MARIA, **changes: Any) -> dict[str, Any]:
    body = {"listing_id": listing_id, "quantity": 40, "needed_by": in_days(20), "message": "За коледните подаръци."}
    return ok(client.post("/api/v1/quotes", json={**body, **changes}, headers=headers), 201)


def offered(client: FlaskClient, seller: str, deal_id: str, **changes: Any) -> dict[str, Any]:
    body = {"unit_price_cents": 1150, "valid_until": in_days(7), "terms": "Доставка до общината е включена."}
    return ok(
        client.post(f"/api/v1/quotes/{deal_id}/offer", json={**body, **changes}, headers=representative_of(seller))
    )


def ordered(client: FlaskClient, listing_id: str, quantity: int = 3, headers: dict[str, str] = MARIA) -> dict[str, Any]:
    body = {"listing_id": listing_id, "quantity": quantity}
    return ok(client.post("/api/v1/orders", json=body, headers=headers), 201)


def received(client: FlaskClient, deal_id: str, headers: dict[str, str] = MARIA) -> dict[str, Any]:
    return ok(client.post(f"/api/v1/orders/{deal_id}/receive", headers=headers))


def outbox_of(db: Database, deal_id: str) -> list[Envelope]:
    document = db[DEALS].find_one({"_id": deal_id})
    return [Envelope.from_dict(entry["envelope"]) for entry in document["outbox"]]


def test_a_quote_becomes_an_order_that_is_received_and_reviewed(market: FlaskClient, market_db: Database) -> None:
    seller = seed_seller(market_db, name="Сдружение „Родопска пчела“", enterprise_class="A+")
    listing = published_listing(market, seller)
    rep = representative_of(seller)

    quote = ask(market, listing["id"], organisation="Община Смолян", buyer_kind="municipality")
    assert (quote["state"], quote["state_bg"], quote["quantity"], quote["unit"]) == (
        "requested",
        "запитване",
        40,
        "буркан",
    )
    assert quote["buyer"] == {
        "id": "buyer-1",
        "name": "Мария Петрова",
        "organisation": "Община Смолян",
        "kind": "municipality",
        "email": "m.petrova@smolyan.example.bg",
    }
    assert quote["supplier"]["enterprise_class"] == "A+" and quote["supplier"]["region"]["name"]["bg"]
    assert quote["listing"] == {"id": listing["id"], "title": "Липов мед от Странджа"}
    assert quote["seller_in_good_standing"] is True and quote["expires_at"]

    inbox = ok(market.get("/api/v1/quotes", headers=rep))["items"]
    assert [q["id"] for q in inbox] == [quote["id"]]
    assert inbox[0]["buyer"]["email"] == "m.petrova@smolyan.example.bg"  # the seller may answer
    assert [
        q["id"] for q in ok(market.get("/api/v1/quotes", headers=MARIA, query_string={"state": "requested"}))["items"]
    ] == [quote["id"]]
    assert ok(market.get("/api/v1/quotes", headers=MARIA, query_string={"state": "offered"}))["items"] == []

    offer = offered(market, seller, quote["id"])
    assert offer["state"] == "offered"
    assert offer["offer"]["unit_price_cents"] == 1150 and offer["offer"]["total_cents"] == 46_000
    assert offer["offer"]["display"] == "460,00 €" and offer["offer"]["valid_until"] == in_days(7)

    order = ok(market.post(f"/api/v1/quotes/{quote['id']}/accept", headers=MARIA))
    assert order["state"] == "placed" and order["placed_via"] == "quote" and order["id"] == quote["id"]
    assert re.fullmatch(rf"{today().year}-\d{{6}}", order["order_number"])
    assert [o["id"] for o in ok(market.get("/api/v1/orders", headers=MARIA))["items"]] == [order["id"]]
    assert ok(market.get("/api/v1/quotes", headers=MARIA))["items"] == []  # an accepted quote is an order now

    fulfilled = ok(market.post(f"/api/v1/orders/{order['id']}/fulfil", json={"note": "Доставено."}, headers=rep))
    assert fulfilled["state"] == "fulfilled"
    assert received(market, order["id"])["state"] == "received"
    review = {"rating": 5, "text": "Отличен мед, доставен навреме."}
    reviewed = ok(market.post(f"/api/v1/orders/{order['id']}/review", json=review, headers=MARIA))
    assert reviewed["review"]["rating"] == 5
    assert [step["state"] for step in reviewed["timeline"]] == [
        "requested",
        "offered",
        "placed",
        "fulfilled",
        "received",
    ]

    events = outbox_of(market_db, order["id"])
    assert [e.event_type.removeprefix("marketplace.") for e in events] == [
        "QuoteRequested", "QuoteOffered", "OrderPlaced", "OrderFulfilled", "OrderReceived", "ReviewPosted",
    ]  # fmt: skip
    assert {e.aggregate_type for e in events} == {"deal"}

    public = ok(market.get(f"/api/v1/listings/{listing['id']}/reviews"))
    assert public["items"] == [
        {
            "rating": 5,
            "text": "Отличен мед, доставен навреме.",
            "date": today().isoformat(),
            "buyer": "Мария",
            "listing": {"id": listing["id"], "title": "Липов мед от Странджа"},
        }
    ]
    assert "smolyan" not in market.get(f"/api/v1/sellers/{seller}/reviews").get_data(as_text=True)
    assert public["rating"] == {"count": 0, "average": None}  # until the consumer applies ReviewPosted

    ratings = build(market_db).ratings  # as the consumer's process applies them
    ratings.apply_review(events[-1], events[-1].payload)
    ratings.apply_review(events[-1], events[-1].payload)  # a redelivery counts once
    assert ok(market.get(f"/api/v1/listings/{listing['id']}/reviews"))["rating"] == {"count": 1, "average": 5.0}
    assert ok(market.get(f"/api/v1/sellers/{seller}/reviews"))["rating"] == {"count": 1, "average": 5.0}
    assert ok(market.get(f"/api/v1/listings/{listing['id']}"))["rating"] == {"count": 1, "average": 5.0}


def test_a_step_not_allowed_now_is_refused_with_the_reason(market: FlaskClient, market_db: Database) -> None:
    seller = seed_seller(market_db)
    listing = published_listing(market, seller)
    order = ordered(market, listing["id"])
    early = market.post(f"/api/v1/orders/{order['id']}/review", json={"rating": 4}, headers=MARIA)
    assert early.status_code == 409 and early.json["code"] == "transition_not_allowed"
    assert early.json["message"]["en"] == "Cannot post a review: the deal is placed."
    assert "поръчана" in early.json["message"]["bg"]

    quote = ask(market, listing["id"])
    offered(market, seller, quote["id"])
    declined = ok(
        market.post(f"/api/v1/quotes/{quote['id']}/decline", json={"reason": "Купихме другаде."}, headers=MARIA)
    )
    assert (declined["state"], declined["declined_by"], declined["reason"]) == ("declined", "buyer", "Купихме другаде.")
    late = market.post(f"/api/v1/quotes/{quote['id']}/accept", headers=MARIA)
    assert late.status_code == 409 and late.json["message"]["en"] == "Cannot accept the offer: the deal is declined."

    received(market, order["id"])
    ok(market.post(f"/api/v1/orders/{order['id']}/review", json={"rating": 4}, headers=MARIA))
    again = market.post(f"/api/v1/orders/{order['id']}/review", json={"rating": 5}, headers=MARIA)
    assert again.status_code == 409 and "already been reviewed" in again.json["message"]["en"]


def test_nobody_but_the_parties_sees_a_deal(market: FlaskClient, market_db: Database) -> None:
    seller, other = seed_seller(market_db), seed_seller(market_db)
    quote = ask(market, published_listing(market, seller)["id"])
    url = f"/api/v1/quotes/{quote['id']}"

    for stranger in (IVAN, representative_of(other, "rep-other")):
        assert market.get(url, headers=stranger).status_code == 404
        assert ok(market.get("/api/v1/quotes", headers=stranger))["items"] == []
        assert market.post(f"{url}/decline", json={}, headers=stranger).status_code == 404
    assert market.post(f"{url}/offer", json={"unit_price_cents": 1, "valid_until": in_days(1)},
                       headers=representative_of(other)).status_code == 404  # fmt: skip
    assert market.get(f"/api/v1/orders/{quote['id']}", headers=MARIA).status_code == 404  # not an order yet
    assert market.get(url).status_code == 401

    own = market.post(f"{url}/offer", json={"unit_price_cents": 1, "valid_until": in_days(1)}, headers=MARIA)
    assert own.status_code == 403  # the buyer is a party but not the seller
    assert market.post(f"{url}/accept", headers=representative_of(seller)).status_code == 403

    shown_to_admin = ok(market.get(url, headers=ADMIN))
    assert "email" not in shown_to_admin["buyer"]  # only the buyer and the seller see it
    assert ok(market.get(url, headers=representative_of(seller)))["buyer"]["email"] == "m.petrova@smolyan.example.bg"


def test_a_buyer_orders_at_the_list_price_and_needs_a_quote_without_one(
    market: FlaskClient, market_db: Database
) -> None:
    seller = seed_seller(market_db)
    listing = published_listing(market, seller)
    first, second = ordered(market, listing["id"], quantity=3), ordered(market, listing["id"], quantity=2)
    assert (first["state"], first["placed_via"], first["needed_by"]) == ("placed", "direct", None)
    assert first["offer"]["unit_price_cents"] == 1250 and first["offer"]["total_cents"] == 3750
    assert first["offer"]["display"] == "37,50 €"
    year, number = first["order_number"].split("-")
    assert second["order_number"] == f"{year}-{int(number) + 1:06d}"

    shown = ok(market.get(f"/api/v1/orders/{first['id']}", headers=representative_of(seller)))
    assert shown["order_number"] == first["order_number"]
    assert {o["id"] for o in ok(market.get("/api/v1/orders", headers=representative_of(seller)))["items"]} == {
        first["id"],
        second["id"],
    }

    cancelled = ok(market.post(f"/api/v1/orders/{second['id']}/cancel", json={}, headers=representative_of(seller)))
    assert (cancelled["state"], cancelled["cancelled_by"]) == ("cancelled", "seller")
    assert [
        o["id"] for o in ok(market.get("/api/v1/orders", headers=MARIA, query_string={"state": "placed"}))["items"]
    ] == [first["id"]]

    asked = published_listing(market, seller, price_cents=None, price_on_request=True)
    refused = market.post("/api/v1/orders", json={"listing_id": asked["id"], "quantity": 3}, headers=MARIA)
    assert refused.status_code == 409 and "ask for a quote" in refused.json["message"]["en"]
    assert "оферта" in refused.json["message"]["bg"]

    draft = ok(market.post("/api/v1/listings", json=LISTING, headers=representative_of(seller)), 201)
    assert (
        market.post("/api/v1/orders", json={"listing_id": draft["id"], "quantity": 3}, headers=MARIA).status_code == 404
    )
    assert market.post("/api/v1/quotes", json={"listing_id": "nope", "quantity": 3}, headers=MARIA).status_code == 404

    without_email = market.post("/api/v1/orders", json={"listing_id": listing["id"], "quantity": 3}, headers=BUYER)
    assert without_email.status_code == 403 and "e-mail" in without_email.json["message"]["en"]
    by_seller = market.post(
        "/api/v1/orders", json={"listing_id": listing["id"], "quantity": 3}, headers=representative_of(seller)
    )
    assert by_seller.status_code == 403


def test_disputes_are_resolved_by_an_administrator(market: FlaskClient, market_db: Database) -> None:
    seller = seed_seller(market_db)
    listing = published_listing(market, seller)
    first, second = ordered(market, listing["id"]), ordered(market, listing["id"])
    for order in (first, second):
        disputed = ok(market.post(f"/api/v1/orders/{order['id']}/dispute", json={"reason": "Липсват 2 буркана."},
                                  headers=MARIA))  # fmt: skip
        assert (disputed["state"], disputed["reason"]) == ("disputed", "Липсват 2 буркана.")
    resolve = f"/api/v1/orders/{first['id']}/resolve"
    assert market.post(resolve, json={"resolution": "received"}, headers=representative_of(seller)).status_code == 403
    assert market.post(resolve, json={"resolution": "placed"}, headers=ADMIN).status_code == 422
    assert ok(market.get("/api/v1/orders", headers=ADMIN, query_string={"state": "disputed"}))["items"]
    assert (
        ok(market.post(resolve, json={"resolution": "received", "note": "Допоставени."}, headers=ADMIN))["state"]
        == "received"
    )
    cancelled = ok(
        market.post(f"/api/v1/orders/{second['id']}/resolve", json={"resolution": "cancelled"}, headers=ADMIN)
    )
    assert (cancelled["state"], cancelled["cancelled_by"]) == ("cancelled", "admin")
    assert market.post(f"/api/v1/orders/{first['id']}/dispute", json={}, headers=MARIA).status_code == 422


def test_open_quotes_expire_when_their_date_has_passed(market: FlaskClient, market_db: Database) -> None:
    seller = seed_seller(market_db)
    listing = published_listing(market, seller)
    service = market.application.extensions["marketplace"].deals
    soon = ask(market, listing["id"], needed_by=in_days(1))
    later = ask(market, listing["id"], needed_by=in_days(40))
    offer = offered(market, seller, later["id"], valid_until=in_days(3))
    order = ordered(market, listing["id"])

    end_of_tomorrow = datetime.combine(today() + timedelta(days=2), datetime.min.time(), tzinfo=SOFIA)
    assert datetime.fromisoformat(soon["expires_at"]) == end_of_tomorrow
    assert service.expire_due(datetime.now(UTC)) == 0
    assert service.expire_due(end_of_tomorrow - timedelta(seconds=1)) == 0
    assert service.expire_due(end_of_tomorrow) == 1
    assert service.expire_due(end_of_tomorrow) == 0  # the scheduler's next pass changes nothing
    assert ok(market.get(f"/api/v1/quotes/{soon['id']}", headers=MARIA))["state"] == "expired"
    assert ok(market.get(f"/api/v1/quotes/{later['id']}", headers=MARIA))["state"] == "offered"

    assert service.expire_due(datetime.fromisoformat(offer["expires_at"])) == 1
    expired = ok(market.get(f"/api/v1/quotes/{later['id']}", headers=MARIA))
    assert (expired["state"], expired["expires_at"]) == ("expired", None)
    assert outbox_of(market_db, later["id"])[-1].payload["stage"] == "offered"
    assert ok(market.get(f"/api/v1/orders/{order['id']}", headers=MARIA))["state"] == "placed"  # orders never expire
    assert market.post(f"/api/v1/quotes/{later['id']}/accept", headers=MARIA).status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [({"quantity": 1}, "quantity"), ({"quantity": 2.5}, "quantity"), ({"quantity": 0}, "quantity"),
     ({"needed_by": "2020-01-01"}, "needed_by"), ({"buyer_kind": "alien"}, "buyer_kind"), ({"colour": "red"}, "colour"),
     ({"message": "я" * 2001}, "message")],
)  # fmt: skip
def test_bad_quote_requests_name_the_field_and_nothing_is_written(
    market: FlaskClient, market_db: Database, body: dict[str, Any], field: str
) -> None:
    listing = published_listing(market, seed_seller(market_db))  # the minimum quantity is 2
    request = {"listing_id": listing["id"], "quantity": 40, **body}
    response = market.post("/api/v1/quotes", json=request, headers=MARIA)
    assert response.status_code == 422, response.json
    assert field in response.json["fields"]
    assert market_db[DEALS].count_documents({}) == 0


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [("offer", {"unit_price_cents": -5}, "unit_price_cents"), ("offer", {"unit_price_cents": 12.5}, "unit_price_cents"),
     ("offer", {"unit_price_cents": "12"}, "unit_price_cents"), ("offer", {"valid_until": "2020-01-01"}, "valid_until"),
     ("offer", {"discount": 5}, "discount"), ("decline", {"why": "x"}, "why")],
)  # fmt: skip
def test_bad_offers_name_the_field_and_change_nothing(
    market: FlaskClient, market_db: Database, path: str, body: dict[str, Any], field: str
) -> None:
    seller = seed_seller(market_db)
    quote = ask(market, published_listing(market, seller)["id"])
    request = {"unit_price_cents": 1150, "valid_until": in_days(7), **body} if path == "offer" else body
    response = market.post(f"/api/v1/quotes/{quote['id']}/{path}", json=request, headers=representative_of(seller))
    assert response.status_code == 422, response.json
    assert field in response.json["fields"]
    stored = market_db[DEALS].find_one({"_id": quote["id"]})
    assert (stored["state"], stored["version"], len(stored["outbox"])) == ("requested", 1, 1)


@pytest.mark.parametrize(("rating", "field"), [(6, "rating"), (0, "rating"), (4.5, "rating"), (None, "rating")])
def test_bad_reviews_name_the_field_and_change_nothing(
    market: FlaskClient, market_db: Database, rating: Any, field: str
) -> None:
    order = ordered(market, published_listing(market, seed_seller(market_db))["id"])
    received(market, order["id"])
    response = market.post(f"/api/v1/orders/{order['id']}/review", json={"rating": rating}, headers=MARIA)
    assert response.status_code == 422 and field in response.json["fields"]
    assert market_db[DEALS].find_one({"_id": order["id"]})["review"] is None


def seed_supplier(db: Database, name: str, cls: str, district: str, region: str, centre: str, staff: int,
                  vulnerable: int) -> str:  # fmt: skip
    return seed_seller(db, name=name, enterprise_class=cls, district=district, region=region, centre=centre,
                       staff_count=staff, vulnerable_staff_total=vulnerable)  # fmt: skip


def test_the_impact_report_counts_received_orders_by_class_and_region(market: FlaskClient, market_db: Database) -> None:
    plovdiv = seed_supplier(market_db, "Шивашка кооперация Марица", "A", "BG-16", "BG42", "plovdiv", 10, 4)
    varna = seed_supplier(market_db, "Работилница Морско конче", "A+", "BG-03", "BG33", "varna", 12, 6)
    aprons = published_listing(market, plovdiv, price_cents=1250)
    bags = published_listing(market, plovdiv, price_cents=990)
    soaps = published_listing(market, varna, price_cents=350)
    for listing_id, quantity in ((aprons["id"], 100), (bags["id"], 10), (soaps["id"], 20)):
        received(market, ordered(market, listing_id, quantity)["id"])
    ordered(market, soaps["id"], 500)  # placed, not received: no spending yet
    received(market, ordered(market, soaps["id"], 4, headers=IVAN)["id"], headers=IVAN)  # another buyer's

    year = {"from": f"{today().year}-01-01", "to": today().isoformat()}
    report = ok(market.get("/api/v1/impact-report", query_string=year, headers=MARIA))
    assert report["period"] == year and report["buyer_id"] == "buyer-1" and report["currency"] == "EUR"
    assert report["total"] == {
        "cents": 125_000 + 9_900 + 7_000,
        "display": f"1{NBSP}419,00 €",
        "orders": 3,
        "enterprises": 2,
        "vulnerable_staff_total": 10,
        "staff_count": 22,
    }
    assert report["by_class"]["A"] == {"cents": 134_900, "display": f"1{NBSP}349,00 €", "orders": 2, "enterprises": 1,
                                       "vulnerable_staff_total": 4, "staff_count": 10}  # fmt: skip
    assert (report["by_class"]["A+"]["cents"], report["by_class"]["A+"]["enterprises"]) == (7_000, 1)
    assert [(r["code"], r["cents"], r["enterprises"]) for r in report["by_region"]] == [
        ("BG42", 134_900, 1),
        ("BG33", 7_000, 1),
    ]
    assert report["by_region"][0]["name"]["bg"]

    exported = market.get("/api/v1/impact-report.csv", query_string=year, headers=MARIA)
    assert exported.status_code == 200 and exported.content_type == "text/csv; charset=utf-8"
    content = exported.get_data(as_text=True)
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Група", "Наименование", "Сума (EUR)", "Сума (евроцента)"]
    assert rows[1] == ["Общо", f"{year['from']} – {year['to']}", "1419,00", "141900", "3", "2", "10", "22"]
    assert rows[2][:4] == ["Клас", "A", "1349,00", "134900"] and rows[3][:4] == ["Клас", "A+", "70,00", "7000"]
    assert [row[0] for row in rows[4:]] == ["Регион", "Регион"]

    last_year = {"from": f"{today().year - 1}-01-01", "to": f"{today().year - 1}-12-31"}
    empty = ok(market.get("/api/v1/impact-report", query_string=last_year, headers=MARIA))
    assert empty["total"] == {"cents": 0, "display": "0,00 €", "orders": 0, "enterprises": 0,
                              "vulnerable_staff_total": 0, "staff_count": 0}  # fmt: skip
    assert empty["by_class"]["A"]["cents"] == 0 and empty["by_region"] == []

    backwards = market.get(
        "/api/v1/impact-report", query_string={"from": "2026-05-01", "to": "2026-04-01"}, headers=MARIA
    )
    assert backwards.status_code == 422 and "to" in backwards.json["fields"]
    assert market.get("/api/v1/impact-report", query_string={"from": "май"}, headers=MARIA).status_code == 422
    others = {**year, "buyer_id": "buyer-1"}
    assert market.get("/api/v1/impact-report", query_string=others, headers=IVAN).status_code == 403
    assert ok(market.get("/api/v1/impact-report", query_string=others, headers=ADMIN))["total"]["cents"] == 141_900
    assert ok(market.get("/api/v1/impact-report", headers=IVAN))["total"]["cents"] == 1_400  # this year by default
    assert market.get("/api/v1/impact-report.csv", query_string=year).status_code == 401


def test_favourite_listings_and_sellers(market: FlaskClient, market_db: Database) -> None:
    seller = seed_seller(market_db, name="Пчеларска кооперация Странджа")
    listing = published_listing(market, seller)
    added = ok(market.put(f"/api/v1/favourites/listings/{listing['id']}", headers=MARIA))
    assert added["listing_ids"] == [listing["id"]]
    ok(market.put(f"/api/v1/favourites/listings/{listing['id']}", headers=MARIA))  # twice is once
    ok(market.put(f"/api/v1/favourites/sellers/{seller}", headers=MARIA))
    mine = ok(market.get("/api/v1/favourites", headers=MARIA))
    assert mine["listing_ids"] == [listing["id"]] and mine["seller_ids"] == [seller]
    assert mine["listings"][0]["title"]["bg"] == "Липов мед от Странджа"
    assert mine["sellers"][0]["name"] == "Пчеларска кооперация Странджа"
    assert ok(market.get("/api/v1/favourites", headers=IVAN)) == {"listing_ids": [], "seller_ids": [], "listings": [],
                                                                   "sellers": []}  # fmt: skip

    removed = ok(market.delete(f"/api/v1/favourites/listings/{listing['id']}", headers=MARIA))
    assert removed["listing_ids"] == [] and removed["seller_ids"] == [seller]
    ok(market.delete(f"/api/v1/favourites/listings/{listing['id']}", headers=MARIA))  # already gone: fine
    assert ok(market.delete(f"/api/v1/favourites/sellers/{seller}", headers=MARIA))["seller_ids"] == []

    assert market.put("/api/v1/favourites/listings/nope", headers=MARIA).status_code == 404
    assert market.put("/api/v1/favourites/sellers/nope", headers=MARIA).status_code == 404
    assert market.get("/api/v1/favourites", headers=representative_of(seller)).status_code == 403
    assert market.get("/api/v1/favourites").status_code == 401


def test_open_quotes_follow_the_register(market: FlaskClient, market_db: Database) -> None:
    seller = seed_seller(market_db)
    listing = published_listing(market, seller)
    quote = ask(market, listing["id"])
    offered(market, seller, quote["id"])
    order = ordered(market, listing["id"])
    context = market.application.extensions["marketplace"]
    follow = RegisterFollower(MongoSellers(market_db), context.listings, deals=context.deals)

    deleted = registry_event("EnterpriseDeleted", seller, status="deleted")
    follow(deleted, deleted.payload)
    follow(deleted, deleted.payload)  # a duplicate delivery changes nothing more
    shown = ok(market.get(f"/api/v1/quotes/{quote['id']}", headers=MARIA))
    assert shown["seller_in_good_standing"] is False and shown["state"] == "offered"
    assert ok(market.get(f"/api/v1/orders/{order['id']}", headers=MARIA))["seller_in_good_standing"] is True
    refused = market.post(f"/api/v1/quotes/{quote['id']}/accept", headers=MARIA)
    assert refused.status_code == 409 and "регистъра" in refused.json["message"]["bg"]
    assert market_db[DEALS].find_one({"_id": quote["id"]})["version"] == 3  # requested, offered, marked
    assert (
        market.post("/api/v1/quotes", json={"listing_id": listing["id"], "quantity": 5}, headers=MARIA).status_code
        == 404
    )

    renewed = registry_event("EnterpriseRenewed", seller, status="active")
    follow(renewed, renewed.payload)
    assert ok(market.get(f"/api/v1/quotes/{quote['id']}", headers=MARIA))["seller_in_good_standing"] is True
    assert ok(market.post(f"/api/v1/quotes/{quote['id']}/accept", headers=MARIA))["state"] == "placed"


def test_the_deal_endpoints_are_documented(market: FlaskClient) -> None:
    paths = ok(market.get("/openapi.json"))["paths"]
    assert {
        "/api/v1/quotes",
        "/api/v1/quotes/{deal_id}/accept",
        "/api/v1/orders/{deal_id}/review",
        "/api/v1/listings/{listing_id}/reviews",
        "/api/v1/favourites/sellers/{seller_id}",
        "/api/v1/impact-report.csv",
    } <= set(paths)
    assert {p["name"] for p in paths["/api/v1/impact-report"]["get"]["parameters"]} >= {"from", "to", "buyer_id"}
