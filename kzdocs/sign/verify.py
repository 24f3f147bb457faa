"""The one decision on a signed document, for the CLI, the Python API and the HTTP service alike.

A PDF is valid when every PDF signature is intact and nothing that changes what the document
shows follows the first one (pyHanko's difference analysis); its embedded record.xml carries an
intact XML signature by the same certificate (or a configured pairing); the record is a valid
kzdocs record; and the page shows exactly that record. An XML document is valid when its
signature is intact and covers a valid record. Comments and processing instructions are
refused: a signature does not cover them. Trust — does the certificate chain to an anchor? — is
judged apart, and only when anchors are given. Any doubt is a reason, and a reason makes the
document invalid.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from kzdocs.config import DEFAULT, Config
from kzdocs.errors import KzdocsError
from kzdocs.sign.base import VerifyResult
from kzdocs.sign.verdict import Verdict


def verify(
    data: bytes,
    *,
    config: Config = DEFAULT,
    trust: Sequence[str | os.PathLike[str]] | None = None,
    revocation: bool | None = None,
) -> Verdict:
    """The verdict on a signed PDF or XML document (told apart by its first bytes).

    `trust` (CA certificate files) and `revocation` default to the configuration's `verify`
    settings. Never raises for a bad document; `VerificationError` for an unreadable anchor.
    """
    from kzdocs.sign.trust import load_anchors

    settings = config.verify
    anchors = load_anchors(settings.trust if trust is None else trust)
    check = _check_pdf if bytes(data[:5]) == b"%PDF-" else _check_xml
    try:
        verdict = check(bytes(data), config)
    except Exception as exc:  # any doubt is invalid: a document never crashes the verifier
        verdict = Verdict(False, "none", (f"cannot be verified: {type(exc).__name__}: {exc}",))
    return _judge_trust(verdict, anchors, revocation or settings.revocation)


def verify_pdf(data: bytes, **options) -> Verdict:
    """`verify` of a PDF (options as there)."""
    return verify(data, **options)


def verify_xml(data: bytes, **options) -> Verdict:
    """`verify` of signed XML: an enveloped XMLDSig record or a WS-Security envelope."""
    return verify(data, **options)


# -- XML ----------------------------------------------------------------------------------------


def xml_signature(data: bytes) -> VerifyResult:
    """The XML signature alone: intact, covering the whole record, no unsigned nodes."""
    from kzdocs.errors import XmlError
    from kzdocs.sign.wsse import is_wsse, verify_wsse
    from kzdocs.sign.xmldsig import verify_enveloped
    from kzdocs.xml import parse_xml, refuse_unsigned_nodes

    try:
        root = parse_xml(data)
        refuse_unsigned_nodes(root)
        _refuse_repeated_ids(root)
    except XmlError as exc:
        return VerifyResult(False, str(exc), "none")
    return verify_wsse(root) if is_wsse(root) else verify_enveloped(root)


def _refuse_repeated_ids(root) -> None:
    from kzdocs.errors import XmlError

    ids = Counter(
        value
        for element in root.iter()
        for name, value in element.attrib.items()
        if name.rsplit("}", 1)[-1] in ("Id", "ID", "id")
    )
    repeated = [value for value, count in ids.items() if count > 1]
    if repeated:  # XML signature wrapping: a second element answering to a signed Id
        raise XmlError(f"the Id {repeated[0]!r} is given to more than one element")


def _check_xml(data: bytes, config: Config) -> Verdict:
    result = xml_signature(data)
    if not result.valid:
        return Verdict(False, result.kind, (f"XML signature: {result.reason}",), **_who(result))
    document, problem = _signed_record(result.record, config)
    if problem:
        return Verdict(False, result.kind, (problem,), **_who(result))
    problems = _applicant_problems(document, [("the XML signature", result.certificate)])
    if problems:
        return Verdict(False, result.kind, tuple(problems), **_who(result))
    checks = (
        f"XML signature ({result.kind}): intact, covering the whole record",
        "the signed record is a valid kzdocs record",
        *_applicant_checks(document),
    )
    return Verdict(True, result.kind, (), checks, **_who(result), record=result.record)


def _signed_record(record: bytes | None, config: Config):
    """The Document a signature covers, or None and why it is not a valid kzdocs record."""
    from kzdocs.crosscheck import signed_document

    if record is None:
        return None, "the signature covers no kzdocs record"
    try:
        return signed_document(record, config), None
    except KzdocsError as exc:
        return None, f"the signed XML is not a valid kzdocs record: {exc}"


def _applicant_problems(document, signers) -> list[str]:
    """For an application or draft: every signer named in `(what, certificate)` must be the
    applicant of field 5 (kzdocs.sign.applicant); nothing for an issued document."""
    from kzdocs.sign.applicant import applicant_mismatch

    if not _by_applicant(document):
        return []
    applicant = document.applicant.id
    found = ((what, applicant_mismatch(document.kind, applicant, cert)) for what, cert in signers)
    return [f"{what}: {problem}" for what, problem in found if problem]


def _applicant_checks(document) -> tuple[str, ...]:
    if not _by_applicant(document):
        return ()
    return ("signed with the applicant's own key: the certificate names field 5's BIN/IIN",)


def _by_applicant(document) -> bool:
    from kzdocs.forms import SIGNED_BY_APPLICANT

    return document is not None and document.kind in SIGNED_BY_APPLICANT


def _who(result: VerifyResult) -> dict:
    return {
        "certificate": result.certificate,
        "signed_at": result.signed_at,
        "cert_der": result.cert_der,
    }


# -- PDF ----------------------------------------------------------------------------------------


def _check_pdf(data: bytes, config: Config) -> Verdict:
    from kzdocs.errors import EmbeddedXmlError
    from kzdocs.sign.embedded import read_record_xml
    from kzdocs.sign.pdfsig import pdf_signatures

    settings = config.verify
    if len(data) > settings.max_pdf_bytes:
        limit = settings.max_pdf_bytes
        reason = f"the file has {len(data)} bytes, over verify.max_pdf_bytes ({limit})"
        return Verdict(False, "pades", (reason,))
    try:
        embedded_xml = read_record_xml(data, max_size=settings.max_embedded_bytes)
    except EmbeddedXmlError as exc:
        return Verdict(False, "pades", (str(exc),))
    try:
        signatures, unsigned = pdf_signatures(data)
    except Exception as exc:  # a damaged file must yield a verdict, whatever the parser trips on
        return Verdict(False, "pades", (f"not a readable PDF: {type(exc).__name__}: {exc}",))
    if not signatures:
        xml = xml_signature(embedded_xml)
        return Verdict(False, "none", ("the PDF has no signature",), embedded=(xml,))
    first = signatures[0]
    reasons = [p for s in signatures for p in s.problems] + unsigned
    if first.revision and _signed_copy(first.revision, embedded_xml) != embedded_xml:
        reasons.append("record.xml is not the one the first PDF signature covers")
    xml = xml_signature(embedded_xml)
    record_reasons, document = _record_reasons(xml, signatures, settings.pairings, config)
    reasons += record_reasons
    if not reasons:
        reasons += _page_reasons(first, xml, embedded_xml, config)
    checks = (
        () if reasons else (*_pdf_checks(len(signatures), xml.kind), *_applicant_checks(document))
    )
    return Verdict(
        not reasons,
        "pades",
        tuple(reasons),
        checks,
        certificate=first.info,
        signed_at=xml.signed_at or first.signed_at,
        embedded=(xml,),
        record=xml.record,
        cert_der=first.cert_der,
        chain=first.chain,
    )


def _signed_copy(revision: bytes, embedded_xml: bytes) -> bytes | None:
    """record.xml as the revision the first signature covers holds it."""
    from kzdocs.errors import EmbeddedXmlError
    from kzdocs.sign.embedded import read_record_xml

    try:
        return read_record_xml(revision, max_size=len(embedded_xml))
    except EmbeddedXmlError:
        return None


def _record_reasons(
    xml: VerifyResult,
    signatures: list,
    pairings: tuple[tuple[str, str], ...],
    config: Config,
) -> tuple[list[str], object]:
    """The embedded record: signed, intact, a valid record, by the PDF's signer (and, for an
    application or draft, by the applicant); and the signed Document."""
    if not xml.valid:
        return [f"embedded record.xml: {xml.reason}"], None
    document, problem = _signed_record(xml.record, config)
    if problem:
        return [f"embedded record.xml: {problem}"], None
    other_signer = [
        f"PDF signature {number} is by another certificate than record.xml's "
        f"({_fingerprint(s.cert_der)} against {xml.certificate.fingerprint})"
        for number, s in enumerate(signatures, 1)
        if s.cert_der != xml.cert_der and not _paired(xml.cert_der, s.cert_der, pairings)
    ]
    # A pairing lets another key sign the PDF; of an applicant's document, it must be the
    # applicant's key too.
    signers = [("embedded record.xml", xml.certificate)]
    signers += [
        (f"PDF signature {n}", s.info)
        for n, s in enumerate(signatures, 1)
        if s.cert_der != xml.cert_der  # the same certificate says the same
    ]
    return other_signer + _applicant_problems(document, signers), document


def _paired(xml_der: bytes | None, pdf_der: bytes | None, pairings) -> bool:
    if xml_der is None or pdf_der is None:
        return False
    pair = (_fingerprint(xml_der), _fingerprint(pdf_der))
    return any((_plain(a), _plain(b)) == tuple(map(_plain, pair)) for a, b in pairings)


def _fingerprint(der: bytes | None) -> str:
    import hashlib

    return hashlib.sha256(der).digest().hex(":").upper() if der else "no certificate"


def _plain(fingerprint: str) -> str:
    return fingerprint.replace(":", "").replace(" ", "").upper()


def _page_reasons(first, xml: VerifyResult, embedded_xml: bytes, config: Config) -> list[str]:
    from kzdocs.crosscheck import page_disagreements
    from kzdocs.sign.qr import qr_payloads

    signed_at = xml.signed_at or first.signed_at
    signature = xml.certificate.signature(signed_at, qr_payloads(embedded_xml))
    problems = page_disagreements(first.revision, xml.record, signature, config=config)
    return [f"page: {p}" for p in problems]


def _pdf_checks(count: int, kind: str) -> tuple[str, ...]:
    several = f"all {count} PDF signatures" if count > 1 else "the PDF signature"
    return (
        f"{several}: intact; nothing that changes the document follows the first",
        f"embedded record.xml: {kind} signature intact, by the PDF's certificate",
        "the signed record is a valid kzdocs record",
        "the page shows the signed record, field by field, and nothing else",
    )


# -- trust --------------------------------------------------------------------------------------


def _judge_trust(verdict: Verdict, anchors: tuple[bytes, ...], revocation: bool) -> Verdict:
    from kzdocs.sign.trust import check_trust

    if not anchors or verdict.cert_der is None:
        return verdict
    problem = check_trust(
        verdict.cert_der, anchors, intermediates=verdict.chain, revocation=revocation
    )
    if problem:
        reasons = (*verdict.reasons, f"not trusted: {problem}")
        return replace(verdict, trusted=False, trust=f"NOT trusted: {problem}", reasons=reasons)
    how = " and its revocation status" if revocation else ""
    note = f"trusted: the certificate chain{how} checked against {len(anchors)} trust anchor(s)"
    return replace(verdict, trusted=True, trust=note)
