"""Search in Bulgarian and Latin: terms, filters, facets, sorting and pages."""

import pytest

from services.marketplace.domain.search import (
    ALL,
    Field,
    SearchKeys,
    SearchRequest,
    Sort,
    category_term,
    district_mask,
    query_words,
    run_search,
    weighted_terms,
)
from shared.errors import InvalidInput


def keys(category: str, districts: list[str], cls: str = "A", price: int | None = 1000, vuln: int = 40, at: int = 0):
    return SearchKeys(category, district_mask(districts), cls, price, vuln, at)


HONEY = weighted_terms({Field.TITLE: ["Липов мед"], Field.DESCRIPTION: ["Мед от Странджа и кошници"]})
BASKETS = weighted_terms({Field.TITLE: ["Koshnitsi ot vrabovi prachki"], Field.SELLER: ["Кооперация Медковец"]})


def test_latin_finds_cyrillic_and_cyrillic_finds_latin_ignoring_case_and_accents() -> None:
    assert query_words("MED") == ["med"] and "med" in HONEY
    assert query_words("кошници") == ["koshnitsi"] and "koshnitsi" in BASKETS
    assert query_words("Ме́д и кошници") == ["koshnitsi", "med"]  # accent and the stopword "и" dropped


def test_prefixes_from_three_letters_in_title_tags_and_seller_but_whole_words_in_the_description() -> None:
    assert HONEY["lip"] == 4 and HONEY["lipov"] == 8 and "li" not in HONEY
    assert "strandzha" in HONEY and "strand" not in HONEY
    assert HONEY["med"] == 8  # the best field wins: the title's whole word
    assert BASKETS["medk"] == 2  # seller name prefix


def postings(request: SearchRequest, index: dict[str, dict[str, int]]):
    return [[index.get(term, {}) for term in group] for group in request.driver_terms()]


INDEX = {
    "med": {"honey": 8, "cake": 1, "basket": 2},
    "koshnitsi": {"basket": 8, "honey": 1},
    category_term("food"): {"honey": 0, "cake": 0},
    ALL: {"honey": 0, "cake": 0, "basket": 0},
}
KEYS = {
    "honey": keys("food.honey", ["BG-02"], "A+", 1250, 60, at=3),
    "cake": keys("food.bakery", ["BG-16", "BG-02"], "A", None, 30, at=2),
    "basket": keys("crafts.basketry", ["BG-07"], "A", 4500, 35, at=1),
}


def test_every_word_must_match_and_relevance_ranks_the_title_first() -> None:
    request = SearchRequest(text="med")
    page = run_search(request, postings(request, INDEX), KEYS)
    assert page.ids == ["honey", "basket", "cake"] and page.total == 3
    both = SearchRequest(text="мед кошници")
    assert run_search(both, postings(both, INDEX), KEYS).ids == ["basket", "honey"]


def test_filters_and_facets_that_ignore_their_own_filter() -> None:
    request = SearchRequest(text="med", category="food", districts=frozenset({"BG-02"}))
    page = run_search(request, postings(request, INDEX), KEYS)
    assert set(page.ids) == {"honey", "cake"}
    assert page.facets["category"] == {"food": 2, "food.honey": 1, "food.bakery": 1}  # basket is not in BG-02
    assert page.facets["region"] == {"BG34": 2, "BG42": 1}  # Burgas and Plovdiv regions, food only
    priced = SearchRequest(text="med", price_max_cents=2000, classes=frozenset({"A+"}), vulnerable_min_percent=50)
    assert run_search(priced, postings(priced, INDEX), KEYS).ids == ["honey"]


def test_sorting_by_price_puts_price_on_request_last_and_newest_first() -> None:
    cheap = SearchRequest(sort=Sort.PRICE_ASC)
    assert run_search(cheap, postings(cheap, INDEX), KEYS).ids == ["honey", "basket", "cake"]
    dear = SearchRequest(sort=Sort.PRICE_DESC)
    assert run_search(dear, postings(dear, INDEX), KEYS).ids == ["basket", "honey", "cake"]
    newest = SearchRequest(sort=Sort.NEWEST, category="food")
    assert run_search(newest, postings(newest, INDEX), KEYS).ids == ["honey", "cake"]


def test_cursor_pages_walk_the_whole_result_once() -> None:
    seen, cursor = [], None
    while True:
        request = SearchRequest(text="med", limit=2, cursor=cursor)
        page = run_search(request, postings(request, INDEX), KEYS)
        assert page.total == 3
        seen += page.ids
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["honey", "basket", "cake"]


@pytest.mark.parametrize("cursor", ["not-base64!", "bnVsbA==", "WyJ4IiwgMV0="])
def test_a_made_up_cursor_is_a_clear_error_naming_the_field(cursor: str) -> None:
    request = SearchRequest(text="med", cursor=cursor)
    with pytest.raises(InvalidInput) as error:
        run_search(request, postings(request, INDEX), KEYS)
    assert "cursor" in error.value.fields


def test_a_listing_whose_keys_are_unknown_is_left_out() -> None:
    request = SearchRequest(text="med")
    assert run_search(request, postings(request, INDEX), {"honey": KEYS["honey"]}).ids == ["honey"]
