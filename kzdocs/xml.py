"""The XML stage: the canonical XML of a validated record, its check against the shipped XSD,
the record read back from it, and the hardened parser that every XML kzdocs reads goes through.

The XML mirrors the record (docs/xml.md): the root element is the kind, its children are the
record's keys in form order, free text is always `<kk>…</kk><ru>…</ru>`, decimals and dates are
written as the record normalises them. Output is exclusive C14N 1.0 in UTF-8, so the same record
always gives the same bytes, and the bytes are what an enveloped XMLDSig signs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import cache
from importlib.resources import files
from typing import Any

from lxml import etree
from pydantic import BaseModel

from kzdocs.errors import XmlError
from kzdocs.forms import FIELD_OF_KEY, LANGS, REFUSAL_KEYS, UNNUMBERED_KEYS, get_form
from kzdocs.schema import MODELS, Document, Text

NS = "urn:kzdocs:order-51-nk:1"
DS_NS = "http://www.w3.org/2000/09/xmldsig#"

# Lists are written as a wrapper element named after the key holding one element per item.
_LIST_ITEMS = {"basis": "item", "grounds": "ground"}
# The only integers of the record contract (ground numbers); every other scalar is a string.
_INTEGER_KEYS = frozenset({"code"})


def to_xml(document: Document) -> bytes:
    """The canonical XML (exclusive C14N 1.0, UTF-8) of a validated record."""
    root = etree.Element(f"{{{NS}}}{document.kind}", nsmap={None: NS})
    for key in _top_level_keys(document.kind):
        _append(root, key, getattr(document, key), key)
    # Indentation is part of the canonical form: it makes diffs of the XML readable.
    etree.indent(root, space="  ")
    return etree.tostring(root, method="c14n", exclusive=True, with_comments=False)


def parse_xml(data: bytes) -> etree._Element:
    """Parse untrusted XML safely and return its root element: no DTD, no entity expansion, no
    network, libxml2's size limits on; a DOCTYPE is refused outright.

    >>> parse_xml(b'<!DOCTYPE x [<!ENTITY e "boom">]><x>&e;</x>')
    Traceback (most recent call last):
    ...
    kzdocs.errors.XmlError: line 1: a DOCTYPE is not allowed in kzdocs XML (no DTDs, no entities)
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise XmlError(f"XML must be given as bytes, got {type(data).__name__}")
    try:
        root = etree.fromstring(bytes(data), _parser())
    except etree.XMLSyntaxError as exc:
        raise XmlError(exc.msg, line=exc.lineno) from None
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise XmlError("a DOCTYPE is not allowed in kzdocs XML (no DTDs, no entities)", line=1)
    return root


def refuse_unsigned_nodes(root: etree._Element) -> None:
    """Raise `XmlError` for a comment or processing instruction anywhere in the document.

    >>> refuse_unsigned_nodes(parse_xml(b"<time>10:30<!---->+05:00</time>"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kzdocs.errors.XmlError: line 1: a comment is not allowed in kzdocs XML: ...
    """
    found = root.getroottree().xpath("//comment() | //processing-instruction()")
    if found:
        node = found[0]
        what = "a comment" if isinstance(node, etree._Comment) else "a processing instruction"
        raise XmlError(
            f"{what} is not allowed in kzdocs XML: a signature does not cover it, and text "
            "split by one would be read as other text",
            line=node.sourceline,
        )


def validate_xml(xml: bytes, kind: str | None = None) -> None:
    """Check XML against the XSD of its kind (taken from the root element when `kind` is None);
    raise `XmlError` with libxml2's message and the line of the first problem."""
    _check(parse_xml(xml), kind)


def from_xml(data: bytes) -> dict[str, Any]:
    """The record back from its XML; a ds:Signature is ignored. The XML is checked against the
    XSD, then the record against every rule of its kind, those across fields too (which an XSD
    cannot express): `ValidationError` lists what it breaks. `kzdocs.schema.validate` turns the
    result into a Document equal to the original.

    A comment or processing instruction anywhere is an `XmlError`: exclusive C14N signs neither,
    so a value split by one (`<value>1<!---->25000.00</value>`) would read as another value.
    """
    root = parse_xml(data)
    refuse_unsigned_nodes(root)
    kind = _check(root, None)
    record: dict[str, Any] = {"kind": kind}
    for child in _elements(root):
        if etree.QName(child).namespace == NS:
            record[_local(child)] = _value(child)
    MODELS[kind].model_validate(record)
    return record


