"""Each attack of issue 9, built at test time, refused by the API and the CLI with its reason."""

from __future__ import annotations

import io
import json
from functools import cache

import pytest
from attacks import bomb_pdf, copycat, copycat_document, overdraw, sign_revision
from lxml import etree
from signing_helpers import (
    FIXTURES,
    KEYS,
    PASSWORD,
    SIGNED_AT,
    quiet_weasyprint,
    record_xml,
    signed_document,
    signer,
)

from kzdocs.cli import main
from kzdocs.errors import EmbeddedXmlError
from kzdocs.pdf import extract_xml
from kzdocs.sign import verify_pdf, verify_xml
from kzdocs.sign.certs import load_key
from kzdocs.words import template_words

GENUINE = load_key(KEYS["rsa"], PASSWORD)


def _cli(tmp_path, capsys, data: bytes, *options: str) -> tuple[int, str]:
    path = tmp_path / ("doc.pdf" if data.startswith(b"%PDF") else "doc.xml")
    path.write_bytes(data)
    capsys.readouterr()
    code = main(["verify", str(path), *options])
    return code, capsys.readouterr().out


def _refused(tmp_path, capsys, data: bytes, reason: str) -> None:
    """The API and the CLI refuse `data`, each naming `reason`."""
    verdict = verify_pdf(data) if data.startswith(b"%PDF") else verify_xml(data)
    assert not verdict.valid and verdict.exit_code == 1
    assert any(reason in r for r in verdict.reasons), verdict.reasons
    code, out = _cli(tmp_path, capsys, data)
    assert code == 1 and out.startswith("verdict: INVALID\n")
    assert reason in out


# -- 1. a changed page under a second signature -------------------------------------------------


def test_a_white_box_and_new_text_signed_with_another_key_is_invalid(tmp_path, capsys):
    _, genuine = signed_document()
    forged = sign_revision(overdraw(genuine), copycat(GENUINE.certificate))
    assert forged.startswith(genuine)
    _refused(tmp_path, capsys, forged, "PDF signature 1: the PDF was changed after it")
    verdict = verify_pdf(forged)
    assert "PDF signature 2 is by another certificate than record.xml's" in verdict.reason or any(
        "PDF signature 2 is by another certificate" in r for r in verdict.reasons
    )


def test_the_same_change_signed_with_the_genuine_key_is_still_invalid(tmp_path, capsys):
    _, genuine = signed_document()
    forged = sign_revision(overdraw(genuine), GENUINE)
    _refused(tmp_path, capsys, forged, "PDF signature 1: the PDF was changed after it")


def test_a_visible_second_signature_that_paints_over_a_field_is_invalid(tmp_path, capsys):
    _, genuine = signed_document()
    forged = sign_revision(genuine, GENUINE, box=(300, 300, 420, 330))
    _refused(tmp_path, capsys, forged, "draws on the page")


def test_an_invisible_second_signature_by_the_same_certificate_keeps_it_valid():
    _, genuine = signed_document()
    verdict = verify_pdf(sign_revision(genuine, GENUINE))
    assert verdict.valid, verdict.reasons
    assert verdict.checks[0].startswith("all 2 PDF signatures: intact")


def test_a_copied_subject_and_serial_show_another_fingerprint(tmp_path, capsys):
    """A whole document signed by a self-made certificate that copies the genuine subject and
    serial is intact, but its fingerprint is not the genuine one (trust anchors tell them apart:
    test_verify_trust)."""
    _, real = signed_document()
    forged = copycat_document(GENUINE.certificate)
    genuine_verdict, forged_verdict = verify_pdf(real), verify_pdf(forged)
    assert forged_verdict.valid and forged_verdict.trusted is None
    assert forged_verdict.certificate.subject == genuine_verdict.certificate.subject
    assert forged_verdict.certificate.serial == genuine_verdict.certificate.serial
    assert forged_verdict.certificate.fingerprint != genuine_verdict.certificate.fingerprint
    code, out = _cli(tmp_path, capsys, forged)
    assert code == 0
    assert f"SHA-256:   {forged_verdict.certificate.fingerprint}" in out
    assert "the signer's identity was NOT checked" in out


def test_the_key_holder_s_own_page_with_other_text_is_invalid(tmp_path, capsys):
    """Even the genuine signer cannot sign a page that shows more than its record: the text is
    in the signed revision, both signatures are genuine, the page check refuses it (here its
    font has no Unicode map, so what it draws cannot be known)."""
    unsigned, _ = signed_document()
    writer = overdraw(unsigned)
    out = io.BytesIO()
    writer.write(out)
    pdf = signer().sign_pdf(out.getvalue(), signed_at=SIGNED_AT)
    _refused(tmp_path, capsys, pdf, "font /Helvetica has no Unicode map; its text is unknown")


