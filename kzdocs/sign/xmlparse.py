"""Reading XML that came from outside (through kzdocs' hardened parser) and writing it back."""

from __future__ import annotations

from lxml import etree

from kzdocs.xml import parse_xml


def parse(data: bytes) -> etree._Element:
    """The root element of `data`; `XmlError` if it is malformed or declares a DTD."""
    return parse_xml(data)


def serialize(root: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration, byte-stable for the same tree."""
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")
