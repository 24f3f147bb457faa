"""Stage 1 of the pipeline: a raw record (a JSON object) becomes a validated, immutable Document.

Every rule lives in the models (`models.py`, the rules across fields in `rules.py`), so a
Document is valid however it was made; this module checks the kind, runs the kind's model and
reports pydantic's errors the kzdocs way (`FieldError`), every error at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import pydantic

from kzdocs.config import DEFAULT, Config
from kzdocs.errors import FieldError, ValidationError
from kzdocs.forms import FORMS, KINDS, Label, get_form
from kzdocs.schema.models import MODELS, Document, Refusal, TradeDocument
from kzdocs.schema.rules import configured_number, facts_of_document
from kzdocs.schema.types import Text

__all__ = [
    "MODELS",
    "Document",
    "Refusal",
    "Text",
    "TradeDocument",
    "field_errors",
    "json_schema",
    "validate",
]

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
    return MODELS[kind].model_validate(dict(record), context={"config": config})


def field_errors(kind: str | None, exc: pydantic.ValidationError) -> list[FieldError]:
    """pydantic's errors of a kind's model as kzdocs reports them: form field number and
    labels, path, rule, message and value, in form order."""
    return sorted(_from_pydantic(kind, exc), key=_order)


def _configured_document(document: Document, config: Config) -> Document:
    """A Document passed the record rules when it was made, but perhaps under another
    configuration: the rules that depend on the configuration run again."""
    broken = configured_number(facts_of_document(document), config)
    if broken:
        exc = pydantic.ValidationError.from_exception_data(type(document).__name__, broken)
        raise ValidationError(field_errors(document.kind, exc))
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


def _from_pydantic(kind: str | None, exc: pydantic.ValidationError) -> Iterator[FieldError]:
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
