"""One record of a case, two documents: an issued licence or permit rendered as what its
applicant submitted — the application for the licence, the draft of the permit (FORMS.md: they
share the 18 fields).

The issued record names the application it answers in its `application` part (no field of its
form): the application's number becomes field 1, its date the document date (field 18 of an
application, the date of a draft), and, for a licence, its `authorized_person` field 18 of the
application; a permit's own field 17 is the applicant's authorised person already. Every other
field is the issued record's, so both documents carry the same values (docs/record.md).
Only keys move here; every word of both documents is the templates'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from kzdocs.config import DEFAULT, Config
from kzdocs.errors import FieldError, ValidationError
from kzdocs.forms import APPLICATION_OF, AS_CHOICES, SIGNED_BY_APPLICANT
from kzdocs.messages import N_, Message, message
from kzdocs.schema import Document, validate

# Where each key of the application record comes from in the issued record; the rest is the same.
_MOVED = {"number": "application.number", "issued_on": "application.date"}
_MOVED_OF_LICENSE = {**_MOVED, "authorized_person": "application.authorized_person"}


def document_as(
    record: Mapping[str, Any] | Document, as_: str | None = None, config: Config = DEFAULT
) -> Document:
    """The Document of a record as `as_` asks: itself (None), or the applicant's form of it
    ("application", see `as_application`)."""
    if as_ is None:
        return validate(record, config)
    if as_ not in AS_CHOICES:
        raise ValidationError([_error(None, "", "as_choice", message(
            N_("can be rendered as {choices}, not {asked!r}"),
            choices=", ".join(AS_CHOICES), asked=as_), as_)])  # fmt: skip
    return as_application(record, config)


def as_application(record: Mapping[str, Any] | Document, config: Config = DEFAULT) -> Document:
    """The application (licence) or permit draft (permit) of an issued record, as a Document;
    an application or draft is returned as it is.

    Raises `ValidationError`: the record's own errors (its paths), a refusal (which answers an
    application with no form of its own), an issued record without the `application` part the
    applicant's form needs (naming the application's field), or an application that breaks a
    rule of its kind (paths of the issued record, fields of the application).
    """
    kind = record.kind if isinstance(record, Document) else record.get("kind")
    if kind == "refusal":
        said = message(N_("a refusal has no application form of its own: only a licence or a "
                          "permit can be rendered as the application"))  # fmt: skip
        raise ValidationError([_error(None, "kind", "as_application_kind", said, kind)])
    document = validate(record, config)
    if document.kind in SIGNED_BY_APPLICANT or document.kind not in APPLICATION_OF:
        return document
    target = APPLICATION_OF[document.kind]
    moved = _MOVED_OF_LICENSE if document.form.family == "license" else _MOVED
    _check_given(document, target, moved, config)
    values = {key: getattr(document, key) for key in type(document).model_fields}
    values.pop("application")
    values.update({key: _at(document, path) for key, path in moved.items()}, kind=target)
    try:
        return validate({k: v for k, v in values.items() if v is not None}, config)
    except ValidationError as exc:
        raise ValidationError([_moved_back(error, moved) for error in exc.errors]) from None


def _check_given(document: Document, target: str, moved: dict[str, str], config: Config) -> None:
    """Every value the applicant's form takes from the `application` part is there."""
    said = message(
        N_("is required to render the {kind} as its {target}: the issued record names the "
           "application it answers in 'application'"),
        kind=document.kind, target=target,
    )  # fmt: skip
    folder = config.templates
    if document.application is None:  # the whole part: one error, on the application's field 1
        error = _error(target, "application", "application_required", said, None, "number", folder)
        raise ValidationError([error])
    missing = [(key, path) for key, path in moved.items() if _at(document, path) is None]
    if missing:
        raise ValidationError(
            [_error(target, path, "application_required", said, None, key, folder)
             for key, path in missing]
        )  # fmt: skip


def _at(document: Document, path: str) -> Any:
    value: Any = document
    for key in path.split("."):
        value = getattr(value, key, None)
    return value


def _moved_back(error: FieldError, moved: dict[str, str]) -> FieldError:
    """An error of the application record at the issued record's path of the value."""
    top, _, rest = error.path.partition(".")
    if top not in moved:
        return error
    path = moved[top] + (f".{rest}" if rest else "")
    return replace(error, path=path)


def _error(
    kind: str | None,
    path: str,
    rule: str,
    said: Message,
    value: Any,
    key: str | None = None,
    folder: Path | None = None,
) -> FieldError:
    """A FieldError on the field of `kind` that `key` (or the path's top key) fills, labelled
    as the templates (of `folder`, else the shipped ones) label it."""
    from kzdocs.words import label_of

    number, label = label_of(kind, key or path.split(".")[0], folder) if kind else (None, None)
    kk, ru = (label.kk, label.ru) if label else ("", "")
    return FieldError(
        number, kk, ru, path, rule, said.text("en"), value, said.text("kk"), said.text("ru")
    )
