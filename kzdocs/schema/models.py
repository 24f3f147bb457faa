"""One pydantic model per kind of document; each field carries its form number and labels."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, Self, get_args

import pydantic
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from kzdocs.forms import Form, field_of, get_form
from kzdocs.messages import N_
from kzdocs.schema.rules import Broken, broken_rules, facts_of_document, facts_of_record
from kzdocs.schema.types import (
    TOO_LONG,
    Amount,
    BinIin,
    Country,
    Currency,
    FreeText,
    HsCode,
    IsoDate,
    Phone,
    Quantity,
    Reference,
    Text,
    UnitCode,
    broken,
)

Name = FreeText(500)
Address = FreeText(500)
LongText = FreeText(4000)
# One basis document a line («Сертификат № 0012345 от 15.01.2026»): 50 lines of 4 000 letters
# made a 131-page licence that took seconds to render (CHANGELOG.md).
BasisLine = FreeText(500)


class Part(BaseModel):
    """A nested part of a record: immutable, unknown keys rejected."""

    # Each model's validator is built when first used, not at import: a command that checks a
    # licence does not build the permits' and the refusal's (a twentieth of a cold start).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class Contract(Part):
    number: Reference | None = None
    date: IsoDate


class Applicant(Part):
    name: Name
    id: BinIin
    address: Address


class Counterparty(Part):
    name: Name
    address: Address


class Goods(Part):
    hs_code: HsCode
    description: LongText


class SupplementaryQuantity(Part):
    quantity: Quantity
    unit: UnitCode


class AuthorizedPerson(Part):
    full_name: Name
    position: Name
    phone: Phone
    date: IsoDate | None = None


class Application(Part):
    """An application by number and date: the one a refusal refuses, or a permit answers."""

    number: Reference
    date: IsoDate


class CaseApplication(Application):
    """The application a licence answers, with the applicant's authorised person who signed it
    (field 18 of the application; a licence has no field for them)."""

    authorized_person: AuthorizedPerson | None = None


class Ground(Part):
    code: Annotated[int, Field(strict=True, ge=1, le=7)]
    details: LongText | None = None


def _field(kind: str, key: str, schema: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """A model field that carries its form field number into the JSON Schema (the labels are the
    templates' words, added by `json_schema`); `schema` adds keywords the field's validator
    enforces but its type does not show."""
    extra = {"x-form-field": field_of(kind, key)}
    return Field(json_schema_extra={**(schema or {}), **extra}, **kwargs)


class Document(Part):
    """Base of every issued document: a Document is proof that its record keeps every rule.

    `model_validate` raises `kzdocs.ValidationError` listing every broken rule (field numbers,
    labels, paths), the cross-field rules included; pass `context={"config": config}` for the
    issuer's number patterns. Other ways in (`__init__`, TypeAdapter) raise pydantic's error
    with the same rules and paths.
    """

    kind: str
    issued_on: IsoDate

    @property
    def form(self) -> Form:
        return get_form(self.kind)

    @classmethod
    def model_validate(cls, obj: Any, **options: Any) -> Self:
        try:
            return super().model_validate(obj, **options)
        except pydantic.ValidationError as exc:
            from kzdocs.errors import ValidationError
            from kzdocs.schema import field_errors  # the report lives with validate()

            raise ValidationError(field_errors(model_kind(cls), exc)) from None

    @model_validator(mode="wrap")
    @classmethod
    def _rules_across_fields(
        cls, data: Any, handler: ValidatorFunctionWrapHandler, info: ValidationInfo
    ) -> Any:
        kind = model_kind(cls)
        config = info.context.get("config") if isinstance(info.context, Mapping) else None
        try:
            document = handler(data)
        except pydantic.ValidationError as exc:
            if kind is None or not isinstance(data, Mapping):
                raise
            # Broken fields do not hide the cross-field rules: all are reported at once.
            facts = facts_of_record(kind, data, cls.model_fields)
            raise _all_errors(cls, [*_line_errors(exc), *broken_rules(facts, config)]) from None
        broken = broken_rules(facts_of_document(document), config) if kind else []
        if broken:
            raise _all_errors(cls, broken)
        return document


@cache
def model_kind(model: type[BaseModel]) -> str | None:
    """The kind a model validates (its `kind` literal), None for a base class."""
    field = model.model_fields.get("kind")
    kinds = get_args(field.annotation) if field is not None else ()
    return kinds[0] if len(kinds) == 1 and isinstance(kinds[0], str) else None


def _line_errors(exc: pydantic.ValidationError) -> list[Broken]:
    # Re-raised as they were: the rule (type), path, message and input, with pydantic's context.
    return [
        {
            "type": PydanticCustomError(item["type"], item["msg"], item.get("ctx")),
            "loc": item["loc"],
            "input": item["input"],
        }
        for item in exc.errors(include_url=False)
    ]


def _all_errors(model: type[BaseModel], errors: list[Broken]) -> pydantic.ValidationError:
    return pydantic.ValidationError.from_exception_data(model.__name__, errors)


def _trade_fields(kind: str, base: type[TradeDocument]) -> dict[str, Any]:
    """The fields every licence and permit shares (1, 2, 4–16, 18)."""
    f = _field
    number_schema: dict[str, Any] = {"pattern": f"^{base.number_shape[0]}$"}
    if base.number_max_length is not None:
        number_schema["maxLength"] = base.number_max_length
    return {
        "number": (str, f(kind, "number", number_schema, description="document number")),
        "valid_from": (IsoDate, f(kind, "valid_from")),
        "valid_to": (IsoDate, f(kind, "valid_to")),
        "contract": (Contract | None, f(kind, "contract", default=None)),
        "applicant": (Applicant, f(kind, "applicant")),
        "counterparty": (Counterparty, f(kind, "counterparty")),
        "route_country": (Country, f(kind, "route_country")),
        "counterparty_country": (Country, f(kind, "counterparty_country")),
        "currency": (Currency, f(kind, "currency")),
        "value": (Amount, f(kind, "value")),
        "statistical_value": (Amount, f(kind, "statistical_value")),
        "origin_country": (Country, f(kind, "origin_country")),
        "quantity": (Quantity, f(kind, "quantity")),
        "supplementary_quantity": (
            SupplementaryQuantity | None,
            f(kind, "supplementary_quantity", default=None),
        ),
        "unit": (UnitCode, f(kind, "unit")),
        "goods": (Goods, f(kind, "goods")),
        "additional_info": (LongText | None, f(kind, "additional_info", default=None)),
        "issued_on": (IsoDate, f(kind, "issued_on")),
    }


class TradeDocument(Document):
    """A licence or a permit: the 18 numbered fields."""

    number_shape: ClassVar[tuple[str, str]]
    number_max_length: ClassVar[int | None] = None  # said apart from the shape when exceeded

    @field_validator("number", mode="plain", check_fields=False)
    @classmethod
    def _number_shape(cls, value: Any) -> str:
        pattern, what = cls.number_shape
        longest = cls.number_max_length
        if isinstance(value, str) and longest is not None and len(value) > longest:
            raise broken("number_format", TOO_LONG, value, max_length=longest)
        if not isinstance(value, str) or not re.fullmatch(pattern, value):
            raise broken("number_format", what, value)
        return value


class License(TradeDocument):
    number_shape = (r"[0-9A-Z]{16}", N_("must be 16 characters: capital Latin letters and digits"))


def _contract_in_required(schema: dict[str, Any]) -> None:
    # The schema says what the cross-field rule `contract_required` enforces.
    required = schema.setdefault("required", [])
    if "contract" not in required:
        required.append("contract")


class Permit(TradeDocument):
    model_config = ConfigDict(json_schema_extra=_contract_in_required)
    number_shape = (
        r"KZ[0-9A-Z]{10}",
        N_("must be 12 characters starting with KZ: capital Latin letters and digits"),
    )


# Field 1 of an application or a permit draft is the applicant's own number of it: a reference
# (letters, digits, spaces and . / - _ №), as the contract number is; the issuer's shapes of
# licence and permit numbers do not apply.
_SUBMITTED_NUMBER = (
    r"[0-9A-Za-zА-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі./\-_ №]{1,50}",
    N_("must be letters, digits, spaces and . / - _ №"),
)


class LicenseApplication(License):
    """An application for a licence (Rules A, app. 1–2): a licence's fields, numbered by the
    applicant, with the applicant's authorised person in field 18."""

    number_shape = _SUBMITTED_NUMBER
    number_max_length = 50


class PermitDraft(Permit):
    """A draft of a permit (Rules B, app. 1–2): a permit's fields, numbered by the applicant."""

    number_shape = _SUBMITTED_NUMBER
    number_max_length = 50


def _license_fields(kind: str) -> dict[str, Any]:
    return {
        "license_type": (Literal["one-time", "general", "exclusive"], _field(kind, "license_type")),
        "basis": (list[BasisLine], _field(kind, "basis", min_length=1, max_length=50)),
    }


def _permit_fields(kind: str) -> dict[str, Any]:
    return {"authorized_person": (AuthorizedPerson, _field(kind, "authorized_person"))}


def _answered(kind: str, part: type[Application]) -> dict[str, Any]:
    """An issued licence's or permit's optional record of the application it answers, which
    fills no field of its form: what it is rendered as the applicant's form from."""
    return {"application": (part | None, _field(kind, "application", default=None))}


def _model(kind: str, base: type[TradeDocument], extra: dict[str, Any]) -> type[TradeDocument]:
    name = "".join(part.capitalize() for part in kind.split("-"))
    fields = {"kind": (Literal[kind], ...), **_trade_fields(kind, base), **extra}
    return create_model(name, __base__=base, __module__=__name__, **fields)


LicenseExport = _model(
    "license-export",
    License,
    {**_license_fields("license-export"), **_answered("license-export", CaseApplication)},
)
LicenseImport = _model(
    "license-import",
    License,
    {**_license_fields("license-import"), **_answered("license-import", CaseApplication)},
)
PermitExport = _model(
    "permit-export",
    Permit,
    {**_permit_fields("permit-export"), **_answered("permit-export", Application)},
)
PermitImport = _model(
    "permit-import",
    Permit,
    {**_permit_fields("permit-import"), **_answered("permit-import", Application)},
)
ApplicationExport = _model(
    "application-export",
    LicenseApplication,
    {**_license_fields("application-export"), **_permit_fields("application-export")},
)
ApplicationImport = _model(
    "application-import",
    LicenseApplication,
    {**_license_fields("application-import"), **_permit_fields("application-import")},
)
PermitDraftExport = _model(
    "permit-draft-export", PermitDraft, _permit_fields("permit-draft-export")
)
PermitDraftImport = _model(
    "permit-draft-import", PermitDraft, _permit_fields("permit-draft-import")
)


class Refusal(Document):
    """The motivated refusal (Rules A, appendix 4)."""

    kind: Literal["refusal"]
    number: Reference = _field("refusal", "number")
    issued_on: IsoDate = _field("refusal", "issued_on")
    recipient: Applicant = _field("refusal", "recipient")
    application: Application = _field("refusal", "application")
    service: Literal["license-export", "license-import"] = _field("refusal", "service")
    grounds: list[Ground] = _field("refusal", "grounds", min_length=1, max_length=7)

    @field_validator("grounds")
    @classmethod
    def _distinct_grounds(cls, grounds: list[Ground]) -> list[Ground]:
        codes = [g.code for g in grounds]
        if len(set(codes)) != len(codes):
            raise broken("grounds_repeated", N_("must cite each ground once"), codes)
        return grounds


MODELS: dict[str, type[Document]] = {
    "license-export": LicenseExport,
    "license-import": LicenseImport,
    "permit-export": PermitExport,
    "permit-import": PermitImport,
    "refusal": Refusal,
    "application-export": ApplicationExport,
    "application-import": ApplicationImport,
    "permit-draft-export": PermitDraftExport,
    "permit-draft-import": PermitDraftImport,
}

__all__ = ["MODELS", "Document", "License", "Permit", "Refusal", "Text", "TradeDocument"]
