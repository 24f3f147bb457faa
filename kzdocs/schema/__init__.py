"""Stage 1 of the pipeline: a raw record (a JSON object) becomes a validated, immutable Document.

Field rules live in the models; rules across fields live here and run on the raw record, so a
record's field errors and cross-field errors are reported together, all at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import pydantic

from kzdocs.config import DEFAULT, Config
from kzdocs.errors import FieldError, ValidationError
from kzdocs.forms import FORMS, KINDS, Label, get_form
from kzdocs.schema.models import MODELS, Document, Refusal, TradeDocument
from kzdocs.schema.types import Text, parse_date

__all__ = ["MODELS", "Document", "Refusal", "Text", "TradeDocument", "json_schema", "validate"]

# pydantic's own error types, renamed to the rules kzdocs documents.
_RULES = {
    "missing": "required",
    "extra_forbidden": "unknown_key",
    "literal_error": "one_of",
    "model_type": "object_type",
    "model_attributes_type": "object_type",
    "list_type": "list_type",
    "too_short": "too_few",
    "too_long": "too_many",
    "int_type": "integer_type",
    "int_parsing": "integer_type",
    "greater_than_equal": "range",
    "less_than_equal": "range",
}


def validate(record: Mapping[str, Any] | Document, config: Config = DEFAULT) -> Document:
    """Check a record against every rule of its kind; return the Document or raise
    `ValidationError` listing every broken rule.

    >>> try:
    ...     validate({"kind": "fax"})
    ... except ValidationError as exc:
    ...     print(exc.errors[0].path, exc.errors[0].rule, exc.errors[0].value)
    kind kind fax
    """
    if isinstance(record, Document):
        return _configured_document(record, config)
    if not isinstance(record, Mapping):
        raise ValidationError(
            [
                _error(
                    None,
                    "",
                    "object_type",
                    f"must be a JSON object, got {_json_type(record)}",
                    record,
                )
            ]
        )
    kind = record.get("kind")
    if not isinstance(kind, str) or kind not in FORMS:  # a list or object is no kind either
        kinds = ", ".join(KINDS)
        if "kind" in record:
            error = _error(
                None, "kind", "kind", f"must be one of {kinds}, got {_short(kind)}", kind
            )
        else:
            error = _error(None, "kind", "required", f"is required: one of {kinds}", None)
        raise ValidationError([error])
    errors: list[FieldError] = []
    document = None
    try:
        document = MODELS[kind].model_validate(dict(record))
    except pydantic.ValidationError as exc:
        errors.extend(_from_pydantic(kind, exc))
    errors.extend(_cross_field_errors(kind, record, config))
    if errors:
        raise ValidationError(sorted(errors, key=_order))
    return document


def _configured_document(document: Document, config: Config) -> Document:
    """A Document passed the record rules when it was made, but perhaps under another
    configuration: the rules that depend on the configuration run again."""
    number = {"number": getattr(document, "number", None)}
    errors = list(_configured_number(document.kind, number, config))
    if errors:
        raise ValidationError(errors)
    return document


def json_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a kind's record, with form field numbers and the kk/ru labels of the
    shipped templates."""
    from kzdocs.words import label_of

    schema = MODELS[get_form(kind).kind].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    for key, prop in schema["properties"].items():
        if "x-form-field" in prop:
            label = label_of(kind, key)[1]
            prop.update({"x-label-kk": label.kk, "x-label-ru": label.ru})
    return schema


def _order(error: FieldError) -> tuple[int, str]:
    return (error.field if error.field is not None else 99, error.path)


def _error(kind: str | None, path: str, rule: str, message: str, value: Any) -> FieldError:
    from kzdocs.words import label_of

    key = re.split(r"[.\[]", path, maxsplit=1)[0]
    number, label = label_of(kind, key) if kind else (None, Label("", ""))
    return FieldError(number, label.kk, label.ru, path, rule, message, value)


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _from_pydantic(kind: str, exc: pydantic.ValidationError) -> Iterator[FieldError]:
    for item in exc.errors(include_url=False):
        rule = _RULES.get(item["type"], item["type"])
        value = None if rule == "required" else item.get("input")
        message = _message(item, rule, value) if item["type"] in _RULES else item["msg"]
        yield _error(kind, _path(item["loc"]), rule, message, value)


