"""The CMS SignedData of a PAdES B-B signature (ETSI.CAdES.detached), by asn1crypto.

The same container pyHanko builds for kzdocs (tested equal but for the digest and signature):
SHA-256, the signed attributes content-type, message-digest and signing-certificate-v2 (no
signing-time: PAdES puts the time in the signature dictionary's /M), the signing certificate
and its chain each once, the signer named by issuer and serial number.
"""

from __future__ import annotations

import hashlib

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from kzdocs.errors import SigningError
from kzdocs.sign.certs import KeyMaterial

_DIGEST = algos.DigestAlgorithm({"algorithm": "sha256", "parameters": core.Null()})


class CmsSigner:
    """A key's CMS parts that are the same for every signature, built once."""

    def __init__(self, material: KeyMaterial):
        if not isinstance(material.key, (ec.EllipticCurvePrivateKey, rsa.RSAPrivateKey)):
            raise SigningError(f"PAdES signing does not support {type(material.key).__name__} keys")
        der = serialization.Encoding.DER
        self.key = material.key
        self.certificate = asn1_x509.Certificate.load(material.certificate.public_bytes(der))
        chain = [asn1_x509.Certificate.load(c.public_bytes(der)) for c in material.chain]
        # Each certificate once: a chain that repeats the signing certificate would add 1 kB.
        seen = {self.certificate.dump()}
        self.certificates = [self.certificate]
        for cert in chain:
            if cert.dump() not in seen:
                seen.add(cert.dump())
                self.certificates.append(cert)
        self._signing_certificate = _signing_certificate_v2(self.certificate)
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            self._algorithm = {"algorithm": "sha256_ecdsa"}
        else:
            self._algorithm = {"algorithm": "sha256_rsa", "parameters": core.Null()}
        # The room /Contents needs: the container with the longest signature the key makes.
        self.max_length = len(self._container(bytes(32), bytes(max_signature_length(self.key))))

    def sign(self, document_digest: bytes) -> bytes:
        """The DER of the SignedData over a document whose SHA-256 is `document_digest`."""
        signed_attrs = self._signed_attributes(document_digest)
        data = signed_attrs.dump()
        if isinstance(self.key, ec.EllipticCurvePrivateKey):
            signature = self.key.sign(data, ec.ECDSA(hashes.SHA256()))
        else:
            signature = self.key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return self._container(document_digest, signature)

    def _signed_attributes(self, document_digest: bytes) -> cms.CMSAttributes:
        return cms.CMSAttributes(
            [
                {"type": "content_type", "values": ["data"]},
                {"type": "message_digest", "values": [document_digest]},
                {
                    "type": "signing_certificate_v2",
                    "values": [tsp.SigningCertificateV2.load(self._signing_certificate)],
                },
            ]
        )

    def _container(self, document_digest: bytes, signature: bytes) -> bytes:
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    "issuer_and_serial_number",
                    cms.IssuerAndSerialNumber(
                        {
                            "issuer": self.certificate.issuer,
                            "serial_number": self.certificate.serial_number,
                        }
                    ),
                ),
                "digest_algorithm": _DIGEST,
                "signed_attrs": self._signed_attributes(document_digest),
                "signature_algorithm": algos.SignedDigestAlgorithm(self._algorithm),
                "signature": signature,
            }
        )
        signed_data = cms.SignedData(
            {
                "version": "v1",
                "digest_algorithms": [_DIGEST],
                "encap_content_info": {"content_type": "data"},
                "certificates": self.certificates,
                "signer_infos": [signer_info],
            }
        )
        return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


def _signing_certificate_v2(certificate: asn1_x509.Certificate) -> bytes:
    """The ESS signing-certificate-v2 (RFC 5035) naming `certificate`, SHA-256, as DER."""
    issuer_serial = {
        "issuer": [asn1_x509.GeneralName("directory_name", certificate.issuer)],
        "serial_number": certificate.serial_number,
    }
    return tsp.SigningCertificateV2(
        {
            "certs": [
                {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "cert_hash": hashlib.sha256(certificate.dump()).digest(),
                    "issuer_serial": issuer_serial,
                }
            ]
        }
    ).dump()


def max_signature_length(key) -> int:
    """The longest raw signature `key` makes: an RSA signature is as long as the modulus, an
    ECDSA one a DER sequence of two integers of up to the order's length plus a sign byte."""
    if isinstance(key, ec.EllipticCurvePrivateKey):
        integers = 2 * (2 + (key.curve.key_size + 7) // 8 + 1)
        return integers + (2 if integers < 128 else 3)
    return (key.key_size + 7) // 8
