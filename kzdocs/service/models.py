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
    signed_at: str
    test_certificate: bool


class SignatureCheckBody(BaseModel):
    valid: bool
    reason: str
    kind: str = Field(description="xmldsig, wsse, pades or none")
    signer: SignerBody | None


class VerifyBody(BaseModel):
    """What `kzdocs verify` says: valid only if every signature holds and the page agrees."""

    valid: bool
    document: Literal["pdf", "xml"]
    signature: SignatureCheckBody
    embedded: list[SignatureCheckBody]
    visible_disagreements: list[str] | None = Field(
        default=None, description="PDF only: what the page fails to show of the embedded XML"
    )


class HealthBody(BaseModel):
    status: Literal["ok"]


class ReadyBody(BaseModel):
    status: Literal["ready"]
    workers: int
    ready: int
