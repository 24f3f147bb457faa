"""Does the page show the signed record, and nothing else? The check `kzdocs verify` runs on PDFs.

A signature proves the record is intact; a reader, though, reads the page. The signed record is
rendered again — same templates, fonts and configuration, the same signature in field 18 — and
the text of that rendering must be the page's text, field by field, in order: no character
missing, none extra (text drawn under or over other text counts). Both sides are normalised
alike: Unicode NFC, no soft hyphens, no hyphen the line breaker adds, no whitespace (so a long
value wrapped inside a cell reads as one).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING

import lxml.html

from kzdocs.config import DEFAULT, Config
from kzdocs.forms import LANGS

if TYPE_CHECKING:
    from kzdocs.sign import Signature

# The blocks a page is compared by: the numbered fields, a refusal's reference lines and grounds.
_BLOCKS = (
    "//td[@data-field] | //div[@class='reference']/p | //ol[@class='grounds']/li"
    " | //div[@class='signature']"
)
_PAGE_BREAK = "\ue000"  # between pages: text may not move from one page to another
_BREAK_HYPHEN = re.compile(r"\u2010\s*\n")  # the hyphen drawn where a word breaks at a U+00AD
_SPACE = re.compile(r"\s+")
_MAX_SHOWN = 30
_MAX_LINES = 12


@dataclass(frozen=True)
class _Span:
    name: str
    start: int
    end: int


def normalise(text: str) -> str:
    """Text as the comparison sees it: NFC, without soft hyphens, break hyphens or whitespace."""
    text = _BREAK_HYPHEN.sub("", unicodedata.normalize("NFC", text))
    return _SPACE.sub("", text.replace("\u00ad", ""))


def page_disagreements(
    pdf: bytes,
    record: bytes,
    signature: Signature | None,
    *,
    config: Config = DEFAULT,
) -> list[str]:
    """How the page of `pdf` differs from `record` rendered with `signature`; empty if not at all.

    `pdf` is the revision the signature covers, `record` the record's XML as the signature covers
    it, `config` the configuration the PDF was rendered with (its templates and issuer decide
    the words).
    """
    from kzdocs.errors import KzdocsError
    from kzdocs.sign.embedded import page_texts

    try:
        document = signed_document(record, config)
    except KzdocsError as exc:
        return [f"the signed XML cannot be read as a record: {exc}"]
    try:
        pages, lang = page_texts(pdf)
    except Exception as exc:  # a damaged page must yield a verdict, whatever the parser trips on
        return [f"the page text cannot be read: {type(exc).__name__}: {exc}"]
    lang = lang[:2]
    if lang not in LANGS:
        return [f"the PDF's language {lang!r} is not one kzdocs renders ({', '.join(LANGS)})"]
    problems = _annotations(pdf)
    expected_pages, spans, draft_mark = _expected(document, lang, signature, config)
    if signature is not None and draft_mark and normalise(draft_mark) in normalise(" ".join(pages)):
        problems.append(f"the page is marked as a draft («{draft_mark}») yet carries a signature")
    if len(pages) != len(expected_pages):
        problems.append(
            f"the page count differs: {len(pages)} in the PDF, "
            f"{len(expected_pages)} in the rendering of the signed record"
        )
    shown = _PAGE_BREAK.join(normalise(p) for p in pages)
    expected = _PAGE_BREAK.join(normalise(p) for p in expected_pages)
    return problems + _differences(expected, shown, spans)


def signed_document(record: bytes, config: Config = DEFAULT):
    """The Document of a signed record's XML; raises `KzdocsError` naming what is wrong."""
    from kzdocs.schema import validate
    from kzdocs.xml import from_xml

    # Soft hyphens are refused in new records but may be in documents signed earlier; the
    # comparison ignores them, so the rendering may too. (In UTF-8, C2 AD is U+00AD and nothing
    # else: C2 always starts a character.)
    return validate(from_xml(record.replace(b"\xc2\xad", b"")), config)


def _expected(document, lang: str, signature, config: Config):
    """The page texts of the signed record's rendering, its blocks' spans, the draft mark."""
    from kzdocs.prepared import PreparedRecord
    from kzdocs.sign.embedded import page_texts

    # Prepared as kzdocs prepares a record, with the signature the document carries (no signer:
    # nothing is signed again).
    signed = PreparedRecord(document, config, signature=signature)
    html = signed.html(lang)
    pages, _ = page_texts(signed.pdf(lang))
    draft = lxml.html.fromstring(PreparedRecord(document, config).html(lang))
    # The mark as printed (for the reason); it is compared normalised.
    mark = " ".join("".join(draft.xpath("//div[@class='draft-mark']//text()")).split())
    return pages, _spans(html, _PAGE_BREAK.join(normalise(p) for p in pages)), mark


