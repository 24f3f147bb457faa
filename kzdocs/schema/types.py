"""Field types of the record contract: each parses one JSON value or names the rule it breaks.

Every rule raises `PydanticCustomError(rule, message)`; the rule is the machine-readable name
that `kzdocs validate --json` reports, the message states the rule and the value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from kzdocs import classifiers
from kzdocs.fonts import unprintable
from kzdocs.identifiers import bin_iin_problem
from kzdocs.messages import N_, Message, got

LANGS = ("kk", "ru")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# Characters a reader cannot see: zero-width spaces and joiners, direction marks, embeddings,
# overrides and isolates (U+202E shows a name reversed), word joiners, the byte order mark, the
# soft hyphen and the combining grapheme joiner (the page and the signed value would differ).
_INVISIBLE = re.compile(r"[\u00ad\u034f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
_LINE_END = re.compile(r"\r\n?")
# Digits are written [0-9], never \d: in Python \d also matches Arabic-Indic, full-width and
# other Unicode digits, which int() and Decimal() accept but the XSD and the documents do not.
_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MAX_INTEGER_DIGITS = 15


def broken(rule: str, message: str, value: Any, **params: Any) -> PydanticCustomError:
    """The error for a broken rule, quoting the offending value exactly as given: `message` is
    the English msgid (with `{name}` placeholders for `params`), translated on demand."""
    return rule_error(rule, got(Message(message, tuple(params.items())), repr(value)))


def rule_error(rule: str, said: Message) -> PydanticCustomError:
    """A pydantic error of a kzdocs rule that carries its Message (kk, ru, en) in its context;
    pydantic's own text is the English one."""
    return PydanticCustomError(rule, "{message}", {"message": said})


@dataclass(frozen=True)
class Text:
    """Free text in both languages; a plain string stands for both."""

    kk: str
    ru: str

    def __getitem__(self, lang: str) -> str:
        return self.ru if lang == "ru" else self.kk

    @property
    def same(self) -> bool:
        return self.kk == self.ru


def _string(value: Any, max_length: int, lang: str = "") -> str:
    def text_broken(rule: str, message: str, shown: Any, **params: Any) -> PydanticCustomError:
        if lang:  # which language of a {"kk": …, "ru": …} text: the code reads the same in all
            params = {"lang": lang, "said": Message(message, tuple(params.items()))}
            message = "{lang}: {said}"
        return broken(rule, message, shown, **params)

    if not isinstance(value, str):
        raise text_broken("text_type", N_("must be a string"), value)
    value = _LINE_END.sub("\n", value)  # CRLF and CR line ends from Windows and old Mac systems
    if not _INVISIBLE.sub("", value).strip():
        raise text_broken("text_empty", N_("must not be empty"), value)
    if len(value) > max_length:
        raise text_broken("text_too_long", TOO_LONG, value[:40] + "…", max_length=max_length)
    if _CONTROL.search(value):
        raise text_broken("text_control_chars", N_("must not contain control characters"), value)
    invisible = _INVISIBLE.findall(value)
    if invisible:
        shown = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in invisible))
        message = N_("must not contain invisible or direction-changing characters ({characters})")
        raise text_broken("text_invisible_chars", message, value, characters=shown)
    missing = unprintable(value)
    if missing:
        message = N_("must use characters the document font prints; cannot print {characters}")
        raise text_broken("text_unprintable", message, value, characters=repr(missing))
    return value.strip()


TOO_LONG = N_("must be at most {max_length} characters")


def _text(max_length: int):
    def parse(value: Any) -> Text:
        if isinstance(value, Text):
            return value
        if isinstance(value, dict):
            if set(value) != set(LANGS):
                raise broken(
                    "text_languages", N_("must be a string or an object with keys kk and ru"), value
                )
            return Text(*(_string(value[lang], max_length, lang) for lang in LANGS))
        text = _string(value, max_length)
        return Text(text, text)

    return parse


def _dump_text(text: Text) -> str | dict[str, str]:
    return text.kk if text.same else {"kk": text.kk, "ru": text.ru}


def _text_schema(max_length: int) -> dict[str, Any]:
    string = {"type": "string", "minLength": 1, "maxLength": max_length}
    localized = {
        "type": "object",
        "properties": {"kk": string, "ru": string},
        "required": list(LANGS),
        "additionalProperties": False,
    }
    return {"anyOf": [string, localized]}


def FreeText(max_length: int) -> Any:
    """A free-text type: a string, or `{"kk": …, "ru": …}`, at most `max_length` characters."""
    return Annotated[
        Text,
        PlainValidator(_text(max_length)),
        PlainSerializer(_dump_text),
        WithJsonSchema(_text_schema(max_length)),
    ]


def _plain_string(pattern: str, max_length: int, rule: str, what: str):
    compiled = re.compile(pattern)

    def parse(value: Any) -> str:
        if not isinstance(value, str) or not compiled.fullmatch(value):
            raise broken(rule, what, value)
        if len(value) > max_length:
            raise broken(rule, TOO_LONG, value, max_length=max_length)
        return value

    return parse


def _iso_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise broken("date_format", N_("must be a date YYYY-MM-DD"), value)
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise broken("date_invalid", N_("must be a real calendar date"), value) from None
    if not 1991 <= parsed.year <= 2100:
        raise broken("date_range", N_("must be between 1991 and 2100"), value)
    return parsed


def parse_date(value: Any) -> date | None:
    """The date a raw value stands for, or None where it is not one (its own error says why)."""
    try:
        return _iso_date(value)
    except PydanticCustomError:
        return None


