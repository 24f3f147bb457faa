"""How values read in a document, per language ('kk' or 'ru'): amounts, quantities, dates,
country, currency and unit names. (Words are the templates' own: kzdocs.words.)

Numbers are grouped with Babel's locale data. Kazakh and Russian both group with a no-break
space (U+00A0) and use a decimal comma; kzdocs keeps the no-break space, so an amount never
splits across lines in HTML, PDF or DOCX (compare text with the space normalised).

>>> amount(Decimal("125000"), "kk").replace("\\xa0", " ")
'125 000,00'
>>> country("CN", "kk"), country("CN", "ru")
('Қытай (CN)', 'Китай (CN)')
"""

from __future__ import annotations

from datetime import date as Date
from datetime import datetime as DateTime
from datetime import timedelta, timezone
from decimal import Decimal

from babel.numbers import format_decimal

from kzdocs import classifiers
from kzdocs.errors import UnsupportedFormatError
from kzdocs.forms import LANGS

# Kazakhstan has kept one time zone, UTC+5, since 1 March 2024; signing times are shown in it.
ASTANA = timezone(timedelta(hours=5), "Asia/Astana")

_AMOUNT = "#,##0.00"
_QUANTITY = "#,##0.#####"  # up to 5 decimals (the schema's limit), trailing zeros dropped


def check_lang(lang: object) -> str:
    """The language if kzdocs writes documents in it, else `UnsupportedFormatError`."""
    if lang not in LANGS:
        raise UnsupportedFormatError(f"language must be one of {', '.join(LANGS)}, got {lang!r}")
    return lang  # type: ignore[return-value]


def amount(value: Decimal, lang: str) -> str:
    """An amount with 2 decimals, grouped per locale.

    >>> amount(Decimal("1234567.5"), "ru").replace("\\xa0", " ")
    '1 234 567,50'
    """
    return format_decimal(value, format=_AMOUNT, locale=check_lang(lang))


def quantity(value: Decimal, lang: str) -> str:
    """A quantity, grouped per locale, up to 5 decimals without trailing zeros.

    >>> quantity(Decimal("500"), "kk"), quantity(Decimal("12.50000"), "ru")
    ('500', '12,5')
    >>> quantity(Decimal("1000.00001"), "kk").replace("\\xa0", " ")
    '1 000,00001'
    """
    return format_decimal(value, format=_QUANTITY, locale=check_lang(lang))


def date(value: Date) -> str:
    """A date as DD.MM.YYYY, the same in both languages.

    >>> date(Date(2026, 3, 2))
    '02.03.2026'
    """
    return f"{value.day:02d}.{value.month:02d}.{value.year:04d}"


def astana_time(value: DateTime) -> str:
    """An aware moment as DD.MM.YYYY HH:MM in Astana time (UTC+5).

    >>> astana_time(DateTime(2026, 3, 2, 4, 30, tzinfo=timezone.utc))
    '02.03.2026 09:30'
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"a signing time must carry its time zone, got {value.isoformat()!r}")
    local = value.astimezone(ASTANA)
    return f"{date(local.date())} {local.hour:02d}:{local.minute:02d}"


def country(code: str, lang: str) -> str:
    """A country's name in the language, followed by its ISO 3166 code.

    >>> country("KZ", "kk")
    'Қазақстан (KZ)'
    """
    return f"{classifiers.country_name(code, check_lang(lang))} ({code})"


def currency(code: str, lang: str) -> str:
    """A currency's name in the language, followed by its ISO 4217 code.

    >>> currency("USD", "kk"), currency("USD", "ru")
    ('АҚШ доллары (USD)', 'доллар США (USD)')
    """
    return f"{classifiers.currency_name(code, check_lang(lang))} ({code})"


def unit(code: str, lang: str) -> str:
    """A unit of the EAEU classifier: its name in the language, followed by its code.

    >>> unit("168", "kk"), unit("715", "ru")
    ('тонна (168)', 'пара (715)')
    """
    return f"{classifiers.units()[code].name[check_lang(lang)]} ({code})"
