"""Inline content of one Word paragraph: HTML whitespace collapsing, runs, line breaks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from kzdocs.docx import layout as L

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# HTML collapses only these; a no-break space (U+00A0) is text and stays.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def w(tag: str) -> str:
    """Clark name of a WordprocessingML element or attribute."""
    return f"{{{W_NS}}}{tag}"


@dataclass(frozen=True)
class RunStyle:
    """Character formatting of a run: emphasis and the Word language tag (e.g. 'kk-KZ')."""

    lang: str
    bold: bool = False
    italic: bool = False
    nowrap: bool = False  # hyphens become Word's non-breaking hyphens


@dataclass
class _Text:
    text: str
    style: RunStyle


@dataclass
class _Break:
    style: RunStyle


@dataclass
class _Drawing:
    inline: etree._Element
    style: RunStyle


@dataclass
class InlineBuffer:
    """Inline items collected until a block boundary turns them into a paragraph."""

    items: list[_Text | _Break | _Drawing] = field(default_factory=list)

    def text(self, text: str | None, style: RunStyle) -> None:
        if text:
            self.items.append(_Text(text, style))

    def line_break(self, style: RunStyle) -> None:
        self.items.append(_Break(style))

    def drawing(self, inline: etree._Element, style: RunStyle) -> None:
        self.items.append(_Drawing(inline, style))

    def take(self) -> list[_Text | _Break | _Drawing]:
        """The collapsed items (as a browser would lay them out), emptying the buffer."""
        items, self.items = _collapse(self.items), []
        return items


def _collapse(items: list[_Text | _Break | _Drawing]) -> list[_Text | _Break | _Drawing]:
    out: list[_Text | _Break | _Drawing] = []
    skip_space = True  # at a line start, or right after a collapsed space
    for item in items:
        if isinstance(item, _Text):
            text = _HTML_SPACE.sub(" ", item.text)
            if skip_space:
                text = text.lstrip(" ")
            if text:
                out.append(_Text(text, item.style))
                skip_space = text.endswith(" ")
        elif isinstance(item, _Break):
            _strip_trailing_space(out)
            out.append(item)
            skip_space = True
        else:
            out.append(item)
            skip_space = False
    _strip_trailing_space(out)
    return out


def _strip_trailing_space(out: list[_Text | _Break | _Drawing]) -> None:
    while out and isinstance(out[-1], _Text) and out[-1].text.endswith(" "):
        last = out.pop()
        text = last.text.rstrip(" ")
        if text:
            out.append(_Text(text, last.style))
            return


def run_properties(style: RunStyle) -> etree._Element:
    """w:rPr with the font on every slot, the document language, and the run's emphasis."""
    rpr = etree.Element(w("rPr"))
    etree.SubElement(
        rpr,
        w("rFonts"),
        {w("ascii"): L.FONT, w("hAnsi"): L.FONT, w("cs"): L.FONT, w("eastAsia"): L.FONT},
    )
    if style.bold:
        etree.SubElement(rpr, w("b"))
        etree.SubElement(rpr, w("bCs"))
    if style.italic:
        etree.SubElement(rpr, w("i"))
        etree.SubElement(rpr, w("iCs"))
    tag = style.lang
    etree.SubElement(rpr, w("lang"), {w("val"): tag, w("eastAsia"): tag, w("bidi"): tag})
    return rpr


Inline = _Text | _Break | _Drawing


def paragraph(
    items: list[Inline],
    style_id: str,
    *,
    numbering: tuple[int, int] | None = None,
    indent: int | None = None,
) -> etree._Element:
    """A w:p in style `style_id`; `numbering` is (numId, level) of a list item's first line."""
    p = etree.Element(w("p"))
    p.append(_paragraph_properties(style_id, numbering, indent))
    _add_runs(p, items)
    return p


def _paragraph_properties(
    style_id: str, numbering: tuple[int, int] | None, indent: int | None
) -> etree._Element:
    ppr = etree.Element(w("pPr"))
    etree.SubElement(ppr, w("pStyle"), {w("val"): style_id})
    if numbering is not None:
        num_pr = etree.SubElement(ppr, w("numPr"))
        etree.SubElement(num_pr, w("ilvl"), {w("val"): str(numbering[1])})
        etree.SubElement(num_pr, w("numId"), {w("val"): str(numbering[0])})
    elif indent is not None:
        etree.SubElement(ppr, w("ind"), {w("left"): str(indent)})
    return ppr


def _add_runs(p: etree._Element, items: list[Inline]) -> None:
    """Runs for the items: neighbours of one style share a run, a drawing gets its own."""
    run: etree._Element | None = None
    run_style: RunStyle | None = None
    for item in items:
        if isinstance(item, _Drawing):
            run = etree.SubElement(p, w("r"))
            run.append(run_properties(item.style))
            etree.SubElement(run, w("drawing")).append(item.inline)
            run, run_style = None, None
            continue
        style = item.style if run_style is None or isinstance(item, _Text) else run_style
        if run is None or style != run_style:
            run = etree.SubElement(p, w("r"))
            run.append(run_properties(style))
            run_style = style
        if isinstance(item, _Break):
            etree.SubElement(run, w("br"))
        else:
            _add_text(run, item.text, nowrap=style.nowrap)


def _add_text(run: etree._Element, text: str, *, nowrap: bool) -> None:
    """w:t for the text; in a nowrap run each hyphen is a w:noBreakHyphen, which Word never
    breaks after (and python-docx reads back as «-»)."""
    for index, piece in enumerate(text.split("-") if nowrap else [text]):
        if index:
            etree.SubElement(run, w("noBreakHyphen"))
        if piece:
            t = etree.SubElement(run, w("t"))
            t.text = piece
            if piece != piece.strip():
                t.set(XML_SPACE, "preserve")
