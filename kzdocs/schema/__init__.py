"""Stage 1 of the pipeline: a raw record (a JSON object) becomes a validated, immutable Document.

Every rule lives in the models (`models.py`, the rules across fields in `rules.py`), so a
Document is valid however it was made; this module checks the kind, runs the kind's model and
reports pydantic's errors the kzdocs way (`FieldError`), every error at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pydantic

from kzdocs.config import DEFAULT, Config
from kzdocs.errors import FieldError, ValidationError
from kzdocs.forms import FORMS, KINDS, Label, get_form
from kzdocs.messages import N_, Message, got, message
from kzdocs.schema.models import MODELS, Document, Refusal, TradeDocument
from kzdocs.schema.rules import configured_number, facts_of_document
from kzdocs.schema.types import Text, reportable, shown

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
    "invalid_key": "unknown_key",  # a key that is not a string (from Python): no key of ours
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
                    message(N_("must be a JSON object, got {type}"), type=_json_type(record)),
                    record,
                )
            ]
        )
    kind = record.get("kind")
    if not isinstance(kind, str) or kind not in FORMS:  # a list or object is no kind either
        kinds = ", ".join(KINDS)
        if "kind" in record:
            said = got(message(N_("must be one of {kinds}"), kinds=kinds), shown(kind))
            error = _error(None, "kind", "kind", said, kind)
        else:
            said = message(N_("is required: one of {kinds}"), kinds=kinds)
            error = _error(None, "kind", "required", said, None)
        raise ValidationError([error])
    try:
        return MODELS[kind].model_validate(_escaped_keys(record), context={"config": config})
    except ValidationError as exc:
        if config.templates is None:
            raise
        raise ValidationError(_relabelled(kind, exc.errors, config.templates)) from None


def _relabelled(kind: str, errors: list[FieldError], folder: Path) -> list[FieldError]:
    """The errors naming their fields as the configured template folder labels them."""
    from kzdocs.words import label_of

    def relabel(error: FieldError) -> FieldError:
        label = label_of(kind, _top_key(error.path), folder)[1]
        return replace(error, label_kk=label.kk, label_ru=label.ru)

    return [relabel(error) for error in errors]


def field_errors(kind: str | None, exc: pydantic.ValidationError) -> list[FieldError]:
    """pydantic's errors of a kind's model as kzdocs reports them: form field number and
    labels, path, rule, message and value, in form order."""
    return sorted(_from_pydantic(kind, exc), key=_order)


def _escaped_keys(value: Any, depth: int = 0) -> Any:
    """The record with keys that hold half a character ("\\ud800") escaped: pydantic would
    answer such a key with one error for the whole record; escaped, it is one unknown key."""
    if depth > 8:  # deeper than any record part: refused as a whole where it is
        return value
    if isinstance(value, Mapping):
        return {_escaped(k): _escaped_keys(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped_keys(v, depth + 1) for v in value]
    return value


def _escaped(key: Any) -> Any:
    return key.encode("utf-8", "backslashreplace").decode("utf-8") if isinstance(key, str) else key


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


def _error(kind: str | None, path: str, rule: str, said: Message, value: Any) -> FieldError:
    from kzdocs.words import label_of

    number, label = label_of(kind, _top_key(path)) if kind else (None, Label("", ""))
    kk, ru = said.text("kk"), said.text("ru")
    value = reportable(value)
    return FieldError(number, label.kk, label.ru, path, rule, said.text("en"), value, kk, ru)


def _top_key(path: str) -> str:
    """`goods` of `goods.hs_code`, `basis` of `basis[2]`."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def _from_pydantic(kind: str | None, exc: pydantic.ValidationError) -> Iterator[FieldError]:
    for item in exc.errors(include_url=False):
        rule = _RULES.get(item["type"], item["type"])
        value = None if rule == "required" else item.get("input")
        yield _error(kind, _path(item["loc"]), rule, _message(item, rule, value), value)


def _message(item: Any, rule: str, value: Any) -> Message:
    """The message of a kzdocs rule (carried in the error's context, see `schema.types.broken`),
    or kzdocs' wording for the rules pydantic checks itself, quoting the value like ours do."""
    ctx = item.get("ctx") or {}
    if isinstance(ctx.get("message"), Message):
        return ctx["message"]
    if item["type"] not in _RULES:
        return message(N_("breaks a rule of the record: {detail}"), detail=item["msg"])
    if rule == "required":
        return message(N_("is required"))
    if rule == "unknown_key":
        return message(N_("is not a key of this kind of record"))
    count = len(value) if isinstance(value, list | tuple) else value
    if rule == "too_few":
        return message(N_("must have at least {bound} item(s), got {count}"),
                       bound=ctx.get("min_length"), count=count)  # fmt: skip
    if rule == "too_many":
        return message(N_("must have at most {bound} item(s), got {count}"),
                       bound=ctx.get("max_length"), count=count)  # fmt: skip
    return got(_pydantic_rule(rule, ctx), shown(value))


def _pydantic_rule(rule: str, ctx: dict[str, Any]) -> Message:
    if rule == "one_of":
        *first, last = str(ctx.get("expected")).rsplit(" or ", 1)
        choices = message(N_("{first} or {last}"), first=first[0], last=last) if first else last
        return message(N_("must be one of {choices}"), choices=choices)
    if rule == "range":
        if "ge" in ctx:
            return message(N_("must be at least {bound}"), bound=ctx["ge"])
        return message(N_("must be at most {bound}"), bound=ctx.get("le"))
    wording = {
        "object_type": N_("must be an object"),
        "list_type": N_("must be a list"),
        "integer_type": N_("must be a whole number"),
    }
    return message(wording[rule])


def _json_type(value: Any) -> Message | str:
    names = {list: N_("an array"), tuple: N_("an array"), str: N_("a string")}
    names |= {bool: N_("a boolean"), int: N_("a number"), float: N_("a number")}
    names |= {type(None): "null"}
    name = names.get(type(value))
    return message(name) if name else type(value).__name__
