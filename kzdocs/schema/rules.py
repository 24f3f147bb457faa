"""The rules across fields of a record: period order and length, when a contract is required,
dates not after the document date, the issuer's number pattern.

They run inside the models (`Document`'s model validator), so every way of making a Document
enforces them. They read `Facts`: the values they need, already parsed — from the validated
Document, or, when some fields are broken, from the raw record so that their errors are reported
together with the field errors.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kzdocs.config import Config
from kzdocs.forms import FORMS
from kzdocs.messages import N_, Message, got, message
from kzdocs.schema.types import parse_date, rule_error

Broken = dict[str, Any]  # one pydantic line error: {"type", "loc", "input"}
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Facts:
    """What the cross-field rules read of a record; None where absent or not valid."""

    kind: str
    number: str | None
    issued_on: date | None
    valid_from: date | None = None
    valid_to: date | None = None
    license_type: str | None = None
    has_contract: bool = False
    # (path, date) pairs that must not be after the document date
    dated: tuple[tuple[str, date | None], ...] = ()
    # where a language-content field gives one string for both languages
    monolingual: tuple[tuple[Loc, str], ...] = ()


# The parts whose date must not be after the document date.
_DATED = ("contract", "authorized_person", "application")
# The fields whose content is language (names and addresses are not): where each is, "*" for
# every item of a list.
_LANGUAGE_FIELDS: tuple[tuple[str, ...], ...] = (
    ("goods", "description"),
    ("additional_info",),
    ("basis", "*"),
    ("grounds", "*", "details"),
    ("authorized_person", "position"),
    ("application", "authorized_person", "position"),
)


def facts_of_document(document: Any) -> Facts:
    """The facts of a validated Document: its values as parsed."""
    values = {key: getattr(document, key, None) for key in _DATED}
    return Facts(
        kind=document.kind,
        number=getattr(document, "number", None),
        issued_on=document.issued_on,
        valid_from=getattr(document, "valid_from", None),
        valid_to=getattr(document, "valid_to", None),
        license_type=getattr(document, "license_type", None),
        has_contract=values["contract"] is not None,
        dated=tuple((f"{key}.date", part.date) for key, part in values.items() if part is not None),
        monolingual=_monolingual(document, lambda text: getattr(text, "once", False)),
    )


def facts_of_record(kind: str, record: Mapping[str, Any], keys: Collection[str]) -> Facts:
    """The facts of a raw record whose fields did not all validate: only what parses, of the
    `keys` its kind has."""
    number = record.get("number")
    license_type = record.get("license_type")
    return Facts(
        kind=kind,
        number=number if isinstance(number, str) else None,
        issued_on=parse_date(record.get("issued_on")),
        valid_from=parse_date(record.get("valid_from")),
        valid_to=parse_date(record.get("valid_to")),
        license_type=license_type if isinstance(license_type, str) else None,
        has_contract=record.get("contract") is not None,
        dated=tuple(
            (f"{key}.date", parse_date(part.get("date")))
            for key in _DATED
            if key in keys and isinstance(part := record.get(key), Mapping)
        ),
        monolingual=_monolingual(record, lambda value: isinstance(value, str)),
    )


def _monolingual(value: Any, once: Any) -> tuple[tuple[Loc, str], ...]:
    """Where a language-content field of a record or Document holds one text for both, and
    that text."""
    return tuple(
        (loc, str(getattr(text, "kk", text)))
        for spec in _LANGUAGE_FIELDS
        for loc, text in _values_at(value, spec, ())
        if once(text)
    )


def _values_at(value: Any, spec: tuple[str, ...], loc: Loc) -> Iterator[tuple[Loc, Any]]:
    if not spec:
        yield loc, value
        return
    key, rest = spec[0], spec[1:]
    if key == "*":
        items = value if isinstance(value, list | tuple) else ()
        for index, item in enumerate(items):
            yield from _values_at(item, rest, (*loc, index))
        return
    part = value.get(key) if isinstance(value, Mapping) else getattr(value, key, None)
    if part is not None:
        yield from _values_at(part, rest, (*loc, key))


def broken_rules(facts: Facts, config: Config | None = None) -> list[Broken]:
    """Every cross-field rule the facts break, as pydantic line errors (path, rule, message)."""
    found = [*configured_number(facts, config), *_dated_after_document(facts)]
    if FORMS[facts.kind].numbered:
        found += [*_period(facts), *_contract_required(facts)]
    return found


def configured_number(facts: Facts, config: Config | None) -> list[Broken]:
    """The rules that depend on the configuration: the issuer's number pattern, and both
    languages in the language-content fields when `strict_languages` is on."""
    return [*_number_pattern(facts, config), *_strict_languages(facts, config)]


def _strict_languages(facts: Facts, config: Config | None) -> Iterator[Broken]:
    if config is None or not config.strict_languages:
        return
    said = message(
        N_("must give its Kazakh and Russian text as an object with keys kk and ru "
           "(strict languages)")
    )  # fmt: skip
    for loc, text in facts.monolingual:
        shown = repr(text if len(text) <= 40 else text[:39] + "…")
        error = rule_error("text_languages_required", got(said, shown))
        yield {"type": error, "loc": loc, "input": text}


def _broken(path: str, rule: str, said: Message, value: Any) -> Broken:
    return {"type": rule_error(rule, said), "loc": tuple(path.split(".")), "input": value}


def _number_pattern(facts: Facts, config: Config | None) -> Iterator[Broken]:
    pattern = config.number_patterns.get(facts.kind) if config is not None else None
    if pattern and facts.number is not None and not re.fullmatch(pattern, facts.number):
        said = message(N_("must match the issuer's pattern {pattern}"), pattern=pattern)
        yield _broken("number", "number_pattern", got(said, repr(facts.number)), facts.number)


def _period(facts: Facts) -> Iterator[Broken]:
    start, end = facts.valid_from, facts.valid_to
    if start is None or end is None:
        return
    shown = end.isoformat()
    if start > end:
        said = message(N_("must not be before valid_from ({start})"), start=start.isoformat())
        yield _broken("valid_to", "period_order", got(said, repr(shown)), shown)
    elif (limit := _ONE_YEAR.get(facts.license_type)) and end >= _one_year_after(start):
        said = message(limit, last_day=_day_before_year(start))
        yield _broken("valid_to", "period_length", got(said, repr(shown)), shown)


# The licence types whose period is at most a year.
_ONE_YEAR = {
    "one-time": N_("a one-time licence runs at most one year, until {last_day}"),
    "general": N_("a general licence runs at most one year, until {last_day}"),
}


def _one_year_after(start: date) -> date:
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return date(start.year + 1, 3, 1)


def _day_before_year(start: date) -> str:
    return date.fromordinal(_one_year_after(start).toordinal() - 1).isoformat()


def _contract_required(facts: Facts) -> Iterator[Broken]:
    why = _contract_needed(facts)
    if not facts.has_contract and why:
        yield _broken("contract", "contract_required", message(why), None)


def _contract_needed(facts: Facts) -> str:
    """The message saying why the record must name its contract, or '' where field 4 is
    optional."""
    if FORMS[facts.kind].family == "permit":
        # Rules B, clause 2, subparagraph 4: a permit is issued on the basis of a contract.
        return N_(
            "is required for a permit, which is issued on the basis of a foreign-trade contract "
            "(Rules B, clause 2, subparagraph 4)"
        )
    if facts.license_type == "one-time":
        return N_("is required for a one-time licence")
    return ""


def _dated_after_document(facts: Facts) -> Iterator[Broken]:
    issued_on = facts.issued_on
    for path, when in facts.dated:
        if when is not None and issued_on is not None and when > issued_on:
            shown = when.isoformat()
            said = message(N_("must not be after the document date ({date})"),
                           date=issued_on.isoformat())  # fmt: skip
            yield _broken(path, "date_after_document", got(said, repr(shown)), shown)
