"""Reading contract HTML for WeasyPrint in a fraction of the time its own parser takes.

WeasyPrint parses with tinyhtml5, a pure-Python HTML5 parser: about 5 ms of a licence. libxml2
(through lxml) builds the same tree in a quarter of a millisecond — for HTML that follows the
kzdocs HTML contract. Where the two parsers could disagree (tags outside the contract,
comments, implied elements, parse errors, unusual characters), `parse_contract_html` says None
and the HTML goes to WeasyPrint's own parser, unchanged. tests/test_pdf.py checks that every
fixture's tree is the one tinyhtml5 builds. Handing the tree to WeasyPrint is one of the guarded
patches (kzdocs.pdf.patches).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import lxml.etree

# The contract's tags and the head's own; a <base>, <style> or <script> goes to tinyhtml5.
_BLOCK_TAGS = frozenset(
    ("div", "p", "h1", "h2", "table", "thead", "tbody", "tr", "th", "td", "ul", "ol", "li")
)
_INLINE_TAGS = frozenset(("span", "strong", "b", "em", "i"))
CONTRACT_TAGS = _BLOCK_TAGS | _INLINE_TAGS | {"html", "head", "meta", "title", "body", "br", "img"}
# Where HTML5 and libxml2 may build different trees: a block inside a paragraph, heading or
# inline element (implied end tags), a row, cell or item outside its parent (implied elements).
_NO_BLOCK_INSIDE = _INLINE_TAGS | {"p", "h1", "h2"}
_PARENTS = {
    "thead": frozenset({"table"}),
    "tbody": frozenset({"table"}),
    "tr": frozenset({"thead", "tbody"}),
    "td": frozenset({"tr"}),
    "th": frozenset({"tr"}),
    "li": frozenset({"ol", "ul"}),
}
_VOID_TAGS = frozenset({"br", "img", "meta"})
_SPACE = " \t\n\f\r"
# Input HTML5 preprocesses (CR, NUL, other controls) or libxml2 reads its own way.
_UNUSUAL_INPUT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]|<!--|<!\[|<\?")
# No doctype means quirks mode for HTML5, where a table does not close a paragraph.
_DOCTYPE = re.compile(r"[ \t\n\f\r]*<!doctype html>", re.IGNORECASE)
# HTML5 moves the whitespace after </body>, and after </html>, to the end of the body.
_END = re.compile(
    r"</body[ \t\n\f\r]*>([ \t\n\f\r]*)(?:</html[ \t\n\f\r]*>([ \t\n\f\r]*))?\Z", re.IGNORECASE
)


def parse_contract_html(html: str) -> ET.Element | None:
    """The tree tinyhtml5 builds for `html`, built by libxml2; None wherever they might differ."""
    end = _END.search(html)
    if end is None or not _DOCTYPE.match(html) or _UNUSUAL_INPUT.search(html):
        return None
    parser = lxml.etree.HTMLParser(no_network=True)
    try:
        root = lxml.etree.fromstring(html, parser)
    except (lxml.etree.LxmlError, ValueError):
        return None
    if root is None or len(parser.error_log) or not _same_as_html5(root):
        return None
    if not _body_closes_cleanly(html[: end.start()], root[1]):
        return None
    tree = _copy(root)
    tree.text = None  # HTML5 drops whitespace before <head>
    body = tree[1]
    body.tail = tree.tail = None
    after = end.group(1) + (end.group(2) or "")
    if after and len(body):
        body[-1].tail = (body[-1].tail or "") + after
    elif after:
        body.text = (body.text or "") + after
    return tree


def _body_closes_cleanly(before_end: str, body) -> bool:
    """Whether </body> follows the end tag of the body's last element: only then does HTML5 put
    the whitespace after </body> where `parse_contract_html` puts it (not into an open element)."""
    if not len(body):
        return True
    last = body[-1]
    if (last.tail or "").strip(_SPACE):
        return False
    closing = before_end.rstrip(_SPACE).lower()
    return last.tag in _VOID_TAGS or closing.endswith(f"</{last.tag}>")


def _same_as_html5(root) -> bool:
    if root.tag != "html" or [child.tag for child in root] != ["head", "body"]:
        return False
    if (root.text or "").strip(_SPACE):
        return False
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag not in CONTRACT_TAGS:
            return False
        parent = element.getparent()
        if tag in _PARENTS and (parent is None or parent.tag not in _PARENTS[tag]):
            return False
        if tag in _BLOCK_TAGS and parent is not None and parent.tag in _NO_BLOCK_INSIDE:
            return False
    return True


def _copy(element) -> ET.Element:
    """The lxml element as an ElementTree element, the kind tinyhtml5 builds."""
    copy = ET.Element(element.tag, dict(element.attrib))
    copy.text, copy.tail = element.text, element.tail
    copy.extend(_copy(child) for child in element)
    return copy
