"""Is the signer who its certificate says? The chain to a trust anchor, by pyhanko-certvalidator."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from kzdocs.errors import VerificationError
from kzdocs.sign.base import read_file


def load_anchors(paths: Sequence[str | os.PathLike[str]]) -> tuple[bytes, ...]:
    """The DER certificates in PEM or DER files; `VerificationError` naming a bad file."""
    anchors: list[bytes] = []
    for path in paths:
        data = read_file(path, "trust anchor")
        try:
            certs = (
                x509.load_pem_x509_certificates(data)
                if b"-----BEGIN" in data
                else [x509.load_der_x509_certificate(data)]
            )
        except ValueError as exc:
            raise VerificationError(
                f"trust anchor {os.fspath(Path(path))!r} is not a PEM or DER certificate"
            ) from exc
        anchors.extend(cert.public_bytes(Encoding.DER) for cert in certs)
    return tuple(anchors)


def check_trust(
    cert_der: bytes,
    anchors: Sequence[bytes],
    *,
    intermediates: Sequence[bytes] = (),
    revocation: bool = False,
) -> str | None:
    """None when `cert_der` chains to one of `anchors` (DER) for signing; else the reason.

    Checked now, not at the signing time: a PAdES B-B or XMLDSig signing time is the signer's
    own claim. With `revocation`, CRLs and OCSP are fetched and an unknown status is refused.
    """
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    def load(der: bytes) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(der)

    context = ValidationContext(
        trust_roots=[load(a) for a in anchors],
        other_certs=[load(c) for c in intermediates],
        allow_fetching=revocation,
        revocation_mode="require" if revocation else "soft-fail",
    )
    validator = CertificateValidator(load(cert_der), validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage({"digital_signature"}))
    except PathBuildingError:
        return "the certificate does not chain to any of the trust anchors"
    except PathValidationError as exc:
        return f"the certificate chain is not valid: {exc}"
    except (ValueError, TypeError) as exc:  # a certificate certvalidator cannot read
        return f"the certificate chain cannot be checked: {exc}"
    return None
