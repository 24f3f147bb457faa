"""The text of a DOCX, in reading order, for comparing HTML, PDF and DOCX wording."""

from __future__ import annotations

import io
import re

import docx
from docx.text.paragraph import Paragraph
from lxml import etree

from kzdocs.docx.images import is_svg
from kzdocs.docx.paragraphs import w

_SPACE = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    """Runs of whitespace (line breaks, tabs, no-break spaces) as one space, trimmed."""
    return _SPACE.sub(" ", text).strip()


def docx_text(docx_bytes: bytes) -> str:
    """All paragraph text of the body (table cells included, each once) with whitespace
    normalised; list numbers Word generates are not text and are not included."""
    return normalise_space(" ".join(docx_paragraphs(docx_bytes)))


def docx_paragraphs(docx_bytes: bytes) -> list[str]:
    """The text of every paragraph of the body, table cells' included, in document order."""
    body = docx.Document(io.BytesIO(docx_bytes)).element.body
    return [Paragraph(p, None).text for p in body.iter(w("p"))]


_HTML_BLOCKS = frozenset(
    {"div", "p", "h1", "h2", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "ul", "ol", "li"}
)


def html_text(root: etree._Element) -> str:
    """The text of a parsed HTML document as the DOCX stage lays it out: blocks and line breaks
    separate words, an SVG image counts as its alt text (the DOCX shows that in its place)
    unless it is a QR code the DOCX draws again (`data-qr`)."""
    body = root.find("body")
    parts: list[str] = []
    if body is not None:
        _collect(body, parts)
    return normalise_space("".join(parts))


def _collect(element: etree._Element, parts: list[str]) -> None:
    if not isinstance(element.tag, str):
        return
    block = element.tag in _HTML_BLOCKS
    if block or element.tag == "br":
        parts.append(" ")
    if element.tag == "img" and is_svg(element) and not element.get("data-qr"):
        parts.append(f" {element.get('alt') or ''} ")
    parts.append(element.text or "")
    for child in element:
        _collect(child, parts)
        parts.append(child.tail or "")
    if block:
        parts.append(" ")