def test_a_page_with_endless_text_is_refused_within_bounds(tmp_path, capsys):
    unsigned, _ = signed_document()
    writer = overdraw(unsigned, "a", repeat=300_000, font=False)
    out = io.BytesIO()
    writer.write(out)
    pdf = signer().sign_pdf(out.getvalue(), signed_at=SIGNED_AT)
    _refused(tmp_path, capsys, pdf, "the page's content stream is too long to read")


# -- 2. an unsigned record.xml, a signed draft --------------------------------------------------


def _pdf(html_signature, xml: bytes) -> bytes:
    """A kzdocs PDF page showing the wheat licence with `html_signature` in field 18 (its QR
    codes left out: they cost a second and these attacks are refused before the page is read),
    carrying `xml` as its record.xml."""
    from dataclasses import replace

    from kzdocs.html import render_html
    from kzdocs.pdf import render_pdf
    from kzdocs.render import metadata
    from kzdocs.schema import validate

    document = validate(json.loads((FIXTURES / "license-export-wheat.json").read_text("utf-8")))
    if html_signature is not None:
        html_signature = replace(html_signature, qr_payloads=())
    html = render_html(document, "kk", signature=html_signature)
    with quiet_weasyprint():
        return render_pdf(html, meta=metadata(document, "kk", document_config()), xml=xml)


def document_config():
    from kzdocs.config import DEFAULT

    return DEFAULT


def test_an_unsigned_record_xml_in_a_signed_pdf_is_invalid(tmp_path, capsys):
    _, signature = signer().sign_xml(record_xml(), signed_at=SIGNED_AT)
    forged_xml = record_xml().replace(b"<quantity>500</quantity>", b"<quantity>5000</quantity>")
    assert forged_xml != record_xml()
    pdf = signer().sign_pdf(_pdf(signature, forged_xml), signed_at=SIGNED_AT)
    _refused(tmp_path, capsys, pdf, "embedded record.xml: no enveloped ds:Signature")


def test_a_draft_signed_with_pades_afterwards_is_invalid(tmp_path, capsys):
    import kzdocs

    record = json.loads((FIXTURES / "license-export-wheat.json").read_text("utf-8"))
    with quiet_weasyprint():
        draft = kzdocs.render(record, format="pdf")
    _refused(tmp_path, capsys, signer().sign_pdf(draft, signed_at=SIGNED_AT), "no enveloped")


def test_a_draft_page_around_a_signed_record_is_invalid(tmp_path, capsys):
    signed_xml, _ = signer().sign_xml(record_xml(), signed_at=SIGNED_AT)
    pdf = signer().sign_pdf(_pdf(None, signed_xml), signed_at=SIGNED_AT)
    # The mark is the templates' word, quoted as printed (with its spaces).
    mark = template_words("kk/words.html")["draft_mark"]
    _refused(tmp_path, capsys, pdf, f"page: the page is marked as a draft («{mark}»)")


@cache
def _ec_record_in_an_rsa_pdf() -> bytes:
    signed_xml, signature = signer("ec").sign_xml(record_xml(), signed_at=SIGNED_AT)
    return signer("rsa").sign_pdf(_pdf(signature, signed_xml), signed_at=SIGNED_AT)


def test_record_xml_signed_by_another_key_than_the_pdf_is_invalid(tmp_path, capsys):
    pdf = _ec_record_in_an_rsa_pdf()
    _refused(tmp_path, capsys, pdf, "PDF signature 1 is by another certificate than record.xml's")


def test_a_configured_pairing_accepts_the_other_key_as_far_as_signers_go():
    """With the pairing configured, the two certificates may differ; the page check then runs
    (and finds this test page's field 18 without its QR codes)."""
    from dataclasses import replace

    from kzdocs.config import DEFAULT

    pdf = _ec_record_in_an_rsa_pdf()
    pair = (signer("ec").describe().fingerprint, signer("rsa").describe().fingerprint)
    config = replace(DEFAULT, verify=replace(DEFAULT.verify, pairings=(pair,)))
    assert not any("another certificate" in r for r in verify_pdf(pdf, config=config).reasons)
    assert any("another certificate" in r for r in verify_pdf(pdf).reasons)


# -- 3. comments and processing instructions in signed XML --------------------------------------

COMMENT_CASES = {
    "signing time": (b"2026-03-02T10:30:00+05:00", b"2026-03-02T10:30:00<!---->+05:00"),
    "a value": (b"<value>125000.00</value>", b"<value>1<!---->25000.00</value>"),
    "a name": (b"<kk>Xinjiang", b"<kk>Xin<!---->jiang"),
}


