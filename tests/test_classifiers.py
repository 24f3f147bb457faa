"""Classifiers: the shipped units table, countries and currencies from CLDR."""

from __future__ import annotations

import re
from datetime import date, datetime
from types import SimpleNamespace

import babel.numbers
import pytest
from babel.numbers import get_territory_currencies

from kzdocs import classifiers
from kzdocs.classifiers import country_name, currency_name, units
from kzdocs.schema import json_schema

LATIN = re.compile(r"[A-Za-z]")

# FORMS.md, field 14, and the units the fixtures use: code → (ru short, kk short).
FORMS_UNITS = {
    "166": ("кг", "кг"),
    "168": ("т", "т"),
    "163": ("г", "г"),
    "162": ("кар", "кар"),
    "796": ("шт", "дана"),
    "715": ("пар", "жұп"),
    "112": ("л", "л"),
    "113": ("м³", "м³"),
    "006": ("м", "м"),
    "055": ("м²", "м²"),
    "778": ("упак", "қапт"),
    "839": ("компл", "жиынт"),
    "831": ("л 100 % спирта", "100 % спирт л"),
}


def test_the_table_has_at_least_30_units():
    assert len(units()) >= 30


def test_unit_codes_are_three_digits_and_unique():
    assert all(re.fullmatch(r"\d{3}", code) for code in units())
    assert all(unit.code == code for code, unit in units().items())


@pytest.mark.parametrize("code", sorted(units()))
def test_every_unit_is_named_in_kk_and_ru(code):
    unit = units()[code]
    for label in (unit.name, unit.short):
        assert label.kk.strip() and label.ru.strip()
        assert not LATIN.search(label.kk + label.ru), label  # Cyrillic only: і, not i
    assert unit.name["kk"] == unit.name.kk and unit.name["ru"] == unit.name.ru


@pytest.mark.parametrize(("code", "short"), sorted(FORMS_UNITS.items()))
def test_units_of_the_forms(code, short):
    unit = units()[code]
    assert (unit.short.ru, unit.short.kk) == short


@pytest.mark.parametrize(
    ("code", "ru", "kk"),
    [
        ("166", "килограмм", "килограмм"),
        ("796", "штука", "дана"),
        ("715", "пара", "жұп"),
        ("831", "литр чистого (100 %) спирта", "таза (100 %) спирт литрі"),
        ("162", "метрический карат", "метрлік карат"),
    ],
)
def test_unit_full_names(code, ru, kk):
    assert (units()[code].name.ru, units()[code].name.kk) == (ru, kk)


def test_countries_are_iso_alpha2_codes():
    codes = classifiers.countries()
    assert 240 <= len(codes) <= 260
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in codes)


@pytest.mark.parametrize("code", ["KZ", "RU", "CN", "UZ", "KG", "TJ", "TM", "BY", "AM", "TR"])
def test_neighbours_and_partners_are_countries(code):
    assert code in classifiers.countries()


@pytest.mark.parametrize("code", ["SU", "YU", "CS", "XK", "EU", "UN", "EZ", "ZZ", "QO", "kz"])
def test_historic_reserved_and_grouping_codes_are_not_countries(code):
    assert code not in classifiers.countries()


@pytest.mark.parametrize(
    ("code", "kk", "ru"),
    [
        ("KZ", "Қазақстан", "Казахстан"),
        ("RU", "Ресей", "Россия"),
        ("CN", "Қытай", "Китай"),
        ("UZ", "Өзбекстан", "Узбекистан"),
        ("CH", "Швейцария", "Швейцария"),
    ],
)
def test_country_names_in_both_languages(code, kk, ru):
    assert (country_name(code, "kk"), country_name(code, "ru")) == (kk, ru)


@pytest.mark.parametrize("code", sorted(classifiers.countries()))
def test_every_country_has_a_name_in_both_languages(code):
    assert country_name(code, "kk") != code
    assert country_name(code, "ru") != code


def test_currencies_are_iso_alpha3_codes_in_use():
    codes = classifiers.currencies()
    assert 140 <= len(codes) <= 170
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in codes)
    assert {"KZT", "RUB", "USD", "EUR", "CNY", "BYN", "KGS", "UZS", "CHF"} <= codes
    assert not {"RUR", "BYR", "DEM", "XAU", "XDR", "SUR"} & codes


def test_currencies_in_use_are_those_of_the_pinned_day_not_of_today():
    assert classifiers.CURRENCIES_AS_OF.isoformat() == "2026-01-01"
    on_the_day = {
        code
        for country in classifiers.countries()
        for code in get_territory_currencies(country, start_date=date(2026, 1, 1))
    }
    assert classifiers.currencies() == on_the_day
    # Curaçao and Sint Maarten's guilder (XCG) replaced the Antillean one (ANG) in 2025.
    assert "XCG" in classifiers.currencies() and "ANG" not in classifiers.currencies()


@pytest.mark.parametrize("today", [date(2024, 1, 1), date(2026, 1, 1), date(2031, 6, 30)])
def test_currencies_in_use_do_not_depend_on_the_day_they_are_asked(monkeypatch, today):
    class Today(date):
        @classmethod
        def today(cls) -> date:
            return today

    # Babel's own clock, the default it would fall back on; nothing of kzdocs is replaced.
    monkeypatch.setattr(babel.numbers, "datetime", SimpleNamespace(date=Today, datetime=datetime))
    assert babel.numbers.get_territory_currencies("CW") == (
        ["ANG"] if today.year < 2025 else ["XCG"]
    )
    assert classifiers.currencies.__wrapped__() == classifiers.currencies()


def test_the_json_schema_enum_of_currencies_is_the_pinned_set():
    enum = json_schema("license-export")["properties"]["currency"]["enum"]
    assert enum == sorted(classifiers.currencies())


@pytest.mark.parametrize(
    ("code", "kk", "ru"),
    [
        ("KZT", "теңге", "тенге"),  # the override table (issue 15), not CLDR
        ("USD", "АҚШ доллары", "доллар США"),
        ("RUB", "Ресей рублі", "российский рубль"),
    ],
)
def test_currency_names_in_both_languages(code, kk, ru):
    assert (currency_name(code, "kk"), currency_name(code, "ru")) == (kk, ru)
