"""Checking signed documents: the XML transport signature and the PDF's PAdES signature.

Verification checks integrity and names the certificate; it does not build a chain of trust
(test certificates are self-signed, national ones need the PKI's roots and OCSP: use NCANode).
"""

from __future__ import annotations

import io
import logging

from cryptography import x509

from kzdocs.errors import XmlError
from kzdocs.sign.base import VerifyResult
from kzdocs.sign.certs import certificate_info
from kzdocs.sign.wsse import is_wsse, verify_wsse
from kzdocs.sign.xmldsig import verify_enveloped
from kzdocs.xml import parse_xml

_log = logging.getLogger(__name__)


def verify_xml(data: bytes) -> VerifyResult:
    """Verify an enveloped XMLDSig record or a WS-Security envelope."""
    try:
        root = parse_xml(data)
    except XmlError as exc:
        return VerifyResult(False, str(exc), "none")
    return verify_wsse(root) if is_wsse(root) else verify_enveloped(root)


def verify_pdf(data: bytes) -> VerifyResult:
    """Verify a PDF's signatures (intact, covering the whole file) and any signed XML inside it."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    from kzdocs.sign.pades import read_pdf

    embedded = tuple(verify_xml(xml) for xml in embedded_xml(data))
    try:
        signatures = read_pdf(data).embedded_signatures
    except Exception as exc:  # a damaged file must yield a verdict, whatever the parser trips on
        return VerifyResult(False, f"not a readable PDF: {exc}", "pades", embedded=embedded)
    if not signatures:
        return VerifyResult(False, "the PDF has no signature", "none", embedded=embedded)
    info = signed_at = None
    for number, sig in enumerate(signatures, 1):
        try:
            context = ValidationContext(trust_roots=[sig.signer_cert], allow_fetching=False)
            status = validate_pdf_signature(sig, context)
        except (SignatureValidationError, ValueError, KeyError) as exc:
            return VerifyResult(
                False, f"signature {number}: {exc}", "pades", info, embedded=embedded
            )
        cert = x509.load_der_x509_certificate(sig.signer_cert.dump())
        algorithm = _algorithm(cert, status.md_algorithm)
        info, signed_at = certificate_info(cert, algorithm), status.signer_reported_dt
        if not status.intact:
            reason = f"signature {number}: the signed bytes were changed"
            return VerifyResult(False, reason, "pades", info, signed_at, embedded)
        if not status.valid:
            reason = f"signature {number}: the signature value does not match its certificate"
            return VerifyResult(False, reason, "pades", info, signed_at, embedded)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        reason = "the PDF was changed after the last signature (an unsigned incremental update)"
        return VerifyResult(False, reason, "pades", info, signed_at, embedded)
    broken = [r for r in embedded if r.kind != "none" and not r.valid]
    if broken:
        reason = f"PDF signature intact, but the embedded XML's is not: {broken[0].reason}"
        return VerifyResult(False, reason, "pades", info, signed_at, embedded)
    return VerifyResult(
        True, "signature is intact and covers the whole file", "pades", info, signed_at, embedded
    )


def _algorithm(cert: x509.Certificate, md_algorithm: str) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = cert.public_key()
    digest = md_algorithm.upper().replace("-", "")
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA-{digest}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"ECDSA-{digest}"
    return f"{type(key).__name__}-{digest}"


def embedded_xml(pdf: bytes) -> list[bytes]:
    """The XML files attached to a PDF (the record a PDF/A-3 document carries)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        attachments = PdfReader(io.BytesIO(pdf)).attachments
        found = [
            content
            for name in attachments
            if name.lower().endswith(".xml")
            for content in attachments[name]
        ]
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        _log.debug("no attachments read: %s", exc)
        return []
    return found
