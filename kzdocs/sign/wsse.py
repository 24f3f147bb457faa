"""The transport signature as WS-Security: a SOAP 1.2 envelope around the record; its Body and a
Timestamp signed (exclusive C14N); the certificate a BinarySecurityToken that KeyInfo references."""

from __future__ import annotations

import base64
import copy
from dataclasses import replace
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.serialization import Encoding
from lxml import etree
from signxml import SignatureConstructionMethod, XMLSigner

from kzdocs.errors import VerificationError
from kzdocs.sign.base import VerifyResult, aware
from kzdocs.sign.certs import KeyMaterial
from kzdocs.sign.xmldsig import (
    DS,
    ds,
    parse_time,
    serialize,
    signer_settings,
    verify_signature,
)
from kzdocs.xml import parse_xml

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
X509V3 = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-x509-token-profile-1.0#X509v3"
BASE64 = (
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)
BODY_ID, TIMESTAMP_ID, TOKEN_ID = "kzdocs-body", "kzdocs-timestamp", "kzdocs-token"


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def wrap_and_sign_wsse(
    xml: bytes, material: KeyMaterial, signed_at: datetime | None = None
) -> bytes:
    """A SOAP 1.2 envelope with `xml` as its Body, signed in a wsse:Security header."""
    record = parse_xml(xml)
    moment = aware(signed_at)
    envelope = etree.Element(_q(SOAP, "Envelope"), nsmap={"soap": SOAP})
    header = etree.SubElement(envelope, _q(SOAP, "Header"))
    security = etree.SubElement(
        header,
        _q(WSSE, "Security"),
        {_q(SOAP, "mustUnderstand"): "true"},
        nsmap={"wsse": WSSE, "wsu": WSU},
    )
    token = etree.SubElement(
        security,
        _q(WSSE, "BinarySecurityToken"),
        {"EncodingType": BASE64, "ValueType": X509V3, _q(WSU, "Id"): TOKEN_ID},
    )
    token.text = base64.b64encode(material.certificate.public_bytes(Encoding.DER)).decode("ascii")
    timestamp = etree.SubElement(security, _q(WSU, "Timestamp"), {_q(WSU, "Id"): TIMESTAMP_ID})
    etree.SubElement(timestamp, _q(WSU, "Created")).text = moment.isoformat(timespec="seconds")
    body = etree.SubElement(
        envelope, _q(SOAP, "Body"), {_q(WSU, "Id"): BODY_ID}, nsmap={"wsu": WSU}
    )
    body.append(record)

    signer = XMLSigner(method=SignatureConstructionMethod.detached, **signer_settings(material))
    signer.namespaces = {"ds": DS}
    signature = signer.sign(
        envelope,
        key=material.key,
        reference_uri=[f"#{BODY_ID}", f"#{TIMESTAMP_ID}"],
        key_info=_token_reference(),
    )
    security.append(signature)
    return serialize(envelope)


def _token_reference() -> etree._Element:
    key_info = etree.Element(ds("KeyInfo"), nsmap={"ds": DS})
    reference = etree.SubElement(key_info, _q(WSSE, "SecurityTokenReference"), nsmap={"wsse": WSSE})
    etree.SubElement(reference, _q(WSSE, "Reference"), URI=f"#{TOKEN_ID}", ValueType=X509V3)
    return key_info


def referenced_token(signature: etree._Element, root: etree._Element) -> str | None:
    """The base64 certificate of the BinarySecurityToken that KeyInfo points to."""
    ref = signature.find(
        f"{ds('KeyInfo')}/{_q(WSSE, 'SecurityTokenReference')}/{_q(WSSE, 'Reference')}"
    )
    uri = ref.get("URI", "") if ref is not None else ""
    if not uri.startswith("#"):
        return None
    tokens = [
        t for t in root.iter(_q(WSSE, "BinarySecurityToken")) if t.get(_q(WSU, "Id")) == uri[1:]
    ]
    return tokens[0].text if len(tokens) == 1 else None


def is_wsse(root: etree._Element) -> bool:
    return root.tag == _q(SOAP, "Envelope")


def verify_wsse(data: bytes | etree._Element) -> VerifyResult:
    """Check a WS-Security envelope: the Body and Timestamp signed by the token's certificate."""
    envelope = parse_xml(data) if isinstance(data, bytes) else data
    if not is_wsse(envelope):
        return VerifyResult(False, "not a SOAP 1.2 envelope", "none")
    headers = envelope.findall(_q(SOAP, "Header"))
    bodies = envelope.findall(_q(SOAP, "Body"))
    securities = headers[0].findall(_q(WSSE, "Security")) if len(headers) == 1 else []
    signatures = securities[0].findall(ds("Signature")) if len(securities) == 1 else []
    if len(signatures) != 1 or len(bodies) != 1:
        return VerifyResult(
            False,
            "a kzdocs envelope has one soap:Header with one wsse:Security signature "
            "and one soap:Body",
            "none",
        )
    body_id = bodies[0].get(_q(WSU, "Id"))
    if not body_id:
        return VerifyResult(False, "soap:Body has no wsu:Id, so no signature can cover it", "wsse")
    location = f"./{_q(SOAP, 'Header')}/{_q(WSSE, 'Security')}/"
    result = verify_signature(
        envelope,
        signatures[0],
        location=location,
        whole_document=f"#{body_id}",
        read_time=_created,
    )
    if not result.valid:
        return result
    return replace(result, kind="wsse", record=_body_record(result.record))


def _created(covered: dict[str | None, Any]) -> datetime | None:
    for reference in covered.values():
        element = getattr(reference, "signed_xml", None)
        if element is not None and element.tag == _q(WSU, "Timestamp"):
            return parse_time(element.findtext(_q(WSU, "Created")))
    return None


def _body_record(signed_body: bytes | None) -> bytes | None:
    """The one record element of the signed Body, as exclusive C14N; None if not exactly one."""
    body = parse_xml(signed_body) if signed_body else None
    children = [c for c in body if isinstance(c.tag, str)] if body is not None else []
    if len(children) != 1:
        return None
    record = copy.deepcopy(children[0])
    etree.cleanup_namespaces(record)
    return etree.tostring(record, method="c14n", exclusive=True, with_comments=False)


def unwrap_wsse(data: bytes) -> bytes:
    """The record inside a WS-Security envelope's Body (not verified: call `verify_wsse`)."""
    envelope = parse_xml(data)
    body = envelope.find(_q(SOAP, "Body"))
    children = list(body) if body is not None else []
    if len(children) != 1:
        raise VerificationError("a kzdocs envelope's soap:Body holds exactly one record element")
    record = copy.deepcopy(children[0])
    etree.cleanup_namespaces(record)  # drop the envelope's declarations the record inherited
    return serialize(record)
