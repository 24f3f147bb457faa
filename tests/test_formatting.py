"""How values read in Kazakh and Russian documents."""

import doctest
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from kzdocs import formatting
from kzdocs.errors import UnsupportedFormatError


def _spaces(text: str) -> str:
    return text.replace("\xa0", " ")


def test_doctests_pass():
    assert doctest.testmod(formatting).failed == 0


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("125000.00", "125 000,00"),
        ("125000", "125 000,00"),
        ("0", "0,00"),
        ("0.5", "0,50"),
        ("999.99", "999,99"),
        ("234320.55", "234 320,55"),
        ("123456789012345.99", "123 456 789 012 345,99"),
    ],
)
def test_amounts_have_two_decimals_grouped_with_no_break_spaces(lang, value, expected):
    text = formatting.amount(Decimal(value), lang)
    assert _spaces(text) == expected
    assert " " not in text  # grouping uses U+00A0, so an amount never breaks across lines


@pytest.mark.parametrize("lang", ["kk", "ru"])
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("500", "500"),
        ("1250.750", "1 250,75"),
        ("0.00001", "0,00001"),
        ("240000", "240 000"),
        ("12.50000", "12,5"),
    ],
)
def test_quantities_keep_up_to_five_decimals(lang, value, expected):
    assert _spaces(formatting.quantity(Decimal(value), lang)) == expected


def test_dates_read_day_month_year():
    assert formatting.date(date(2026, 3, 2)) == "02.03.2026"
    assert formatting.date(date(1999, 12, 31)) == "31.12.1999"


def test_signing_time_is_shown_in_astana_time():
    utc = datetime(2026, 3, 1, 20, 15, 59, tzinfo=UTC)
    assert formatting.astana_time(utc) == "02.03.2026 01:15"
    moscow = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=3)))
    assert formatting.astana_time(moscow) == "02.03.2026 11:00"


def test_a_naive_signing_time_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        formatting.astana_time(datetime(2026, 3, 2, 9, 0))


@pytest.mark.parametrize(
    ("code", "kk", "ru"),
    [("CN", "Қытай (CN)", "Китай (CN)"), ("KZ", "Қазақстан (KZ)", "Казахстан (KZ)")],
)
def test_countries_read_name_and_code(code, kk, ru):
    assert (formatting.country(code, "kk"), formatting.country(code, "ru")) == (kk, ru)


def test_currencies_read_name_and_code():
    assert formatting.currency("USD", "kk") == "АҚШ доллары (USD)"
    assert formatting.currency("USD", "ru") == "доллар США (USD)"
    assert formatting.currency("KZT", "ru") == "тенге (KZT)"


def test_units_read_name_and_code_of_the_eaeu_classifier():
    assert formatting.unit("168", "kk") == "тонна (168)"
    assert formatting.unit("715", "kk") == "жұп (715)"
    assert formatting.unit("715", "ru") == "пара (715)"
    assert formatting.unit("166", "ru") == "килограмм (166)"


@pytest.mark.parametrize("lang", ["en", "KK", "", None, "kz"])
def test_an_unknown_language_is_refused(lang):
    with pytest.raises(UnsupportedFormatError, match="language must be one of kk, ru"):
        formatting.amount(Decimal("1"), lang)