def xsd(kind: str) -> bytes:
    """The shipped XSD of a kind, as bytes (for back offices that check XML themselves)."""
    get_form(kind)  # an unknown kind is an UnknownKindError, not a missing file
    return files("kzdocs.xsd").joinpath(f"{kind}.xsd").read_bytes()


# -- writing ------------------------------------------------------------------------------------


@cache
def _top_level_keys(kind: str) -> tuple[str, ...]:
    """The record keys of a kind in the order the form numbers them (the XSD's sequence)."""
    fields = MODELS[kind].model_fields
    order = (*FIELD_OF_KEY, *UNNUMBERED_KEYS) if get_form(kind).numbered else REFUSAL_KEYS
    keys = tuple(key for key in order if key in fields)
    missing = set(fields) - set(keys) - {"kind"}
    if missing:  # a new model field must get its place in the form order (and in the XSD)
        raise XmlError(f"no XML position for the record keys {sorted(missing)} of {kind}")
    return keys


def _append(parent: etree._Element, name: str, value: Any, path: str) -> None:
    if value is None:
        return  # an absent optional key has no element
    element = etree.SubElement(parent, f"{{{NS}}}{name}")
    if isinstance(value, Text):
        for lang in LANGS:
            _set_text(etree.SubElement(element, f"{{{NS}}}{lang}"), value[lang], f"{path}.{lang}")
    elif isinstance(value, BaseModel):
        for key in type(value).model_fields:
            _append(element, key, getattr(value, key), f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _append(element, _LIST_ITEMS[name], item, f"{path}[{index}]")
    else:
        _set_text(element, _scalar(value), path)


def _set_text(element: etree._Element, text: str, path: str) -> None:
    try:
        element.text = text
    except ValueError as exc:  # lxml refuses what XML cannot carry, e.g. a lone surrogate
        raise XmlError(f"{path}: cannot be written as XML: {exc}", path=path) from None


def _scalar(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")  # as the record gave it: no exponent, trailing zeros kept
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# -- checking -----------------------------------------------------------------------------------


def _check(root: etree._Element, kind: str | None) -> str:
    """Validate a parsed document against its kind's XSD; return the kind."""
    name = etree.QName(root)
    if name.namespace != NS or name.localname not in MODELS:
        raise XmlError(
            f"root element {name.text!r} is not a kzdocs document: expected one of "
            f"{', '.join(MODELS)} in namespace {NS}",
            line=root.sourceline,
        )
    if kind is not None and get_form(kind).kind != name.localname:
        raise XmlError(
            f"root element {name.localname!r} does not match the expected kind {kind!r}",
            line=root.sourceline,
        )
    schema = _schema(name.localname)
    if not schema.validate(root):
        entry = schema.error_log[0]
        raise XmlError(entry.message, line=entry.line, path=entry.path)
    for child in _elements(root):
        child_name = etree.QName(child)
        if child_name.namespace == DS_NS and child_name.localname != "Signature":
            raise XmlError(
                f"element {child_name.text!r}: only ds:Signature may follow the record",
                line=child.sourceline,
            )
    return name.localname


@cache
def _schema(kind: str) -> etree.XMLSchema:
    try:
        return etree.XMLSchema(parse_xml(xsd(kind)))
    except etree.XMLSchemaParseError as exc:  # pragma: no cover - the shipped XSDs are tested
        raise XmlError(f"the shipped XSD of {kind} is broken: {exc}") from exc


# -- reading ------------------------------------------------------------------------------------


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers must not be shared across threads, and building one
    # costs about a microsecond.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )


def _elements(element: etree._Element) -> list[etree._Element]:
    """Child elements, without comments and processing instructions."""
    return [child for child in element if isinstance(child.tag, str)]


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _value(element: etree._Element) -> Any:
    children = _elements(element)
    if not children:
        return element.text or ""
    if _local(element) in _LIST_ITEMS:
        return [_value(child) for child in children]
    if [_local(child) for child in children] == list(LANGS):
        kk, ru = (child.text or "" for child in children)
        return kk if kk == ru else {"kk": kk, "ru": ru}
    return {
        _local(child): int(_value(child)) if _local(child) in _INTEGER_KEYS else _value(child)
        for child in children
    }