def _decimal(value: Any, rule_prefix: str) -> Decimal:
    if isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        text = repr(value) if isinstance(value, int) else str(value)
    elif isinstance(value, str):
        text = value
    else:
        raise broken(f"{rule_prefix}_format", N_("must be a decimal number"), value)
    if not _DECIMAL.fullmatch(text):
        raise broken(f"{rule_prefix}_format", N_("must be a decimal number like 125000.00"), value)
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise broken(f"{rule_prefix}_format", N_("must be a decimal number"), value) from None
    if number.adjusted() >= _MAX_INTEGER_DIGITS:
        raise broken(
            f"{rule_prefix}_too_large",
            N_("must have at most {digits} integer digits"),
            value,
            digits=_MAX_INTEGER_DIGITS,
        )
    return number


def _places(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _amount(value: Any) -> Decimal:
    number = _decimal(value, "amount")
    if number < 0 or number.is_signed():  # "-0.00" is no amount either
        raise broken("amount_negative", N_("must be 0 or more"), value)
    if _places(number) > 2:
        raise broken("amount_decimals", N_("must have at most 2 decimal places"), value)
    return number


def _quantity(value: Any) -> Decimal:
    number = _decimal(value, "quantity")
    if number <= 0:
        raise broken("quantity_positive", N_("must be more than 0"), value)
    if _places(number) > 5:
        raise broken("quantity_decimals", N_("must have at most 5 decimal places"), value)
    return number


def _code_in(rule: str, what: str, known):
    def parse(value: Any) -> str:
        if not isinstance(value, str) or value not in known():
            raise broken(rule, what, value)
        return value

    return parse


def _bin_iin(value: Any) -> str:
    problem = bin_iin_problem(value)
    if problem:
        raise broken(*problem, value)
    return value


def _hs_code(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{10}", value):
        raise broken("hs_code_format", N_("must be 10 digits"), value)
    chapter = int(value[:2])
    if not 1 <= chapter <= 97 or chapter == 77:
        raise broken("hs_code_chapter", N_("must be in chapters 01–97 except 77"), value)
    return value


def _decimal_schema(pattern: str, bound: dict[str, int], description: str) -> dict[str, Any]:
    return {
        "anyOf": [{"type": "string", "pattern": pattern}, {"type": "number", **bound}],
        "description": description,
    }


Amount = Annotated[
    Decimal,
    PlainValidator(_amount),
    PlainSerializer(lambda d: format(d, "f")),
    WithJsonSchema(
        _decimal_schema(
            r"^[0-9]{1,15}(\.[0-9]{1,2})?$", {"minimum": 0}, "amount ≥ 0, at most 2 decimals"
        )
    ),
]
Quantity = Annotated[
    Decimal,
    PlainValidator(_quantity),
    PlainSerializer(lambda d: format(d, "f")),
    WithJsonSchema(
        _decimal_schema(
            # the lookahead rules out zero written in any way
            r"^(?!0*(\.0*)?$)[0-9]{1,15}(\.[0-9]{1,5})?$",
            {"exclusiveMinimum": 0},
            "quantity > 0, at most 5 decimals",
        )
    ),
]
IsoDate = Annotated[
    date,
    PlainValidator(_iso_date),
    PlainSerializer(lambda d: d.isoformat()),
    WithJsonSchema(
        {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
    ),
]
Country = Annotated[
    str,
    PlainValidator(
        _code_in(
            "country_code", N_("must be an ISO 3166 alpha-2 country code"), classifiers.countries
        )
    ),
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(classifiers.countries()),
            "description": "ISO 3166 alpha-2",
        }
    ),
]
Currency = Annotated[
    str,
    PlainValidator(
        _code_in("currency_code", N_("must be an ISO 4217 currency code"), classifiers.currencies)
    ),
    WithJsonSchema(
        {
            "type": "string",
            "enum": sorted(classifiers.currencies()),
            "description": "ISO 4217 alpha-3",
        }
    ),
]
UnitCode = Annotated[
    str,
    PlainValidator(
        _code_in(
            "unit_code", N_("must be a code of the EAEU classifier of units"), classifiers.units
        )
    ),
    WithJsonSchema({"type": "string", "enum": sorted(classifiers.units())}),
]
BinIin = Annotated[
    str,
    PlainValidator(_bin_iin),
    WithJsonSchema({"type": "string", "pattern": r"^[0-9]{12}$", "description": "BIN or IIN"}),
]
HsCode = Annotated[
    str,
    PlainValidator(_hs_code),
    WithJsonSchema(
        {"type": "string", "pattern": r"^(0[1-9]|[1-6][0-9]|7[0-68-9]|8[0-9]|9[0-7])[0-9]{8}$"}
    ),
]
Phone = Annotated[
    str,
    PlainValidator(
        _plain_string(
            r"\+?[0-9][0-9 ()\-]{4,28}[0-9]", 30, "phone_format", N_("must be a phone number")
        )
    ),
    WithJsonSchema({"type": "string", "pattern": r"^\+?[0-9][0-9 ()\-]{4,28}[0-9]$"}),
]
Reference = Annotated[
    str,
    PlainValidator(
        _plain_string(r"[0-9A-Za-zА-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі./\-_ №]+", 50, "reference_format",
                      N_("must be letters, digits, spaces and . / - _ №"))
    ),
    WithJsonSchema({"type": "string", "minLength": 1, "maxLength": 50}),
]  # fmt: skip
