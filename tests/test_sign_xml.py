"""The transport signature: enveloped XMLDSig and WS-Security, signed and verified locally."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from lxml import etree
from signing_helpers import ASTANA, SIGNED_AT, record_xml, signer

from kzdocs.errors import SigningError
from kzdocs.sign import verify_xml
from kzdocs.sign.qr import MAX_CHUNK, read_qr_payloads
from kzdocs.sign.wsse import unwrap_wsse
from kzdocs.xml import from_xml, validate_xml

DS = "{http://www.w3.org/2000/09/xmldsig#}"
ALGORITHMS = {"rsa": "RSA-SHA256", "ec": "ECDSA-SHA256"}


@pytest.mark.parametrize("key", ["rsa", "ec"])
def test_enveloped_signature_round_trip(key):
    signed, signature = signer(key).sign_xml(record_xml(), signed_at=SIGNED_AT)
    root = etree.fromstring(signed)
    assert root[-1].tag == f"{DS}Signature"  # the root's last child, as the XSD wants
    methods = root.findall(f"{DS}Signature/{DS}SignedInfo/{DS}CanonicalizationMethod")
    assert methods[0].get("Algorithm") == "http://www.w3.org/2001/10/xml-exc-c14n#"
    validate_xml(signed, "license-export")
    assert from_xml(signed) == from_xml(record_xml())
    result = verify_xml(signed)
    assert result.valid, result.reason
    assert result.kind == "xmldsig"
    assert result.signed_at == SIGNED_AT
    assert result.signature == signature.__class__(**{**signature.__dict__, "qr_payloads": ()})
    assert signature.algorithm == ALGORITHMS[key]


def test_signature_details_come_from_the_certificate():
    _, signature = signer("rsa").sign_xml(record_xml(), signed_at=SIGNED_AT)
    assert signature.subject == "ТЕСТОВ ТЕСТ ТЕСТОВИЧ (ТЕСТ / TEST)"
    assert signature.iin == "900115300013"
    assert signature.bin == "150440000013"
    assert signature.issuer == signature.subject  # self-signed
    assert signature.test_certificate is True
    assert int(signature.serial, 16) > 0
    assert signature.signed_at == SIGNED_AT
    assert signature.signed_at.utcoffset() == timedelta(hours=5)


def test_ec_test_key_has_an_iin_and_no_bin():
    _, signature = signer("ec").sign_xml(record_xml(), signed_at=SIGNED_AT)
    assert (signature.subject, signature.iin, signature.bin) == (
        "САПАРОВА АЙГҮЛ (ТЕСТ / TEST)",
        "900115300401",
        None,
    )


def test_qr_payloads_carry_the_signed_xml():
    signed, signature = signer().sign_xml(record_xml(), signed_at=SIGNED_AT)
    assert len(signature.qr_payloads) == 2
    assert all(len(p) <= MAX_CHUNK + 19 for p in signature.qr_payloads)
    assert signature.qr_payloads[0].startswith(b"KZ1:1/2:")
    assert read_qr_payloads(signature.qr_payloads) == signed


def test_rsa_signing_is_reproducible():
    first, _ = signer("rsa").sign_xml(record_xml(), signed_at=SIGNED_AT)
    second, _ = signer("rsa").sign_xml(record_xml(), signed_at=SIGNED_AT)
    later, _ = signer("rsa").sign_xml(record_xml(), signed_at=SIGNED_AT + timedelta(seconds=1))
    assert first == second
    assert first != later


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("<number>01KZ260010000123</number>", "<number>01KZ260010000124</number>", "reference 0"),
        ("2026-03-02T10:30:00+05:00", "2026-03-01T10:30:00+05:00", "kzdocs-signing-time"),
    ],
)
def test_tampering_one_value_breaks_the_signature(old, new, why):
    signed, _ = signer().sign_xml(record_xml(), signed_at=SIGNED_AT)
    assert old.encode() in signed
    result = verify_xml(signed.replace(old.encode(), new.encode(), 1))
    assert not result.valid
    assert "does not match" in result.reason
    assert why in result.reason


def test_a_swapped_certificate_does_not_verify():
    signed, _ = signer("rsa").sign_xml(record_xml(), signed_at=SIGNED_AT)
    other, _ = signer("ec").sign_xml(record_xml(), signed_at=SIGNED_AT)
    cert = etree.fromstring(other).findtext(f".//{DS}X509Certificate")
    root = etree.fromstring(signed)
    root.find(f".//{DS}X509Certificate").text = cert
    result = verify_xml(etree.tostring(root))
    assert not result.valid
    assert result.certificate.subject.startswith("САПАРОВА")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"<license-export xmlns='urn:kzdocs:order-51-nk:1'/>", "no enveloped ds:Signature"),
        (b"<a>", "Premature end"),
        (b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>', "DOCTYPE"),
    ],
)
def test_unsigned_or_unreadable_xml_is_not_valid(data, reason):
    result = verify_xml(data)
    assert not result.valid
    assert reason in result.reason
    assert result.signature is None


def test_signing_outside_the_certificate_validity_is_refused():
    with pytest.raises(SigningError, match="valid only from 2025-01-01"):
        signer().sign_xml(record_xml(), signed_at=datetime(2024, 12, 31, tzinfo=ASTANA))


@pytest.mark.parametrize("key", ["rsa", "ec"])
def test_wsse_envelope_round_trip(key):
    signed, signature = signer(key, wsse=True).sign_xml(record_xml(), signed_at=SIGNED_AT)
    envelope = etree.fromstring(signed)
    assert envelope.tag == "{http://www.w3.org/2003/05/soap-envelope}Envelope"
    wsse = "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd}"
    assert envelope.find(f".//{wsse}Security/{wsse}BinarySecurityToken") is not None
    key_info = f".//{wsse}Security/{DS}Signature/{DS}KeyInfo/{wsse}SecurityTokenReference"
    assert envelope.find(key_info) is not None
    result = verify_xml(signed)
    assert result.valid, result.reason
    assert (result.kind, result.signed_at) == ("wsse", SIGNED_AT)
    assert result.certificate.iin == signature.iin
    assert from_xml(unwrap_wsse(signed)) == from_xml(record_xml())


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<number>01KZ260010000123</number>", "<number>01KZ260010000999</number>"),
        ("<wsu:Created>2026-03-02T10:30:00", "<wsu:Created>2026-03-02T11:30:00"),
    ],
)
def test_wsse_tampering_is_detected(old, new):
    signed, _ = signer(wsse=True).sign_xml(record_xml(), signed_at=SIGNED_AT)
    assert old.encode() in signed
    result = verify_xml(signed.replace(old.encode(), new.encode(), 1))
    assert not result.valid
    assert "Digest mismatch" in result.reason


def test_wsse_body_moved_out_of_the_signature_is_detected():
    signed, _ = signer(wsse=True).sign_xml(record_xml(), signed_at=SIGNED_AT)
    tampered = signed.replace(b'wsu:Id="kzdocs-body"', b'wsu:Id="elsewhere"')
    result = verify_xml(tampered)
    assert not result.valid
    assert "does not cover the whole document" in result.reason


@pytest.mark.parametrize("wsse", [False, True])
def test_signed_record_is_the_record_given_to_the_signer(wsse):
    from kzdocs.sign.record import check_signed_record, signed_record

    signed, _ = signer(wsse=wsse).sign_xml(record_xml(), signed_at=SIGNED_AT)
    assert signed_record(signed) == record_xml()  # byte for byte: the canonical record XML
    check_signed_record(record_xml(), signed)


def test_a_signer_may_indent_its_output_but_not_change_a_value():
    from kzdocs.sign.record import check_signed_record

    signed, _ = signer().sign_xml(record_xml(), signed_at=SIGNED_AT)
    root = etree.fromstring(signed)
    etree.indent(root, space="\t")
    check_signed_record(record_xml(), etree.tostring(root))
    changed = signed.replace(b"1001990000", b"1001990001")
    with pytest.raises(SigningError, match="the signed XML of another record"):
        check_signed_record(record_xml(), changed)
