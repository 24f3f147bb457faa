"""The DOCX stage: Word documents built from the rendered HTML, so the wording has one source.

`render_docx(html, meta)` converts the documented HTML subset (docs/docx-html-subset.md);
`docx_text(data)` gives a DOCX's text for the HTML/PDF/DOCX agreement checks.
"""

from __future__ import annotations

import io

import docx
import lxml.html
from lxml import etree

from kzdocs.docx.convert import Converter
from kzdocs.docx.meta import DocxMeta, apply_core_properties
from kzdocs.docx.package import normalise_zip
from kzdocs.docx.template import template_bytes
from kzdocs.docx.text import docx_text, html_text, normalise_space
from kzdocs.errors import RenderError

__all__ = [
    "DocxMeta",
    "docx_text",
    "html_text",
    "normalise_space",
    "parse_html",
    "render_docx",
]

# Our own HTML, but parsed as if it were not: no network, no comments or processing
# instructions (they are not wording), no huge-tree expansion.
_PARSER = lxml.html.HTMLParser(
    no_network=True, remove_comments=True, remove_pis=True, huge_tree=False
)


def parse_html(html: str) -> lxml.html.HtmlElement:
    """The rendered HTML as an lxml tree (the <html> element)."""
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except (etree.ParserError, ValueError) as exc:
        raise RenderError(f"the HTML cannot be parsed: {exc}") from exc


def render_docx(html: str, meta: DocxMeta) -> bytes:
    """The DOCX of a rendered document: reproducible bytes, same inputs → same output."""
    root = parse_html(html)
    html_lang = root.get("lang")
    if html_lang and html_lang != meta.lang:  # the metadata belongs to another rendering
        raise RenderError(
            f"the HTML is <html lang={html_lang!r}> but DocxMeta.lang is {meta.lang!r}"
        )
    document = docx.Document(io.BytesIO(template_bytes(meta.lang)))
    Converter(document, meta.lang).convert(root)
    apply_core_properties(document, meta)
    out = io.BytesIO()
    document.save(out)
    return normalise_zip(out.getvalue())
