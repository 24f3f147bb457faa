"""The PDF signature: PAdES B-B on a PDF/A-3b, the embedded record kept and verified."""

from __future__ import annotations

import io
import json

import pypdf
import pytest
from signing_helpers import (
    FIXTURES,
    SIGNED_AT,
    pdfa,
    quiet_weasyprint,
    record_xml,
    signed_document,
    signer,
)

from kzdocs.sign import verify_pdf


def signed_pdf(key: str = "rsa") -> tuple[bytes, bytes]:
    return signed_document(key=key)


@pytest.mark.parametrize("key", ["rsa", "ec"])
def test_pades_round_trip_keeps_and_checks_the_embedded_xml(key):
    unsigned, signed = signed_pdf(key)
    assert signed.startswith(unsigned)  # an incremental update: the original bytes untouched
    assert b"/SubFilter /ETSI.CAdES.detached" in signed
    result = verify_pdf(signed)
    assert result.valid, result.reason
    assert result.kind == "pades"
    assert result.signed_at == SIGNED_AT
    assert result.certificate.iin in ("900115300013", "900115300401")
    assert [(e.kind, e.valid) for e in result.embedded] == [("xmldsig", True)]


def test_pdfa_claim_and_metadata_survive_signing():
    unsigned, signed = signed_pdf()
    before, after = pypdf.PdfReader(io.BytesIO(unsigned)), pypdf.PdfReader(io.BytesIO(signed))
    assert after.xmp_metadata.stream.get_data() == before.xmp_metadata.stream.get_data()
    assert b'pdfaid:part="3"' in after.xmp_metadata.stream.get_data()
    assert after.metadata == before.metadata  # Info still agrees with XMP
    assert list(after.attachments) == ["record.xml"]
    assert after.attachments["record.xml"] == before.attachments["record.xml"]
    widget = after.pages[0]["/Annots"][0].get_object()
    assert widget["/Rect"] == [0, 0, 0, 0]
    assert widget["/F"] & 4  # printable, as PDF/A requires
    assert "/N" in widget["/AP"]  # an (empty) appearance, as PDF/A wants even when invisible
    assert b"/FontFile" not in signed[len(unsigned) :]  # no new fonts


def test_pdf_signing_is_reproducible():
    unsigned, first = signed_pdf()
    assert signer().sign_pdf(unsigned, signed_at=SIGNED_AT) == first


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_one_changed_byte_breaks_the_pdf_signature(where):
    unsigned, signed = signed_pdf()
    position = int(len(unsigned) * where)
    tampered = bytearray(signed)
    tampered[position] ^= 0x01
    result = verify_pdf(bytes(tampered))
    assert not result.valid
    # The byte lies in the signed range of the (reproducible) file: the digest no longer matches.
    assert result.reason == "PDF signature 1: the signed bytes were changed"
    assert result.kind == "pades"


def test_an_unsigned_update_after_the_signature_is_reported():
    _, signed = signed_pdf()
    writer = pypdf.PdfWriter(io.BytesIO(signed), incremental=True)
    writer.add_metadata({"/Title": "changed"})
    out = io.BytesIO()
    writer.write(out)
    result = verify_pdf(out.getvalue())
    assert not result.valid
    assert result.reasons == ("revision 3 of 3, after the first signature, is an unsigned change",)


def test_an_unsigned_pdf_is_not_valid():
    result = verify_pdf(pdfa(record_xml()))
    assert not result.valid
    assert result.reasons == ("the PDF has no signature",)
    assert [e.reason for e in result.embedded] == [
        "no enveloped ds:Signature under the root element"
    ]


def test_garbage_is_not_a_pdf():
    result = verify_pdf(b"%PDF-1.7\nnot really")
    assert not result.valid
    assert result.reason.startswith("the embedded record.xml cannot be read")