def _spans(html: str, expected: str) -> list[_Span]:
    """Where each block's text lies in the expected page text (blocks not found are skipped)."""
    spans, cursor = [], 0
    for block in lxml.html.fromstring(html).xpath(_BLOCKS):
        text = normalise(block.text_content())
        at = expected.find(text, cursor) if text else -1
        if at >= 0:
            spans.append(_Span(_name(block), at, at + len(text)))
            cursor = at + len(text)
    return spans


def _name(block) -> str:
    number = block.get("data-field")
    if number:
        return f"field {number}"
    if block.get("class") == "signature":
        return "the signature block"
    return " ".join(block.text_content().split())[:40]


def _differences(expected: str, shown: str, spans: list[_Span]) -> list[str]:
    """A line for every block (or stretch between blocks) whose page text differs."""
    if expected == shown:
        return []
    if len(shown) > 2 * len(expected) + 500:  # no quadratic diff of a hostile page's text
        counts = f"{len(shown)} characters of text; the record renders {len(expected)}"
        return [f"the page carries {counts}"]
    opcodes = SequenceMatcher(None, expected, shown, autojunk=False).get_opcodes()
    changed = [(i1, i2) for tag, i1, i2, _, _ in opcodes if tag != "equal"]
    lines = []
    for region in _regions(spans, len(expected)):
        if any(_touches(region, i1, i2) for i1, i2 in changed):
            page = shown[_map(opcodes, region.start) : _map(opcodes, region.end, end=True)]
            lines.append(_change(region.name, expected[region.start : region.end], page))
    return lines[:_MAX_LINES]


def _regions(spans: list[_Span], length: int) -> list[_Span]:
    """The blocks, and the stretches before, between and after them."""
    regions, at, previous = [], 0, "the top of the page"
    for span in spans:
        if span.start > at:
            regions.append(_Span(f"outside the numbered fields (after {previous})", at, span.start))
        regions.append(span)
        at, previous = span.end, span.name
    regions.append(_Span(f"outside the numbered fields (after {previous})", at, length))
    return regions


def _touches(region: _Span, i1: int, i2: int) -> bool:
    if i1 == i2:  # an insertion: it belongs to the region it lies in, or ends
        return region.start < i1 <= region.end or i1 == region.start == 0
    return i1 < region.end and i2 > region.start


def _map(opcodes, i: int, *, end: bool = False) -> int:
    """Where position `i` of the expected text lies in the page text."""
    for _tag, i1, i2, j1, j2 in opcodes:
        if i1 <= i < i2 or (end and i == i2):
            return j1 + (i - i1) if _tag == "equal" else (j2 if end else j1)
    return opcodes[-1][4] if opcodes else 0


def _change(where: str, record: str, page: str) -> str:
    if not record:
        return f"{where}: the page shows «{_shown(page)}», which the signed record does not say"
    if not page:
        return f"{where}: the page does not show «{_shown(record)}» of the signed record"
    return (
        f"{where}: the page shows «{_shown(page)}» where the signed record says «{_shown(record)}»"
    )


def _shown(text: str) -> str:
    text = text.replace(_PAGE_BREAK, " | ")
    return text if len(text) <= 2 * _MAX_SHOWN else text[:_MAX_SHOWN] + "…" + text[-_MAX_SHOWN:]


def _annotations(pdf: bytes) -> list[str]:
    """Annotations other than signature widgets: an annotation can paint over the page."""
    import io

    from pypdf import PdfReader

    from kzdocs.sign.embedded import bounded

    problems = []
    with bounded():
        for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages, 1):
            for annotation in page.get("/Annots") or ():
                annotation = annotation.get_object()
                if annotation.get("/Subtype") != "/Widget" or _field_type(annotation) != "/Sig":
                    subtype = annotation.get("/Subtype")
                    problems.append(f"page {number} carries a {subtype} annotation")
    return problems


def _field_type(widget) -> object:
    if "/FT" in widget:
        return widget["/FT"]
    parent = widget.get("/Parent")
    return parent.get_object().get("/FT") if parent is not None else None
