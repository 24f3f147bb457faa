"""Builders of forged documents and of test certificates, made at test time with pyHanko,
cryptography, lxml and pypdf: no stored attack files."""

from __future__ import annotations

import asyncio
import io
import zlib
from datetime import UTC, datetime, timedelta
from functools import cache

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from kzdocs.sign.certs import KeyMaterial

START = datetime(2025, 6, 1, tzinfo=UTC)


# -- certificates -------------------------------------------------------------------------------


def _key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def make_ca(name: str = "KZDOCS TEST ROOT CA") -> KeyMaterial:
    """A self-signed CA certificate (key cert sign) valid 2025–2035."""
    key = _key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (
        _builder(subject, subject, key.public_key(), x509.random_serial_number())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(ca=True), critical=True)
        .sign(key, hashes.SHA256())
    )
    return KeyMaterial(key, cert)


def issued_leaf(ca: KeyMaterial, subject: x509.Name, serial: int | None = None) -> KeyMaterial:
    """A signing certificate for `subject` issued by `ca`."""
    key = _key()
    cert = (
        _builder(subject, ca.certificate.subject, key.public_key(), serial)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(ca=False), critical=True)
        .sign(ca.key, hashes.SHA256())
    )
    return KeyMaterial(key, cert, (ca.certificate,))


@cache
def copycat(genuine: x509.Certificate) -> KeyMaterial:
    """A self-made certificate with the genuine one's subject, issuer name and serial."""
    key = _key()
    cert = (
        _builder(genuine.subject, genuine.issuer, key.public_key(), genuine.serial_number)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(ca=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    return KeyMaterial(key, cert)


def _builder(subject, issuer, public_key, serial) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(START)
        .not_valid_after(START + timedelta(days=3650))
    )


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


# -- PDF revisions ------------------------------------------------------------------------------


def _pyhanko_signer(material: KeyMaterial) -> signers.SimpleSigner:
    der = serialization.Encoding.DER
    key = material.key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    certs = [
        asn1_x509.Certificate.load(c.public_bytes(der))
        for c in (material.certificate, *material.chain)
    ]
    return signers.SimpleSigner(
        signing_cert=certs[0],
        signing_key=asn1_keys.PrivateKeyInfo.load(key),
        cert_registry=SimpleCertificateStore.from_certs(certs),
    )


def overdraw(
    pdf: bytes, text: str = "5 000", box=(300, 300, 120, 20), repeat: int = 1, font: bool = True
) -> IncrementalPdfFileWriter:
    """An incremental update that paints a white box and writes `text` (`repeat` times) on
    page 1."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    x, y, w, h = box
    helvetica = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Font"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Type1"),
            generic.pdf_name("/BaseFont"): generic.pdf_name("/Helvetica"),
        }
    )
    resources = generic.DictionaryObject(
        {
            generic.pdf_name("/Font"): generic.DictionaryObject(
                {generic.pdf_name("/Fx"): writer.add_object(helvetica)}
            )
        }
    )
    select = "/Fx 11 Tf" if font else ""
    ops = f"q 1 1 1 rg {x} {y} {w} {h} re f 0 0 0 rg BT {select} {x + 2} {y + 5} Td"
    ops += f" ({text}) Tj" * repeat + " ET Q"
    stream = generic.StreamObject(stream_data=ops.encode("ascii"))
    writer.add_stream_to_page(0, writer.add_object(stream), resources)
    return writer


def sign_revision(
    pdf_or_writer: bytes | IncrementalPdfFileWriter,
    material: KeyMaterial,
    *,
    field: str = "Signature2",
    box: tuple[int, int, int, int] | None = None,
) -> bytes:
    """Sign (with pyHanko) as a new revision, including any changes pending in the writer."""
    writer = (
        pdf_or_writer
        if isinstance(pdf_or_writer, IncrementalPdfFileWriter)
        else IncrementalPdfFileWriter(io.BytesIO(pdf_or_writer), strict=False)
    )
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256")
    spec = fields.SigFieldSpec(sig_field_name=field, box=box) if box else None
    pdf_signer = signers.PdfSigner(meta, signer=_pyhanko_signer(material), new_field_spec=spec)
    out = asyncio.run(pdf_signer.async_sign_pdf(writer))
    return out.getvalue()


# -- a PDF by hand, for an embedded file that inflates without end -------------------------------


@cache
def bomb_pdf(inflated: int, *, declared: int | None = None, name: bytes = b"record.xml") -> bytes:
    """A one-page PDF whose embedded `name` is `inflated` bytes of spaces, deflated to a few
    kilobytes; `declared` is what its /Params /Size says (None: no /Size)."""
    compressor = zlib.compressobj(9)
    chunk, parts, left = b" " * (1 << 20), [], inflated
    while left > 0:
        parts.append(compressor.compress(chunk[: min(left, len(chunk))]))
        left -= len(chunk)
    stream = b"".join(parts) + compressor.flush()
    params = b"/Params << /Size %d >> " % declared if declared is not None else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Names [(" + name + b") 5 0 R] >>",
        b"<< /Type /Filespec /F (" + name + b") /UF (" + name + b") /EF << /F 6 0 R >> >>",
        b"<< /Type /EmbeddedFile /Filter /FlateDecode "
        + params
        + b"/Length %d >>\nstream\n" % len(stream)
        + stream
        + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    trailer = b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
    out.write(trailer % (len(objects) + 1, xref))
    return out.getvalue()


@cache
def copycat_document(genuine: x509.Certificate) -> bytes:
    """The wheat licence, rendered and signed (XML and PDF) with `copycat(genuine)`."""
    import json

    from signing_helpers import FIXTURES, SIGNED_AT, quiet_weasyprint

    import kzdocs
    from kzdocs.sign.signers import LocalKeySigner

    record = json.loads((FIXTURES / "license-export-wheat.json").read_text("utf-8"))
    with quiet_weasyprint():
        return kzdocs.render(
            record, format="pdf", signer=LocalKeySigner(copycat(genuine)), signed_at=SIGNED_AT
        )
