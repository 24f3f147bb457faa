"""The PDF signature by pyHanko, for PDFs kzdocs did not render (kzdocs.sign.pades signs its own).

PAdES B-B as an incremental update that keeps PDF/A valid.

The signature field is invisible (no appearance text, so no new fonts); the document's metadata
is left as the renderer wrote it, so Info and XMP stay in agreement and the PDF/A claim holds.
The signing time and the trailer /ID are fixed by the inputs, so the bytes are reproducible.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime
from functools import lru_cache
from io import BytesIO

from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.sign import attributes, fields, signers
from pyhanko.sign.general import SigningError as PyhankoSigningError
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko_certvalidator.registry import SimpleCertificateStore

from kzdocs.errors import SigningError
from kzdocs.sign.cades import max_signature_length
from kzdocs.sign.certs import KeyMaterial
from kzdocs.sign.pades import FIELD_NAME, SLACK


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


class _KeptKeySigner(signers.Signer):
    """A pyHanko signer over the key kzdocs already holds, parsed once.

    pyHanko's SimpleSigner re-reads its key from DER for every signature it makes (twice a PDF,
    with the size estimate); this one signs with the `cryptography` key object, and answers
    the estimate's dry run with placeholder bytes of the largest size a signature can take.
    """

    def __init__(self, material: KeyMaterial):
        der = serialization.Encoding.DER
        certs = [
            asn1_x509.Certificate.load(c.public_bytes(der))
            for c in (material.certificate, *material.chain)
        ]
        # pyHanko embeds the signing certificate itself and every one of the registry: a
        # registry holding it too put it into the CMS twice (1 kB, 2 kB of hex in the PDF).
        super().__init__(
            signing_cert=certs[0], cert_registry=SimpleCertificateStore.from_certs(certs[1:])
        )
        self.key = material.key
        self.reserved: int | None = None  # the CMS room the first signature needed
        self.signed_attr_prov_spec = _PadesAttributes(_SigningCertificate(certs[0]))

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if dry_run:
            return bytes(max_signature_length(self.key))
        digest = _HASHES[digest_algorithm]()
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            return self.key.sign(data, ec.ECDSA(digest))
        if isinstance(self.key, rsa.RSAPrivateKey):
            return self.key.sign(data, padding.PKCS1v15(), digest)
        raise SigningError(f"PAdES signing does not support {type(self.key).__name__} keys")


class _SigningCertificate(attributes.CMSAttributeProvider):
    """The signing-certificate-v2 attribute, encoded once per key: pyHanko's own provider builds
    it anew from the parsed certificate for every signature, two thirds of a PAdES signature's
    time (asn1crypto copying the certificate's names), for the same bytes each time."""

    attribute_type = "signing_certificate_v2"

    def __init__(self, certificate: asn1_x509.Certificate):
        self._der = as_signing_certificate_v2(certificate).dump()

    async def build_attr_value(self, dry_run=False) -> tsp.SigningCertificateV2:
        return tsp.SigningCertificateV2.load(self._der)


class _PadesAttributes(attributes.SignedAttributeProviderSpec):
    """The signed attributes pyHanko's CAdES spec gives a PAdES signature without CAdES
    extras (no signing-time attribute: PAdES has /M), the certificate's from `provider`."""

    def __init__(self, provider: _SigningCertificate):
        self._provider = provider

    def signed_attr_providers(self, data_digest: bytes, digest_algorithm: str):
        yield self._provider


_HASHES = {"sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


@lru_cache(maxsize=8)
def _signer(material: KeyMaterial) -> _KeptKeySigner:
    return _KeptKeySigner(material)


def sign_pdf_pyhanko(pdf: bytes, material: KeyMaterial, moment: datetime) -> bytes:
    """`pdf` with an invisible PAdES B-B signature appended as an incremental update."""
    try:
        writer = _Writer(pdf, moment)
        return asyncio.run(_sign(writer, _signer(material), moment))
    except (PdfError, PyhankoSigningError, ValueError) as exc:
        raise SigningError(f"cannot sign the PDF: {exc}") from exc
    except SigningError:
        raise
    except Exception as exc:  # a damaged file trips pyHanko's reader in many ways (zlib, keys…)
        raise SigningError(f"cannot sign the PDF: {type(exc).__name__}: {exc}") from exc


async def _sign(writer: _Writer, signer: _KeptKeySigner, moment: datetime) -> bytes:
    # PdfSigner.sign_pdf stamps the wall clock; this is its sequence with the time pinned.
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    pdf_signer = signers.PdfSigner(
        meta, signer=signer, new_field_spec=fields.SigFieldSpec(sig_field_name=FIELD_NAME)
    )
    session = pdf_signer.init_signing_session(writer)
    session.system_time = moment
    _add_empty_appearance(writer, session.sig_field)
    # The room for the CMS is the same for every document a key signs (the dry run counts the
    # longest signature the key can make); the slack covers the signing time's encoding.
    if signer.reserved is None:
        signer.reserved = await session.estimate_signature_container_size(None, tight=True)
    reserved = signer.reserved + SLACK
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
