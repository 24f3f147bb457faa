"""The PDF's own signatures: each intact, and nothing after the first that changes what is shown.

pyHanko's difference analysis (its standard DiffPolicy) judges every revision appended after a
signature. Only new signatures may follow kzdocs' own, and they must not draw anything: pyHanko
counts a visible signature's appearance as form filling, and an appearance can paint any text
over a field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography import x509

from kzdocs.sign.base import CertificateInfo
from kzdocs.sign.certs import certificate_info


@dataclass(frozen=True)
class PdfSignature:
    """One checked PDF signature; `problems` is empty when it holds."""

    number: int
    info: CertificateInfo | None
    cert_der: bytes | None
    chain: tuple[bytes, ...]  # other certificates the CMS carries (for the trust check)
    signed_at: datetime | None
    revision: bytes  # the bytes this signature covers: the file as it was when signed
    problems: tuple[str, ...]


def pdf_signatures(data: bytes) -> tuple[list[PdfSignature], list[str]]:
    """Every signature of the PDF, in file order, checked; and the file's own problems: a
    revision after the first signature that is not itself a signature's. Raises for a PDF
    that cannot be read at all."""
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(BytesIO(data), strict=False)
    signatures = reader.embedded_signatures
    names = [_field_name(s) for s in signatures]
    checked = [
        _check(data, number, sig, set(names[number - 1 :]))
        for number, sig in enumerate(signatures, 1)
    ]
    return checked, _unsigned_revisions(reader, signatures)


def _unsigned_revisions(reader, signatures) -> list[str]:
    # pyHanko's policy lets metadata or document-security-store updates pass; kzdocs signs
    # nothing of the kind, so every revision after the first signature must be a signature.
    signed = {s.signed_revision for s in signatures}
    if not signed:
        return []
    total = reader.xrefs.total_revisions
    return [
        f"revision {r + 1} of {total}, after the first signature, is an unsigned change"
        for r in range(min(signed), total)
        if r not in signed
    ]


def _field_name(sig) -> str:
    try:
        return str(sig.field_name)
    except Exception:  # a field without a name cannot be one a later signature filled
        return ""


def _check(data: bytes, number: int, sig, fields: set[str]) -> PdfSignature:
    """`fields`: the names of this signature's field and of every later signature's."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    where = f"PDF signature {number}"
    info = der = signed_at = None
    chain: tuple[bytes, ...] = ()
    try:
        cert = sig.signer_cert
        der = cert.dump()
        chain = tuple(c.dump() for c in sig.other_embedded_certs)
        info = _describe(der, sig.md_algorithm)
        if sig.sig_object_type != "/Sig":
            raise ValueError(f"a {sig.sig_object_type} is not a signature kzdocs makes")
        _exact_container(sig)
        # Trust is judged apart (kzdocs.sign.trust); here the certificate only vouches for itself.
        context = ValidationContext(trust_roots=[cert], allow_fetching=False)
        status = validate_pdf_signature(sig, context)
        signed_at = status.signer_reported_dt
        visible = _visible(sig) if number == 1 else ()
        problems = _integrity(status) or (*_after(status, sig, fields, data), *visible)
        revision = data[: _end(sig)]
    except Exception as exc:  # a damaged signature is a verdict, whatever pyHanko trips on
        problems, revision = (f"cannot be checked: {type(exc).__name__}: {exc}",), b""
    return PdfSignature(
        number, info, der, chain, signed_at, revision, tuple(f"{where}: {p}" for p in problems)
    )


def _exact_container(sig) -> None:
    """Refuse unsigned liberties in the CMS container: bytes after it in /Contents other than
    the zero padding, a signer identifier that does not name the certificate, or digest
    algorithms other than the one the signer used."""
    contents = bytes(sig.sig_object["/Contents"])
    if contents[_der_length(contents) :].strip(b"\x00"):
        raise ValueError("/Contents holds more than the signature and its zero padding")
    sid = sig.signer_info["sid"].chosen
    cert = sig.signer_cert
    if sid.dump() != _issuer_serial(cert).dump():
        raise ValueError("the signer identifier does not name the signing certificate")
    data = sig.signed_data
    algorithms = {a["algorithm"].native for a in data["digest_algorithms"]}
    if algorithms != {sig.signer_info["digest_algorithm"]["algorithm"].native}:
        raise ValueError("the container lists other digest algorithms than the signer's")
    encapsulated = data["encap_content_info"]
    if (data["version"].native, sig.signer_info["version"].native) != ("v1", "v1") or (
        encapsulated["content_type"].native != "data" or encapsulated["content"].native
    ):
        raise ValueError("the container is not a detached CMS SignedData version 1")
    identifiers = [*data["digest_algorithms"], sig.signer_info["digest_algorithm"]]
    identifiers.append(sig.signer_info["signature_algorithm"])
    if any(_odd_parameters(a) for a in identifiers):
        raise ValueError("an algorithm identifier carries parameters that mean nothing")
    _only_chain(data, cert.dump())


