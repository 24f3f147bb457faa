"""The signing stage: a signer signs the record's canonical XML (the transport signature) and,
optionally, the PDF; `Signature` is what the reader sees of it in field 18."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Signature:
    """The details of an applied signature, as field 18 and the block below it show them."""

    subject: str  # signer's name (certificate subject CN)
    serial: str  # certificate serial number, hex
    issuer: str  # certificate issuer CN
    algorithm: str  # e.g. "RSA-SHA256", "ECDSA-SHA256", "GOST R 34.10-2015 (256)"
    signed_at: datetime  # aware; shown in Astana time
    iin: str | None = None  # SERIALNUMBER=IIN… of the subject
    bin: str | None = None  # OU=BIN… of the subject
    test_certificate: bool = False
    qr_payloads: tuple[str, ...] = field(default=())  # the signed data, split into chunks
