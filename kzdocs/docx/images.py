"""`<img>` of the HTML subset: embedded PNG becomes an inline picture; nothing is fetched."""

from __future__ import annotations

import base64
import binascii
import io

from docx.document import Document as WordDocument
from lxml import etree

from kzdocs.docx import layout as L
from kzdocs.errors import RenderError

PNG_PREFIX = "data:image/png;base64,"
SVG_PREFIX = "data:image/svg+xml;base64,"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def is_svg(img: etree._Element) -> bool:
    return (img.get("src") or "").startswith(SVG_PREFIX)


def qr_inline(document: WordDocument, img: etree._Element, shape_id: int) -> etree._Element:
    """The picture of a QR code whose payload the HTML carries in `data-qr`: Word takes no SVG,
    so the same code is drawn again as PNG, at the 35 mm the print CSS gives it."""
    from kzdocs.sign.qr import qr_png

    side = str(round(35 / 25.4 * L.CSS_PX_PER_INCH))
    png = etree.Element("img", src=qr_png(img.get("data-qr")), width=side, height=side)
    png.set("alt", img.get("alt") or "QR")
    return png_inline(document, png, shape_id)


def png_inline(document: WordDocument, img: etree._Element, shape_id: int) -> etree._Element:
    """The wp:inline of an embedded PNG, sized from width/height attributes (CSS px) if given.

    `shape_id` is unique per document; python-docx's own counter cannot see pictures that are
    not yet attached to the body.
    """
    src = img.get("src") or ""
    if not src.startswith(PNG_PREFIX):
        raise RenderError(
            f"<img src={src[:40]!r}>: the DOCX stage embeds only {PNG_PREFIX}… or "
            f"{SVG_PREFIX}… images, never a URL"
        )
    try:
        data = base64.b64decode(src[len(PNG_PREFIX) :], validate=True)
    except binascii.Error as exc:
        raise RenderError(f"<img>: the base64 PNG data is malformed ({exc})") from exc
    if not data.startswith(_PNG_MAGIC):
        raise RenderError("<img>: data:image/png does not hold a PNG image")
    width, height = _length(img, "width"), _length(img, "height")
    inline = document.part.new_pic_inline(io.BytesIO(data), width, height)
    cx = int(inline.extent.cx)
    if cx > _TEXT_WIDTH_EMU:  # a picture never overflows the text column
        inline = document.part.new_pic_inline(io.BytesIO(data), _TEXT_WIDTH_EMU, None)
    inline.docPr.set("id", str(shape_id))
    inline.docPr.set("name", f"Picture {shape_id}")
    alt = img.get("alt")
    if alt:
        inline.docPr.set("descr", alt)
    return inline


_TEXT_WIDTH_EMU = L.TEXT_WIDTH * L.EMU_PER_INCH // 1440


def _length(img: etree._Element, name: str) -> int | None:
    value = (img.get(name) or "").strip().removesuffix("px")
    if not value:
        return None
    try:
        pixels = float(value)
    except ValueError as exc:
        raise RenderError(f"<img {name}={img.get(name)!r}>: expected a number of CSS px") from exc
    return round(pixels * L.EMU_PER_INCH / L.CSS_PX_PER_INCH)