def test_the_whole_pipeline_signs_xml_and_pdf():
    import kzdocs

    record = json.loads((FIXTURES / "license-export-wheat.json").read_text("utf-8"))
    with quiet_weasyprint():
        pdf = kzdocs.render(record, lang="kk", format="pdf", signer=signer(), signed_at=SIGNED_AT)
    result = verify_pdf(pdf)
    assert result.valid, result.reason
    assert [(e.kind, e.valid, e.signed_at) for e in result.embedded] == [
        ("xmldsig", True, SIGNED_AT)
    ]


def test_a_damaged_file_is_a_verdict_never_a_crash():
    """`kzdocs verify` reads files that may be damaged anywhere; pypdf and pyHanko then raise
    all sorts of errors, and each must become a reason."""
    _, pdf = signed_pdf()
    for step in range(1, 40):
        damaged = bytearray(pdf)
        damaged[len(pdf) * step // 40] ^= 0x01
        result = verify_pdf(bytes(damaged))
        assert not result.valid and result.reasons


def _cms_certificates(pdf: bytes) -> list[bytes]:
    from asn1crypto import cms

    contents = pypdf.PdfReader(io.BytesIO(pdf)).get_fields()["kzdocs-signature"]["/V"]["/Contents"]
    signed_data = cms.ContentInfo.load(bytes(contents).rstrip(b"\0"))["content"]
    return [choice.chosen.dump() for choice in signed_data["certificates"]]


def test_the_signature_carries_each_certificate_once():
    from attacks import issued_leaf, make_ca
    from cryptography.hazmat.primitives.serialization import Encoding

    from kzdocs.sign.signers import LocalKeySigner

    ca = make_ca()
    leaf = issued_leaf(ca, ca.certificate.subject)
    for material, key in ((signer(), "self-signed"), (LocalKeySigner(leaf), "with its CA")):
        pdf = material.sign_pdf(pdfa(record_xml()), signed_at=SIGNED_AT)
        certificates = _cms_certificates(pdf)
        assert len(certificates) == len(set(certificates)), key
        if key == "with its CA":
            expected = {c.public_bytes(Encoding.DER) for c in (leaf.certificate, ca.certificate)}
            assert set(certificates) == expected  # the chain is still there for a verifier


def _normalised_cms(pdf: bytes) -> tuple[int, bytes]:
    """The room /Contents holds and the CMS without its document digest and signature:
    what is left is what two signers of different bytes must agree on."""
    from asn1crypto import cms

    contents = pypdf.PdfReader(io.BytesIO(pdf)).get_fields()["kzdocs-signature"]["/V"]["/Contents"]
    info = cms.ContentInfo.load(bytes(contents).rstrip(b"\0"))
    signer_info = info["content"]["signer_infos"][0]
    signer_info["signature"] = b""  # an ECDSA signature's length varies too
    attributes = signer_info["signed_attrs"]
    assert [a["type"].native for a in attributes] == [
        "content_type",
        "message_digest",
        "signing_certificate_v2",
    ]
    attributes[1]["values"] = [bytes(32)]
    return len(contents), info.dump(force=True)


@pytest.mark.parametrize("key", ["rsa", "ec"])
def test_the_cms_is_the_one_pyhanko_builds(key, monkeypatch):
    """kzdocs writes its own CMS; pyHanko's (with its own CAdES attributes, built anew for every
    signature) is the same container, in the same room, for the same key."""
    from kzdocs.sign import pyhanko_pades

    unsigned, ours = signed_pdf(key)
    built = pyhanko_pades._KeptKeySigner(signer(key).material)
    built.signed_attr_prov_spec = None  # pyHanko's own CAdES spec
    monkeypatch.setattr(pyhanko_pades, "_signer", lambda material: built)
    theirs = pyhanko_pades.sign_pdf_pyhanko(unsigned, signer(key).material, SIGNED_AT)
    assert _normalised_cms(ours) == _normalised_cms(theirs)
    assert verify_pdf(theirs).valid
