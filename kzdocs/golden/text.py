"""The text of a rendered document as its reader sees it: one line per paragraph or table cell.

Golden files are compared byte for byte, but a lawyer reviews words, not zip members or PDF
operators; these functions turn every format into lines of text a diff can explain.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from lxml import etree, html

from kzdocs.xml import parse_xml

# Tags after which a reader sees a new line; cells get their own line so a diff names the field.
_BLOCKS = frozenset(
    {"html", "head", "title", "body", "div", "p", "h1", "h2", "h3", "h4"}
    | {"table", "thead", "tbody", "tfoot", "tr", "th", "td", "ul", "ol", "li"}
)
_HIDDEN = frozenset({"style", "script", "template"})


def document_text(data: bytes, format: str) -> list[str]:
    """The lines of text of a document in `format` (html, xml, docx, pdf)."""
    if format == "html":
        return html_text(data)
    if format == "xml":
        return xml_text(data)
    if format == "docx":
        return docx_text(data)
    if format == "pdf":
        lines: list[str] = []
        for number, page in enumerate(pdf_pages_text(data), start=1):
            lines.append(f"[page {number}]")
            lines.extend(page)
        return lines
    raise ValueError(f"format must be one of html, xml, docx, pdf, got {format!r}")


def _squeeze(text: str) -> str:
    return " ".join(text.split())


def html_text(data: bytes) -> list[str]:
    """Paragraphs, headings, list items and table cells of an HTML document, in reading order."""
    if not data.strip():
        return []
    # kzdocs writes UTF-8; decoding here keeps a page without <meta charset> readable too.
    root = html.document_fromstring(data.decode("utf-8", errors="replace"))
    lines: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        text = _squeeze("".join(pending))
        pending.clear()
        if text:
            lines.append(text)

    def walk(element: etree._Element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag not in _HIDDEN:
            if tag in _BLOCKS or tag == "br":
                flush()
            if tag == "img":
                pending.append(" [image] ")
            pending.append(element.text or "")
            for child in element:
                walk(child)
            if tag in _BLOCKS:
                flush()
        pending.append(element.tail or "")

    walk(root)
    flush()
    return lines


def xml_text(data: bytes) -> list[str]:
    """One line per XML element holding text or attributes: `path/to/element [attr=v]: text`."""
    if not data.strip():
        return []
    return list(_xml_lines(parse_xml(data), ""))


def _xml_lines(element: etree._Element, parent: str) -> Iterator[str]:
    if not isinstance(element.tag, str):
        return
    path = (
        f"{parent}/{etree.QName(element).localname}" if parent else etree.QName(element).localname
    )
    attributes = " ".join(
        f"{etree.QName(k).localname}={v}" for k, v in sorted(element.attrib.items())
    )
    text = _squeeze(element.text or "")
    if text or attributes:
        where = f"{path} [{attributes}]" if attributes else path
        yield f"{where}: {text}" if text else where
    for child in element:
        yield from _xml_lines(child, path)


def docx_text(data: bytes) -> list[str]:
    """Every paragraph of a DOCX body, table cells' paragraphs included, in document order.

    (`kzdocs.docx.docx_text` joins all text into one line for agreement checks; a diff needs
    the paragraphs apart.)
    """
    if not data:
        return []
    from kzdocs.docx.text import docx_paragraphs  # python-docx is slow to import: only for DOCX

    return [line for line in map(_squeeze, docx_paragraphs(data)) if line]


def pdf_pages_text(data: bytes) -> list[list[str]]:
    """The lines of text of each PDF page, as pypdf extracts them."""
    if not data:
        return []
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return [
        [
            line
            for line in (_squeeze(raw) for raw in (page.extract_text() or "").splitlines())
            if line
        ]
        for page in reader.pages
    ]


_WORD = re.compile(r"\S+")


def words(lines: list[str]) -> list[str]:
    """The words of some lines, punctuation kept: «№» and «,» matter to a lawyer."""
    return [word for line in lines for word in _WORD.findall(line)]
