"""Page by page difference of two PDFs: the text that changed and a picture of where.

Pages are drawn with pypdfium2 (the test extra); the picture puts the golden page and the new
page side by side with red boxes around every region whose pixels differ.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

from kzdocs.golden.text import pdf_pages_text
from kzdocs.golden.textdiff import TextChange, diff_text

Box = tuple[int, int, int, int]  # left, top, right, bottom in image pixels

_SCALE = 1.25  # 90 dpi: words stay legible, a page stays ~100 KB of PNG
_CELL = 8  # pixels differing within one cell count as one changed spot
_THRESHOLD = 48  # grey-level difference below this is anti-aliasing noise
_GAP = 24  # white space between the golden and the new page
_RED = (220, 0, 0)


@dataclass(frozen=True)
class PageDiff:
    """One page that changed: its number (from 1), its text change, the changed regions."""

    number: int
    text: TextChange
    boxes: tuple[Box, ...]
    image: bytes | None  # PNG: golden page | new page, changes boxed in red; None if not drawn


def diff_pdf(old: bytes, new: bytes, *, images: bool = True) -> list[PageDiff]:
    """The pages of `new` that differ from `old` in text or pixels (a missing page is blank)."""
    old_text, new_text = pdf_pages_text(old), pdf_pages_text(new)
    count = max(len(old_text), len(new_text))
    old_pages = _page_images(old) if images else []
    new_pages = _page_images(new) if images else []
    pages = []
    for index in range(count):
        text = diff_text(_at(old_text, index, []), _at(new_text, index, []))
        boxes: tuple[Box, ...] = ()
        image = None
        if images:
            before, after = _pair(_at(old_pages, index, None), _at(new_pages, index, None))
            boxes = tuple(changed_regions(before, after))
            if boxes:
                image = side_by_side(before, after, boxes)
        if text.changed or boxes:
            pages.append(PageDiff(index + 1, text, boxes, image))
    return pages


def _at(items: list, index: int, default):
    return items[index] if index < len(items) else default


def _page_images(data: bytes) -> list:
    """Every page of a PDF drawn as an RGB Pillow image."""
    if not data:
        return []
    import pypdfium2

    document = pypdfium2.PdfDocument(data)
    try:
        images = []
        for page in document:
            bitmap = page.render(scale=_SCALE)
            images.append(bitmap.to_pil().convert("RGB"))
            bitmap.close()
            page.close()
        return images
    finally:
        document.close()


def _pair(before, after):
    """Two images of one size: a missing or smaller page is padded with white."""
    from PIL import Image

    sizes = [image.size for image in (before, after) if image is not None]
    width, height = max(w for w, _ in sizes), max(h for _, h in sizes)

    def padded(image):
        canvas = Image.new("RGB", (width, height), "white")
        if image is not None:
            canvas.paste(image, (0, 0))
        return canvas

    return padded(before), padded(after)


def changed_regions(before, after) -> Iterator[Box]:
    """Boxes around the groups of changed pixels; neighbouring spots merge into one box."""
    from PIL import Image, ImageChops

    difference = ImageChops.difference(before.convert("L"), after.convert("L"))
    mask = difference.point(lambda v: 255 if v >= _THRESHOLD else 0)
    if mask.getbbox() is None:
        return
    width, height = mask.size
    columns, rows = -(-width // _CELL), -(-height // _CELL)
    # A box-filtered shrink keeps any changed pixel of a cell as a non-zero grey.
    grid = mask.resize((columns, rows), resample=Image.Resampling.BOX)
    spots = {(x, y) for y in range(rows) for x in range(columns) if grid.getpixel((x, y))}
    for group in _groups(spots):
        xs = [x for x, _ in group]
        ys = [y for _, y in group]
        yield (
            min(xs) * _CELL,
            min(ys) * _CELL,
            min((max(xs) + 1) * _CELL, width) - 1,
            min((max(ys) + 1) * _CELL, height) - 1,
        )


def _groups(spots: set[tuple[int, int]]) -> Iterator[list[tuple[int, int]]]:
    """Spots within two cells of each other form one group (a word, a line of a field)."""
    left = set(spots)
    while left:
        start = left.pop()
        group, queue = [start], [start]
        while queue:
            x, y = queue.pop()
            for dx in range(-2, 3):
                for dy in range(-2, 3):
                    near = (x + dx, y + dy)
                    if near in left:
                        left.remove(near)
                        group.append(near)
                        queue.append(near)
        yield group


def side_by_side(before, after, boxes: tuple[Box, ...]) -> bytes:
    """A PNG of the golden page (left) and the new page (right), changes boxed in red."""
    from PIL import Image, ImageDraw

    width, height = before.size
    canvas = Image.new("RGB", (width * 2 + _GAP, height), "white")
    canvas.paste(before, (0, 0))
    canvas.paste(after, (width + _GAP, 0))
    draw = ImageDraw.Draw(canvas)
    for left, top, right, bottom in boxes:
        for offset in (0, width + _GAP):
            draw.rectangle(
                (left + offset - 2, top - 2, right + offset + 2, bottom + 2), outline=_RED, width=2
            )
    draw.line((width + _GAP // 2, 0, width + _GAP // 2, height), fill=(160, 160, 160), width=1)
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()
