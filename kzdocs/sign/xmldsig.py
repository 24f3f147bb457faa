"""The enveloped XML signature of a record: XMLDSig, exclusive C14N, RSA- or ECDSA-SHA256.

Besides the document (Reference URI=""), the signature also signs a `ds:Object` carrying the
signing time, so the time field 18 shows cannot be changed without breaking the signature.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import InvalidInput, InvalidSignature

from kzdocs.sign.base import VerifyResult, aware
from kzdocs.sign.certs import KeyMaterial, certificate_info, intact_if_self_signed
from kzdocs.xml import parse_xml

DS = "http://www.w3.org/2000/09/xmldsig#"
KZ = "urn:kzdocs:signature:1"
EXC_C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
SIGNATURE_ID = "kzdocs-signature"
TIME_ID = "kzdocs-signing-time"

# SignatureMethod URIs → the names field 18 shows; GOST ones come from the national PKI.
ALGORITHMS = {
    "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256": "RSA-SHA256",
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256": "ECDSA-SHA256",
    "http://www.w3.org/2001/04/xmldsig-more#gost34310-gost34311": "GOST 34.310-2004",
    "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-256": (
        "GOST R 34.10-2015 (256)"
    ),
    "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:gostr34102015-gostr34112015-512": (
        "GOST R 34.10-2015 (512)"
    ),
}
LOCAL_METHODS = {
    "RSA-SHA256": SignatureMethod.RSA_SHA256,
    "ECDSA-SHA256": SignatureMethod.ECDSA_SHA256,
}


def ds(tag: str) -> str:
    return f"{{{DS}}}{tag}"


def serialize(root: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration, byte-stable for the same tree."""
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")


def signer_settings(material: KeyMaterial) -> dict[str, object]:
    """signxml signer options of every kzdocs signature: the key's method, SHA-256, exc-C14N."""
    return {
        "signature_algorithm": LOCAL_METHODS[material.algorithm],
        "digest_algorithm": DigestAlgorithm.SHA256,
        "c14n_algorithm": EXC_C14N,
    }


def signed_uris(signature: etree._Element) -> list[str | None]:
    """The URIs of the references in a signature's SignedInfo."""
    return [r.get("URI") for r in signature.iterfind(f"{ds('SignedInfo')}/{ds('Reference')}")]


def parse_time(text: str | None) -> datetime | None:
    """A signed ISO 8601 time; `None` when absent or malformed."""
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


class _TimedSigner(XMLSigner):
    """signxml's signer, plus a signed `ds:Object` holding the signing time."""

    def __init__(self, material: KeyMaterial, signed_at: datetime):
        super().__init__(**signer_settings(material))  # type: ignore[arg-type]
        self.namespaces = {"ds": DS}
        self._signed_at = signed_at
        self.signature_annotators.append(self._add_signing_time)

    def _add_signing_time(self, sig_root: etree._Element, signing_settings: object) -> None:
        sig_root.set("Id", SIGNATURE_ID)
        obj = etree.SubElement(sig_root, ds("Object"), Id=TIME_ID)
        props = etree.SubElement(obj, ds("SignatureProperties"))
        prop = etree.SubElement(props, ds("SignatureProperty"), Target=f"#{SIGNATURE_ID}")
        moment = etree.SubElement(prop, f"{{{KZ}}}SigningTime", nsmap={"kz": KZ})
        moment.text = self._signed_at.isoformat(timespec="seconds")
        add_reference(sig_root.find(ds("SignedInfo")), obj, f"#{TIME_ID}")


def add_reference(signed_info: etree._Element, node: etree._Element, uri: str) -> None:
    """A SHA-256 Reference over `node` under exclusive C14N."""
    reference = etree.SubElement(signed_info, ds("Reference"), URI=uri)
    transforms = etree.SubElement(reference, ds("Transforms"))
    etree.SubElement(transforms, ds("Transform"), Algorithm=EXC_C14N.value)
    etree.SubElement(reference, ds("DigestMethod"), Algorithm=DigestAlgorithm.SHA256.value)
    c14n = etree.tostring(node, method="c14n", exclusive=True)
    digest = etree.SubElement(reference, ds("DigestValue"))
    digest.text = base64.b64encode(hashlib.sha256(c14n).digest()).decode("ascii")


def sign_enveloped(xml: bytes, material: KeyMaterial, signed_at: datetime | None) -> bytes:
    """`xml` with an enveloped ds:Signature as the root's last child, certificate in KeyInfo."""
    root = parse_xml(xml)
    signer = _TimedSigner(material, aware(signed_at))
    signed = signer.sign(root, key=material.key, cert=[material.certificate, *material.chain])
    return serialize(signed)


