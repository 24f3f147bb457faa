"""The PDF signature: PAdES B-B by pyHanko as an incremental update that keeps PDF/A valid.

The signature field is invisible (no appearance text, so no new fonts); the document's metadata
is left as the renderer wrote it, so Info and XMP stay in agreement and the PDF/A claim holds.
The signing time and the trailer /ID are fixed by the inputs, so the bytes are reproducible.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko_certvalidator.registry import SimpleCertificateStore

from kzdocs.errors import SigningError
from kzdocs.sign.base import aware
from kzdocs.sign.certs import KeyMaterial

FIELD_NAME = "kzdocs-signature"
_SLACK = 32  # hex digits: room for 16 more bytes of CMS


class _Writer(IncrementalPdfFileWriter):
    """An incremental writer that leaves metadata alone and derives the new /ID from the input."""

    def __init__(self, pdf: bytes, signed_at: datetime):
        super().__init__(BytesIO(pdf), strict=False)
        first = self._document_id[0]
        second = hashlib.sha256(pdf + signed_at.isoformat().encode()).digest()[:16]
        self._document_id = generic.ArrayObject([first, generic.ByteStringObject(second)])

    def _update_meta(self) -> None:
        # pyHanko would stamp ModDate with the wall clock and rewrite Producer differently in
        # Info and XMP: the first breaks reproducibility, the second PDF/A's Info/XMP agreement.
        return None


def _pyhanko_signer(material: KeyMaterial) -> signers.SimpleSigner:
    der = serialization.Encoding.DER
    key_der = material.key.private_bytes(
        der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    certs = [
        asn1_x509.Certificate.load(c.public_bytes(der))
        for c in (material.certificate, *material.chain)
    ]
    return signers.SimpleSigner(
        signing_cert=certs[0],
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=SimpleCertificateStore.from_certs(certs),
    )


def sign_pdf_pades(pdf: bytes, material: KeyMaterial, signed_at: datetime | None) -> bytes:
    """`pdf` with an invisible PAdES B-B signature appended as an incremental update."""
    moment = aware(signed_at)
    try:
        writer = _Writer(pdf, moment)
        return asyncio.run(_sign(writer, material, moment))
    except (PdfError, PyhankoSigningError, ValueError) as exc:
        raise SigningError(f"cannot sign the PDF: {exc}") from exc


async def _sign(writer: _Writer, material: KeyMaterial, moment: datetime) -> bytes:
    # PdfSigner.sign_pdf stamps the wall clock; this is its sequence with the time pinned.
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=_pyhanko_signer(material),
        new_field_spec=fields.SigFieldSpec(sig_field_name=FIELD_NAME),
    )
    session = pdf_signer.init_signing_session(writer)
    session.system_time = moment
    _add_empty_appearance(writer, session.sig_field)
    # The estimate signs a dummy digest; an ECDSA signature's DER length varies by a few bytes
    # from one signing to the next, so leave room for that (RSA lengths never vary).
    reserved = await session.estimate_signature_container_size(None, tight=True) + _SLACK
    tbs = session.prepare_tbs_document(validation_info=None, bytes_reserved=reserved)
    prepared, output = tbs.digest_tbs_document()
    post = await tbs.perform_signature(
        document_digest=prepared.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(signing_time=moment),
    )
    await post.post_signature_processing(output)
    return output.getvalue()


def _add_empty_appearance(writer: _Writer, sig_field: generic.DictionaryObject) -> None:
    # PDF/A (TechNote 0006) wants an appearance even for an invisible signature; empty is enough.
    blank = generic.StreamObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/XObject"),
            generic.pdf_name("/Subtype"): generic.pdf_name("/Form"),
            generic.pdf_name("/BBox"): generic.ArrayObject([generic.NumberObject(0)] * 4),
        },
        stream_data=b"",
    )
    appearance = generic.DictionaryObject({generic.pdf_name("/N"): writer.add_object(blank)})
    sig_field[generic.pdf_name("/AP")] = appearance


def read_pdf(data: bytes) -> PdfFileReader:
    return PdfFileReader(BytesIO(data), strict=False)
