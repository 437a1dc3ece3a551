from services.marketplace.domain.seller import Seller

PAYLOAD = {
    "enterprise_id": "e-1",
    "registration_number": "СП-00007",
    "name": "Кооперация „Родопа“",
    "enterprise_class": "A+",
    "status": "active",
    "district": "BG-21",
    "region": "BG42",
    "centre": "plovdiv",
    "certificate": {"valid_until": "2028-03-01"},
    "staff_count": 12,
    "vulnerable_staff_total": 5,
    "contact_email": "office@rodopa.example.bg",
}


def test_only_an_active_entry_may_sell() -> None:
    assert Seller.from_registry(PAYLOAD).in_good_standing
    assert not Seller.from_registry(PAYLOAD | {"status": "expired"}).in_good_standing
    assert not Seller.from_registry(PAYLOAD | {"status": "deleted"}).in_good_standing


def test_share_of_staff_from_vulnerable_groups() -> None:
    assert round(Seller.from_registry(PAYLOAD).vulnerable_staff_share, 3) == 0.417
    assert Seller.from_registry(PAYLOAD | {"staff_count": 0, "vulnerable_staff_total": 0}).vulnerable_staff_share == 0
