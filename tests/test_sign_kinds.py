"""Every kind signed and verified, and every kind's tampering caught: XML and PDF."""

import json
from datetime import datetime
from pathlib import Path

import pytest

from kzdocs import render, validate
from kzdocs.forms import KINDS
from kzdocs.golden.keys import signing_keys
from kzdocs.render import ASTANA
from kzdocs.sign import verify_pdf, verify_xml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# The issuer's test key, and for an applicant's form the applicant's own (fixtures/sign/applicants).
KEYS = signing_keys(FIXTURES / "sign" / "dev-rsa.p12", "test")
SIGNED_AT = datetime(2026, 3, 20, 10, 0, tzinfo=ASTANA)


def _record(kind: str) -> dict:
    path = next(p for p in sorted(FIXTURES.glob(f"{kind}-*.json")))
    return json.loads(path.read_text(encoding="utf-8"))


def _signed(kind: str, fmt: str, lang: str = "kk") -> bytes:
    record = _record(kind)
    signer = KEYS.signer_for(validate(record))
    return render(record, lang=lang, format=fmt, signer=signer, signed_at=SIGNED_AT)


@pytest.mark.parametrize("kind", KINDS)
def test_signed_xml_verifies_and_a_changed_value_is_caught(kind):
    signed = _signed(kind, "xml")
    assert verify_xml(signed).valid
    number = _record(kind)["number"].encode()
    tampered = verify_xml(signed.replace(number, number[:-1] + b"0", 1))
    assert not tampered.valid and "does not match" in tampered.reason


@pytest.mark.parametrize("kind", KINDS)
def test_signed_pdf_verifies_and_a_changed_byte_is_caught(kind):
    signed = _signed(kind, "pdf", "ru")
    result = verify_pdf(signed)
    assert result.valid and all(inner.valid for inner in result.embedded)
    damaged = bytearray(signed)
    damaged[len(damaged) // 2] ^= 0x01
    assert not verify_pdf(bytes(damaged)).valid


@pytest.mark.parametrize("kind", KINDS)
def test_field_18_shows_the_signature_instead_of_the_draft_mark(kind):
    html = _signed(kind, "html").decode()
    assert 'class="draft-mark"' not in html and "Қол қойылмаған" not in html
    signer_iin = KEYS.signer_for(validate(_record(kind))).describe().iin
    assert signer_iin in html and "20.03.2026 10:00" in html
