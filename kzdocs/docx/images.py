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
    """The picture of a QR code (`data-qr`): the same code as the HTML's PNG, as large as the
    print CSS makes it, each module drawn as a block of pixels (Word smooths a small image it
    scales up)."""
    sharp, modules = _blocky(_png_bytes(img))
    side = modules * L.EMU_PER_INCH // QR_MODULES_PER_INCH
    return _picture(document, sharp, side, side, img.get("alt"), shape_id)


QR_MODULES_PER_INCH = 75  # the print CSS's image-resolution for QR codes
_QR_PIXELS_PER_MODULE = 4  # 300 pixels an inch: a print's resolution


def _blocky(png: bytes) -> tuple[bytes, int]:
    """`png` (one pixel a module) scaled up without smoothing, as a 1-bit PNG; and its side
    in modules."""
    from PIL import Image, UnidentifiedImageError

    from kzdocs.sign.qrsymbol import QrSymbol
    from kzdocs.sign.qrsymbol import png as symbol_png

    try:
        with Image.open(io.BytesIO(png)) as image:
            side = image.width
            pixels = image.convert("L").point(lambda value: 255 if value > 127 else 0).tobytes()
    except (UnidentifiedImageError, OSError) as exc:
        raise RenderError(f"<img data-qr>: the PNG cannot be read ({exc})") from exc
    modules = pixels.translate(_DARK_IS_ONE).decode("ascii")
    rows = tuple(modules[i : i + side] for i in range(0, len(modules), side))
    code = QrSymbol(version=0, level="", rows=rows)
    return symbol_png(code, scale=_QR_PIXELS_PER_MODULE, border=0, depth=1), side


_DARK_IS_ONE = bytes.maketrans(b"\x00\xff", b"10")


def png_inline(document: WordDocument, img: etree._Element, shape_id: int) -> etree._Element:
    """The wp:inline of an embedded PNG, sized from width/height attributes (CSS px) if given.

    `shape_id` is unique per document; python-docx's own counter cannot see pictures that are
    not yet attached to the body.
    """
    width, height = _length(img, "width"), _length(img, "height")
    return _picture(document, _png_bytes(img), width, height, img.get("alt"), shape_id)


def _picture(
    document: WordDocument,
    data: bytes,
    width: int | None,
    height: int | None,
    alt: str | None,
    shape_id: int,
) -> etree._Element:
    inline = document.part.new_pic_inline(io.BytesIO(data), width, height)
    cx = int(inline.extent.cx)
    if cx > _TEXT_WIDTH_EMU:  # a picture never overflows the text column
        inline = document.part.new_pic_inline(io.BytesIO(data), _TEXT_WIDTH_EMU, None)
    inline.docPr.set("id", str(shape_id))
    inline.docPr.set("name", f"Picture {shape_id}")
    if alt:
        inline.docPr.set("descr", alt)
    return inline


def _png_bytes(img: etree._Element) -> bytes:
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
    return data


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
