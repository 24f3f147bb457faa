"""The record inside signed XML: an enveloped ds:Signature dropped, or a WS-Security envelope
unwrapped; and the check that an outside signer signed the very record it was given."""

from __future__ import annotations

from lxml import etree

from kzdocs.errors import SigningError, VerificationError, XmlError
from kzdocs.sign.wsse import is_wsse, unwrap_wsse
from kzdocs.sign.xmldsig import ds
from kzdocs.xml import parse_xml, refuse_unsigned_nodes, validate_xml


def signed_record(signed: bytes) -> bytes:
    """The record XML of signed (or unsigned) XML, without its signature, as exclusive C14N
    (the bytes `kzdocs.xml.to_xml` writes); not verified.

    Raises `XmlError` for XML that cannot be read or holds a comment or processing instruction
    (a signature does not cover them), `VerificationError` for an envelope whose Body does not
    hold exactly one element.
    """
    root = parse_xml(signed)
    refuse_unsigned_nodes(root)
    if is_wsse(root):
        root = parse_xml(unwrap_wsse(signed))
    for signature in root.findall(ds("Signature")):
        _remove_keeping_tail(signature)
    return etree.tostring(root, method="c14n", exclusive=True, with_comments=False)


def check_signed_record(given: bytes, signed: bytes, *, source: str = "the signer") -> None:
    """Refuse signed XML whose record is not a valid kzdocs record, or not the one `given`.

    Whitespace between elements is not part of a record (a signer may indent its output);
    everything else must be the same under exclusive C14N. Raises `SigningError`.
    """
    try:
        record = signed_record(signed)
        validate_xml(record)
    except (XmlError, VerificationError) as exc:
        raise SigningError(
            f"{source} returned invalid XML, not a signed kzdocs record: {exc}"
        ) from exc
    if _canonical(record) != _canonical(given):
        raise SigningError(
            f"{source} returned the signed XML of another record than the one it was given"
        )


def _remove_keeping_tail(element: etree._Element) -> None:
    # The enveloped-signature transform removes the element only: text after it stays.
    parent = element.getparent()
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _canonical(xml: bytes) -> bytes:
    root = parse_xml(xml)
    for element in root.iter():
        if len(element) and element.text is not None and not element.text.strip():
            element.text = None
        if element is not root and element.tail is not None and not element.tail.strip():
            element.tail = None
    return etree.tostring(root, method="c14n", exclusive=True, with_comments=False)
