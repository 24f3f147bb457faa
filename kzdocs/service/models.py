"""The shapes of the API's JSON answers: they make the OpenAPI document, not the answers' speed
(routes build plain dicts of these shapes)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ErrorBody(BaseModel):
    """Every error: a short code and a sentence for people."""

    error: str = Field(examples=["unknown_value"])
    message: str = Field(examples=["lang: unknown value 'en'; known: kk, ru"])


class FieldErrorBody(BaseModel):
    """One broken rule, exactly as `kzdocs validate --json` prints it."""

    model_config = ConfigDict(extra="allow")  # messages in more languages as they are added

    field: int | None = Field(description="form field number (1-18), null for the record")
    label_kk: str
    label_ru: str
    path: str = Field(examples=["goods.hs_code"])
    rule: str = Field(examples=["hs_code_format"])
    message: str = Field(examples=["must be 10 digits, got '10019900'"])
    message_kk: str = Field(examples=["10 цифрдан тұруы керек, берілгені: '10019900'"])
    message_ru: str = Field(examples=["должно состоять из 10 цифр, получено: '10019900'"])
    value: Any = None


class InvalidRecordBody(ErrorBody):
    """422: the record broke these rules; no document was made."""

    errors: list[FieldErrorBody]


class ValidBody(BaseModel):
    valid: Literal[True]
    kind: str


class KindBody(BaseModel):
    kind: str
    title_kk: str
    title_ru: str
    schema_url: str = Field(description="where its record's JSON Schema is")


class KindsBody(BaseModel):
    kinds: list[KindBody]


class SignerBody(BaseModel):
    subject: str
    iin: str | None
    bin: str | None
    serial: str
    issuer: str
    algorithm: str
    sha256_fingerprint: str
    not_before: str
    not_after: str
    test_certificate: bool


class VerifyBody(BaseModel):
    """The verdict of `kzdocs verify --json` (kzdocs.sign.verdict.Verdict.to_dict)."""

    valid: bool = Field(description="intact, nothing after the signature, one signer, page agrees")
    trusted: bool | None = Field(description="chains to a trust anchor; null: none were given")
    accepted: bool = Field(description="valid, and trusted when anchors were given")
    exit_code: int = Field(description="0 valid, 1 invalid, 3 intact but not trusted")
    kind: str = Field(description="pades, xmldsig, wsse or none")
    reasons: list[str]
    checks: list[str]
    trust: str
    signer: SignerBody | None
    signed_at: str | None
    document: Literal["pdf", "xml"]


class HealthBody(BaseModel):
    status: Literal["ok"]


class ReadyBody(BaseModel):
    status: Literal["ready"]
    workers: int
    ready: int
