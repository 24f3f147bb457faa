"""Does a PDF show what its embedded XML says? The check `kzdocs verify` runs on every PDF.

A signature proves the embedded XML is intact; a reader, though, reads the page. The record in
the XML is rendered again in the PDF's language and every field's words must be on the page.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator

import lxml.html

from kzdocs.config import DEFAULT, Config
from kzdocs.errors import KzdocsError
from kzdocs.forms import LANGS

_WORD = re.compile(r"\w+")
# Parts of the page that the record alone does not decide: the signature and the draft mark.
_BLOCKS = (
    "//td[@data-field and @data-field != '18'] | //div[@class='reference']/p"
    " | //ol[@class='grounds']/li"
)


def visible_disagreements(pdf: bytes, *, config: Config = DEFAULT) -> list[str]:
    """What the page fails to show of the embedded record, a line a field; empty if all agree.

    `config` is the one the PDF was rendered with: its templates and issuer decide the words.
    """
    from kzdocs.pdf import extract_xml
    from kzdocs.prepared import prepare
    from kzdocs.sign.record import signed_record
    from kzdocs.xml import from_xml

    try:
        prepared = prepare(from_xml(signed_record(extract_xml(pdf))), config=config)
    except KzdocsError as exc:
        return [f"the embedded XML cannot be read as a record: {exc}"]
    try:
        page, lang = _page_words(pdf)
    except Exception as exc:  # a damaged page must yield a verdict, whatever the parser trips on
        return [f"the page text cannot be read: {type(exc).__name__}: {exc}"]
    html = prepared.html(lang)
    return [
        f"{name}: not on the page: {', '.join(missing)}" for name, missing in _missing(html, page)
    ]


def _page_words(pdf: bytes) -> tuple[Counter[str], str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    lang = str(reader.trailer["/Root"].get("/Lang", "kk"))[:2]
    return _words(text), lang if lang in LANGS else "kk"


def _missing(html: str, page: Counter[str]) -> Iterator[tuple[str, list[str]]]:
    for block in lxml.html.fromstring(html).xpath(_BLOCKS):
        expected = _words(block.text_content())
        missing = sorted((expected - page).elements())
        if missing:
            yield _name(block), missing[:8]


def _name(block) -> str:
    number = block.get("data-field")
    if number:
        return f"field {number}"
    return " ".join(block.text_content().split())[:40]


def _words(text: str) -> Counter[str]:
    return Counter(_WORD.findall(text.lower()))
