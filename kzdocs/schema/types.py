"""Field types of the record contract: each parses one JSON value or names the rule it breaks.

Every rule raises `PydanticCustomError(rule, message)`; the rule is the machine-readable name
that `kzdocs validate --json` reports, the message states the rule and the value.
"""

from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
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
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_MAX_INTEGER_DIGITS = 15
# Longer than any number the rules admit (15 integer digits, 5 decimals, a few leading zeros):
# checked before converting, so `1e999999999` or a million digits cost nothing.
_MAX_NUMBER_CHARS = 40


class _ShortRepr(reprlib.Repr):
    """`repr` bounded in length and depth: error messages quote hostile values safely."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother, self.maxlong = 3, 60, 60, 40

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:  # repr of a huge int is slow, and refused past 4 300 digits
            return f"<integer of about {int(x.bit_length() * 0.30103) + 1} digits>"
        return super().repr_int(x, level)

    def repr_Decimal(self, x: Decimal, level: int) -> str:
        return f"Decimal({self.repr1(str(x), level)})"


_SHORT = _ShortRepr()


def shown(value: Any) -> str:
    """A value quoted in an error: at most about 60 characters, whatever its size or depth."""
    try:
        return _SHORT.repr(value)
    except Exception:  # a foreign object whose repr fails is still a value to refuse
        return f"<{type(value).__name__} object>"


def quoted(value: Any) -> str:
    """A value as an error quotes it: its repr, exactly as given, where that is safe to make."""
    return repr(value) if _plain(value) else shown(value)


def reportable(value: Any) -> Any:
    """The value an error carries: the value itself where it is data of modest depth and size
    (`FieldError.as_json` escapes half characters), else its short repr."""
    return value if _plain(value) else shown(value)


def _plain(value: Any) -> bool:
    stack, seen = [(value, 0)], 0
    while stack:  # a loop, not recursion: the value may be nested thousands deep
        item, depth = stack.pop()
        seen += 1
        if seen > 1000 or depth > 8:
            return False
        if isinstance(item, int) and not isinstance(item, bool):
            if item.bit_length() > 128:
                return False
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item)
        elif isinstance(item, dict):
            stack.extend((k, depth + 1) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif not (item is None or isinstance(item, str | bool | float | Decimal | date)):
            return False
    return True


def broken(rule: str, message: str, value: Any, **params: Any) -> PydanticCustomError:
    """The error for a broken rule, quoting the offending value exactly as given: `message` is
    the English msgid (with `{name}` placeholders for `params`), translated on demand."""
    return rule_error(rule, got(Message(message, tuple(params.items())), quoted(value)))


def rule_error(rule: str, said: Message) -> PydanticCustomError:
    """A pydantic error of a kzdocs rule that carries its Message (kk, ru, en) in its context;
    pydantic's own text is the English one."""
    return PydanticCustomError(rule, "{message}", {"message": said})


@dataclass(frozen=True)
class Text:
    """Free text in both languages; a plain string stands for both (`once`: it was one)."""

    kk: str
    ru: str
    once: bool = field(default=False, compare=False)

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
    surrogate = _SURROGATE.search(value)
    if surrogate:  # JSON admits "\ud800"; no encoding can write it, so no document can hold it
        message = N_("must be Unicode text; {codepoint} is half a character")
        raise text_broken("string_unicode", message, value, codepoint=f"U+{ord(surrogate[0]):04X}")
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
        if isinstance(value, Text):  # made in Python: its text obeys the same rules
            value = {"kk": value.kk, "ru": value.ru}
        if isinstance(value, dict):
            if set(value) != set(LANGS):
                raise broken(
                    "text_languages", N_("must be a string or an object with keys kk and ru"), value
                )
            return Text(*(_string(value[lang], max_length, lang) for lang in LANGS))
        text = _string(value, max_length)
        return Text(text, text, once=True)

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
    if type(value) is date:  # a datetime is a date too, but one with a time no field holds
        parsed = value
    elif not isinstance(value, str) or not _DATE.fullmatch(value):
        raise broken("date_format", N_("must be a date YYYY-MM-DD"), value)
    else:
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
    too_large = broken(
        f"{rule_prefix}_too_large",
        N_("must have at most {digits} integer digits"),
        value,
        digits=_MAX_INTEGER_DIGITS,
    )
    if isinstance(value, Decimal):
        return _checked_decimal(value, rule_prefix, too_large)
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 10**_MAX_INTEGER_DIGITS:  # before repr, which a huge int makes slow
            raise too_large
        text = repr(value)
    elif isinstance(value, float):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        raise broken(f"{rule_prefix}_format", N_("must be a decimal number"), value)
    if len(text) > _MAX_NUMBER_CHARS or not _DECIMAL.fullmatch(text):
        raise broken(f"{rule_prefix}_format", N_("must be a decimal number like 125000.00"), value)
    number = Decimal(text)
    if number.adjusted() >= _MAX_INTEGER_DIGITS:
        raise too_large
    return number


def _checked_decimal(number: Decimal, rule_prefix: str, too_large: Exception) -> Decimal:
    """A Decimal (a JSON number, or one made in Python) judged by its digits and exponent, never
    by writing it out: `Decimal('1e999999999')` written out is a billion digits."""
    if not number.is_finite():
        raise broken(f"{rule_prefix}_format", N_("must be a decimal number"), number)
    if number.is_zero():  # `0E+7` is 0, not an 8-digit number; its sign and places stay
        return number.quantize(Decimal(1)) if number.as_tuple().exponent > 0 else number
    if number.adjusted() >= _MAX_INTEGER_DIGITS:
        raise too_large
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
