"""The rendered HTML (the documented subset) → WordprocessingML in a python-docx document."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from docx.document import Document as WordDocument
from lxml import etree

from kzdocs.docx.images import is_svg, png_inline, qr_inline
from kzdocs.docx.layout import WORD_LANG
from kzdocs.docx.paragraphs import Inline, InlineBuffer, RunStyle, paragraph, w
from kzdocs.docx.tables import build_table, look_of, refuse_loose_text
from kzdocs.docx.template import BULLET_LIST, FOLLOWING_PARAGRAPH_STYLES, ORDERED_LIST
from kzdocs.errors import RenderError

BLOCK_TAGS = frozenset({"div", "p", "h1", "h2", "table", "ul", "ol"})
INLINE_TAGS = frozenset({"span", "strong", "b", "em", "i", "br", "img"})
HEAD_TAGS = frozenset({"meta", "title", "style"})
# These make a paragraph even when empty, as a browser keeps their box.
PARAGRAPH_TAGS = frozenset({"p", "h1", "h2", "li"})

# Word paragraph style of a block, by tag and then by class (class wins);
# see docs/docx-html-subset.md.
TAG_STYLES = {"h1": "KzTitle", "h2": "KzHeading", "th": "KzTableHeading"}
CLASS_STYLES = {
    "appendix": "KzAppendix",
    "draft-mark": "KzDraftMark",
    "issuer": "KzIssuer",
    "title": "KzTitle",
    "reference": "KzReference",
    "body": "KzLetterBody",
    "grounds": "KzGround",
    "signature": "KzSignature",
    "consent": "KzConsent",
    "notes": "KzNote",
    "footer": "KzFooter",
}
BOLD_CLASSES = frozenset({"field-label", "draft-mark", "test-certificate"})
ITALIC_CLASSES = frozenset({"sub-label"})
NOWRAP_CLASSES = frozenset({"nowrap"})
# Lists whose numbers the template writes as text (CSS list-style: none): Word must not add its own.
UNNUMBERED_LISTS = frozenset({"grounds"})
LIST_INDENT = 425  # twips, the text indent of the list levels in the template
_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


@dataclass(frozen=True)
class Context:
    """What an element inherits: its paragraph style, run formatting, the style of table cells."""

    style_id: str
    run: RunStyle
    cell_style: str = "KzTableText"


class _Sink:
    """Where finished blocks go; the first paragraph of a list item carries its number."""

    def __init__(
        self,
        add: Callable[[etree._Element], None],
        numbering: tuple[int, int] | None = None,
        parent: _Sink | None = None,
    ):
        self._add = add
        self._numbering = numbering
        self._parent = parent
        self.count = 0

    def item(self, numbering: tuple[int, int]) -> _Sink:
        return _Sink(self.add, numbering, self)

    def add(self, block: etree._Element) -> None:
        self._add(block)
        self.count += 1

    def paragraph(self, items: list[Inline], style_id: str) -> None:
        if self._numbering is not None:
            self.add(paragraph(items, style_id, numbering=self._numbering))
            self._numbering = None
        elif self._parent is not None:  # later paragraphs of a list item align with its text
            self.add(paragraph(items, style_id, indent=LIST_INDENT))
        else:
            self.add(paragraph(items, style_id))


class Converter:
    """Walks the HTML once, appending Word blocks to the document body."""

    def __init__(self, document: WordDocument, lang: str):
        self.document = document
        self.lang = lang
        self._numbering = document.part.numbering_part.element
        self._next_num = 1
        self._next_shape = 1

    def convert(self, root: etree._Element) -> None:
        """Append the body of the HTML document `root` to the Word document."""
        section = self.document.element.body.sectPr
        self._block(
            _body(root),
            _Sink(section.addprevious),
            Context("KzText", RunStyle(WORD_LANG[self.lang])),
        )

    # -- blocks -----------------------------------------------------------------------------

    def _block(self, element: etree._Element, sink: _Sink, ctx: Context) -> None:
        if element.tag == "table":
            self._table(element, sink, ctx)
        elif element.tag in ("ul", "ol"):
            self._list(element, sink, ctx)
        else:
            buffer, before = InlineBuffer(), sink.count
            self._content(element, buffer, sink, ctx)
            force = element.tag in PARAGRAPH_TAGS and sink.count == before
            self._flush(buffer, sink, ctx, force=force)

    def _content(
        self, element: etree._Element, buffer: InlineBuffer, sink: _Sink, ctx: Context
    ) -> None:
        buffer.text(element.text, ctx.run)
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                pass
            elif tag in BLOCK_TAGS:
                self._flush(buffer, sink, ctx)
                self._block(child, sink, self._context(child, ctx))
            elif tag in INLINE_TAGS:
                self._inline(child, buffer, sink, ctx)
            else:
                raise _unsupported(child, element)
            buffer.text(child.tail, ctx.run)

    def _flush(self, buffer: InlineBuffer, sink: _Sink, ctx: Context, *, force=False) -> None:
        items = buffer.take()
        if items or force:
            sink.paragraph(items, ctx.style_id)

    def _context(self, element: etree._Element, ctx: Context) -> Context:
        tag = element.tag
        classes = _classes(element)
        style_id = ctx.cell_style if tag == "td" else TAG_STYLES.get(tag, ctx.style_id)
        for name in classes:
            style_id = CLASS_STYLES.get(name, style_id)
        previous = element.getprevious()
        if tag == "p" and previous is not None and previous.tag == "p":
            style_id = FOLLOWING_PARAGRAPH_STYLES.get(style_id, style_id)
        run = ctx.run
        lang = element.get("lang")
        if lang and _LANG_TAG.match(lang):
            run = replace(run, lang=WORD_LANG.get(lang, lang))
        if tag in ("strong", "b") or not BOLD_CLASSES.isdisjoint(classes):
            run = replace(run, bold=True)
        if tag in ("em", "i") or not ITALIC_CLASSES.isdisjoint(classes):
            run = replace(run, italic=True)
        if not NOWRAP_CLASSES.isdisjoint(classes):
            run = replace(run, nowrap=True)
        cell_style = look_of(classes).cell_style if tag == "table" else ctx.cell_style
        return Context(style_id, run, cell_style)

    # -- inline -----------------------------------------------------------------------------

    def _inline(
        self, element: etree._Element, buffer: InlineBuffer, sink: _Sink, ctx: Context
    ) -> None:
        if element.tag == "br":
            buffer.line_break(ctx.run)
        elif element.tag == "img":
            self._image(element, buffer, ctx)
        else:
            self._content(element, buffer, sink, self._context(element, ctx))

    def _image(self, img: etree._Element, buffer: InlineBuffer, ctx: Context) -> None:
        if is_svg(img) and not img.get("data-qr"):
            # python-docx cannot place SVG and kzdocs has no rasteriser: the alt text stands in.
            buffer.text(f" {img.get('alt') or ''} ", replace(ctx.run, italic=True))
            return
        picture = qr_inline if img.get("data-qr") else png_inline
        buffer.drawing(picture(self.document, img, self._next_shape), ctx.run)
        self._next_shape += 1

    # -- tables and lists -------------------------------------------------------------------

    def _table(self, table: etree._Element, sink: _Sink, ctx: Context) -> None:
        def fill_cell(td: etree._Element, tc: etree._Element) -> None:
            self._block(td, _Sink(tc.append), self._context(td, ctx))

        sink.add(build_table(table, look_of(_classes(table)), fill_cell))

    def _list(self, element: etree._Element, sink: _Sink, ctx: Context) -> None:
        if ctx.style_id == "KzText":
            ctx = replace(ctx, style_id="KzListItem")
        numbered = UNNUMBERED_LISTS.isdisjoint(_classes(element))
        ordered = element.tag == "ol"
        expected = _integer(element, "start", 1)
        num_id = self._new_list(ordered, expected) if numbered else 0
        refuse_loose_text(element, "an <li>")
        for item in element:
            if not isinstance(item.tag, str):
                continue
            if item.tag != "li":
                raise RenderError(f"<{item.tag}> inside <{element.tag}>: only <li> may be there")
            item_ctx = self._context(item, ctx)
            if not numbered:
                self._block(item, sink, item_ctx)
                continue
            value = _integer(item, "value", expected)
            if value != expected:  # <li value>: Word restarts the count with a new list instance
                num_id, expected = self._new_list(ordered, value), value
            self._block(item, sink.item((num_id, 0)), item_ctx)
            expected += 1

    def _new_list(self, ordered: bool, start: int) -> int:
        num_id = self._next_num
        self._next_num += 1
        num = etree.SubElement(self._numbering, w("num"), {w("numId"): str(num_id)})
        abstract = ORDERED_LIST if ordered else BULLET_LIST
        etree.SubElement(num, w("abstractNumId"), {w("val"): str(abstract)})
        override = etree.SubElement(num, w("lvlOverride"), {w("ilvl"): "0"})
        etree.SubElement(override, w("startOverride"), {w("val"): str(start)})
        return num_id


def _body(root: etree._Element) -> etree._Element:
    """The <body> of an HTML document whose <head> holds only what the subset allows."""
    if root.tag != "html":
        raise RenderError(f"<{root.tag}> at the top: expected an HTML document (<html>)")
    body = None
    for child in root:
        if child.tag == "head":
            for item in child:
                if isinstance(item.tag, str) and item.tag not in HEAD_TAGS:
                    raise RenderError(
                        f"<{item.tag}> in <head>: the HTML subset has no place for it"
                    )
        elif child.tag == "body":
            body = child
        elif isinstance(child.tag, str):
            raise RenderError(f"<{child.tag}> beside <body>: the HTML subset has no place for it")
    if body is None:
        raise RenderError("the HTML has no <body>")
    return body


def _classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


def _integer(element: etree._Element, name: str, default: int) -> int:
    value = element.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise RenderError(f"<{element.tag} {name}={value!r}>: expected a whole number") from exc


def _unsupported(element: etree._Element, parent: etree._Element) -> RenderError:
    if element.tag in ("li", "tr", "td", "th", "thead", "tbody", "tfoot"):
        return RenderError(f"<{element.tag}> inside <{parent.tag}>: it belongs in a table or list")
    return RenderError(
        f"unsupported tag <{element.tag}> inside <{parent.tag}>: the DOCX stage converts only the "
        "HTML subset of docs/docx-html-subset.md, and its text would be lost"
    )