def _odd_parameters(identifier) -> bool:
    # SHA-2, PKCS #1 v1.5 and ECDSA take no parameters: absent, or an ASN.1 NULL.
    parameters = identifier["parameters"]
    return parameters.dump() not in (b"", b"\x05\x00")


def _only_chain(data, signer: bytes) -> None:
    """The container's certificates: the signer's, and CA certificates; nothing else."""
    others = {c.chosen.dump() for c in data["certificates"] or ()} - {signer}
    for der in others:
        constraints = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(
            x509.BasicConstraints
        )
        if not constraints.value.ca:
            raise ValueError("the container carries an end-entity certificate not its signer's")


def _issuer_serial(cert):
    from asn1crypto import cms

    return cms.IssuerAndSerialNumber({"issuer": cert.issuer, "serial_number": cert.serial_number})


def _der_length(data: bytes) -> int:
    """The length of the DER value at the start of `data`, header included."""
    if len(data) < 2:
        raise ValueError("/Contents is empty")
    first = data[1]
    if first < 0x80:
        return 2 + first
    count = first & 0x7F
    if not 0 < count <= 4 or len(data) < 2 + count:
        raise ValueError("/Contents does not start with a DER value")
    return 2 + count + int.from_bytes(data[2 : 2 + count], "big")


def _describe(der: bytes, md_algorithm: str) -> CertificateInfo:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    cert = x509.load_der_x509_certificate(der)
    key = cert.public_key()
    digest = md_algorithm.upper().replace("-", "")
    family = (
        "RSA"
        if isinstance(key, rsa.RSAPublicKey)
        else "ECDSA"
        if isinstance(key, ec.EllipticCurvePublicKey)
        else type(key).__name__
    )
    return certificate_info(cert, f"{family}-{digest}")


def _integrity(status) -> tuple[str, ...]:
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    if not status.intact:
        return ("the signed bytes were changed",)
    if not status.valid:
        return ("the signature value does not match its certificate",)
    if status.coverage not in (
        SignatureCoverageLevel.ENTIRE_REVISION,
        SignatureCoverageLevel.ENTIRE_FILE,
    ):
        return ("the signature does not cover a whole revision of the file",)
    return ()


def _after(status, sig, fields: set[str], data: bytes) -> tuple[str, ...]:
    """What was appended after this signature, if it may change what the document shows."""
    from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification

    result = status.diff_result
    if result is None:
        if _end(sig) == len(data):
            return ()
        return ("the file was changed after it and the change could not be analysed",)
    if isinstance(result, SuspiciousModification):
        return (f"the PDF was changed after it: {result}",)
    level = result.modification_level
    if level > ModificationLevel.FORM_FILLING:
        return (f"the PDF was changed after it ({level.name.lower().replace('_', ' ')})",)
    others = set(result.changed_form_fields) - fields
    if others:
        return (f"form fields were filled in after it: {', '.join(sorted(others))}",)
    return ()


def _visible(sig) -> tuple[str, ...]:
    """A signature field with an area on the page: its appearance could paint over a field."""
    from pyhanko.sign.fields import enumerate_sig_fields

    for name, _value, field_ref in enumerate_sig_fields(sig.reader):
        field = field_ref.get_object()
        for widget in [field, *[k.get_object() for k in field.get("/Kids", ())]]:
            rect = [float(x) for x in widget.get("/Rect", (0, 0, 0, 0))]
            if len(rect) == 4 and abs(rect[2] - rect[0]) * abs(rect[3] - rect[1]) > 0:
                return (f"signature field {name!r} draws on the page; kzdocs' draw nothing",)
    return ()


def _end(sig) -> int:
    _, _, second, length = (int(x) for x in sig.byte_range)
    return second + length
