"""Trust: the certificate chain to a trust anchor (`--trust`, `verify.trust`), exit code 3."""

from __future__ import annotations

import json
from functools import cache

import pytest
from attacks import copycat, issued_leaf, make_ca, pem
from cryptography import x509
from cryptography.x509.oid import NameOID
from signing_helpers import FIXTURES, SIGNED_AT, quiet_weasyprint, record_xml

from kzdocs.cli import main
from kzdocs.sign.signers import LocalKeySigner
from kzdocs.sign.verify import verify

SUBJECT = x509.Name(
    [
        x509.NameAttribute(NameOID.COMMON_NAME, "ӘБІЛОВ ҚАНАТ"),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, "IIN900115300013"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
    ]
)


@cache
def _pki():
    ca = make_ca()
    return ca, issued_leaf(ca, SUBJECT)


@pytest.fixture
def anchor(tmp_path):
    path = tmp_path / "ca.pem"
    path.write_bytes(pem(_pki()[0].certificate))
    return path


def _signed_xml(material) -> bytes:
    return LocalKeySigner(material).sign_xml(record_xml(), signed_at=SIGNED_AT)[0]


def _run(tmp_path, capsys, data: bytes, *options) -> tuple[int, str]:
    path = tmp_path / ("doc.pdf" if data.startswith(b"%PDF") else "doc.xml")
    path.write_bytes(data)
    capsys.readouterr()
    code = main(["verify", str(path), *options])
    return code, capsys.readouterr().out


def test_a_certificate_issued_by_the_anchor_is_trusted(tmp_path, capsys, anchor):
    code, out = _run(tmp_path, capsys, _signed_xml(_pki()[1]), "--trust", str(anchor))
    assert code == 0 and out.startswith("verdict: VALID\n")
    assert "trust: trusted: the certificate chain checked against 1 trust anchor(s)" in out


def test_a_copy_of_its_subject_and_serial_is_intact_but_not_trusted(tmp_path, capsys, anchor):
    fake = copycat(_pki()[1].certificate)
    data = _signed_xml(fake)
    code, out = _run(tmp_path, capsys, data, "--trust", str(anchor))
    assert code == 3
    assert out.startswith("verdict: INTACT, BUT THE SIGNER IS NOT TRUSTED\n")
    assert "  - not trusted: the certificate chain is not valid: " in out
    assert "signature of the end-entity certificate could not be verified" in out
    verdict = verify(data, trust=[anchor])
    assert (verdict.valid, verdict.trusted, verdict.accepted, verdict.exit_code) == (
        True,
        False,
        False,
        3,
    )
    assert verdict.certificate.subject == "ӘБІЛОВ ҚАНАТ"  # the copy names the same person


def test_the_trust_setting_of_the_configuration(tmp_path, capsys, anchor):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"verify": {"trust": ["ca.pem"]}}), "utf-8")
    doc = tmp_path / "doc.xml"
    doc.write_bytes(_signed_xml(copycat(_pki()[1].certificate)))
    assert main(["--config", str(config), "verify", str(doc)]) == 3
    doc.write_bytes(_signed_xml(_pki()[1]))
    assert main(["--config", str(config), "verify", str(doc)]) == 0


def test_revocation_required_but_not_available_is_not_trusted(tmp_path, capsys, anchor):
    code, out = _run(
        tmp_path, capsys, _signed_xml(_pki()[1]), "--trust", str(anchor), "--revocation"
    )
    assert code == 3
    assert "not trusted: the certificate chain is not valid" in out


def test_a_signed_pdf_with_a_trusted_chain(tmp_path, capsys, anchor):
    import kzdocs

    record = json.loads((FIXTURES / "license-export-wheat.json").read_text("utf-8"))
    with quiet_weasyprint():
        pdf = kzdocs.render(
            record, format="pdf", signer=LocalKeySigner(_pki()[1]), signed_at=SIGNED_AT
        )
    code, out = _run(tmp_path, capsys, pdf, "--trust", str(anchor), "--json")
    verdict = json.loads(out)
    assert code == 0 and verdict["valid"] and verdict["trusted"] and verdict["accepted"]
    assert verdict["signer"]["subject"] == "ӘБІЛОВ ҚАНАТ"
    assert verdict["signer"]["sha256_fingerprint"].count(":") == 31


def test_a_trust_anchor_that_is_no_certificate_is_a_usage_error(tmp_path, capsys):
    bad = tmp_path / "ca.pem"
    bad.write_bytes(b"not a certificate")
    doc = tmp_path / "doc.xml"
    doc.write_bytes(_signed_xml(_pki()[1]))
    assert main(["verify", str(doc), "--trust", str(bad)]) == 2
    assert f"trust anchor '{bad}' is not a PEM or DER certificate" in capsys.readouterr().err


def test_an_unrelated_anchor_says_the_chain_is_missing(tmp_path, capsys):
    other = tmp_path / "other.pem"
    other.write_bytes(pem(make_ca("ANOTHER CA").certificate))
    code, out = _run(tmp_path, capsys, _signed_xml(_pki()[1]), "--trust", str(other))
    assert code == 3
    assert "not trusted: the certificate does not chain to any of the trust anchors" in out