def verify_enveloped(data: bytes | etree._Element) -> VerifyResult:
    """Check the enveloped signature of a record: integrity and the certificate it names."""
    root = parse_xml(data) if isinstance(data, bytes) else data
    signatures = root.findall(ds("Signature"))
    if not signatures:
        return VerifyResult(False, "no enveloped ds:Signature under the root element", "none")
    if len(signatures) > 1:
        return VerifyResult(
            False, f"{len(signatures)} signatures under the root; expected one", "xmldsig"
        )
    return verify_signature(root, signatures[0], location="./", whole_document="")


def verify_signature(
    root: etree._Element,
    signature: etree._Element,
    *,
    location: str,
    whole_document: str,
    read_time: Callable[[dict[str | None, Any]], datetime | None] | None = None,
) -> VerifyResult:
    """Verify `signature` in `root`; one reference must be `whole_document` (a URI).

    The signing time and the record are read from what the signature covers (signxml's
    verified references), never from the tree around it.
    """
    kind = "xmldsig" if whole_document == "" else "wsse"
    cert = signature_certificate(signature, root)
    if cert is None:
        return VerifyResult(False, "no X.509 certificate in the signature", kind)
    algorithm = signature_algorithm(signature)
    info = certificate_info(cert, algorithm)
    der = cert.public_bytes(Encoding.DER)
    if not intact_if_self_signed(cert):
        # KeyInfo is not signed: a changed subject would keep the key, and the signature valid.
        reason = "the certificate in the signature was altered: its own signature does not verify"
        return VerifyResult(False, reason, kind, info, cert_der=der)
    if algorithm not in LOCAL_METHODS:
        reason = f"algorithm {algorithm} cannot be verified locally; verify through NCANode"
        return VerifyResult(False, reason, kind, info, cert_der=der)
    uris = signed_uris(signature)
    if whole_document not in uris:
        reason = f"the signature does not cover the whole document (references {uris})"
        return VerifyResult(False, reason, kind, info, cert_der=der)
    config = SignatureConfiguration(
        location=location,
        expect_references=len(uris),
        signature_methods=frozenset(LOCAL_METHODS.values()),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    try:
        verified = XMLVerifier().verify(root, x509_cert=cert, expect_config=config)
    except (InvalidSignature, InvalidInput) as exc:
        reason = f"signature does not match the document: {exc}"
        return VerifyResult(False, reason, kind, info, cert_der=der)
    except (etree.LxmlError, ValueError, TypeError) as exc:  # signxml's own schema check, …
        reason = f"the signature cannot be checked: {type(exc).__name__}: {exc}"
        return VerifyResult(False, reason, kind, info, cert_der=der)
    covered = dict(zip(uris, verified if isinstance(verified, list) else [verified], strict=True))
    signed_at = (read_time or _signed_time)(covered)
    record = covered[whole_document].signed_data
    return VerifyResult(
        True, "signature is intact", kind, info, signed_at, record=record, cert_der=der
    )


def _signed_time(covered: dict[str | None, Any]) -> datetime | None:
    element = getattr(covered.get(f"#{TIME_ID}"), "signed_xml", None)
    if element is None or element.get("Id") != TIME_ID:
        return None
    path = f"{ds('SignatureProperties')}/{ds('SignatureProperty')}/{{{KZ}}}SigningTime"
    return parse_time(element.findtext(path))


def signature_certificate(
    signature: etree._Element, root: etree._Element
) -> x509.Certificate | None:
    """The signer's certificate: X509Data in KeyInfo, or a referenced BinarySecurityToken."""
    text = signature.findtext(f"{ds('KeyInfo')}/{ds('X509Data')}/{ds('X509Certificate')}")
    if text is None:
        from kzdocs.sign.wsse import referenced_token

        text = referenced_token(signature, root)
    if not text:
        return None
    try:
        return x509.load_der_x509_certificate(base64.b64decode("".join(text.split())))
    except ValueError:
        return None


def signature_algorithm(signature: etree._Element) -> str:
    method = signature.find(f"{ds('SignedInfo')}/{ds('SignatureMethod')}")
    uri = method.get("Algorithm", "") if method is not None else ""
    return ALGORITHMS.get(uri, uri.rsplit("#", 1)[-1] or "unknown")


def signing_time(signature: etree._Element, signed_uris: list[str | None]) -> datetime | None:
    """The signed signing time kzdocs puts in its signatures; `None` if absent or unsigned."""
    if f"#{TIME_ID}" not in signed_uris:
        return None
    objects = [o for o in signature.iterfind(ds("Object")) if o.get("Id") == TIME_ID]
    if len(objects) != 1:
        return None
    path = f"{ds('SignatureProperties')}/{ds('SignatureProperty')}/{{{KZ}}}SigningTime"
    return parse_time(objects[0].findtext(path))
