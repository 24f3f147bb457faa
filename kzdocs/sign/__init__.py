"""The signing stage: a signer signs the record's canonical XML (the transport signature) and,
optionally, the PDF; `Signature` is what the reader sees of it in field 18."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Signature:
    """The details of an applied signature, as field 18 and the block below it show them."""

    subject: str  # signer's name (certificate subject CN)
    serial: str  # certificate serial number, hex
    issuer: str  # certificate issuer CN
    algorithm: str  # e.g. "RSA-SHA256", "ECDSA-SHA256", "GOST R 34.10-2015 (256)"
    signed_at: datetime  # aware; shown in Astana time
    iin: str | None = None  # SERIALNUMBER=IIN… of the subject
    bin: str | None = None  # OU=BIN… of the subject
    test_certificate: bool = False
    # The contents of the QR codes that carry the signed XML (docs/qr-payload.md).
    qr_payloads: tuple[bytes, ...] = field(default=())


# The rest of the stage is imported on first use: signxml and pyHanko are slow to import and
# most renders (HTML previews, drafts) never sign.
_EXPORTS = {
    "Signer": "kzdocs.sign.base",
    "CertificateInfo": "kzdocs.sign.base",
    "VerifyResult": "kzdocs.sign.base",
    "KeyMaterial": "kzdocs.sign.certs",
    "dev_cert": "kzdocs.sign.certs",
    "load_key": "kzdocs.sign.certs",
    "get_signer": "kzdocs.sign.registry",
    "available_signers": "kzdocs.sign.registry",
    "NoSigner": "kzdocs.sign.signers",
    "LocalKeySigner": "kzdocs.sign.signers",
    "CommandSigner": "kzdocs.sign.signers",
    "NCANodeSigner": "kzdocs.sign.ncanode",
    "qr_data_uri": "kzdocs.sign.qr",
    "qr_payloads": "kzdocs.sign.qr",
    "qr_png": "kzdocs.sign.qr",
    "read_qr_payloads": "kzdocs.sign.qr",
    "Verdict": "kzdocs.sign.verdict",
    "verify_xml": "kzdocs.sign.verify",
    "verify_pdf": "kzdocs.sign.verify",
    "wrap_and_sign_wsse": "kzdocs.sign.wsse",
}

__all__ = ["Signature", *_EXPORTS]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kzdocs.sign' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(module), name)
