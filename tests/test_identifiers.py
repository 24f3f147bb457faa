"""BIN / IIN: the check digit of FORMS.md, both passes, and BIN versus IIN."""

from __future__ import annotations

import pytest

from kzdocs.identifiers import bin_iin_problem, check_digit, is_bin, is_iin

# Valid numbers: the three of FORMS.md and the ones the fixtures use.
VALID = [
    "150440000013",  # BIN, FORMS.md
    "900115300013",  # IIN, FORMS.md
    "900115300401",  # IIN, FORMS.md, needs the second pass
    "990340001230",
    "051240004566",
    "110640007893",
    "020440003319",
    "120140009873",
    "071040005550",
    "161050000424",
    "850723400112",
    "781103500224",
    "920302401038",
]


def _first_pass(first11: str) -> int:
    return sum(int(d) * i for i, d in enumerate(first11, start=1)) % 11


@pytest.mark.parametrize("number", VALID)
def test_valid_numbers_have_no_problem(number):
    assert bin_iin_problem(number) is None
    assert check_digit(number[:11]) == int(number[11])


def test_first_pass_is_the_weighted_sum_by_position():
    # 1·1 + 2·5 + 3·0 + 4·4 + 5·4 + 6·0 + … + 11·1 = 58; 58 mod 11 = 3
    assert _first_pass("15044000001") == 3
    assert check_digit("15044000001") == 3


def test_second_pass_when_the_first_gives_ten():
    # 9·1 + 1·4 + 1·5 + 5·6 + 3·7 + 4·10 = 109 ≡ 10 (mod 11): the first pass fails
    assert _first_pass("90011530040") == 10
    # weights 3,4,5,6,7,8,9,10,11,1,2: 9·3 + 1·6 + 1·7 + 5·8 + 3·9 + 4·1 = 111 ≡ 1 (mod 11)
    assert check_digit("90011530040") == 1
    assert bin_iin_problem("900115300401") is None
    assert bin_iin_problem("900115300400") == (
        "bin_iin_checksum",
        "must have a valid check digit (12th digit)",
    )


def test_still_ten_after_the_second_pass_means_no_valid_number():
    first11 = "90011530120"
    assert _first_pass(first11) == 10
    assert check_digit(first11) is None
    for last in "0123456789":
        assert bin_iin_problem(first11 + last) == (
            "bin_iin_checksum",
            "must have a valid check digit (12th digit)",
        )


@pytest.mark.parametrize("number", VALID)
def test_any_other_last_digit_is_refused(number):
    for last in set("0123456789") - {number[11]}:
        assert bin_iin_problem(number[:11] + last)[0] == "bin_iin_checksum"


@pytest.mark.parametrize(
    "value",
    [
        "15044000001",
        "1504400000130",
        "15044000001a",
        "１５０４４００００００１３",
        "",
        None,
        150440000013,
    ],
)
def test_format_is_twelve_ascii_digits_as_a_string(value):
    assert bin_iin_problem(value) == ("bin_iin_format", "must be 12 digits")


@pytest.mark.parametrize("fifth", "789")
def test_fifth_digit_7_to_9_is_neither_bin_nor_iin(fifth):
    first11 = f"1504{fifth}000001"
    number = first11 + str(check_digit(first11) or 0)
    assert bin_iin_problem(number)[0] == "bin_iin_format"
    assert "5th digit" in bin_iin_problem(number)[1]


@pytest.mark.parametrize(
    ("number", "bin_"),
    [
        ("150440000013", True),
        ("161050000424", True),
        ("900115300013", False),
        ("781103500224", False),
        ("920302401038", False),
    ],
)
def test_fifth_digit_tells_bin_from_iin(number, bin_):
    assert is_bin(number) is bin_
    assert is_iin(number) is not bin_


@pytest.mark.parametrize("first11", ["1504400000", "150440000013", "1504400000a", ""])
def test_check_digit_needs_eleven_digits(first11):
    with pytest.raises(ValueError, match="first 11 digits"):
        check_digit(first11)
