import pytest

from shared.bg.identifiers import is_valid_egn, is_valid_eik


@pytest.mark.parametrize("eik", ["020469788", "175074752", "131071587", "1213961230342"])
def test_valid_eik_numbers_from_the_register_are_accepted(eik: str) -> None:
    assert is_valid_eik(eik)


@pytest.mark.parametrize(
    "eik",
    ["123456789", "1234567891234", "17507475", "1750747520", "17507475a", "", "１７５０７４７５２", "175074753"],
)
def test_wrong_check_digit_length_or_characters_are_refused(eik: str) -> None:
    assert not is_valid_eik(eik)


def test_second_weights_are_used_when_the_first_sum_gives_ten() -> None:
    # 00000001 → first weighted sum 8 ≠ 10; build one whose first sum is 10: d8 with weight 8 → 10 needs mixed digits
    candidates = [f"{n:08d}" for n in range(10**5, 10**5 + 2000)]
    tens = [c for c in candidates if sum(int(d) * w for d, w in zip(c, range(1, 9), strict=True)) % 11 == 10]
    assert tens, "the sample must contain a first-sum-ten prefix"
    prefix = tens[0]
    second = sum(int(d) * w for d, w in zip(prefix, range(3, 11), strict=True)) % 11
    check = 0 if second == 10 else second
    assert is_valid_eik(prefix + str(check))
    assert not is_valid_eik(prefix + str((check + 1) % 10))


def test_personal_number_check() -> None:
    assert is_valid_egn("7501010010")
    assert not is_valid_egn("7501010011")
    assert not is_valid_egn("7513010014")  # month 13