def _message(item: Any, rule: str, value: Any) -> str:
    """kzdocs' wording for the rules pydantic checks itself, quoting the value like ours do."""
    ctx = item.get("ctx") or {}
    if rule == "required":
        return "is required"
    if rule == "unknown_key":
        return "is not a key of this kind of record"
    if rule in ("too_few", "too_many"):
        bound = ctx.get("min_length") if rule == "too_few" else ctx.get("max_length")
        least_or_most = "least" if rule == "too_few" else "most"
        count = len(value) if isinstance(value, list | tuple) else value
        return f"must have at {least_or_most} {bound} item(s), got {count}"
    wording = {
        "one_of": f"must be one of {ctx.get('expected')}",
        "object_type": "must be an object",
        "list_type": "must be a list",
        "integer_type": "must be a whole number",
        "range": f"must be at least {ctx['ge']}"
        if "ge" in ctx
        else f"must be at most {ctx.get('le')}",
    }
    return f"{wording.get(rule, item['msg'])}, got {_short(value)}"


def _json_type(value: Any) -> str:
    names = {list: "an array", tuple: "an array", str: "a string", bool: "a boolean"}
    names |= {int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _cross_field_errors(
    kind: str, record: Mapping[str, Any], config: Config
) -> Iterator[FieldError]:
    issued_on = parse_date(record.get("issued_on"))
    yield from _configured_number(kind, record, config)
    if kind == "refusal":
        yield from _not_after(
            kind, "application.date", _nested(record, "application", "date"), issued_on
        )
        return
    yield from _period_errors(kind, record)
    yield from _contract_errors(kind, record, issued_on)
    yield from _not_after(
        kind, "authorized_person.date", _nested(record, "authorized_person", "date"), issued_on
    )


def _nested(record: Mapping[str, Any], key: str, inner: str) -> Any:
    part = record.get(key)
    return part.get(inner) if isinstance(part, Mapping) else None


def _period_errors(kind: str, record: Mapping[str, Any]) -> Iterator[FieldError]:
    start, end = parse_date(record.get("valid_from")), parse_date(record.get("valid_to"))
    if start is None or end is None:
        return
    if start > end:
        message = f"must not be before valid_from ({start.isoformat()}), got {end.isoformat()!r}"
        yield _error(kind, "valid_to", "period_order", message, end.isoformat())
    elif record.get("license_type") in ("one-time", "general") and end >= _one_year_after(start):
        yield _error(kind, "valid_to", "period_length",
                     f"a {record['license_type']} licence runs at most one year, until "
                     f"{_day_before_year(start)}, "
                     f"got {end.isoformat()!r}", end.isoformat())  # fmt: skip


def _one_year_after(start: date) -> date:
    try:
        return start.replace(year=start.year + 1)
    except ValueError:  # 29 February
        return date(start.year + 1, 3, 1)


def _day_before_year(start: date) -> str:
    return date.fromordinal(_one_year_after(start).toordinal() - 1).isoformat()


def _contract_errors(
    kind: str, record: Mapping[str, Any], issued_on: date | None
) -> Iterator[FieldError]:
    contract = record.get("contract")
    if contract is None and (why := _contract_needed(kind, record)):
        yield _error(kind, "contract", "contract_required", f"is required {why}", None)
    if isinstance(contract, Mapping):
        yield from _not_after(kind, "contract.date", contract.get("date"), issued_on)


def _contract_needed(kind: str, record: Mapping[str, Any]) -> str:
    """Why the record must name its contract, or '' where field 4 is optional."""
    if FORMS[kind].family == "permit":
        # Rules B, clause 2, subparagraph 4: a permit is issued on the basis of a contract.
        return (
            "for a permit, which is issued on the basis of a foreign-trade contract "
            "(Rules B, clause 2, subparagraph 4)"
        )
    if record.get("license_type") == "one-time":
        return "for a one-time licence"
    return ""


def _not_after(kind: str, path: str, raw: Any, issued_on: date | None) -> Iterator[FieldError]:
    when = parse_date(raw)
    if when is not None and issued_on is not None and when > issued_on:
        message = f"must not be after the document date ({issued_on.isoformat()}), got {raw!r}"
        yield _error(kind, path, "date_after_document", message, raw)


def _configured_number(
    kind: str, record: Mapping[str, Any], config: Config
) -> Iterator[FieldError]:
    pattern = config.number_patterns.get(kind)
    number = record.get("number")
    if pattern and isinstance(number, str) and not re.fullmatch(pattern, number):
        message = f"must match the issuer's pattern {pattern}, got {number!r}"
        yield _error(kind, "number", "number_pattern", message, number)
