"""What every signer is and returns: the `Signer` interface, certificates, verification results."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from kzdocs.errors import SigningError
from kzdocs.sign import Signature


@dataclass(frozen=True)
class CertificateInfo:
    """What a signing certificate says of its holder, read from its subject and issuer."""

    subject: str  # subject CN
    serial: str  # hex, lower case
    issuer: str  # issuer CN
    algorithm: str  # e.g. "RSA-SHA256"
    not_before: datetime
    not_after: datetime
    iin: str | None = None
    bin: str | None = None
    test_certificate: bool = False
    fingerprint: str = ""  # SHA-256 of the DER certificate, hex, upper case, colon-separated

    def signature(self, signed_at: datetime, qr_payloads: tuple[bytes, ...] = ()) -> Signature:
        """The field-18 description of a signature made with this certificate at `signed_at`."""
        return Signature(
            subject=self.subject,
            serial=self.serial,
            issuer=self.issuer,
            algorithm=self.algorithm,
            signed_at=aware(signed_at),
            iin=self.iin,
            bin=self.bin,
            test_certificate=self.test_certificate,
            qr_payloads=qr_payloads,
        )

    def with_algorithm(self, algorithm: str) -> CertificateInfo:
        return replace(self, algorithm=algorithm)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of checking one signed document; `reason` says why it is not valid."""

    valid: bool
    reason: str
    kind: str  # "xmldsig", "wsse", "pades", "none"
    certificate: CertificateInfo | None = None
    signed_at: datetime | None = None
    embedded: tuple[VerifyResult, ...] = ()  # e.g. the XML inside a signed PDF
    record: bytes | None = None  # the record as the signature covers it (exclusive C14N)
    cert_der: bytes | None = None  # the signer's certificate, DER

    @property
    def signature(self) -> Signature | None:
        """The field-18 details, when the certificate and the signing time are both known."""
        if self.certificate is None or self.signed_at is None:
            return None
        return self.certificate.signature(self.signed_at)

    def __bool__(self) -> bool:
        return self.valid


@runtime_checkable
class Signer(Protocol):
    """Signs the record's XML (the transport signature) and, if `can_sign_pdf`, the PDF."""

    name: str

    @property
    def can_sign_pdf(self) -> bool: ...

    def sign_xml(
        self, xml: bytes, *, signed_at: datetime | None = None
    ) -> tuple[bytes, Signature | None]:
        """The signed XML and what field 18 shows of it; `None` means unsigned (a draft)."""
        ...

    def sign_pdf(self, pdf: bytes, *, signed_at: datetime | None = None) -> bytes:
        """The PDF with a signature added as an incremental update."""
        ...

    def describe(self) -> CertificateInfo | None:
        """The signing certificate, or `None` for a signer without one."""
        ...


def aware(moment: datetime | None) -> datetime:
    """`moment` as an aware datetime (naive means UTC); now when `None`."""
    if moment is None:
        return datetime.now(UTC).replace(microsecond=0)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def read_file(path: str | os.PathLike[str], what: str) -> bytes:
    """The bytes of a key or certificate file; `SigningError` naming `what` if unreadable."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise SigningError(f"cannot read {what} {os.fspath(path)!r}: {exc.strerror}") from exc


def seconds(value: float | str, option: str = "timeout") -> float:
    """A positive number of seconds, also from text (a --signer-option value is a string)."""
    try:
        if isinstance(value, bool):  # "timeout=true" on the command line is not one second
            raise TypeError
        number = float(value)
    except (TypeError, ValueError):
        raise SigningError(f"{option} must be a number of seconds, got {value!r}") from None
    if not math.isfinite(number) or number <= 0:
        raise SigningError(f"{option} must be a positive number of seconds, got {value!r}")
    return number