@pytest.mark.parametrize("case", COMMENT_CASES)
def test_a_comment_inside_signed_xml_is_refused(case, tmp_path, capsys):
    from kzdocs.sign.xmldsig import verify_enveloped
    from kzdocs.xml import parse_xml

    old, new = COMMENT_CASES[case]
    signed, _ = signer().sign_xml(record_xml(), signed_at=SIGNED_AT)
    assert old in signed
    forged = signed.replace(old, new, 1)
    # The attack is real: exclusive C14N without comments leaves the signature intact.
    assert verify_enveloped(parse_xml(forged)).valid
    _refused(tmp_path, capsys, forged, "a comment is not allowed in kzdocs XML")


def test_a_processing_instruction_is_refused(tmp_path, capsys):
    signed, _ = signer().sign_xml(record_xml(), signed_at=SIGNED_AT)
    forged = signed + b"<?kzdocs note?>"
    _refused(tmp_path, capsys, forged, "a processing instruction is not allowed in kzdocs XML")


def test_a_comment_in_wsu_created_is_refused(tmp_path, capsys):
    signed, _ = signer(wsse=True).sign_xml(record_xml(), signed_at=SIGNED_AT)
    old = b"<wsu:Created>2026-03-02T10:30:00+05:00"
    assert old in signed
    forged = signed.replace(old, b"<wsu:Created>2026-03-02T10:30:00<!---->+05:00", 1)
    _refused(tmp_path, capsys, forged, "a comment is not allowed in kzdocs XML")


def test_from_xml_and_extract_xml_refuse_a_comment_in_a_value(tmp_path, capsys):
    from kzdocs.errors import XmlError
    from kzdocs.xml import from_xml

    signed, signature = signer().sign_xml(record_xml(), signed_at=SIGNED_AT)
    forged = signed.replace(b"<value>125000.00</value>", b"<value>1<!---->25000.00</value>")
    with pytest.raises(XmlError, match="a comment is not allowed"):
        from_xml(forged)
    path = tmp_path / "doc.pdf"
    path.write_bytes(_pdf(signature, forged))
    capsys.readouterr()
    assert main(["extract-xml", str(path), "--record"]) == 1
    assert "a comment is not allowed in kzdocs XML" in capsys.readouterr().err


def test_the_signing_time_shown_is_the_signed_one():
    signed, _ = signer().sign_xml(record_xml(), signed_at=SIGNED_AT)
    root = etree.fromstring(signed)
    # A second, unsigned SigningTime beside the signed one changes nothing that is read.
    verdict = verify_xml(signed)
    assert verdict.valid and verdict.signed_at == SIGNED_AT
    assert root is not None


# -- 4. bounded: an embedded file that inflates to 70 MB, XML that is not valid ------------------


@pytest.mark.parametrize("declared", [None, 70 << 20, 100])
def test_an_embedded_file_inflating_to_70_mb_is_refused_unread(declared, tmp_path, capsys):
    pdf = bomb_pdf(70 << 20, declared=declared)
    assert len(pdf) < 100_000
    reason = "declares" if declared == 70 << 20 else "over the limit of 1048576 bytes"
    _refused(tmp_path, capsys, pdf, reason)


def test_the_python_extract_xml_refuses_the_inflating_file_unread():
    with pytest.raises(EmbeddedXmlError, match="over the limit of 1048576 bytes"):
        extract_xml(bomb_pdf(70 << 20))
    with pytest.raises(EmbeddedXmlError, match="over the limit of 1000 bytes"):
        extract_xml(bomb_pdf(5000, declared=None), max_size=1000)


def test_extract_xml_refuses_the_inflating_file_too(tmp_path, capsys):
    path = tmp_path / "bomb.pdf"
    path.write_bytes(bomb_pdf(70 << 20))
    assert main(["extract-xml", str(path)]) == 1
    assert "over the limit of 1048576 bytes" in capsys.readouterr().err


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<a>",
        b"\xff\xfe<\x00a\x00",
        b"<license-export xmlns='urn:kzdocs:order-51-nk:1'><Signature xmlns="
        b"'http://www.w3.org/2000/09/xmldsig#'><SignedInfo/></Signature></license-export>",
    ],
)
def test_any_xml_gets_a_verdict(data):
    verdict = verify_xml(data)
    assert not verdict.valid and verdict.reasons


def test_a_signature_signxml_finds_schema_invalid_gets_a_verdict():
    signed, _ = signer().sign_xml(record_xml(), signed_at=SIGNED_AT)
    root = etree.fromstring(signed)
    ds = "{http://www.w3.org/2000/09/xmldsig#}"
    info = root.find(f"{ds}Signature/{ds}SignedInfo")
    etree.SubElement(info, f"{ds}Unexpected")
    verdict = verify_xml(etree.tostring(root))
    assert not verdict.valid and verdict.reasons[0].startswith("XML signature: ")
