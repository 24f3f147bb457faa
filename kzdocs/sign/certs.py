"""Keys and certificates: loading PKCS#12 or PEM, reading a Kazakh-style subject, test certs."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from kzdocs.errors import SigningError
from kzdocs.sign.base import CertificateInfo, aware, read_file

TEST_MARK = "ТЕСТ / TEST"
# Words by which the national test PKI and kzdocs' own dev certificates mark themselves.
_TEST_WORDS = ("TEST", "ТЕСТ")

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class KeyMaterial:
    """A private key with its certificate (and any chain), ready to sign."""

    key: PrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def algorithm(self) -> str:
        return "ECDSA-SHA256" if isinstance(self.key, ec.EllipticCurvePrivateKey) else "RSA-SHA256"

    @property
    def info(self) -> CertificateInfo:
        return certificate_info(self.certificate, self.algorithm)

    def check_valid_at(self, moment: datetime) -> None:
        """Refuse to sign outside the certificate's validity period."""
        check_validity(self.certificate, moment)


def load_key(
    path: str | os.PathLike[str],
    password: str | bytes | None = None,
    *,
    certificate: str | os.PathLike[str] | None = None,
    at: datetime | None = None,
) -> KeyMaterial:
    """A PKCS#12 file (with its password) or a PEM key (+ PEM certificate, or both in one file).

    Raises `SigningError` for an unreadable file, a wrong password, a key that does not match
    the certificate, or a certificate not valid at `at` (default: now).
    """
    data = read_file(path, "key file")
    cert_data = read_file(certificate, "key file") if certificate is not None else None
    return load_key_data(data, password, certificate=cert_data, at=at, source=os.fspath(path))


def load_key_data(
    data: bytes,
    password: str | bytes | None = None,
    *,
    certificate: bytes | None = None,
    at: datetime | None = None,
    source: str = "<key>",
) -> KeyMaterial:
    """`load_key` for bytes already in memory (e.g. a base64 key sent over HTTP)."""
    secret = _secret(password)
    if b"-----BEGIN" in data:
        material = _load_pem(data, certificate or data, secret, source)
    else:
        material = _load_pkcs12(data, secret, source)
    _check_pair(material)
    material.check_valid_at(aware(at))
    return material


def _secret(password: str | bytes | None) -> bytes | None:
    return password.encode("utf-8") if isinstance(password, str) else password


def _load_pkcs12(data: bytes, password: bytes | None, source: str) -> KeyMaterial:
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError as exc:
        raise SigningError(
            f"cannot open PKCS#12 file {source!r}: wrong password or not a PKCS#12 file"
        ) from exc
    if key is None or cert is None:
        raise SigningError(f"PKCS#12 file {source!r} must hold a private key and its certificate")
    return KeyMaterial(_usable(key, source), cert, tuple(extra))


def _load_pem(data: bytes, cert_data: bytes, password: bytes | None, source: str) -> KeyMaterial:
    try:
        key = serialization.load_pem_private_key(data, password)
    except (ValueError, TypeError) as exc:
        raise SigningError(
            f"cannot read the PEM private key in {source!r}: wrong password or no key"
        ) from exc
    try:
        certs = x509.load_pem_x509_certificates(cert_data)
    except ValueError as exc:
        raise SigningError(
            f"no PEM certificate found for key {source!r}; pass certificate=…"
        ) from exc
    return KeyMaterial(_usable(key, source), certs[0], tuple(certs[1:]))


def _usable(key: object, source: str) -> PrivateKey:
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        return key
    raise SigningError(
        f"key in {source!r} is {type(key).__name__}; only RSA and EC keys sign locally"
    )


def _check_pair(material: KeyMaterial) -> None:
    if _spki(material.key.public_key()) != _spki(material.certificate.public_key()):
        raise SigningError(
            "private key does not match the certificate "
            f"(certificate serial {material.certificate.serial_number:x})"
        )


def _spki(public_key: object) -> bytes:
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    return public_key.public_bytes(*spki)  # type: ignore[attr-defined]


def check_validity(cert: x509.Certificate, moment: datetime) -> None:
    """Raise `SigningError` when `moment` falls outside the certificate's validity period."""
    if moment > cert.not_valid_after_utc:
        raise SigningError(
            f"certificate {cert.serial_number:x} expired on {cert.not_valid_after_utc:%Y-%m-%d}; "
            f"signing time is {moment:%Y-%m-%d %H:%M %Z}"
        )
    if moment < cert.not_valid_before_utc:
        raise SigningError(
            f"certificate {cert.serial_number:x} is valid only from "
            f"{cert.not_valid_before_utc:%Y-%m-%d}; "
            f"signing time is {moment:%Y-%m-%d %H:%M %Z}"
        )


