"""Test certificates and key loading: subjects as the national PKI writes them, clear errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from signing_helpers import KEYS, PASSWORD

from kzdocs.errors import SigningError
from kzdocs.sign import dev_cert, load_key
from kzdocs.sign.signers import LocalKeySigner


@pytest.mark.parametrize("key", ["rsa", "ec"])
def test_dev_cert_writes_a_kazakh_style_test_certificate(tmp_path, key):
    path = tmp_path / "keys" / "me.p12"
    made = dev_cert(
        path,
        subject_name="ӘБІЛОВ ҚАНАТ",
        iin="900115300013",
        bin="150440000013",
        key=key,
        password="pw",
    )
    loaded = load_key(path, "pw")
    subject = loaded.certificate.subject
    assert (
        subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "ӘБІЛОВ ҚАНАТ (ТЕСТ / TEST)"
    )
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "IIN900115300013"
    assert (
        subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value
        == "BIN150440000013"
    )
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "KZ"
    assert loaded.certificate == made.certificate
    info = loaded.info
    assert (info.iin, info.bin, info.test_certificate) == ("900115300013", "150440000013", True)
    assert info.algorithm == {"rsa": "RSA-SHA256", "ec": "ECDSA-SHA256"}[key]


def test_wrong_password_is_a_signing_error(tmp_path):
    with pytest.raises(SigningError, match="wrong password or not a PKCS#12 file"):
        load_key(KEYS["rsa"], "not-the-password")


def test_missing_key_file_is_a_signing_error(tmp_path):
    with pytest.raises(SigningError, match="cannot read key file"):
        LocalKeySigner(tmp_path / "absent.p12", PASSWORD)


def test_expired_certificate_is_refused(tmp_path):
    path = tmp_path / "old.p12"
    dev_cert(path, days=30, not_before=datetime(2020, 1, 1, tzinfo=UTC))
    with pytest.raises(SigningError, match="expired on 2020-01-31"):
        load_key(path, "test")
    # …but it still opens for a signing time inside its validity.
    assert load_key(path, "test", at=datetime(2020, 1, 15, tzinfo=UTC)).info.subject


def test_key_that_does_not_match_the_certificate_is_refused(tmp_path):
    mine = load_key(KEYS["rsa"], PASSWORD, at=datetime(2026, 3, 2, tzinfo=UTC))
    other = dev_cert(tmp_path / "other.p12")
    key_pem = mine.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "key.pem").write_bytes(key_pem)
    (tmp_path / "cert.pem").write_bytes(other.certificate.public_bytes(serialization.Encoding.PEM))
    with pytest.raises(SigningError, match="private key does not match the certificate"):
        load_key(tmp_path / "key.pem", certificate=tmp_path / "cert.pem")


def test_pem_key_and_certificate_in_one_file(tmp_path):
    mine = load_key(KEYS["ec"], PASSWORD)
    pem = mine.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"secret"),
    ) + mine.certificate.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "both.pem").write_bytes(pem)
    assert load_key(tmp_path / "both.pem", "secret").certificate == mine.certificate
    with pytest.raises(SigningError, match="wrong password"):
        load_key(tmp_path / "both.pem", "other")


@pytest.mark.parametrize(
    ("options", "message"),
    [({"key": "dsa"}, "key must be 'rsa' or 'ec'"), ({"days": 0}, "days must be at least 1")],
)
def test_bad_dev_cert_options_write_nothing(tmp_path, options, message):
    with pytest.raises(SigningError, match=message):
        dev_cert(tmp_path / "x.p12", **options)
    assert list(tmp_path.iterdir()) == []


def test_dev_cert_into_an_unwritable_place_leaves_no_partial_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(SigningError, match="cannot write"):
        dev_cert(blocker / "x.p12")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
