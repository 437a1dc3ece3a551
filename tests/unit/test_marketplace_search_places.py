"""Place names in a search query narrow by district; category names are terms of a listing."""

from services.marketplace.domain.search import Field, SearchRequest, split_places, weighted_terms


def test_district_names_in_either_script_are_taken_out_of_the_words_and_narrow_by_place() -> None:
    assert split_places("мляко Габрово") == ("mlyako", frozenset({"BG-07"}))
    assert split_places("med Veliko Tarnovo") == ("med", frozenset({"BG-04"}))
    assert split_places("Стара Загора сирене") == ("sirene", frozenset({"BG-24"}))
    assert split_places("София") == ("", frozenset({"BG-22", "BG-23"}))  # the capital and the province
    assert split_places("София (столица)") == ("", frozenset({"BG-22"}))
    assert split_places("стара къща") == ("stara kashta", frozenset())  # "стара" alone is no place


def test_a_request_with_a_place_asks_only_for_the_other_words_or_for_the_districts_postings() -> None:
    assert SearchRequest(text="мляко Габрово").words == ["mlyako"]
    assert SearchRequest(text="Габрово").driver_terms() == [["d:BG-07", "s:BG-07"]]


def test_a_municipality_or_a_town_narrows_to_its_district() -> None:
    assert split_places("мляко Трявна") == ("mlyako", frozenset({"BG-07"}))
    assert split_places("med tryavna") == ("med", frozenset({"BG-07"}))


def test_category_names_are_terms_with_prefixes() -> None:
    terms = weighted_terms({Field.CATEGORY: ["Керамика", "Ceramics"]})
    assert terms["keramika"] == 5 and terms["keram"] == 2 and terms["ceramics"] == 5