def certificate_info(cert: x509.Certificate, algorithm: str = "") -> CertificateInfo:
    """Subject CN, IIN (SERIALNUMBER=IIN…), BIN (OU=BIN…), serial, issuer, test flag."""
    subject_cn = _first(cert.subject, NameOID.COMMON_NAME) or cert.subject.rfc4514_string()
    issuer_cn = _first(cert.issuer, NameOID.COMMON_NAME) or cert.issuer.rfc4514_string()
    serial_number = _first(cert.subject, NameOID.SERIAL_NUMBER) or ""
    units = [
        str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)
    ]
    bin_ = next((u[3:] for u in units if u.upper().startswith("BIN")), None)
    iin = serial_number[3:] if serial_number.upper().startswith("IIN") else None
    return CertificateInfo(
        subject=subject_cn,
        serial=f"{cert.serial_number:x}",
        issuer=issuer_cn,
        algorithm=algorithm,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        iin=iin,
        bin=bin_,
        test_certificate=_is_test(cert, subject_cn, issuer_cn),
        fingerprint=fingerprint(cert),
    )


def intact_if_self_signed(cert: x509.Certificate) -> bool:
    """False for a self-issued certificate whose own signature does not verify (one altered
    after it was made); True otherwise — an issued one is judged by the trust check."""
    if cert.issuer != cert.subject:
        return True
    try:
        cert.verify_directly_issued_by(cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def fingerprint(cert: x509.Certificate) -> str:
    """The certificate's SHA-256 fingerprint as `AB:CD:…`, as `openssl x509 -fingerprint` shows."""
    return cert.fingerprint(hashes.SHA256()).hex(":").upper()


def _first(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    attributes = name.get_attributes_for_oid(oid)
    return str(attributes[0].value) if attributes else None


def _is_test(cert: x509.Certificate, subject_cn: str, issuer_cn: str) -> bool:
    # A self-signed certificate never belongs to the national PKI, whatever its subject says.
    if cert.issuer == cert.subject:
        return True
    return any(word in cn.upper() for cn in (subject_cn, issuer_cn) for word in _TEST_WORDS)


def dev_cert(
    path: str | os.PathLike[str],
    *,
    subject_name: str = "ТЕСТОВ ТЕСТ ТЕСТОВИЧ",
    iin: str = "900115300013",
    bin: str | None = "150440000013",
    organization: str | None = "ТОО «ТЕСТ»",
    key: str = "rsa",
    days: int = 365,
    password: str | bytes = "test",
    not_before: datetime | None = None,
) -> KeyMaterial:
    """Write a self-signed test certificate and key as PKCS#12 to `path` and return them.

    The subject follows the national PKI (CN, SERIALNUMBER=IIN…, OU=BIN…, O, C=KZ) and the CN
    carries «ТЕСТ / TEST», so nothing signed with it can pass for a real signature.
    """
    if key not in ("rsa", "ec"):
        raise SigningError(f"key must be 'rsa' or 'ec', got {key!r}")
    if days < 1:
        raise SigningError(f"days must be at least 1, got {days}")
    private_key: PrivateKey = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if key == "rsa"
        else ec.generate_private_key(ec.SECP256R1())
    )
    start = aware(not_before).replace(microsecond=0)  # now when not_before is None
    name = _test_subject(subject_name, iin, bin, organization)
    cert = _self_signed(private_key, name, start, start + timedelta(days=days))
    secret = _secret(password)
    blob = pkcs12.serialize_key_and_certificates(
        b"kzdocs-test", private_key, cert, None, serialization.BestAvailableEncryption(secret)
    )
    write_atomically(Path(path), blob)
    return KeyMaterial(private_key, cert)


def _test_subject(
    subject_name: str, iin: str, bin: str | None, organization: str | None
) -> x509.Name:
    """A subject as the national PKI writes it, the CN marked as a test."""
    attributes = [
        x509.NameAttribute(NameOID.COMMON_NAME, f"{subject_name} ({TEST_MARK})"),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
    ]
    if organization:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    if bin:
        attributes.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, f"BIN{bin}"))
    return x509.Name(attributes)


def _self_signed(
    private_key: PrivateKey, name: x509.Name, start: datetime, end: datetime
) -> x509.Certificate:
    """A signing-only end-entity certificate issued by `name` to itself."""
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(private_key, hashes.SHA256())
    )


def write_atomically(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder, so a failure never leaves half a file."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except OSError:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise SigningError(f"cannot write {os.fspath(path)!r}: {exc.strerror}") from exc
