"""Reading XML that came from outside: no entities, no DTD, no network."""

from __future__ import annotations

from lxml import etree

from kzdocs.errors import XmlError

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=False,
)


def parse(data: bytes) -> etree._Element:
    """The root element of `data`; `XmlError` if it is malformed or declares a DTD."""
    try:
        from kzdocs.xml import parse_xml  # the project's hardened parser, when present
    except ImportError:
        parse_xml = None
    if parse_xml is not None:
        return _root(parse_xml(data))
    try:
        tree = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise XmlError(f"malformed XML: {exc}") from exc
    if tree.getroottree().docinfo.doctype:
        raise XmlError("XML with a DOCTYPE is refused: entities could expand or reach out")
    return tree


def _root(parsed: object) -> etree._Element:
    return parsed.getroot() if isinstance(parsed, etree._ElementTree) else parsed  # type: ignore[return-value]


def serialize(root: etree._Element) -> bytes:
    """UTF-8 bytes with an XML declaration, byte-stable for the same tree."""
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="UTF-8")
