"""What verification decides about a document: one `Verdict`, whoever asks (CLI, API, service)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kzdocs.sign import Signature
from kzdocs.sign.base import CertificateInfo, VerifyResult

EXIT_VALID, EXIT_INVALID, EXIT_UNTRUSTED = 0, 1, 3
NOT_CHECKED = (
    "the signer's identity was NOT checked: no trust anchors were given (--trust CA.pem or "
    "'verify.trust' in the configuration), so anyone could have made a certificate with this "
    "name; compare the SHA-256 fingerprint with the one the issuer publishes"
)


@dataclass(frozen=True)
class Verdict:
    """The decision on one signed document.

    `valid`: intact, nothing changed after the signature, one signer for PDF and record, the
    page shows the signed record. `trusted`: the certificate chains to a trust anchor (None
    when no anchors were given). `reasons` says why a document is not valid or not trusted.
    """

    valid: bool
    kind: str  # "pades" (a PDF), "xmldsig" or "wsse" (XML), "none" (no signature found)
    reasons: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()  # what was checked and held, in order
    trusted: bool | None = None
    trust: str = NOT_CHECKED
    certificate: CertificateInfo | None = None
    signed_at: datetime | None = None
    embedded: tuple[VerifyResult, ...] = ()  # the XML signature inside a PDF
    record: bytes | None = field(default=None, repr=False)  # the signed record, C14N
    cert_der: bytes | None = field(default=None, repr=False)
    chain: tuple[bytes, ...] = field(default=(), repr=False)  # certificates sent along

    @property
    def accepted(self) -> bool:
        """Valid, and trusted when trust anchors were given."""
        return self.valid and self.trusted is not False

    @property
    def exit_code(self) -> int:
        """0 valid (and trusted if anchors were given), 1 invalid, 3 intact but not trusted."""
        if not self.valid:
            return EXIT_INVALID
        return EXIT_UNTRUSTED if self.trusted is False else EXIT_VALID

    @property
    def reason(self) -> str:
        """The first reason, or what was proven."""
        if self.reasons:
            return self.reasons[0]
        return "; ".join(self.checks) or "valid"

    @property
    def signature(self) -> Signature | None:
        """The field-18 details, when the certificate and the signing time are both known."""
        if self.certificate is None or self.signed_at is None:
            return None
        return self.certificate.signature(self.signed_at)

    def __bool__(self) -> bool:
        return self.accepted

    def to_dict(self) -> dict[str, Any]:
        """The verdict as JSON-ready data (what `kzdocs verify --json` prints)."""
        return {
            "valid": self.valid,
            "trusted": self.trusted,
            "accepted": self.accepted,
            "exit_code": self.exit_code,
            "kind": self.kind,
            "reasons": list(self.reasons),
            "checks": list(self.checks),
            "trust": self.trust,
            "signer": _certificate_dict(self.certificate),
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
        }


def _certificate_dict(info: CertificateInfo | None) -> dict[str, Any] | None:
    if info is None:
        return None
    return {
        "subject": info.subject,
        "iin": info.iin,
        "bin": info.bin,
        "serial": info.serial,
        "issuer": info.issuer,
        "algorithm": info.algorithm,
        "sha256_fingerprint": info.fingerprint,
        "not_before": info.not_before.isoformat(),
        "not_after": info.not_after.isoformat(),
        "test_certificate": info.test_certificate,
    }
