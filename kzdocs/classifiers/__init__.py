"""Classifiers a record's codes come from: countries and currencies (CLDR via Babel, named as
the EAEU classifiers name them where a shipped override table says so), units of measure (a
shipped table of the EAEU classifier)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files

from babel import Locale
from babel.numbers import get_territory_currencies

from kzdocs.forms import Label

# CLDR territory codes that are not ISO 3166-1 alpha-2 countries: groupings, reserved and
# user-assigned codes.
_NOT_COUNTRIES = frozenset(
    {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}
)

# The day whose legal tender counts as "in use". Babel would take today, so a record valid today
# could be refused next year and the JSON Schema's enum would drift from one run to the next;
# pinned, the set changes only with the CLDR data (babel==2.18.0 in pyproject.toml). Move it on
# deliberately, with the Babel pin, when CLDR records a currency change.
CURRENCIES_AS_OF = date(2026, 1, 1)


@dataclass(frozen=True)
class Unit:
    code: str
    name: Label
    short: Label


@cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


@cache
def countries() -> frozenset[str]:
    """ISO 3166 alpha-2 codes that CLDR names in both Kazakh and Russian."""
    kk, ru = _locale("kk").territories, _locale("ru").territories
    return frozenset(
        code
        for code in _locale("en").territories
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
        and code in kk and code in ru
    )  # fmt: skip


@cache
def currencies() -> frozenset[str]:
    """ISO 4217 codes of the currencies legal tender somewhere on CURRENCIES_AS_OF (CLDR)."""
    return frozenset(
        code
        for country in countries()
        for code in get_territory_currencies(country, start_date=CURRENCIES_AS_OF)
    )


@cache
def units() -> dict[str, Unit]:
    """The shipped table of the EAEU classifier of units of measure, by code."""
    text = files("kzdocs.classifiers").joinpath("units.csv").read_text(encoding="utf-8")
    return {
        row["code"]: Unit(
            row["code"],
            Label(row["kk_name"], row["ru_name"]),
            Label(row["kk_short"], row["ru_short"]),
        )
        for row in csv.DictReader(io.StringIO(text))
    }


@dataclass(frozen=True)
class OfficialName:
    """A name the documents use instead of CLDR's, and what it rests on."""

    name: Label
    source: str


@cache
def official_names() -> dict[tuple[str, str], OfficialName]:
    """The shipped override table `names.csv`: ("country" | "currency", code) → the names of
    the EAEU classifiers used on customs documents, over CLDR's (docs/forms-ledger.md)."""
    text = files("kzdocs.classifiers").joinpath("names.csv").read_text(encoding="utf-8")
    return {
        (row["kind"], row["code"]): OfficialName(Label(row["kk"], row["ru"]), row["source"])
        for row in csv.DictReader(io.StringIO(text))
    }


def country_name(code: str, lang: str) -> str:
    """The country's name in the language: the override table's, else CLDR's.

    >>> country_name("CN", "kk"), country_name("KG", "ru")
    ('Қытай', 'Кыргызстан')
    """
    official = official_names().get(("country", code))
    return official.name[lang] if official else _locale(lang).territories.get(code, code)


def currency_name(code: str, lang: str) -> str:
    """The currency's name in the language: the override table's, else CLDR's, else the code.

    >>> currency_name("USD", "ru"), currency_name("KZT", "ru")
    ('доллар США', 'тенге')
    """
    official = official_names().get(("currency", code))
    return official.name[lang] if official else _locale(lang).currencies.get(code, code)
