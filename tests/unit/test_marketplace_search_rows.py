"""A worker's table of listing keys finds each listing's row by its id, also ids with equal hashes."""

import pytest

from services.marketplace.domain import search
from services.marketplace.domain.search import KeyTable, SearchKeys, district_mask


def keys(category: str, price: int | None = 1000) -> SearchKeys:
    return SearchKeys(
        category, district_mask(["BG-03", "BG-22"]), "A", price, 100, 1_790_000_000, district_mask(["BG-28"])
    )


def test_ids_with_equal_hashes_loaded_then_added_each_find_their_own_keys_and_posting_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "hash", lambda listing_id: 7, raising=False)
    loaded = [f"l{n}" for n in range(50)]
    table = KeyTable.load((i, keys(f"cat-{n % 3}", 100 * n).encode()) for n, i in enumerate(loaded))
    added = [f"new{n}" for n in range(50)]
    for n, listing_id in enumerate(added):
        table.put(listing_id, keys("honey", None if n % 2 else 5 * n))

    assert [table[i].price_cents for i in loaded] == [100 * n for n in range(50)]
    assert [table[i].category for i in loaded] == [f"cat-{n % 3}" for n in range(50)]
    assert [table[i].price_cents for i in added] == [None if n % 2 else 5 * n for n in range(50)]
    assert table["l7"] == keys("cat-1", 700) and "l50" not in table and len(table) == 100

    rows, weights = table.rows_of({added[3]: 2, loaded[9]: 8, "unseen": 1})
    assert rows.tolist() == sorted(rows.tolist()) and sorted(weights.tolist()) == [1, 2, 8]
    assert "unseen" not in table  # given a row, absent until its keys are put


def test_keys_too_wide_for_their_column_are_refused_not_cut() -> None:
    table = KeyTable()
    with pytest.raises(OverflowError):
        table.put("x", SearchKeys("honey", 0, "A", 1000, 300, 0))
    table.put("y", SearchKeys("honey", 0, "A", 2**40, 100, 2**40))
    assert table["y"].price_cents == 2**40 and table["y"].published_at == 2**40
