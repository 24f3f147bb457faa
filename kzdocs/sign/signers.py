"""The built-in signers: none (a draft), a local key, and any external command."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Sequence
from datetime import datetime

from cryptography import x509

from kzdocs.errors import SigningError, XmlError
from kzdocs.sign import Signature
from kzdocs.sign.base import CertificateInfo, aware, read_file, seconds
from kzdocs.sign.certs import KeyMaterial, certificate_info, load_key
from kzdocs.sign.qr import qr_payloads
from kzdocs.xml import parse_xml


class NoSigner:
    """Signs nothing: the XML stays as it is and the document is a draft (ҚОЛ ҚОЙЫЛМАҒАН)."""

    name = "none"
    can_sign_pdf = False

    def sign_xml(self, xml: bytes, *, signed_at: datetime | None = None) -> tuple[bytes, None]:
        return xml, None

    def sign_pdf(self, pdf: bytes, *, signed_at: datetime | None = None) -> bytes:
        return pdf

    def describe(self) -> None:
        return None


class LocalKeySigner:
    """Signs with a PKCS#12 or PEM key on this machine: XMLDSig (or WS-Security) and PAdES."""

    name = "local"
    can_sign_pdf = True

    def __init__(
        self,
        key: str | os.PathLike[str] | KeyMaterial,
        password: str | bytes | None = None,
        *,
        certificate: str | os.PathLike[str] | None = None,
        wsse: bool = False,
    ):
        self.material = (
            key
            if isinstance(key, KeyMaterial)
            else load_key(key, password, certificate=certificate)
        )
        self.wsse = wsse

    def sign_xml(self, xml: bytes, *, signed_at: datetime | None = None) -> tuple[bytes, Signature]:
        moment = aware(signed_at)
        self.material.check_valid_at(moment)
        if self.wsse:
            from kzdocs.sign.wsse import wrap_and_sign_wsse

            signed = wrap_and_sign_wsse(xml, self.material, moment)
        else:
            from kzdocs.sign.xmldsig import sign_enveloped

            signed = sign_enveloped(xml, self.material, moment)
        return signed, self.material.info.signature(moment, qr_payloads(signed))

    def prepare_pdf_signing(self) -> None:
        """Load what `sign_pdf` needs (its CMS and PDF writers), e.g. while the PDF renders."""
        import kzdocs.sign.pades  # noqa: F401

    def sign_pdf(self, pdf: bytes, *, signed_at: datetime | None = None) -> bytes:
        from kzdocs.sign.pades import sign_pdf_pades

        moment = aware(signed_at)
        self.material.check_valid_at(moment)
        return sign_pdf_pades(pdf, self.material, moment)

    def describe(self) -> CertificateInfo:
        return self.material.info


class CommandSigner:
    """Runs a program (argv, no shell) that reads XML on stdin and writes signed XML on stdout."""

    name = "command"
    can_sign_pdf = False

    def __init__(
        self,
        command: Sequence[str] | str,
        *,
        timeout: float | str = 30.0,
        certificate: str | os.PathLike[str] | None = None,
    ):
        self.argv = shlex.split(command) if isinstance(command, str) else list(command)
        if not self.argv:
            raise SigningError("the signing command is empty")
        self.timeout = seconds(timeout)
        self.certificate = certificate

    def sign_xml(self, xml: bytes, *, signed_at: datetime | None = None) -> tuple[bytes, Signature]:
        moment = aware(signed_at)
        program = self.argv[0]
        try:
            done = subprocess.run(
                self.argv, input=xml, capture_output=True, timeout=self.timeout, check=False
            )
        except FileNotFoundError as exc:
            raise SigningError(f"signing command not found: {program!r}") from exc
        except subprocess.TimeoutExpired as exc:
            raise SigningError(
                f"signing command {program!r} timed out after {self.timeout:g} s"
            ) from exc
        except OSError as exc:
            raise SigningError(f"cannot run signing command {program!r}: {exc.strerror}") from exc
        if done.returncode != 0:
            stderr = done.stderr.decode("utf-8", "replace").strip()
            raise SigningError(
                f"signing command {program!r} exited with {done.returncode}: {stderr}"
            )
        return done.stdout, signature_from_xml(done.stdout, moment, source=f"command {program!r}")

    def sign_pdf(self, pdf: bytes, *, signed_at: datetime | None = None) -> bytes:
        raise SigningError("the command signer signs XML only")

    def describe(self) -> CertificateInfo:
        if self.certificate is None:
            raise SigningError(
                "the command signer knows its certificate only if given certificate=…"
            )
        return read_certificate(self.certificate)


def read_certificate(path: str | os.PathLike[str]) -> CertificateInfo:
    """A PEM or DER certificate file, described."""
    data = read_file(path, "certificate")
    try:
        cert = (
            x509.load_pem_x509_certificate(data)
            if b"-----BEGIN" in data
            else x509.load_der_x509_certificate(data)
        )
    except ValueError as exc:
        raise SigningError(f"{os.fspath(path)!r} is not an X.509 certificate") from exc
    return certificate_info(cert)


def signature_from_xml(signed: bytes, signed_at: datetime, *, source: str = "signer") -> Signature:
    """Field-18 details read from signed XML: its certificate, algorithm and signing time.

    Raises `SigningError` when the XML carries no signature or no certificate.
    """
    info, moment = certificate_from_xml(signed, source=source)
    return info.signature(moment or signed_at, qr_payloads(signed))


def certificate_from_xml(
    signed: bytes, *, source: str = "signer"
) -> tuple[CertificateInfo, datetime | None]:
    """The signing certificate named in signed XML, and the signed signing time if it has one."""
    from kzdocs.sign.wsse import is_wsse
    from kzdocs.sign.xmldsig import (
        ds,
        signature_algorithm,
        signature_certificate,
        signed_uris,
        signing_time,
    )

    try:
        root = parse_xml(signed)
    except XmlError as exc:
        raise SigningError(f"{source} returned XML that cannot be read: {exc}") from exc
    found = root.find(f".//{ds('Signature')}") if is_wsse(root) else root.find(ds("Signature"))
    if found is None:
        raise SigningError(f"{source} returned XML without a ds:Signature")
    cert = signature_certificate(found, root)
    if cert is None:
        raise SigningError(f"{source} returned a signature without its certificate")
    return certificate_info(cert, signature_algorithm(found)), signing_time(
        found, signed_uris(found)
    )
